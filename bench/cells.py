"""One cell of each sweep, profiled stage by stage; run by hand, prints markdown (no test asserts on timings).

    python bench/cells.py > bench/results/cpu-cells.md                   # every sweep's median-work full cell
    python bench/cells.py --sweeps fig1 table2 --scale full --dtype float32
    python bench/cells.py --largest --sweeps table2 fig3 ... > bench/results/cpu-cells-largest.md   # the peak memory

Each cell runs in a fresh process with one BLAS thread, so its shared parts (a seed's sources, its vanilla teacher)
are computed in it, as in the first cell of a seed in a sweep. In that process:

- SGEMM and DGEMM are timed first (2048-square products), the rates every stage is compared with;
- the cell runs under a dispatch mode that times every torch operation and counts the multiply-adds of the matrix
  products (mm, addmm, bmm, mv, dot) and of the factorizations (QR, singular values, LU solves, by their textbook
  counts), each charged to the innermost library function of `STAGES` on the Python stack;
- the peak resident memory of the process is read at the end.

A stage's "of peak" is the time its products would take at the GEMM rates of their dtypes (float32 at SGEMM, float64
at DGEMM) over the time its operations took: 100% is the hardware's rate. Time outside torch operations (Python, the
checks) is the "other" line. The dispatch mode costs a few microseconds per operation; the wall time is the cell's.
"""
import argparse, json, os, resource, subprocess, sys, time
from collections import defaultdict
from pathlib import Path

# innermost match wins: function name -> stage label
STAGES = {
    '_phase1_iterates': 'phase-1 gradient matching', '_distill_phase1': 'phase-1 gradient matching',
    'first_layer_gradient': 'phase 1 on real data (one step)',
    '_fit_on_inputs': 'phase 2: ridge (features, Gram, validation)',
    '_fit_on_features': 'phase 2: ridge (features, Gram, validation)',
    'pm_labels': 'second set (labels, rank)', 'second_set_inputs': 'second set (labels, rank)',
    'rank_and_condition': 'second set (labels, rank)', 'gm_labels': 'second set (labels, rank)',
    'retrain': 'retraining from the distilled set', 'replay_phase1': 'retraining from the distilled set',
    'loss': 'held-out evaluation',
    'seeded_task': 'data and test draws', 'held_out_set': 'data and test draws', 'sample': 'data and test draws',
    'rank_report': 'rank tests', 'ridge_distillation': 'ridge distillation (baseline)',
    'gm_phase1_limit': 'phase-1 matching limit',
    'phase2_at': "phase 2 at T steps (the teacher's Gram, students)",
    'feature_gram': "phase 2 at T steps (the teacher's Gram, students)",
    'held_out_quadratic': 'held-out quadratic (test Gram)',
}

def gemm_rates(size:int=2048) -> dict:
    "Multiply-adds per second of one square product, float32 and float64 (best of three)."
    import torch
    rates = {}
    for dtype in (torch.float32, torch.float64):
        a, b = torch.randn(size, size, dtype=dtype), torch.randn(size, size, dtype=dtype)
        a @ b
        best = min(_timed(lambda: a @ b) for _ in range(3))
        rates[dtype] = size ** 3 / best
    return rates

def _timed(f) -> float:
    start = time.perf_counter(); f(); return time.perf_counter() - start

def _macs(func, args, out) -> int:
    "Multiply-adds of a matrix product (0 for other operations)."
    name = func.__name__.split('.')[0]
    shape = lambda t: tuple(t.shape)
    if name in ('mm', 'addmm', 'addmm_'):
        a, b = args[-2], args[-1]
        return shape(a)[0] * shape(a)[1] * shape(b)[1]
    if name in ('bmm', 'baddbmm'):
        a, b = args[-2], args[-1]
        return shape(a)[0] * shape(a)[1] * shape(a)[2] * shape(b)[2]
    if name in ('mv', 'addmv', 'addmv_'):
        a = args[-2]
        return shape(a)[0] * shape(a)[1]
    if name == 'dot': return args[0].numel()
    if name in ('linalg_qr', '_linalg_svd'): # Householder QR; singular values (the two-sided reduction)
        m, n = max(shape(args[0])[-2:]), min(shape(args[0])[-2:])
        return m * n * n - n ** 3 // 3 if name == 'linalg_qr' else 2 * m * n * n
    if name in ('_linalg_solve_ex', 'linalg_solve'): return shape(args[0])[-1] ** 3 // 3 # LU
    return 0

def _stage() -> str:
    "The innermost function of STAGES on the Python stack, or 'other'."
    f = sys._getframe(2)
    while f is not None:
        label = STAGES.get(f.f_code.co_name)
        if label: return label
        f = f.f_back
    return 'other (Python, checks, small steps)'

def profile_cell(sweep:str, cell:dict, scale:str, dtype:str) -> dict:
    "Run one cell under the counting mode: wall time, per-stage seconds and multiply-adds, peak RSS."
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode
    torch.set_num_threads(1)
    from ddlit.repro.common import compute_cell
    from ddlit.repro.registry import EXPERIMENTS
    s = next(s for e in EXPERIMENTS.values() for s in e.sweeps if s.name == sweep)
    rates = gemm_rates()
    seconds, macs = defaultdict(float), defaultdict(lambda: defaultdict(int))

    class Counting(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            start = time.perf_counter()
            out = func(*args, **(kwargs or {}))
            took = time.perf_counter() - start
            stage = _stage()
            seconds[stage] += took
            m = _macs(func, args, out)
            if m: macs[stage][str(next(a.dtype for a in args if isinstance(a, torch.Tensor)))] += m
            return out

    start = time.perf_counter()
    with Counting(): compute_cell(s, scale, dtype, 'cpu', cell)
    wall = time.perf_counter() - start
    floor = {k: sum(m / rates[getattr(torch, t.split('.')[-1])] for t, m in v.items()) for k, v in macs.items()}
    return dict(sweep=sweep, cell=cell, wall=wall, sgemm=rates[torch.float32], dgemm=rates[torch.float64],
                seconds=dict(seconds), macs={k: dict(v) for k, v in macs.items()}, floor=floor,
                peak_gib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
                work=s.work(s.params(scale, cell)) if s.work else None)

def pick_cell(sweep, scale:str, largest:bool=False) -> dict:
    "The cell of median (or largest) work by the sweep's model, with seed 0."
    cells = [c for c in sweep.grid(scale) if c.get('seed', 0) == 0]
    work = (lambda c: sweep.work(sweep.params(scale, c))) if sweep.work else (lambda c: 0)
    return sorted(cells, key=work)[-1 if largest else len(cells) // 2]

def rows(r:dict) -> list:
    "A cell's lines of the table: one per stage, by time, then the time outside torch operations."
    ops, first = sum(r['seconds'].values()), True
    out = []
    def line(stage, t, m, peak):
        nonlocal first
        head = (f"{r['sweep']} | {r['cell']} | {r['wall']:.1f} | {r['peak_gib']:.2f}" if first else ' | | |')
        first = False
        out.append(f"| {head} | {stage} | {t:.2f} | {100 * t / r['wall']:.0f}% | {m} | {peak} |")
    for stage, t in sorted(r['seconds'].items(), key=lambda kv: -kv[1]):
        if t < 0.005 * r['wall']: continue # under half a percent
        m = sum(r['macs'].get(stage, {}).values())
        line(stage, t, f'{m:.2e}' if m else '', f"{100 * r['floor'][stage] / t:.0f}%" if m and t > 0 else '')
    line('outside torch operations', r['wall'] - ops, '', '')
    return out

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sweeps', nargs='*', help='sweep names (default: every sweep once)')
    ap.add_argument('--scale', default='full'); ap.add_argument('--dtype', default='float32')
    ap.add_argument('--one', help=argparse.SUPPRESS) # SWEEP=CELL_JSON: profile in this process, print JSON
    ap.add_argument('--json', help='also write the raw records to this file')
    ap.add_argument('--largest', action='store_true', help="each sweep's largest cell instead of its median one")
    ap.add_argument('--merge', action='store_true', help='with --json: keep the records of the other sweeps in it')
    args = ap.parse_args(argv)
    if args.one:
        sweep, cell = args.one.split('=', 1)
        print(json.dumps(profile_cell(sweep, json.loads(cell), args.scale, args.dtype))); return
    import platform, torch
    from ddlit.core import __version__
    from ddlit.repro.registry import EXPERIMENTS
    sweeps = list({s.name: s for e in EXPERIMENTS.values() for s in e.sweeps}.values())
    if args.sweeps: sweeps = [s for s in sweeps if s.name in args.sweeps]
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1'}
    records, failed = [], []
    for s in sweeps:
        cell = pick_cell(s, args.scale, args.largest)
        out = subprocess.run([sys.executable, __file__, '--scale', args.scale, '--dtype', args.dtype,
                              '--one', f'{s.name}={json.dumps(cell)}'], env=env, capture_output=True, text=True)
        if out.returncode: failed.append(f"{s.name} {cell}: {out.stderr.strip().splitlines()[-1]}"); continue
        records.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"{s.name}: {records[-1]['wall']:.1f} s", file=sys.stderr, flush=True)
    if args.merge and args.json and Path(args.json).is_file(): # the other sweeps' records, in registry order
        mine = {r['sweep']: r for r in json.loads(Path(args.json).read_text())}
        mine.update({r['sweep']: r for r in records})
        order = [s.name for e in EXPERIMENTS.values() for s in e.sweeps]
        records = sorted(mine.values(), key=lambda r: order.index(r['sweep']))
    rate = lambda k: sorted(r[k] for r in records)[len(records) // 2] / 1e9
    print(f"One {args.scale} cell per sweep ({'largest' if args.largest else 'median'} work, seed 0), stage by stage: ddlit {__version__}, "
          f"{platform.machine()} CPU, torch {torch.__version__}, {args.dtype}, one thread; SGEMM "
          f"{rate('sgemm'):.0f} GMAC/s, DGEMM {rate('dgemm'):.0f} GMAC/s (medians of the processes)\n")
    print("| sweep | cell | wall (s) | peak RSS (GiB) | stage | time (s) | share | multiply-adds | of peak |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in records: print('\n'.join(rows(r)))
    for f in failed: print(f"\nfailed: {f}")
    if args.json: Path(args.json).write_text(json.dumps(records, indent=1) + '\n')

if __name__ == '__main__': main()
