"""Benchmark of phase-1 gradient matching, run by hand; prints its figures (no test asserts on timings).

    python bench/phase1.py                 # throughput, matmul fraction, speed-up against peer-style code
    python bench/phase1.py --memory        # peak memory against n (one fresh process per n)

Peer-style code: a Python loop over initializations with autograd's double backward of the matching
distance (ddlit.phase1.gm_phase1_autograd), the way public dataset-distillation code computes it.
"""
import argparse, math, subprocess, sys, time
import torch
from ddlit.core import FLOAT_DTYPES, gaussian, make_generator, resolve_device
from ddlit.network import symmetric_init
from ddlit.phase1 import gm_phase1_autograd, gm_phase1_stream
from ddlit.tasks import default_target, make_task, preprocess, sample

def setup(n, d, L, n_theta, N1, dtype, device, seed=0):
    "Data, initializations and starting points of one benchmark instance."
    gen = make_generator(seed, 'cpu')
    task = make_task(default_target(1), d, gen)
    X, y = sample(task, n, gen)
    y = preprocess(X, y)[1]
    nets = [symmetric_init(L, d, gen) for _ in range(n_theta)]
    X0, y_t = gaussian(N1, d, gen=gen), torch.ones(N1, dtype=torch.float64)
    to = lambda t: t.to(device=device, dtype=dtype)
    nets = [type(net)(to(net.a), to(net.W), to(net.b)) for net in nets]
    dirs = torch.cat([net.W[:L // 2] for net in nets])
    return to(X), to(y), nets, dirs, to(X0), to(y_t)

def timed(f, repeat):
    "Best wall time of `repeat` calls of f, and its last result."
    best = math.inf
    for _ in range(repeat):
        if torch.cuda.is_available(): torch.cuda.synchronize()
        t = time.perf_counter(); out = f()
        if torch.cuda.is_available(): torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t)
    return best, out

def useful_flops(n, d, M, N1, variant):
    "Floating-point operations of the streamed step: activation pattern, kernel rows, accumulation (and the sigma'' term)."
    flops = 2 * n * M * d + 2 * n * M * N1 + 2 * n * N1 * d
    if variant == 'softplus': flops += 2 * n * N1 * d + 2 * n * M * N1 + 2 * M * N1 * d
    return flops

def throughput(a):
    "Time ddlit's step, a matmul of the same size and dtype, and the peer-style loop; print the table."
    device, dtype = resolve_device(a.device), FLOAT_DTYPES[a.dtype]
    X, y, nets, dirs, X0, y_t = setup(a.n, a.d, a.L, a.n_theta, a.N1, dtype, device)
    M = dirs.shape[0]
    t_ours, ours = timed(lambda: gm_phase1_stream(X0, y_t, dirs, X, y, variant=a.variant), a.repeat)
    t_mm, _ = timed(lambda: X @ dirs.T, a.repeat)
    t_peer, peer = timed(lambda: gm_phase1_autograd(X0, y_t, nets, X, y, variant=a.variant).detach(), 1)
    gf_ours, gf_mm = useful_flops(a.n, a.d, M, a.N1, a.variant) / t_ours / 1e9, 2 * a.n * a.d * M / t_mm / 1e9
    err = ((ours - peer).abs().max() / peer.abs().max()).item()
    print(f"phase-1 gradient matching, n={a.n} d={a.d} L={a.L} n_theta={a.n_theta} (n_theta'={M}) N1={a.N1} {a.variant} {a.dtype} on {device}, "
          f"{torch.get_num_threads()} threads")
    print("| implementation | time (s) | GFLOP/s | fraction of matmul | speed-up |")
    print("|---|---|---|---|---|")
    print(f"| ddlit (streamed, reordered) | {t_ours:.3f} | {gf_ours:.1f} | {gf_ours / gf_mm:.0%} | {t_peer / t_ours:.1f}x |")
    print(f"| peer-style (loop + double backward) | {t_peer:.3f} | | | 1.0x |")
    print(f"| torch.matmul ({a.n}x{a.d} @ {a.d}x{M}) | {t_mm:.3f} | {gf_mm:.1f} | 100% | |")
    print(f"outputs agree: max relative difference {err:.1e} (allclose at rtol 1e-3: {torch.allclose(ours, peer, rtol=1e-3, atol=1e-3 * peer.abs().max().item())})")

def _status_gib(key):
    "A memory figure of this process from /proc/self/status (Linux), in GiB."
    line = next(l for l in open('/proc/self/status') if l.startswith(key + ':'))
    return int(line.split()[1]) / 2**20

def child_memory(a):
    "In a fresh process: resident memory before one distillation step at size a.child, and its peak during the step."
    device, dtype = resolve_device(a.device), FLOAT_DTYPES[a.dtype]
    X, y, nets, dirs, X0, y_t = setup(a.child, a.d, a.L, a.n_theta, a.N1, dtype, device)
    del nets
    with open('/proc/self/clear_refs', 'w') as f: f.write('5') # reset the high-water mark after building the data
    base = _status_gib('VmRSS')
    gm_phase1_stream(X0, y_t, dirs, X, y, variant=a.variant)
    print(f"{a.child} {X.numel() * X.element_size() / 2**30:.3f} {base:.3f} {_status_gib('VmHWM'):.3f}")

def memory(a):
    "Peak memory against n, each size in its own process."
    print(f"peak memory of one phase-1 step, d={a.d} L={a.L} n_theta={a.n_theta} N1={a.N1} {a.variant} {a.dtype} (GiB; one process per n)")
    print("| n | data X | RSS before the step | peak RSS during the step | growth in the step |")
    print("|---|---|---|---|---|")
    for k in range(14, 21):
        cmd = [sys.executable, __file__, '--child', str(2**k)] + [f'--{o}={getattr(a, o.replace("-", "_"))}' for o in ('d', 'L', 'n-theta', 'N1', 'variant', 'dtype', 'device')]
        n, data, base, peak = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()
        print(f"| 2^{k} | {float(data):.3f} | {float(base):.3f} | {float(peak):.3f} | {float(peak) - float(base):.3f} |")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=2**15); p.add_argument('--d', type=int, default=64)
    p.add_argument('--L', type=int, default=256); p.add_argument('--n-theta', type=int, default=32)
    p.add_argument('--N1', type=int, default=4); p.add_argument('--variant', default='softplus', choices=('softplus', 'relu'))
    p.add_argument('--dtype', default='float32', choices=sorted(FLOAT_DTYPES)); p.add_argument('--device', default='auto')
    p.add_argument('--repeat', type=int, default=3); p.add_argument('--memory', action='store_true')
    p.add_argument('--child', type=int, default=0, help=argparse.SUPPRESS)
    a = p.parse_args()
    child_memory(a) if a.child else memory(a) if a.memory else throughput(a)
