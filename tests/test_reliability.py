"""The attack round's failures, one regression test each: what a careless or hostile user did, and what ddlit must do.

Each test failed before the fix it names (see the reliability page's table). The folder and lock cases are in
`test_folders.py`, the thread-count resume in `test_cli.py`, the predictions' shape on the training page."""
import json, math, os, shutil, signal, subprocess, sys
from pathlib import Path
import pytest
import torch
from conftest import ddlit

ROOT = Path(__file__).resolve().parents[1]
SMALL = ['--d', '16', '--n', '8192', '--L', '128', '--n-test', '16384', '--device', 'cpu']


def refused(p, message:str):
    "Exit 2, one usage line and one error line naming what to change, no traceback."
    last = p.stderr.strip().splitlines()[-1]
    print(last)
    assert p.returncode == 2 and message in last and 'Traceback' not in p.stderr, p.stderr[-2000:]

@pytest.fixture(scope='module')
def saved(tmp_path_factory):
    "A dataset written by `ddlit run`, and its raw payload."
    out = tmp_path_factory.mktemp('run') / 'out'
    p = ddlit('run', *SMALL, '--quiet', '--out', str(out))
    assert p.returncode == 0, p.stderr
    return out / 'dataset.pt'

def resigned(src:Path, dest:Path, edit) -> Path:
    "A copy of a saved dataset whose manifest `edit` changed, signed again as an attacker would (checksum recomputed)."
    from ddlit.pipeline import dataset_checksum
    payload = torch.load(src, weights_only=True)
    manifest = edit(json.loads(payload['manifest']))
    payload['manifest'] = json.dumps(manifest)
    payload['checksum'] = dataset_checksum(payload['manifest'], payload)
    torch.save(payload, dest)
    return dest

def _coefs(m, f): m['info']['task']['coefs'] = f(m['info']['task']['coefs']); return m

@pytest.mark.parametrize('name,edit,message', [
    ('nan coefficient', lambda m: _coefs(m, lambda c: [float('nan')] + c[1:]), 'record coefs[0] must be a finite real number'),
    ('doubled coefficients', lambda m: _coefs(m, lambda c: [2 * x for x in c]), 'record coefs must have squares summing to 1'),
    ('string coefficients', lambda m: _coefs(m, lambda c: [str(x) for x in c]), "record coefs[0] must be a finite real number, got '"),
    ('no width', lambda m: {k: v for k, v in m.items() if k != 'L'}, 'manifest field L that must be an even integer'),
    ('width as text', lambda m: {**m, 'L': '128'}, "manifest field L that must be an even integer >= 2, got '128'"),
    ('a list, not a manifest', lambda m: [m], 'its manifest is not a JSON object'),
    ('U not orthonormal', lambda m: (m['info']['task'].update(U=[[2 * x for x in row] for row in m['info']['task']['U']]), m)[1],
     'U must have orthonormal rows'),
])
def test_retrain_refuses_a_re_signed_file_that_no_run_wrote(saved, tmp_path, name, edit, message):
    "Silently wrong 4-5 and the manifest tracebacks: a valid checksum does not make a field valid."
    refused(ddlit('retrain', str(resigned(saved, tmp_path / 'edited.pt', edit))), message)

def test_huge_coefficients_are_normalized_not_zeroed():
    "Silently wrong 3: squares of 1e200 overflow; the normalization scales first."
    from ddlit import hermite_target
    t = hermite_target({(2,): 1e200, (4,): 1e200})
    print(t)
    assert t.coefs == pytest.approx((2 ** -0.5, 2 ** -0.5), rel=1e-15)
    from ddlit import parse_target
    assert parse_target('1e200*h2(z1) + 1e200*h4(z1)', 1) == t # what `ddlit run --target` reads

def test_targets_round_trip_for_any_sign_and_parse_in_linear_time():
    "Targets: a formula that starts with a minus reads back; a long one is refused by its length, not parsed for minutes."
    import time
    from ddlit import parse_target
    from ddlit.tasks import anisotropic_target
    for target in (anisotropic_target(2, 4., negative=True), parse_target('-h2(z1) + 0.5*h4(z1)', 1), parse_target('- 2*h2(z1)', 1)):
        text = target.formula()
        assert parse_target(text, target.r).formula() == text, text
    from ddlit.tasks import TARGET_MAX_CHARS
    long = ' + '.join(['0.1*h2(z1)'] * (TARGET_MAX_CHARS // 14))
    start = time.time(); parse_target(long, 1); seconds = time.time() - start
    print(f'{len(long)} characters parsed in {seconds * 1e3:.1f} ms')
    with pytest.raises(ValueError, match=f'target must be at most {TARGET_MAX_CHARS} characters long, got 32000'):
        parse_target('h' * 32000, 1)

def test_the_python_api_refuses_wrong_types_by_name(saved):
    "The API's raw errors: each is now a ValueError naming the parameter."
    from ddlit import distill, load_dataset, make_generator, retrain, symmetric_init
    from ddlit.repro import reproduce
    ds = load_dataset(saved)
    cases = [
        (lambda: distill(torch.empty(64, 8, device='meta', dtype=torch.float64), torch.empty(64, device='meta', dtype=torch.float64),
                         16, make_generator(0)), 'must be on the CPU or a CUDA device, got meta'),
        (lambda: symmetric_init(2**62, 8, make_generator(0)), 'a network of width L = 4611686018427387904 on d = 8 inputs needs about'),
        (lambda: load_dataset(123), 'path must be a file name (str or Path), got int'),
        (lambda: retrain(ds, ref=42), 'ref must be a Reference (reference_init) or None, got int'),
        (lambda: reproduce('fig1', out=str(saved.parent.parent / 'r'), executor=42), 'executor must be None or have a submit method'),
        (lambda: make_generator(2**64), 'seed must be an integer in [0, 9223372036854775807]'),
    ]
    for call, message in cases:
        with pytest.raises(ValueError) as e: call()
        print(str(e.value)[:120])
        assert message in str(e.value), str(e.value)

def test_predictions_must_be_one_per_row():
    "Silently wrong 1: a (n, 1) model broadcast into (n, n) errors; a scalar model was accepted."
    from ddlit import held_out_set, make_generator, make_task, default_target, population_loss
    task = make_task(default_target(1), 8, make_generator(0))
    held = held_out_set(task, 256, 0)
    column = torch.nn.Linear(8, 1).double()
    for model in (column, lambda X: X.sum()):
        with pytest.raises(ValueError, match='model must return one prediction per input row'): held.loss(model)
    with pytest.raises(ValueError, match='squeeze its last dimension'): population_loss(column, task, 256, make_generator(1))
    right = held.loss(lambda X: column(X).squeeze(-1).detach())
    print('the same model, squeezed:', right)
    assert math.isfinite(right[0])

@pytest.mark.parametrize('args,message', [
    (['run', '--n', '300000000'], 'ddlit run with n = 300000000'),
    (['run', '--n-test', '10000000000000'], 'n_test = 10000000000000'),
    (['run', '--n-theta', '1000000000'], 'n_theta = 1000000000'),
    (['run', '--d', '10000000000'], 'd = 10000000000'),
    (['run', '--seed', str(2**64)], 'seed must be an integer in [0, 9223372036854775807]'),
    (['run', '--out', ''], "out must name a folder, got ''"),
    (['run', '--out', '.'], 'not the current folder or one above it'),
    (['reproduce', 'fig1', '--out', ''], "out must name a folder, got ''"),
    (['reproduce', 'fig1', '--jobs', '2147483648'], 'jobs must be an integer in [1, 1024]'),
    (['reproduce', 'fig1', '--threads', str(2**31)], 'threads must be an integer in [1, 1024]'),
    (['reproduce', 'fig1', '--dask', ''], "dask must be 'local' or the address of a running scheduler"),
])
def test_sizes_seeds_threads_and_folders_are_refused_before_any_work(args, message, tmp_path):
    "Tracebacks, hangs and late failures: one line, at once, and nothing left in the folder."
    p = ddlit(*args, cwd=tmp_path)
    refused(p, message)
    assert list(tmp_path.iterdir()) == []

def test_more_threads_than_cores_are_taken_with_a_note(tmp_path):
    p = ddlit('reproduce', 'fig2', '--quick', '--estimate', '--estimate-cells', '1', '--threads', str(4 * (os.cpu_count() or 1)),
              '--jobs', '2', '--out', str(tmp_path / 'e'))
    note = next(l for l in p.stderr.splitlines() if l.startswith('note:'))
    print(note)
    assert p.returncode == 0 and 'more threads than the' in note

def test_ctrl_c_during_retrain_is_one_line(saved, monkeypatch, capsys):
    "Ctrl-C in `ddlit retrain`: exit 130 and one line, not a KeyboardInterrupt traceback."
    from ddlit.repro import cli
    def interrupted(*a, **k): raise KeyboardInterrupt
    monkeypatch.setattr(cli, 'retrain', interrupted)
    assert cli.main(['retrain', str(saved)]) == 130
    err = capsys.readouterr().err.strip().splitlines()
    print(err)
    assert err == ['ddlit retrain: interrupted; nothing was written']
