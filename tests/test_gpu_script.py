"""The prepared GPU run (`tools/gpu_check.sh`), end to end on this CPU with a tiny budget: every step runs or is
stopped by the budget, the stopped sweep keeps a valid log that a second run resumes, and the results come back
as the three files a GPU machine returns."""
import json, os, shutil, subprocess, tarfile
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
TINY = dict(DEVICE='cpu', SCALE='quick', DTYPE='float64', NOTEBOOKS='nbs/00_core.ipynb', ESTIMATE='fig1', ESTIMATE_CELLS='1',
            SWEEPS='fig1', BENCH='--n 512 --d 8 --L 16 --n-theta 2 --N1 2 --repeat 1 --peer-repeat 1 --square 128', WHEELS='no-wheels')

def gpu_check(out:Path, budget:int, **extra) -> tuple:
    "Run the script with the tiny settings; (return code, summary rows as {step: how it ended}, log lines of fig1)."
    env = {**os.environ, **TINY, 'BUDGET': str(budget), 'OUT': str(out), 'OMP_NUM_THREADS': '1', **extra}
    p = subprocess.run(['bash', str(ROOT / 'tools' / 'gpu_check.sh')], env=env, capture_output=True, text=True, timeout=budget + 120)
    rows = [l.strip('|').split('|') for l in (out / 'summary.md').read_text().splitlines() if l.startswith('| ') and not l.startswith('| step')]
    with tarfile.open(out / 'results.tar.gz') as tar: tar.extractall(out / 'unpacked', filter='data')
    log = out / 'unpacked' / 'results' / 'fig1.jsonl'
    lines = log.read_text().splitlines() if log.exists() else []
    return p.returncode, {r[0].strip(): r[2].strip() for r in rows}, lines, p.stdout + p.stderr

def test_the_gpu_script_runs_end_to_end_on_a_cpu_and_resumes(tmp_path):
    rc, steps, lines, output = gpu_check(tmp_path / 'first', 75)
    print(json.dumps(steps, indent=1)); print(f'fig1 log: {len(lines) - 1} cells')
    assert rc == 0, output[-3000:]
    assert sorted(f.name for f in (tmp_path / 'first').iterdir() if f.is_file()) == ['gpu-check.log', 'results.tar.gz', 'summary.md']
    for name in ('environment', 'estimate', 'nbdev_test --flags cuda', 'phase-1 benchmark'): assert steps[name] == 'done', (name, steps[name])
    assert steps['reproduce fig1 --quick'] in ('done', 'stopped at its time limit (resumable)'), steps
    assert 'expected' in output or 'total' in output # the estimate printed its figures
    assert len(lines) >= 2 and 'header' in json.loads(lines[0]), 'the stopped sweep kept no finished cell'
    # the next run resumes the log: the cells it had are kept, line for line
    again_rc, again, more, output = gpu_check(tmp_path / 'second', 35, RESUME=str(tmp_path / 'first' / 'unpacked' / 'results'), STEPS='sweeps')
    print(json.dumps(again, indent=1)); print(f'fig1 log after resuming: {len(more) - 1} cells')
    assert again_rc == 0 and list(again) == ['reproduce fig1 --quick'], (again, output[-3000:])
    assert more[:len(lines)] == lines, 'resuming changed the cells already logged'
    if steps['reproduce fig1 --quick'] != 'done': assert len(more) > len(lines), 'the second run added no cell'
