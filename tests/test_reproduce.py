"""`ddlit reproduce` as a user runs it: run on two local worker processes (`--jobs 2`) and killed with SIGKILL in the
middle of a sweep, then rerun on a Dask LocalCluster of two worker processes (`--dask local`), it finishes with the
same table as an uninterrupted serial run, bit for bit, no row lost or duplicated. Every run uses one BLAS thread
per process, so that the serial and the parallel runs sum in the same order."""
import os, signal, shutil, subprocess, time
from pathlib import Path
import pytest

ENV = {**os.environ, 'OMP_NUM_THREADS': '1'}

def start(out, *options):
    exe = shutil.which('ddlit')
    assert exe, "the ddlit console script is not on PATH: install the package with pip"
    return subprocess.Popen([exe, 'reproduce', 'fig2', '--quick', '--device', 'cpu', '--out', str(out), *options],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)

def finished_cells(out):
    log = Path(out) / 'fig2.jsonl'
    return log.read_text().count('\n') - 1 if log.exists() else 0 # minus the header line

def finish(proc):
    out, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err[-3000:]
    return out, err

class Background:
    "A run started now and waited for (once) when a test needs its output."
    def __init__(self, folder): self.folder, self.proc, self.output = folder, start(folder), None
    def result(self):
        if self.output is None: self.output = finish(self.proc)
        return self.output

@pytest.fixture(scope='module')
def serial(tmp_path_factory):
    "The uninterrupted serial run, started at once, beside the runs of the tests."
    return Background(tmp_path_factory.mktemp('serial'))

def test_killed_on_workers_then_resumed_on_dask_gives_the_serial_table(tmp_path, serial):
    pytest.importorskip('distributed')
    killed = start(tmp_path / 'run', '--jobs', '2')
    deadline = time.time() + 300
    while finished_cells(tmp_path / 'run') < 5 and killed.poll() is None and time.time() < deadline: time.sleep(0.05)
    assert killed.poll() is None, "the sweep ended before it could be killed"
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    done_at_kill = finished_cells(tmp_path / 'run')
    assert not (tmp_path / 'run' / 'fig2.csv').exists() # the table is written only when the sweep is complete
    out_r, err_r = finish(start(tmp_path / 'run', '--dask', 'local', '--jobs', '2'))
    out_w, err_w = serial.result()
    recorded, computed = err_r.count('recorded {'), err_r.count('computed {')
    print(f"killed after {done_at_kill} finished cells on 2 worker processes; the rerun on a Dask LocalCluster took {recorded} "
          f"from the log and computed {computed}")
    assert recorded >= done_at_kill >= 5 and recorded + computed == 60
    a, b = (tmp_path / 'run' / 'fig2.csv').read_text(), (serial.folder / 'fig2.csv').read_text()
    assert a == b
    lines = a.splitlines()
    assert len(lines) == len(set(lines)) == 1 + 60 * 5 # header + 60 cells x 5 models, none twice
    assert out_r.splitlines()[1:-1] == out_w.splitlines()[1:-1] # the same claims and measured numbers
