"""Property-based tests (hypothesis): the identities the notebooks check on a few seeded instances, here over
random shapes and seeds. Each draws its sizes and a seed; all randomness then goes through `torch.Generator`s."""
import torch
from hypothesis import given, reject, settings, strategies as st
from ddlit import (distill, distill_phase1, make_generator, population_loss, preprocess, reference_init, retrain, retrain_phase1,
                   seeded_task, symmetric_init, DistillConfig)
from ddlit.core import gaussian
from ddlit.hermite import gauss_hermite, hermite
from ddlit.phase1 import _gm_phase1_autograd, orthonormal_restart
from ddlit.phase2 import rank_report
from ddlit.reference import effective_width
from ddlit.second_set import max_line_rank, second_set_inputs
from ddlit.tasks import anisotropic_target
from ddlit.training import latent_spread, subspace_sine

settings.register_profile('ddlit', derandomize=True) # the same examples on every run: a failure reproduces
settings.load_profile('ddlit')
SEEDS = st.integers(0, 2**31 - 1)
FAST = settings(max_examples=25, deadline=None)

@FAST
@given(j=st.integers(0, 14), k=st.integers(0, 14))
def test_hermite_orthonormal(j, k):
    z, w = gauss_hermite(16) # exact for degree < 32
    inner = (w * hermite(j, z) * hermite(k, z)).sum().item()
    assert abs(inner - (j == k)) <= 1e-12, (j, k, inner)

@FAST
@given(half=st.integers(1, 64), d=st.integers(1, 40), n=st.integers(1, 50), seed=SEEDS)
def test_symmetric_init_outputs_zero(half, d, n, seed):
    gen = make_generator(seed)
    net = symmetric_init(2 * half, d, gen)
    X = gaussian(n, d, gen=gen) * 10
    assert (net(X) == 0).all()

@settings(max_examples=10, deadline=None)
@given(d=st.integers(2, 12), N1=st.integers(1, 4), n_theta=st.integers(1, 3), half=st.integers(1, 8),
       relu=st.booleans(), seed=SEEDS)
def test_closed_form_matching_equals_autograd(d, N1, n_theta, half, relu, seed):
    variant, L = ('relu' if relu else 'softplus'), 2 * half
    task, X, y, _ = seeded_task(1, d, 200, seed)
    y = preprocess(X, y)[1]
    X1, y1 = distill_phase1(X, y, N1, n_theta=n_theta, L=L, gen=make_generator(seed), variant=variant)
    g = make_generator(seed) # replay the draws: the starting points first, then the initializations
    X0 = gaussian(N1, d, gen=g)
    nets = [symmetric_init(L, d, g) for _ in range(n_theta)]
    oracle = _gm_phase1_autograd(X0, y1, nets, X, y, variant=variant)
    assert ((X1 - oracle).abs().max() <= 1e-9 * max(oracle.abs().max().item(), 1e-300)).item()

@settings(max_examples=15, deadline=None)
@given(half=st.integers(2, 24), d=st.integers(2, 10), N1=st.integers(1, 3), seed=SEEDS)
def test_second_set_reaches_the_maximal_line_rank(half, d, N1, seed):
    "Lemma B.38: the compact points along a line reach the largest rank any points on that line can give."
    L = 2 * half
    ref = reference_init(L, d, seed)
    gen = make_generator(seed)
    net1 = retrain_phase1(ref, gaussian(N1, d, gen=gen), torch.ones(N1, dtype=torch.float64))
    if effective_width(net1) == 0: reject() # every row missed every point: refused by second_set_inputs, by design
    X1 = gaussian(N1, d, gen=gen) # generic candidate lines
    pts = second_set_inputs(net1, X1, 'per-candidate')
    for i in range(N1):
        Phi = net1.features(pts.inputs(X1)[pts.index == i])
        assert torch.linalg.matrix_rank(Phi).item() == max_line_rank(net1, X1[i])
    for strategy in ('compact', 'per-candidate'): # the compact line is the best-conditioned of the maximal-rank ones
        i = int(second_set_inputs(net1, X1, strategy).index[0])
        assert max_line_rank(net1, X1[i]) == max(max_line_rank(net1, x) for x in X1)

@settings(max_examples=6, deadline=None)
@given(d=st.integers(4, 12), half=st.integers(4, 24), N1=st.integers(1, 3), pm=st.booleans(), seed=SEEDS)
def test_distilled_data_reconstructs_the_phase2_teacher(d, half, N1, pm, seed):
    "Theorems B.32/B.33: retraining from the distilled data gives the teacher's predictions on the real data."
    task, X, y, s = seeded_task(1, d, 1024, seed)
    try: result = distill(X, y, 2 * half, make_generator(s), DistillConfig(N1=N1, n_theta=2, matching='pm' if pm else 'gm'))
    except ValueError as e: # a narrow network whose every reference row misses every distilled point: refused, by design
        if 'net must have an active neuron' in str(e): reject()
        raise
    net1 = retrain_phase1(reference_init(2 * half, d, result.dataset.ref_seed), result.dataset.X1, result.dataset.y1)
    rank = rank_report(net1, result.dataset.inputs2(), X)
    assert rank.rate == 100 and 0 <= rank.rate_b36 <= 100
    teacher, student = result.teacher(X), retrain(result.dataset)(X)
    assert ((teacher - student).abs().max() <= 1e-6 * teacher.abs().max()).item()

@settings(max_examples=5, deadline=None)
@given(r=st.integers(1, 3), square=st.booleans(), seed=SEEDS)
def test_float32_distillation_agrees_with_float64(r, square, seed):
    "The distilled model's test loss in float32 is within 2% of float64's (the second set and its solve are float64)."
    N1, losses = r * r if square else r, []
    for dtype in (torch.float64, torch.float32):
        task, X, y, s = seeded_task(r, 24, 2**13, seed, dtype=dtype)
        ds = distill(X, y, 128, make_generator(s), DistillConfig(N1=N1, n_theta=4)).dataset
        losses.append(population_loss(retrain(ds), task, 2**13, make_generator(seed))[0])
    assert abs(losses[1] - losses[0]) <= 0.02 * losses[0], (r, N1, seed, losses)

@settings(max_examples=20, deadline=None)
@given(d=st.integers(3, 12), N1=st.integers(1, 3), seed=SEEDS)
def test_orthonormal_restart_is_a_subspace_iteration(d, N1, seed):
    "On an exactly linear step, restarting by orthonormal_restart converges to the eigenvectors of largest |lambda|, of either sign."
    N1 = min(N1, d - 1)
    gen = make_generator(seed)
    V = torch.linalg.qr(gaussian(d, d, gen=gen)).Q
    signs = torch.where(torch.rand(d, generator=gen, dtype=torch.float64) < 0.5, -1., 1.)
    lam = signs * torch.cat([2 + torch.rand(N1, generator=gen, dtype=torch.float64), torch.rand(d - N1, generator=gen, dtype=torch.float64)])
    M = V @ torch.diag(lam) @ V.T # the top N1 eigenvalues by |lambda| are >= 2, the others < 1: gap ratio < 1/2
    X0 = gaussian(N1, d, gen=gen)
    Z = X0
    for _ in range(40): Z = orthonormal_restart(Z @ M.T, X0.norm(dim=1))
    assert subspace_sine(Z, V[:, :N1] @ V[:, :N1].T) <= 1e-6
    G = Z @ Z.T # orthogonal rows, each at its start's norm
    assert torch.allclose(G, torch.diag(X0.norm(dim=1)**2), atol=1e-9 * G.abs().max().item())
    Y = gaussian(N1, d, gen=gen)
    assert torch.cosine_similarity(orthonormal_restart(Y, X0.norm(dim=1))[0], Y[0], dim=0) >= 1 - 1e-12 # Gram-Schmidt order, signs kept

@settings(max_examples=8, deadline=None)
@given(r=st.integers(1, 3), kappa=st.floats(1, 10), negative=st.booleans(), square=st.booleans(), seed=SEEDS)
def test_iterated_matching_keeps_the_span(r, kappa, negative, square, seed):
    "Iterated matching on any Hessian spectrum: after four steps the points still span S* (no collapse) at least as well as after one."
    N1 = r * r if square else r
    task, X, y, s = seeded_task(r, 16, 2**14, seed, target=anisotropic_target(r, kappa, negative and r > 1))
    res = preprocess(X, y)[1]
    one, four = (distill_phase1(X, res, N1, 8, 64, make_generator(s), steps=k)[0] for k in (1, 4))
    P = task.projector()
    assert subspace_sine(four, P) <= subspace_sine(one, P) + 0.05, (subspace_sine(one, P), subspace_sine(four, P))
    assert latent_spread(four, task.U) >= min(0.5 * latent_spread(one, task.U), 0.2 / kappa), (latent_spread(one, task.U), latent_spread(four, task.U))
