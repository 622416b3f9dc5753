"""The full-scale reconstruction cells whose rank rate is below 100%, their spectrum against the rank's tolerance.

    python bench/rank_margin.py > bench/results/cpu-rank-margin.md   # a few minutes per cell, one thread

For every cell and strategy of the complete full logs results/full/fig3.jsonl and results/full/table2.jsonl (those
that exist) with a rank rate below 100 (by either denominator), the cell's distillation is run again in float64
with that row's strategy, and the singular values of the distilled features Phi~ are set against the two tolerances a rank could use: the one `rank_report` shares between Phi~ and
the stacked [Phi~; Phi] (sigma_max of the stack times its rows times float64's epsilon, so that the two ranks in the
ratio are counted alike) and Phi~'s own (its sigma_max times its rows times epsilon, as `matrix_rank` would count
it alone). The stack has n + N2 rows, so the shared tolerance grows with the real data.
"""
import argparse, json
from dataclasses import asdict
from pathlib import Path
import torch
from ddlit.pipeline import DistillConfig, distill
from ddlit.core import make_generator
from ddlit.repro.common import cell_seed, cell_task, committed_table
from ddlit.repro.reconstruction import FIG3_SWEEP, TABLE2_SWEEP

EPS = torch.finfo(torch.float64).eps

def spectrum(sweep, row:dict) -> dict:
    "The row's cell distilled again in float64: Phi~'s singular values and both tolerances."
    cell = {k: int(row[k]) for k in sweep.grid('full')[0]}
    p = sweep.params('full', cell, 'float64', 'cpu')
    task, X, y, seed = cell_task(p)
    config = DistillConfig(N1=p.get('N1', p['r'] ** 2), n_theta=p['n_theta'], strategy=row['strategy'])
    result = distill(X, y, p['L'], make_generator(seed, X.device), config, cell_seed('ref', p['seed']))
    net = result.teacher.net.to(torch.float64)
    Phi_t, Phi = net.features(result.dataset.inputs2().double()), net.features(X.double())
    S_t, S = torch.linalg.svdvals(Phi_t), torch.linalg.svdvals(torch.cat([Phi_t, Phi]))
    shared = (S[0] * (Phi_t.shape[0] + Phi.shape[0]) * EPS).item()
    own = (S_t[0] * max(Phi_t.shape) * EPS).item()
    return dict(cell=cell, strategy=row['strategy'], N2=Phi_t.shape[0], logged=float(row['rank_rate']),
                rank_shared=int((S_t > shared).sum()), rank_stack=int((S > shared).sum()),
                rank_own=int((S_t > own).sum()), columns=Phi_t.shape[1],
                last=(S_t[int((S_t > own).sum()) - 1] / S_t[0]).item(),
                shared=shared / S_t[0].item(), own=own / S_t[0].item())

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--results', type=Path, default=Path('results/full'))
    a = p.parse_args()
    torch.set_num_threads(1)
    print('## Rank rates below 100% at full scale: the spectrum of Phi~ against the rank tolerance (float64)\n')
    print('| sweep | cell | strategy | N2 | rank rate logged | rank Phi~ / rank stack (shared tolerance) '
          '| rank Phi~ (its own tolerance) | smallest singular value it counts / sigma_max '
          '| shared tolerance / sigma_max | own tolerance / sigma_max |')
    print('|---|---|---|---|---|---|---|---|---|---|')
    for sweep in (FIG3_SWEEP, TABLE2_SWEEP):
        path = a.results / f'{sweep.name}.jsonl'
        if not path.is_file(): continue
        dtype = json.loads(path.read_text().split('\n', 1)[0])['header']['dtype']
        for row in map(asdict, committed_table(sweep, a.results, 'full', sample=0, dtype=dtype)):
            if min(row['rank_rate'], row['rank_rate_b36']) >= 100: continue
            s = spectrum(sweep, row)
            print(f"| {sweep.name} | {s['cell']} | {s['strategy']} | {s['N2']} | {s['logged']:.2f}% "
                  f"| {s['rank_shared']} / {s['rank_stack']} | {s['rank_own']} of {s['columns']} "
                  f"| {s['last']:.2e} | {s['shared']:.2e} | {s['own']:.2e} |",
                  flush=True)

if __name__ == '__main__': main()
