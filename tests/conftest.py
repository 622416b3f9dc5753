"""What several test files share: the installed `ddlit` command, run as a user runs it."""
import shutil, subprocess

def ddlit_exe() -> str:
    "The path of the installed `ddlit` console script."
    path = shutil.which('ddlit')
    assert path, "the ddlit console script is not on PATH: install the package with pip"
    return path

def ddlit(*args, cwd=None, timeout:int=600) -> subprocess.CompletedProcess:
    "Run `ddlit ARGS` in a subprocess (in `cwd`, default the current folder): the completed process."
    return subprocess.run([ddlit_exe(), *args], capture_output=True, text=True, timeout=timeout, cwd=cwd)
