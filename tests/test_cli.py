"""The installed `ddlit` command, run as a user would run it: in a subprocess, from the shell."""
import re, shutil, subprocess, sys
import pytest

SMALL = ['--d', '16', '--n', '8192', '--L', '128', '--n-test', '16384', '--device', 'cpu']

def ddlit(*args):
    "Run the installed `ddlit` console script and return the completed process."
    exe = shutil.which('ddlit')
    assert exe, "the ddlit console script is not on PATH: install the package with pip"
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=600)

def losses(stdout):
    "The test losses of the two models in the table printed by `ddlit run`."
    return {m: float(v) for m, v in re.findall(r'^(teacher|random features)\s+([0-9.]+) ±', stdout, re.M)}

@pytest.mark.parametrize('dtype', ['float64', 'float32'])
def test_run_small(dtype):
    p = ddlit('run', *SMALL, '--dtype', dtype)
    assert p.returncode == 0, p.stderr
    got = losses(p.stdout)
    print(p.stdout)
    assert set(got) == {'teacher', 'random features'}
    assert got['teacher'] < 0.3 < 0.6 < got['random features']

def test_run_is_reproducible():
    first, second = ddlit('run', *SMALL), ddlit('run', *SMALL)
    assert first.returncode == second.returncode == 0
    assert losses(first.stdout) == losses(second.stdout)

@pytest.mark.parametrize('args,message', [
    (['run', '--L', '7'], 'L must be even'),
    (['run', '--d', '0'], 'd must be an integer in [1, inf]'),
    (['run', '--r', '3', '--d', '2'], 'r must be an integer in [1, 2]'),
    (['run', '--noise', '-1'], 'noise must be >= 0'),
    (['run', '--device', 'tpu'], "device must be 'auto', 'cpu' or 'cuda[:k]'"),
    (['run', '--n', 'many'], "invalid int value: 'many'"),
])
def test_bad_input_exits_2_naming_the_parameter(args, message):
    p = ddlit(*args)
    assert p.returncode == 2 and message in p.stderr, (p.returncode, p.stderr)

def test_help_lists_the_options():
    p = ddlit('run', '--help')
    assert p.returncode == 0
    for opt in ('--r', '--d', '--n', '--L', '--seed', '--device', '--dtype'): assert opt in p.stdout
