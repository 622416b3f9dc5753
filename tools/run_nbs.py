"""Execute notebooks in place, saving their outputs for the docs; cells flagged with a test flag
(`#| slow`, `#| cuda`) are skipped unless named in --flags, exactly as `nbdev_test` does.

    python tools/run_nbs.py [--flags "slow cuda"] nbs/01_hermite.ipynb ...

Run `nbdev_clean` afterwards; CI checks that cleaning and exporting leave no diff.
"""
import argparse, os
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from nbdev.config import get_config
from nbdev.process import NBProcessor

def _skipper(skip_flags):
    "A cell filter for `CaptureShell.run_all` that skips markdown and cells carrying one of `skip_flags`."
    def skip(cell):
        directives = getattr(cell, 'directives_', {}) or {}
        return cell.cell_type != 'code' or 'nbdev_export(' in cell.source or bool(skip_flags & directives.keys())
    return skip

def run(path:Path, skip_flags:set):
    "Execute the notebook at `path` with its own folder as working directory, and save its outputs."
    nb = NBProcessor(path, process=True).nb
    skip = _skipper(skip_flags)
    for cell in nb.cells: # execnb keeps a cell's old outputs when it prints nothing now: clear what will run
        if not skip(cell): cell.outputs = []
    shell = CaptureShell(path)
    cwd = os.getcwd()
    os.chdir(path.parent)
    try: shell.run_all(nb, exc_stop=True, preproc=skip)
    except Exception: raise SystemExit(shell.prettytb(fname=path))
    finally: os.chdir(cwd)
    raw = read_nb(path)
    for done, cell in zip(nb.cells, raw.cells):
        if cell.cell_type == 'code': cell.outputs, cell.execution_count = done.get('outputs', []), None
    write_nb(raw, path)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='+', type=Path)
    p.add_argument('--flags', default='', help='test flags to run anyway (space separated)')
    a = p.parse_args()
    skip = set(get_config().tst_flags.split()) - set(a.flags.split())
    for nb in a.notebooks:
        print('running', nb); run(nb.resolve(), skip)
