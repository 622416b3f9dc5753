"""The installed `ddlit` command, run as a user would run it: in a subprocess, from the shell."""
import re, shutil, signal, subprocess, sys, time
import pytest
from conftest import ddlit

SMALL = ['--d', '16', '--n', '8192', '--L', '128', '--n-test', '16384', '--device', 'cpu']


def losses(stdout):
    "The test losses in the paradigm table printed by `ddlit run`."
    return {m: float(v) for m, v in re.findall(r'^(vanilla|teacher at t=2|distilled|Random I|Random II|distilled \(2 GM steps\))\s+([0-9.]+) ±', stdout, re.M)}

@pytest.mark.parametrize('dtype', ['float64', 'float32'])
def test_run_and_retrain(tmp_path, dtype):
    out = tmp_path / 'out'
    p = ddlit('run', *SMALL, '--dtype', dtype, '--out', str(out))
    assert p.returncode == 0, p.stderr
    print(p.stdout)
    got = losses(p.stdout)
    assert set(got) == {'vanilla', 'teacher at t=2', 'distilled', 'Random I', 'Random II', 'distilled (2 GM steps)'}
    # the distilled model reproduces the teacher at t=2 to the printed digits, in float32 as in float64
    assert got['distilled'] == got['teacher at t=2']
    assert 'second set: rank' in p.stdout and 'condition number' in p.stdout
    assert got['distilled'] < 0.5 < got['Random I']
    assert sorted(f.name for f in out.iterdir()) == ['dataset.pt', 'paradigms.json', 'paradigms.png']
    assert (out / 'paradigms.png').read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert '7/7 done' in p.stderr # the progress bar reached its end
    again = ddlit('retrain', str(out / 'dataset.pt'), '--n-test', '16384', '--device', 'cpu')
    assert again.returncode == 0, again.stderr
    assert float(re.search(r'test loss ([0-9.]+)', again.stdout).group(1)) == got['distilled']

def test_run_with_two_matching_steps_labels_the_extra_row(tmp_path):
    "With --gm-steps 2 the main row is the iterated one and the extra row the paper's one step, named in the singular."
    p = ddlit('run', *SMALL, '--gm-steps', '2', '--out', str(tmp_path / 'out'))
    assert p.returncode == 0, p.stderr
    assert re.search(r'^distilled \(1 GM step\)\s+[0-9.]+ ±', p.stdout, re.M), p.stdout
    assert 'GM steps)' not in p.stdout and '1 GM steps' not in p.stdout

def test_run_is_reproducible(tmp_path):
    first, second = ddlit('run', *SMALL, '--out', str(tmp_path / 'a')), ddlit('run', *SMALL, '--out', str(tmp_path / 'b'))
    assert first.returncode == second.returncode == 0
    assert losses(first.stdout) == losses(second.stdout)

@pytest.mark.parametrize('args,message', [
    (['run', '--L', '7'], 'L must be even'),
    (['run', '--d', '0'], 'd must be an integer in [1, inf]'),
    (['run', '--r', '3', '--d', '2'], '--r 3 directions need --d 3 or more input dimensions, got --d 2'),
    (['run', '--noise', '-1'], 'noise must be >= 0'),
    (['run', '--N1', '0'], 'N1 must be an integer in [1, inf]'),
    (['run', '--device', 'tpu'], "device must be 'auto', 'cpu' or 'cuda[:k]'"),
    (['run', '--n', 'many'], "invalid int value: 'many'"),
    (['retrain', 'no-such-file.pt'], 'path must be an existing file'),
    (['reproduce', 'fig9'], "invalid choice: 'fig9'"),
    (['reproduce', 'fig1', '--quick', '--full'], 'not allowed with argument'),
    (['reproduce', 'fig1', '--device', 'tpu'], "device must be 'auto', 'cpu' or 'cuda[:k]'"),
    (['reproduce', 'fig1', '--out', 'README.md'], "out must be a folder, got the file 'README.md'"),
    (['run', '--target', 'h2(z1) + h2(z2)'], '--target uses z2, so the task needs --r 2 (got --r 1)'),
    (['run', '--r', '2', '--target', 'h2(z1) + h4(z1)'], 'target must have a degree-2 part in every latent direction'),
    (['run', '--L', '511'], 'L must be even'),
    (['reproduce', 'fig1', '--algorithm', 'DC'], 'compares no algorithms: --algorithm applies to comparison and digits'),
    (['reproduce', 'comparison', '--algorithm', 'nonesuch'], "algorithm must be one of ('ddlit', 'DC', 'PM', 'DM', 'MTT', 'KIP') or 'module:attribute'"),
    (['reproduce', 'comparison', '--algorithm', 'json:dumps'], "algorithm 'json:dumps' must name an Algorithm"),
    (['reproduce', 'comparison', '--algorithm', 'DC', '--estimate'], '--algorithm runs the named algorithms: drop --estimate'),
])
def test_bad_input_exits_2_naming_the_parameter(args, message, tmp_path):
    (tmp_path / 'README.md').write_text('a file, not a folder')
    p = ddlit(*args, cwd=tmp_path)
    assert p.returncode == 2 and message in p.stderr, (p.returncode, p.stderr)
    left = sorted(f.name for f in tmp_path.iterdir() if f.name != 'README.md')
    assert not left, f'a refused command left {left} behind (a folder, a lock file)'
    print(' '.join(args), '->', p.stderr.strip().splitlines()[-1])
    assert p.stderr.startswith(f'usage: ddlit {args[0]}'), p.stderr # the subcommand's usage, not the top-level one
    assert '[' not in p.stderr.split('usage:')[0] # nothing (a progress bar) drawn before the error

def test_run_says_when_n_is_too_small_for_phase_1(tmp_path):
    "Below d^2 samples phase 1 cannot find the task's directions: the run goes on, with a note naming --n and the size that works."
    p = ddlit('run', '--d', '16', '--n', '128', '--L', '32', '--n-test', '1024', '--device', 'cpu', '--out', str(tmp_path / 'o'))
    note = next(l for l in p.stderr.splitlines() if l.startswith('note:'))
    print(note)
    assert p.returncode == 0 and 'note: --n 128 is below d² = 256' in note and 'use --n 256 or more' in note

def test_retrain_refuses_a_foreign_file(tmp_path):
    junk = tmp_path / 'weights.pt'
    junk.write_bytes(b'\x00' * 64)
    p = ddlit('retrain', str(junk))
    assert p.returncode == 2 and 'is not a ddlit dataset' in p.stderr

def test_help_lists_the_options():
    p = ddlit('run', '--help')
    assert p.returncode == 0
    for opt in ('--r', '--d', '--n', '--L', '--seed', '--N1', '--strategy', '--matching', '--device', '--dtype', '--out'): assert opt in p.stdout
    p = ddlit('reproduce', '--help')
    assert p.returncode == 0
    for opt in ('fig1,fig2,fig2_dims,fig3,tables,rank,finite_t,memory,iterated,rates,comparison,digits,all', '--quick', '--full', '--out', '--device', '--dtype'): assert opt in p.stdout
    assert '(default: quick)' not in p.stdout # --full is not the default

def test_custom_target_round_trip(tmp_path):
    "A target given in Hermite terms is distilled, recorded with the dataset, and tested again by ddlit retrain."
    out = tmp_path / 'custom'
    p = ddlit('run', *SMALL, '--r', '2', '--target', 'h2(z1) + h2(z2) + 0.5*h2(z1)*h2(z2)', '--noise', '0.1', '--out', str(out))
    assert p.returncode == 0, p.stderr
    assert '0.6667*h2(z1) + 0.6667*h2(z2) + 0.3333*h2(z1)*h2(z2)' in p.stdout # the normalized target, in the title
    again = ddlit('retrain', str(out / 'dataset.pt'), '--n-test', '16384', '--device', 'cpu')
    assert again.returncode == 0, again.stderr
    assert float(re.search(r'test loss ([0-9.]+)', again.stdout).group(1)) == losses(p.stdout)['distilled']

def test_retrain_a_dataset_made_in_python(tmp_path):
    "A dataset distilled in Python with its task recorded is retrained and tested by the command line."
    code = (f"from ddlit import *; task, X, y, s = seeded_task(1, 12, 4096, 3); "
            f"save_dataset(distill(X, y, 64, make_generator(s), DistillConfig(N1=2, n_theta=4), task=task).dataset, {str(tmp_path / 'py.pt')!r}); "
            f"save_dataset(distill(X, y, 64, make_generator(s), DistillConfig(N1=2, n_theta=4)).dataset, {str(tmp_path / 'bare.pt')!r})")
    subprocess.run([sys.executable, '-c', code], check=True, timeout=300)
    p = ddlit('retrain', str(tmp_path / 'py.pt'), '--n-test', '4096', '--device', 'cpu')
    assert p.returncode == 0 and 'test loss' in p.stdout, p.stderr
    bare = ddlit('retrain', str(tmp_path / 'bare.pt'), '--device', 'cpu')
    assert bare.returncode == 2 and 'does not record its task' in bare.stderr and 'distill(X, y, L, gen, task=task)' in bare.stderr

def _lines_reach(log, count:int, proc, seconds:float=300):
    "Wait until `log` holds `count` lines (header included) while `proc` runs; False if it ended or timed out."
    deadline = time.time() + seconds
    while (not log.exists() or log.read_text().count('\n') < count) and proc.poll() is None and time.time() < deadline: time.sleep(0.05)
    return proc.poll() is None and log.exists() and log.read_text().count('\n') >= count

@pytest.mark.parametrize('sig,code', [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_reproduce_ends_with_one_line(tmp_path, sig, code):
    "Ctrl-C or SIGTERM during a sweep: exit 130 / 143, one line naming the cells saved and the command that resumes."
    exe = shutil.which('ddlit')
    out = tmp_path / 'run'
    proc = subprocess.Popen([exe, 'reproduce', 'fig2', '--quick', '--device', 'cpu', '--out', str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)) # Ctrl-C reaches it even if this test runs in a background job
    log = out / 'fig2.jsonl'
    assert _lines_reach(log, 4, proc), 'the sweep ended before it could be interrupted'
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == code, stderr
    assert 'Traceback' not in stderr
    last = stderr.strip().splitlines()[-1]
    saved = int(re.search(r'(\d+) of \d+ cells saved', last).group(1))
    assert saved == log.read_text().count('\n') - 1 >= 3 and f'resume with: ddlit reproduce fig2 --quick --out {out}' in last, last
    assert not (out / 'fig2.csv').exists() # nothing half-written: the table comes only with a finished sweep

def _spawned_workers(pid:int) -> list:
    "The process ids of the worker processes `pid` spawned (children running multiprocessing's spawn_main)."
    from pathlib import Path
    children = Path(f'/proc/{pid}/task/{pid}/children').read_text().split()
    return [int(c) for c in children if b'spawn_main' in Path(f'/proc/{c}/cmdline').read_bytes()]

@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='reads the process tree from /proc')
def test_ctrl_c_ends_the_cells_under_way(tmp_path):
    """Ctrl-C while two workers compute full-scale cells (minutes each): the command ends them rather than waiting for
    them, since only finished cells are in the log; it exits 130 within a minute, no worker left behind."""
    exe, out = shutil.which('ddlit'), tmp_path / 'run'
    proc = subprocess.Popen([exe, 'reproduce', 'finite_t', '--full', '--jobs', '2', '--dtype', 'float32', '--device', 'cpu',
                             '--out', str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 120
    while proc.poll() is None and len(_spawned_workers(proc.pid)) < 2 and time.time() < deadline: time.sleep(0.1)
    workers = _spawned_workers(proc.pid)
    assert len(workers) == 2, workers
    time.sleep(5) # both are inside their first cell
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    last = stderr.strip().splitlines()[-1]
    print(last)
    assert proc.returncode == 130 and re.search(r'\b0 of \d+ cells saved', last), stderr
    time.sleep(1)
    from pathlib import Path
    running = [w for w in workers if Path(f'/proc/{w}').exists() and Path(f'/proc/{w}/stat').read_text().split()[2] != 'Z']
    assert not running, running

@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='reads the process tree from /proc')
def test_a_killed_worker_ends_with_one_line_that_resumes(tmp_path):
    """A local worker killed by the system (as the OOM killer does): exit 1, one line naming the likely cause and the
    cells saved, and a resume command bound to the logs' dtype and device, which resumes."""
    exe, out = shutil.which('ddlit'), tmp_path / 'run'
    args = ['reproduce', 'fig2', '--quick', '--dtype', 'float32', '--device', 'cpu', '--jobs', '2', '--out', str(out)]
    proc = subprocess.Popen([exe, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log = out / 'fig2.jsonl'
    assert _lines_reach(log, 3, proc), 'the sweep ended before a worker could be killed'
    workers = _spawned_workers(proc.pid)
    assert len(workers) == 2, workers
    import os; os.kill(workers[0], signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=120)
    last = stderr.strip().splitlines()[-1]
    print(last)
    assert proc.returncode == 1 and 'Traceback' not in stderr, stderr
    assert 'a worker process died' in last and 'fewer --jobs' in last, last
    saved = int(re.search(r'(\d+) of \d+ cells saved', last).group(1))
    assert saved == log.read_text().count('\n') - 1 >= 2, last
    resume = last.split('resume with: ')[1].split()
    assert resume == ['ddlit', 'reproduce', 'fig2', '--quick', '--out', str(out), '--dtype', 'float32', '--device', 'cpu',
                      '--jobs=2'], resume # the same workers, so the same threads: rows bit for bit as logged
    again = subprocess.Popen([exe, *resume[1:]], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert _lines_reach(log, saved + 2, again), 'the printed command did not resume the log'
    again.send_signal(signal.SIGINT)
    _, stderr = again.communicate(timeout=120)
    assert again.returncode == 130, stderr # stopped by us, not refused: the log was the command's own
    assert 'another environment' not in stderr, stderr
    # resumed on workers of 2 threads, not the logged 1: it says so, and how to get identical rows
    logged = log.read_text().count('\n') # `again` may have saved more than one cell before it stopped
    other = subprocess.Popen([exe, *resume[1:], '--threads=2'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert _lines_reach(log, logged + 1, other)
    other.send_signal(signal.SIGINT)
    _, stderr = other.communicate(timeout=120)
    warning = next(l for l in stderr.splitlines() if 'another environment' in l)
    print(warning[warning.index('resuming'):])
    assert 'threads: 1 -> 2' in warning and 'resume with the logged threads' in warning, warning

def test_readme_sample_is_what_ddlit_run_prints(tmp_path):
    "The README's sample output is `ddlit run`'s own output, with its defaults, to the last printed digit."
    import os
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[1] / 'README.md').read_text()
    block = re.search(r'```\n\$ ddlit run\n(.*?)\n```', readme, re.S).group(1)
    p = subprocess.run([shutil.which('ddlit'), 'run', '--device', 'cpu'], capture_output=True, text=True, timeout=900, cwd=tmp_path,
                       env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == block.strip()
