"""Where a sweep's cells run: local worker processes, a Dask LocalCluster on localhost (one worker killed mid-sweep)
and submitit's local executor all give the serial table; options asking for a missing extra or an unreachable
scheduler are refused with exit status 2. (The whole `ddlit reproduce` on workers is in test_reproduce.py.)"""
import multiprocessing, os, shutil, signal, subprocess, sys, threading, time
from concurrent.futures import ProcessPoolExecutor
import cloudpickle
import pytest
from ddlit.repro.sweep import CellLog, run_sweep

cloudpickle.register_pickle_by_value(sys.modules[__name__]) # Dask and submitit workers need not import this file

CELLS = [{'a': a, 'seed': s} for a in range(4) for s in range(3)]
HEADER = {'sweep': 'toy', 'settings': {}}

def toy(cell):
    "A cell that takes a little time, longer for some cells than others, so that cells finish out of order."
    time.sleep(0.05 * (1 + (cell['a'] * 7 + cell['seed']) % 4))
    return [{'value': cell['a'] * 10 + cell['seed'] + 0.1}, {'value': -cell['seed'] / 3}]

@pytest.fixture(scope='module')
def serial(tmp_path_factory):
    return run_sweep(CELLS, toy, CellLog(tmp_path_factory.mktemp('serial') / 'log.jsonl', HEADER))

def test_worker_processes_give_the_serial_table(tmp_path, serial):
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context('spawn')) as pool:
        log = CellLog(tmp_path / 'log.jsonl', HEADER)
        assert run_sweep(CELLS, toy, log, executor=pool) == serial
    assert all(log.time(c) >= 0.05 for c in CELLS) # each cell's wall time, measured in its worker

def test_dask_local_cluster_gives_the_serial_table_with_a_worker_killed(tmp_path, serial):
    distributed = pytest.importorskip('distributed')
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        pids = list(client.run(os.getpid).values())
        assert len(pids) == 2 and os.getpid() not in pids # two worker processes on this machine
        killer = threading.Timer(0.4, os.kill, (pids[0], signal.SIGKILL)) # mid-sweep: the scheduler reschedules its cells
        killer.start()
        table = run_sweep(CELLS, toy, CellLog(tmp_path / 'log.jsonl', HEADER), executor=client.get_executor())
        killer.join()
        assert table == serial
        assert pids[0] not in client.run(os.getpid).values() # that worker really died (the nanny started another)

def test_dask_workers_keep_their_thread_count_after_a_restart():
    "ddlit's worker plugin sets the threads on every worker, also on one the nanny starts after a crash."
    distributed = pytest.importorskip('distributed')
    import torch
    from ddlit.repro.runs import threads_plugin
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        client.register_plugin(threads_plugin(3))
        pids = client.run(os.getpid)
        os.kill(next(iter(pids.values())), signal.SIGKILL)
        deadline = time.monotonic() + 60
        now = pids
        while time.monotonic() < deadline: # wait for the nanny's new worker
            time.sleep(0.2)
            try: now = client.run(os.getpid)
            except OSError: continue # the killed worker is still registered: its connection is closed
            if len(now) == 2 and set(now.values()) != set(pids.values()): break
        threads = client.run(torch.get_num_threads)
        print('worker pids before', sorted(pids.values()), 'after', sorted(now.values()), 'threads', sorted(threads.values()))
        assert set(now.values()) != set(pids.values()) and sorted(threads.values()) == [3, 3]

def test_submitit_local_executor_gives_the_serial_table(tmp_path, serial):
    submitit = pytest.importorskip('submitit')
    ex = submitit.LocalExecutor(folder=tmp_path / 'submitit')
    ex.update_parameters(timeout_min=5)
    assert run_sweep(CELLS, toy, CellLog(tmp_path / 'log.jsonl', HEADER), executor=ex) == serial # one job array (map_array)

def ddlit(*args, hide=None):
    "Run the ddlit command in a subprocess; `hide` makes that module unimportable there, as if its extra were not installed."
    code = (f"import sys; sys.modules[{hide!r}] = None; " if hide else "") + "from ddlit.repro.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, '-c', 'import sys; ' + code, *args], capture_output=True, text=True, timeout=120)

@pytest.mark.parametrize('args,hide,message', [
    (['--dask', 'local'], 'distributed', "--dask needs Dask, which is not installed: pip install 'ddlit[dask]'"),
    (['--slurm'], 'submitit', "--slurm needs submitit, which is not installed: pip install 'ddlit[slurm]'"),
    (['--dask', 'tcp://127.0.0.1:9'], None, "dask must be 'local' or the address of a running scheduler"),
    (['--dask', 'local', '--slurm'], None, 'dask and slurm exclude each other'),
    (['--jobs', '0'], None, 'jobs must be an integer in [1, 1024]'),
    (['--threads', '0'], None, 'threads must be an integer in [1, 1024]'),
    (['--calibrate', 'full'], None, 'calibrate is an option of --estimate: add --estimate'),
    (['--estimate', '--calibrate', 'quick'], None, "calibrate must be None or a scale other than 'quick'"),
])
def test_bad_executor_options_exit_2(tmp_path, args, hide, message):
    p = ddlit('reproduce', 'fig1', '--quick', '--device', 'cpu', '--out', str(tmp_path / 'out'), *args, hide=hide)
    assert p.returncode == 2 and message in p.stderr, (p.returncode, p.stderr[-2000:])
    assert not (tmp_path / 'out' / 'fig1.jsonl').exists() # refused before anything ran

@pytest.mark.skipif(shutil.which('sbatch') is not None, reason='a SLURM cluster is present')
def test_slurm_without_a_cluster_exits_2(tmp_path):
    pytest.importorskip('submitit')
    p = ddlit('reproduce', 'fig1', '--slurm', '--out', str(tmp_path / 'out'))
    assert p.returncode == 2 and 'sbatch is not on PATH' in p.stderr, p.stderr[-2000:]
