"""Scale-out figures, run by hand; prints them as markdown (no test asserts on timings).

    python bench/scaleout.py jobs > bench/results/cpu-jobs.md          # part 1, about 4 minutes on 2 cores
    python bench/scaleout.py estimate > bench/results/cpu-estimate.md  # parts 2 and 3
    python bench/scaleout.py confirm --sweeps rates_n rates_m rates_samples rates_memory rates_width > bench/results/cpu-confirm.md  # part 4
    python bench/scaleout.py dtype > bench/results/cpu-dtype.md        # part 5, about 4 minutes

1. Local workers: `ddlit reproduce fig1 --quick` with --jobs 1 and with --jobs 2 (one BLAS thread per process),
   wall time of each and the ratio; the two tables must be byte-identical.
2. The work model: calibrated on quick cells (`estimate(..., calibrate='quick')`), its prediction for the full cell
   of every sweep that `bench/cells.py` profiled (bench/results/cpu-cells.json), against its measured wall time.
3. The full-scale estimate of every experiment, from the quick calibration, on 1 worker and on --workers.
4. The estimate, confirmed: for every full-scale log in --results (results/full), the wall time logged for its
   finished cells against what the work model, calibrated afresh on quick cells of the log's dtype, predicts for them.
5. float32 against float64 on full Figure 1 cells (n = 2^12, seed 0, every n_theta): the largest relative difference
   of the eight models' losses, the distilled/teacher identity in each dtype, and the wall time of each.
"""
import argparse, filecmp, os, subprocess, sys, tempfile, time
from pathlib import Path

def reproduce_seconds(out:Path, jobs:int) -> float:
    "Wall time of `ddlit reproduce fig1 --quick --jobs N` into `out`, one BLAS thread per process."
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1'}
    start = time.perf_counter()
    subprocess.run([sys.executable, '-c', 'import sys; from ddlit.repro.cli import main; sys.exit(main(sys.argv[1:]))',
                    'reproduce', 'fig1', '--quick', '--jobs', str(jobs), '--out', str(out)],
                   check=True, env=env, capture_output=True)
    return time.perf_counter() - start

def local_workers(tmp:Path):
    one, two = reproduce_seconds(tmp / 'jobs1', 1), reproduce_seconds(tmp / 'jobs2', 2)
    same = filecmp.cmp(tmp / 'jobs1' / 'fig1.csv', tmp / 'jobs2' / 'fig1.csv', shallow=False)
    print(f"## Local workers: quick Figure 1 (40 cells), {os.cpu_count()} cores, one BLAS thread per process\n")
    print("| executor | wall time (s) | speed-up |\n|---|---|---|")
    print(f"| --jobs 1 | {one:.1f} | 1.00x |\n| --jobs 2 | {two:.1f} | {one / two:.2f}x |")
    print(f"\nfig1.csv byte-identical between the two runs: {same}\n")

def calibrated(tmp:Path, name:str, cells:int, workers:int=1, dtype:str='float64', skip=()) -> list:
    "`name`'s full-scale estimate on `workers` (sweeps in `skip` left out), its quick cells timed into tmp/name once."
    from ddlit.repro.registry import estimate
    return estimate(name, 'full', tmp / name, workers=workers, cells=cells, calibrate='quick', dtype=dtype, skip=skip)

def work_model(tmp:Path, cells:int, measured:Path, dtype:str):
    "Each sweep's profiled full cell (bench/cells.py, `measured`) against its prediction from the quick calibration."
    import json
    from ddlit.repro.registry import EXPERIMENTS, _works
    print(f"## The work model: full cells predicted from quick ones, against their measured time (one thread)\n")
    print(f"Measured: one full cell per sweep, each in a fresh process (`{measured}`, from `python bench/cells.py`); "
          "predicted: its work, shared parts included, times the rate of the quick calibration.\n")
    print("| sweep | full cell | work (multiply-adds) | predicted (s) | measured (s) | measured / predicted |\n|---|---|---|---|---|---|")
    records, seen = {r['sweep']: r for r in json.loads(measured.read_text())}, set()
    for name, experiment in EXPERIMENTS.items():
        for e in calibrated(tmp, name, cells, dtype=dtype, skip=seen):
            seen.add(e.sweep)
            s = next(s for s in experiment.sweeps if s.name == e.sweep)
            r = records.get(s.name)
            if r is None: print(f"| {s.name} | not profiled | | | | |"); continue
            work = _works(s, 'full', [r['cell']])[0] # the cell alone in a fresh process: its shared parts too
            predicted = work * e.seconds_per_work
            print(f"| {s.name} | {r['cell']} | {work:.2e} | {predicted:.1f} | {r['wall']:.1f} | {r['wall'] / predicted:.2f} |", flush=True)
    print()

def full_estimates(tmp:Path, cells:int, workers:int, dtype:str):
    "Every experiment at full scale, on one worker and on `workers`, from the calibration already timed."
    from ddlit.repro.registry import EXPERIMENTS
    print(f"## Full scale, predicted from {cells} quick cells per sweep ({dtype}, one thread per worker)\n")
    print(f"| experiment | cells | 1 worker (h) | {workers} workers (h) | mean cell (min) |\n|---|---|---|---|---|")
    total1, totalw, seen = 0, 0, set()
    for name in EXPERIMENTS: # a sweep two experiments share is counted with the first
        one, many = (calibrated(tmp, name, cells, w, dtype, skip=seen) for w in (1, workers))
        seen.update(e.sweep for e in one)
        if not one: continue
        h1, hw = sum(e.remaining_seconds for e in one) / 3600, sum(e.remaining_seconds for e in many) / 3600
        total1, totalw = total1 + h1, totalw + hw
        print(f"| {name} | {sum(e.cells for e in one)} | {h1:.1f} | {hw:.2f} | {sum(e.seconds_per_cell * (e.cells - e.done) for e in one) / max(sum(e.cells - e.done for e in one), 1) / 60:.1f} |", flush=True)
    print(f"| all | | {total1:.1f} | {totalw:.2f} | |\n")

def confirm(tmp:Path, results:Path, cells:int, only=None):
    "Each full log's finished cells: logged wall time against the prediction from a fresh quick calibration."
    import json, shutil
    from ddlit.repro.common import sweep_log
    from ddlit.repro.registry import EXPERIMENTS, _works
    print(f"## The estimate, confirmed: full-scale cells run here against their prediction (one worker, one thread)\n")
    print("| sweep | dtype | cells done | measured (h) | predicted for them (h) | measured / predicted | per cell, from-to | "
          "remaining, predicted (h) |\n|---|---|---|---|---|---|---|---|")
    seen = set()
    for name, experiment in EXPERIMENTS.items():
        sweeps = [s for s in experiment.sweeps if (results / f'{s.name}.jsonl').exists() and s.name not in seen
                  and (not only or s.name in only)]
        if not sweeps: continue
        for s in sweeps:
            seen.add(s.name)
            header = json.loads((results / f'{s.name}.jsonl').read_text().split('\n', 1)[0])['header']
            copy = tmp / 'logs' / s.name; copy.mkdir(parents=True, exist_ok=True)
            shutil.copy(results / f'{s.name}.jsonl', copy) # read a copy: the run may still be appending
            log = sweep_log(s, 'full', copy, header['dtype'], header['device'])
            rate = {e.sweep: e for e in calibrated(tmp / 'cal' / header['dtype'], name, cells, dtype=header['dtype'])}[s.name].seconds_per_work
            done = [(c, log.time(c)) for c in s.grid('full') if log.time(c) is not None]
            predicted = [w * rate for w in _works(s, 'full', [c for c, _ in done])] # in the order they ran
            ratios = [t / q for (_, t), q in zip(done, predicted)]
            left = sum(_works(s, 'full', [c for c in s.grid('full') if log.get(c) is None])) * rate
            measured = sum(t for _, t in done)
            print(f"| {s.name} | {header['dtype']} | {len(done)} of {len(s.grid('full'))} | {measured / 3600:.2f} | {sum(predicted) / 3600:.2f} | "
                  f"{measured / sum(predicted):.2f} | {min(ratios):.2f}-{max(ratios):.2f} | {left / 3600:.1f} |", flush=True)
    print()

def dtypes():
    "Full Figure 1 cells at the smallest n in both dtypes: how far float32 moves the losses, and how much faster it is."
    from ddlit.repro.common import compute_cell
    from ddlit.repro.fig1 import FIG1_SWEEP as s
    from ddlit.repro.sweep import timed_call
    from functools import partial
    print("## float32 against float64 on full Figure 1 cells (one thread)\n")
    print("| full cell | float64 (s) | float32 (s) | speed-up | largest relative loss difference | distilled vs teacher, float64 / float32 |\n|---|---|---|---|---|---|")
    for cell in [c for c in s.grid('full') if c['n'] == min(s.settings['full']['n']) and c['seed'] == 0]:
        (r64, t64), (r32, t32) = (timed_call(partial(compute_cell, s, 'full', dt, 'cpu'), cell) for dt in ('float64', 'float32'))
        gap = lambda rows: abs(rows[2]['loss'] - rows[1]['loss']) / rows[1]['loss'] # 'distilled' against 'teacher at t=2'
        assert [r['paradigm'] for r in r64[1:3]] == ['teacher at t=2', 'distilled']
        worst = max(abs(a['loss'] - b['loss']) / a['loss'] for a, b in zip(r64, r32))
        print(f"| {cell} | {t64:.1f} | {t32:.1f} | {t64 / t32:.2f}x | {worst:.1e} | {gap(r64):.1e} / {gap(r32):.1e} |", flush=True)
    print()

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('part', choices=('jobs', 'estimate', 'confirm', 'dtype'), help='jobs: part 1; estimate: parts 2 and 3; confirm: part 4; dtype: part 5')
    p.add_argument('--results', type=Path, default=Path('results/full'), help='the full-scale logs that part 4 confirms')
    p.add_argument('--sweeps', nargs='*', help='part 4: only these sweeps (those whose logs the current code timed)')
    p.add_argument('--cells', type=int, default=2, help='quick cells timed per sweep for the calibration')
    p.add_argument('--workers', type=int, default=64, help='workers of the cluster estimate')
    p.add_argument('--dtype', default='float32', help='parts 2 and 3: the dtype of the runs predicted (the full runs here: float32)')
    p.add_argument('--measured', type=Path, default=Path('bench/results/cpu-cells.json'), help='the full cells profiled by bench/cells.py, one per sweep')
    a = p.parse_args()
    import torch
    torch.set_num_threads(1) # every figure is per worker of one thread, like the runs it predicts
    print(f"scale-out figures, ddlit on cpu ({next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), 'unknown')}), "
          f"torch {torch.__version__}\n")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if a.part == 'jobs': local_workers(tmp)
        elif a.part == 'confirm': confirm(tmp, a.results, a.cells, a.sweeps)
        elif a.part == 'dtype': dtypes()
        else: work_model(tmp / 'est', a.cells, a.measured, a.dtype); full_estimates(tmp / 'est', a.cells, a.workers, a.dtype)
