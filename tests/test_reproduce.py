"""`ddlit reproduce` as a user runs it: killed with SIGKILL in the middle of a sweep, then rerun, it finishes
with the same table as an uninterrupted run in another process, bit for bit, no row lost or duplicated."""
import os, signal, shutil, subprocess, time
from pathlib import Path

def start(out):
    exe = shutil.which('ddlit')
    assert exe, "the ddlit console script is not on PATH: install the package with pip"
    return subprocess.Popen([exe, 'reproduce', 'fig2', '--quick', '--device', 'cpu', '--out', str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

def finished_cells(out):
    log = Path(out) / 'fig2.jsonl'
    return log.read_text().count('\n') - 1 if log.exists() else 0 # minus the header line

def test_sigkill_then_resume_gives_the_uninterrupted_table(tmp_path):
    killed = start(tmp_path / 'killed')
    deadline = time.time() + 300
    while finished_cells(tmp_path / 'killed') < 5 and killed.poll() is None and time.time() < deadline: time.sleep(0.05)
    assert killed.poll() is None, "the sweep ended before it could be killed"
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    done_at_kill = finished_cells(tmp_path / 'killed')
    assert not (tmp_path / 'killed' / 'fig2.csv').exists() # the table is written only when the sweep is complete
    resumed = start(tmp_path / 'killed')
    whole = start(tmp_path / 'whole')
    out_r, err_r = resumed.communicate(timeout=600)
    out_w, err_w = whole.communicate(timeout=600)
    assert resumed.returncode == 0 and whole.returncode == 0, err_r + err_w
    recorded = err_r.count('recorded {')
    print(f"killed after {done_at_kill} finished cells; the rerun took {recorded} from the log")
    assert recorded >= done_at_kill >= 5
    a, b = (tmp_path / 'killed' / 'fig2.csv').read_text(), (tmp_path / 'whole' / 'fig2.csv').read_text()
    assert a == b
    lines = a.splitlines()
    assert len(lines) == len(set(lines)) == 1 + 60 * 5 # header + 60 cells x 5 models, none twice
    assert out_r.splitlines()[1:-1] == out_w.splitlines()[1:-1] # the same claims and measured numbers
