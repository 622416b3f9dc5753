"""The testbed's protocol refuses what would make a score wrong: an algorithm over its budget, a budget without a
point, a name that is no algorithm; a set that diverged is scored, not a crash."""
import math
import pytest
import torch
from ddlit import held_out_set, make_generator, seeded_task
from ddlit.peers import Algorithm, Data, Distilled, gd_procedure, score_seed
from ddlit.repro.comparison import COMPARISON, algorithm_named, with_algorithms
from ddlit.repro.registry import EXPERIMENTS

@pytest.fixture(scope='module')
def small():
    task, X, y, _ = seeded_task(1, 8, 512, 0)
    return task, Data(X, y, 8), held_out_set(task, 256, 1)

def _keeping(points:int, floats:int, fill=None) -> Algorithm:
    "An algorithm storing the first `points` real points and claiming `floats` floats (its inputs set to `fill`)."
    procedure = gd_procedure(steps=5)
    def distil(data, budget, gen, progress=False):
        X, y = data.X[:points].clone(), data.y[:points]
        if fill is not None: X.fill_(fill)
        return Distilled(X, floats, lambda g: procedure.fit(X, y, data.L, g), 0, 0)
    return Algorithm('keeping', distil, procedure)

def test_an_algorithm_over_its_budget_is_refused(small):
    task, data, test = small
    with pytest.raises(ValueError, match='keeping stored 90 floats, over its budget of 45'):
        score_seed(_keeping(10, 90), data, test, 45, 0, task.U)

def test_a_budget_below_one_point_is_refused(small):
    with pytest.raises(ValueError, match='budget must hold at least one point of d \\+ 1 = 9 floats, got 8'):
        small[1].points(8)

def test_a_diverged_set_scores_infinite_loss_and_no_angle(small):
    task, data, test = small
    s = score_seed(_keeping(5, 45, fill=math.nan), data, test, 45, 0, task.U)
    print('diverged set:', s)
    assert s.loss == math.inf and math.isnan(s.sine) and math.isfinite(s.random_loss)

def test_algorithms_are_named_by_key_or_module_attribute():
    assert algorithm_named('DC').name == 'DC'
    with pytest.raises(ValueError, match="algorithm must be one of"): algorithm_named('dc')
    with pytest.raises(ValueError, match="must name an Algorithm"): algorithm_named('math:pi')
    swapped = with_algorithms(COMPARISON, ['ddlit', 'KIP'])
    assert swapped.sweeps[0].settings['quick']['algorithm'] == ['ddlit', 'KIP']
    assert COMPARISON.sweeps[0].settings['quick']['algorithm'] == list(algorithm_named.__globals__['ALGORITHMS'])
    with pytest.raises(ValueError, match='compares no algorithms'): with_algorithms(EXPERIMENTS['fig1'], ['DC'])
