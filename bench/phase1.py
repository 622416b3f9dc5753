"""Benchmark of phase-1 gradient matching, run by hand; prints its figures (no test asserts on timings).

    python bench/phase1.py                 # throughput, matmul fraction, speed-up against peer-style code
    python bench/phase1.py --memory        # peak memory against n (one fresh process per n)

Peers, each computing the same step by autograd's double backward of the matching distance, the way
public dataset-distillation code does:
- loop: a Python loop over the initializations (ddlit.phase1._gm_phase1_autograd);
- wide network: all initializations side by side as one network of width n_theta L, one double backward
  (exact: at the symmetric initialization every network outputs 0, so the gradients of the wide network are
  the per-initialization gradients stacked, and the matching distance is their sum);
- torch.func: `vmap` over the initializations of `grad` of the student loss, then `grad` of the distance.
The speed-up is reported against the fastest peer. Throughput is reported as a fraction of the machine's
large square matrix product (n x n @ n x n, --square), the ceiling of dense arithmetic on the device; a
matmul of the step's own shape is no ceiling (it writes an n x M result to memory, which the step never does).
"""
import argparse, math, subprocess, sys, time
import torch
from torch.func import grad, vmap
from ddlit.core import FLOAT_DTYPES, gaussian, make_generator, resolve_device
from ddlit.network import TwoLayerNet, relu, softplus, symmetric_init
from ddlit.phase1 import _gm_phase1_autograd, gm_phase1_stream
from ddlit.training import relu_d1
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

def wide_network(nets:list) -> TwoLayerNet:
    "All initializations side by side: one network of width n_theta L."
    return TwoLayerNet(torch.cat([n.a for n in nets]), torch.cat([n.W for n in nets]), torch.cat([n.b for n in nets]))

def gm_phase1_wide(X0, y_t, nets, X, y, variant):
    "The peer with one double backward through the wide network; xi = 1/(n_theta L) as for the loop."
    return _gm_phase1_autograd(X0, y_t, [wide_network(nets)], X, y, variant=variant, xi=1 / (len(nets) * nets[0].L))

def gm_phase1_func(X0, y_t, nets, X, y, variant, beta=1.):
    "The peer in torch.func: per-initialization gradients by vmap, the distance's gradient by grad."
    act = relu if variant == 'relu' else (lambda z: softplus(z, beta))
    a, W, b = (torch.stack([getattr(n, k) for n in nets]) for k in 'aWb')
    def teacher(a, W, b): # the closed-form teacher gradient, as the loop peer uses it
        Z = X @ W.T + b
        residual = relu(Z) @ a - y
        return a[:, None] * ((relu_d1(Z) * residual[:, None]).T @ X) / X.shape[0]
    G_T = vmap(teacher)(a, W, b)
    student = lambda W, a, b, Xt: 0.5 * ((act(Xt @ W.T + b) @ a - y_t)**2).mean()
    distance = lambda Xt: -(G_T * vmap(grad(student), in_dims=(0, 0, 0, None))(W, a, b, Xt)).sum()
    return -grad(distance)(X0) / (len(nets) * nets[0].L)

def useful_flops(n, d, M, N1, variant):
    "Floating-point operations of the streamed step: activation pattern, kernel rows, accumulation (and the sigma'' term)."
    flops = 2 * n * M * d + 2 * n * M * N1 + 2 * n * N1 * d
    if variant == 'softplus': flops += 2 * n * N1 * d + 2 * n * M * N1 + 2 * M * N1 * d
    return flops

PEERS = {'loop + double backward': lambda X0, y_t, nets, X, y, v: _gm_phase1_autograd(X0, y_t, nets, X, y, variant=v),
         'wide network + one double backward': gm_phase1_wide,
         'torch.func (vmap of grad, then grad)': gm_phase1_func}

def throughput(a):
    "Time ddlit's step, every peer and the square matmul; print the table."
    device, dtype = resolve_device(a.device), FLOAT_DTYPES[a.dtype]
    X, y, nets, dirs, X0, y_t = setup(a.n, a.d, a.L, a.n_theta, a.N1, dtype, device)
    M = dirs.shape[0]
    t_ours, ours = timed(lambda: gm_phase1_stream(X0, y_t, dirs, X, y, variant=a.variant), a.repeat)
    A, B = (torch.randn(a.square, a.square, generator=make_generator(s, 'cpu')).to(device=device, dtype=dtype) for s in (1, 2))
    t_sq, _ = timed(lambda: A @ B, a.repeat)
    gf_ours, gf_sq = useful_flops(a.n, a.d, M, a.N1, a.variant) / t_ours / 1e9, 2 * a.square**3 / t_sq / 1e9
    peers = {name: timed(lambda: f(X0, y_t, nets, X, y, a.variant).detach(), a.peer_repeat) for name, f in PEERS.items()}
    best = min(t for t, _ in peers.values())
    print(f"phase-1 gradient matching, n={a.n} d={a.d} L={a.L} n_theta={a.n_theta} (n_theta'={M}) N1={a.N1} {a.variant} {a.dtype} on {device_name(device)}, "
          f"{torch.get_num_threads()} threads")
    print("| implementation | time (s) | GFLOP/s | fraction of square matmul | speed-up over the fastest peer | max relative difference to ddlit |")
    print("|---|---|---|---|---|---|")
    print(f"| ddlit (streamed, reordered) | {t_ours:.3f} | {gf_ours:.1f} | {gf_ours / gf_sq:.0%} | {best / t_ours:.1f}x | |")
    for name, (t, out) in peers.items():
        err = ((out - ours).abs().max() / ours.abs().max()).item()
        print(f"| peer: {name} | {t:.3f} | | | {best / t:.2f}x | {err:.1e} |")
    print(f"| torch.matmul, square ({a.square}x{a.square} @ {a.square}x{a.square}) | {t_sq:.3f} | {gf_sq:.1f} | 100% | | |")

def device_name(device) -> str:
    "The device as a reader can look it up: the GPU's name, or the CPU's model."
    if device.type == 'cuda': return f'{device} ({torch.cuda.get_device_name(device)})'
    try: model = next(l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name'))
    except (OSError, StopIteration): model = 'unknown model'
    return f'cpu ({model})'

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
    p.add_argument('--repeat', type=int, default=3); p.add_argument('--peer-repeat', type=int, default=1)
    p.add_argument('--square', type=int, default=4096, help='size of the square matmul that sets the ceiling')
    p.add_argument('--memory', action='store_true')
    p.add_argument('--child', type=int, default=0, help=argparse.SUPPRESS)
    a = p.parse_args()
    child_memory(a) if a.child else memory(a) if a.memory else throughput(a)
