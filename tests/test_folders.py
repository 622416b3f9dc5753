"""A results folder is one consistent thing, whoever writes it and whatever happens: one writer at a time, workers
that die with their launcher, `ddlit run`'s folder written whole, and the file system's errors reported in one line
at the door or when they happen. Every folder is a pytest temporary folder; nothing leaves the machine."""
import contextlib, errno, io, json, os, shutil, signal, subprocess, sys, time
from pathlib import Path
import pytest
import ddlit.repro.paradigms as paradigms
from ddlit.repro.cli import main
from conftest import ddlit_exe as exe

SMALL = ['--d', '8', '--n', '2048', '--L', '16', '--N1', '2', '--n-theta', '2', '--n-test', '1024', '--device', 'cpu']
ENV = {**os.environ, 'OMP_NUM_THREADS': '1'}


def run_main(argv) -> tuple:
    "main(argv) in this process: its exit status (SystemExit included), stdout and stderr."
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try: code = main(argv)
        except SystemExit as e: code = e.code
    return code, out.getvalue(), err.getvalue()

def holder(folder:Path):
    "A separate process that holds `folder`'s lock (as a writer of it would) until it is killed."
    code = f"import time; from ddlit.repro.runs import locked\nwith locked({str(folder)!r}):\n    print('held', flush=True); time.sleep(600)"
    proc = subprocess.Popen([sys.executable, '-c', code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == 'held'
    return proc

@pytest.mark.parametrize('command', ['reproduce', 'run'])
def test_a_second_writer_is_refused_at_once(tmp_path, command):
    """A folder being written by another process, whichever command it runs: exit 2 at once, naming the folder and the
    holder's PID. Both commands take the one lock of the folder."""
    from ddlit.repro.runs import lock_path, locked
    out = tmp_path / 'out'
    out.mkdir()
    lock = lock_path(out)
    proc = holder(out)
    try:
        start = time.time()
        argv = ['reproduce', 'fig2', '--quick', '--out', str(out)] if command == 'reproduce' else ['run', *SMALL, '--out', str(out)]
        p = subprocess.run([exe(), *argv], capture_output=True, text=True, timeout=120, env=ENV)
        print(p.stderr.strip().splitlines()[-1], f'({time.time() - start:.1f} s)')
        assert p.returncode == 2 and f"out {str(out)!r} is being written by another ddlit process (PID {proc.pid})" in p.stderr
        assert [p.name for p in out.iterdir()] == [] # nothing computed, nothing written
    finally: proc.kill(); proc.wait()
    assert lock.exists() # a killed holder leaves its file, and the kernel its lock:
    with locked(out): pass # the folder is free again
    assert not lock.exists()

def test_run_and_reproduce_keep_to_their_own_folders(tmp_path):
    "Each command refuses, before any work, a folder holding the other's results."
    from ddlit.repro.cli import main
    runs, logs = tmp_path / 'runs', tmp_path / 'logs'
    runs.mkdir(); (runs / 'paradigms.json').write_text('{}')
    logs.mkdir(); (logs / 'fig2.jsonl').write_text('{}\n')
    for argv, message in [(['reproduce', 'fig2', '--quick', '--out', str(runs)], 'holds the results of ddlit run (paradigms.json)'),
                          (['run', *SMALL, '--out', str(logs)], 'holds files that ddlit run did not write (fig2.jsonl)')]:
        p = subprocess.run([exe(), *argv], capture_output=True, text=True, timeout=120, env=ENV)
        print(p.stderr.strip().splitlines()[-1])
        assert p.returncode == 2 and message in p.stderr, p.stderr
    assert sorted(f.name for f in tmp_path.iterdir()) == ['logs', 'runs'] # no lock left behind

def test_a_symlinked_out_is_followed_and_kept(tmp_path):
    "--out a link to an earlier run: the run replaces the folder the link names, and the link stays a link."
    real, link = tmp_path / 'real', tmp_path / 'link'
    first = subprocess.run([exe(), 'run', *SMALL, '--out', str(real)], capture_output=True, text=True, timeout=600, env=ENV)
    assert first.returncode == 0, first.stderr
    link.symlink_to(real)
    again = subprocess.run([exe(), 'run', *SMALL, '--seed', '1', '--out', str(link)], capture_output=True, text=True, timeout=600, env=ENV)
    assert again.returncode == 0, again.stderr
    assert link.is_symlink() and link.resolve() == real.resolve() and '"seed": 1' in (real / 'paradigms.json').read_text()
    assert sorted(f.name for f in tmp_path.iterdir()) == ['link', 'real'] # no staging, no lock left

def children(pid:int) -> list:
    "The process ids whose parent is `pid` (from /proc)."
    out = []
    for stat in Path('/proc').glob('[0-9]*/stat'):
        try: fields = stat.read_text().rsplit(')', 1)[1].split()
        except OSError: continue
        if int(fields[1]) == pid: out.append(int(stat.parent.name))
    return out

def alive(pid:int) -> bool:
    "Whether `pid` is a live process (not gone, not a zombie)."
    try: return Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError: return False

@pytest.mark.skipif(not Path('/proc/self/stat').exists(), reason='reads /proc')
def test_workers_die_with_a_killed_launcher(tmp_path):
    "SIGKILL of `ddlit reproduce --jobs 2`: its worker processes end within seconds instead of running on."
    out = tmp_path / 'out'
    proc = subprocess.Popen([exe(), 'reproduce', 'fig2', '--quick', '--device', 'cpu', '--jobs', '2', '--out', str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    log, deadline = out / 'fig2.jsonl', time.time() + 300
    while (not log.exists() or log.read_text().count('\n') < 3) and proc.poll() is None and time.time() < deadline: time.sleep(0.05)
    workers = children(proc.pid)
    assert proc.poll() is None and len(workers) >= 2, workers
    os.kill(proc.pid, signal.SIGKILL); proc.wait()
    deadline = time.time() + 20
    while any(alive(w) for w in workers) and time.time() < deadline: time.sleep(0.1)
    print(f'workers {workers}: alive {[w for w in workers if alive(w)]} {time.time() - deadline + 20:.1f} s after the kill')
    assert not any(alive(w) for w in workers)

def test_run_replaces_its_folder_whole(tmp_path, monkeypatch):
    "A run stopped before it is complete leaves the previous run as it was; stale staging is cleaned; a foreign folder is refused."
    out = tmp_path / 'out'
    assert run_main(['run', *SMALL, '--out', str(out)])[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(before) == ['dataset.pt', 'paradigms.json', 'paradigms.png']
    def killed(*a, **k): raise KeyboardInterrupt # stopped after the dataset and the table, before the figure
    monkeypatch.setattr(paradigms, 'plot_paradigms', killed)
    code, _, err = run_main(['run', *SMALL, '--seed', '1', '--out', str(out)])
    assert code == 130 and err.strip().splitlines()[-1] == f'ddlit run: interrupted; {out} is as it was (a run replaces it only when complete)'
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before # seed 0's run, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ['out'] # no staging left, no lock
    monkeypatch.undo()
    (tmp_path / '.out.partial-1').mkdir(); (tmp_path / '.out.partial-1' / 'dataset.pt').write_text('half')
    os.rename(out, tmp_path / '.out.old-2') # as if killed between the two renames of a system without an atomic exchange
    assert run_main(['run', *SMALL, '--seed', '1', '--out', str(out)])[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ['out']
    assert json.loads((out / 'paradigms.json').read_text())['args']['seed'] == 1
    (out / 'notes.txt').write_text('mine')
    code, _, err = run_main(['run', *SMALL, '--out', str(out)])
    assert code == 2 and "holds files that ddlit run did not write (notes.txt)" in err, err

def test_a_full_disk_ends_with_one_line(tmp_path, monkeypatch):
    "ENOSPC while a sweep writes its log, or while a run writes its files: exit 1, one line saying what is safe."
    def full(*a, **k): raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / 'out' / 'fig2.jsonl'))
    import ddlit.repro.sweep
    monkeypatch.setattr(ddlit.repro.sweep.CellLog, 'put', full)
    code, _, err = run_main(['reproduce', 'fig2', '--quick', '--out', str(tmp_path / 'out')])
    last = err.strip().splitlines()[-1] # after the progress bar
    print(last)
    assert code == 1 and 'Traceback' not in err and last.startswith('ddlit reproduce: stopped, a file could not be written')
    assert f'No space left on device: {tmp_path / "out" / "fig2.jsonl"}' in last and '0 of 60 cells saved' in last and 'resume with: ddlit reproduce fig2 --quick' in last
    monkeypatch.setattr(paradigms, 'save_dataset', full)
    code, _, err = run_main(['run', *SMALL, '--out', str(tmp_path / 'run')])
    assert code == 1 and 'is as it was (a run replaces it only when complete)' in err.strip().splitlines()[-1], err
    assert not (tmp_path / 'run').exists()

def test_an_unwritable_out_is_refused_before_computing(tmp_path, monkeypatch):
    "A folder where no file can be created (read-only, lost permission): exit 2 at once, naming it."
    import ddlit.core
    def denied(*a, **k): raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    monkeypatch.setattr(ddlit.core.tempfile, 'mkstemp', denied) # root ignores file modes, so the refusal is simulated
    start = time.time()
    for argv in (['reproduce', 'fig2', '--quick', '--out', str(tmp_path / 'ro')], ['run', *SMALL, '--out', str(tmp_path / 'ro2' / 'out')]):
        code, _, err = run_main(argv)
        print(err.strip().splitlines()[-1])
        assert code == 2 and 'is not writable: Permission denied' in err
    assert time.time() - start < 10 # refused before any computing

def test_settings_that_cannot_work_are_named(tmp_path):
    "N1 and the second set against n; finite inputs too large to compute with; a width that does not fit in memory."
    code, _, err = run_main(['run', '--n', '8', '--N1', '20', '--L', '4', '--n-test', '4', '--out', str(tmp_path / 'a')])
    assert code == 2 and 'n must be at least N1 + 2L + 2 = 30' in err, err
    import torch
    from ddlit import distill, make_generator, reference_init, seeded_task
    task, X, y, _ = seeded_task(1, 16, 512, 0)
    with pytest.raises(ValueError, match=r'X has entries as large as .* too large for float64 arithmetic'): distill(X * 1e150, y, 16, make_generator(0))
    with pytest.raises(ValueError, match=r'y has entries as large as .* too large for float64 arithmetic'): distill(X, y * 1e200, 16, make_generator(0))
    with pytest.raises(ValueError, match=r'a network of width L = 1000000000000 on d = 64 inputs needs about .* GiB, more than the'): reference_init(10**12, 64, 0)

def test_temporaries_of_a_killed_writer_are_removed(tmp_path):
    """A writer killed mid-write leaves `.NAME.ddlit-XXXXXXXX.tmp` beside its target; the next writer of the folder removes
    it, and nothing else: a user's `notes.k3j4h5x2.tmp` has the shape of a temporary name but not ddlit's mark."""
    out = tmp_path / 'out'; out.mkdir()
    (out / '.fig2.csv.ddlit-k3j4h5x2.tmp').write_text('half a table')
    for mine in ('notes.tmp', 'notes.k3j4h5x2.tmp', 'fig2.csv.k3j4h5x2.tmp'): (out / mine).write_text('mine')
    assert run_main(['reproduce', 'fig2', '--quick', '--estimate', '--estimate-cells', '1', '--out', str(out)])[0] == 0
    assert not (out / '.fig2.csv.ddlit-k3j4h5x2.tmp').exists()
    assert all((out / mine).read_text() == 'mine' for mine in ('notes.tmp', 'notes.k3j4h5x2.tmp', 'fig2.csv.k3j4h5x2.tmp'))
