"""The installed `ddlit` command, run as a user would run it: in a subprocess, from the shell."""
import re, shutil, subprocess
import pytest

SMALL = ['--d', '16', '--n', '8192', '--L', '128', '--n-test', '16384', '--device', 'cpu']

def ddlit(*args):
    "Run the installed `ddlit` console script and return the completed process."
    exe = shutil.which('ddlit')
    assert exe, "the ddlit console script is not on PATH: install the package with pip"
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=600)

def losses(stdout):
    "The test losses in the paradigm table printed by `ddlit run`."
    return {m: float(v) for m, v in re.findall(r'^(vanilla|teacher at t=2|distilled|Random I|Random II|distilled \(2 GM steps\))\s+([0-9.]+) ±', stdout, re.M)}

@pytest.mark.parametrize('dtype', ['float64', 'float32'])
def test_run_and_retrain(tmp_path, dtype):
    out = tmp_path / 'out'
    p = ddlit('run', *SMALL, '--dtype', dtype, '--out', str(out))
    assert p.returncode == 0, p.stderr
    print(p.stdout)
    got = losses(p.stdout)
    assert set(got) == {'vanilla', 'teacher at t=2', 'distilled', 'Random I', 'Random II', 'distilled (2 GM steps)'}
    # the distilled model reproduces the teacher at t=2 to the printed digits, in float32 as in float64
    assert got['distilled'] == got['teacher at t=2']
    assert 'second set: rank' in p.stdout and 'condition number' in p.stdout
    assert got['distilled'] < 0.5 < got['Random I']
    assert sorted(f.name for f in out.iterdir()) == ['dataset.pt', 'paradigms.json', 'paradigms.png']
    assert (out / 'paradigms.png').read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert '7/7 done' in p.stderr # the progress bar reached its end
    again = ddlit('retrain', str(out / 'dataset.pt'), '--n-test', '16384', '--device', 'cpu')
    assert again.returncode == 0, again.stderr
    assert float(re.search(r'test loss ([0-9.]+)', again.stdout).group(1)) == got['distilled']

def test_run_is_reproducible(tmp_path):
    first, second = ddlit('run', *SMALL, '--out', str(tmp_path / 'a')), ddlit('run', *SMALL, '--out', str(tmp_path / 'b'))
    assert first.returncode == second.returncode == 0
    assert losses(first.stdout) == losses(second.stdout)

@pytest.mark.parametrize('args,message', [
    (['run', '--L', '7'], 'L must be even'),
    (['run', '--d', '0'], 'd must be an integer in [1, inf]'),
    (['run', '--r', '3', '--d', '2'], 'r must be an integer in [1, 2]'),
    (['run', '--noise', '-1'], 'noise must be >= 0'),
    (['run', '--N1', '0'], 'N1 must be an integer in [1, inf]'),
    (['run', '--device', 'tpu'], "device must be 'auto', 'cpu' or 'cuda[:k]'"),
    (['run', '--n', 'many'], "invalid int value: 'many'"),
    (['retrain', 'no-such-file.pt'], 'path must be an existing file'),
    (['reproduce', 'fig9'], "invalid choice: 'fig9'"),
    (['reproduce', 'fig1', '--quick', '--full'], 'not allowed with argument'),
    (['reproduce', 'fig1', '--device', 'tpu'], "device must be 'auto', 'cpu' or 'cuda[:k]'"),
    (['reproduce', 'fig1', '--out', 'README.md'], "out must be a folder, got the file 'README.md'"),
])
def test_bad_input_exits_2_naming_the_parameter(args, message):
    p = ddlit(*args)
    assert p.returncode == 2 and message in p.stderr, (p.returncode, p.stderr)

def test_retrain_refuses_a_foreign_file(tmp_path):
    junk = tmp_path / 'weights.pt'
    junk.write_bytes(b'\x00' * 64)
    p = ddlit('retrain', str(junk))
    assert p.returncode == 2 and 'is not a ddlit dataset' in p.stderr

def test_help_lists_the_options():
    p = ddlit('run', '--help')
    assert p.returncode == 0
    for opt in ('--r', '--d', '--n', '--L', '--seed', '--N1', '--strategy', '--matching', '--device', '--dtype', '--out'): assert opt in p.stdout
    p = ddlit('reproduce', '--help')
    assert p.returncode == 0
    for opt in ('fig1,fig2,fig3,tables,memory,all', '--quick', '--full', '--out', '--device', '--dtype'): assert opt in p.stdout
