"""Run every notebook top to bottom as Jupyter does (nbclient, an IPython kernel): every cell, the `cuda` and
`slow` ones and the final export included, so what a reader meets on "Run All" is what is tested.

Each notebook runs in a kernel of its own, with one BLAS thread and a temporary folder (TMPDIR) of its own, in a
copy of the project: its export cell then writes the copy's `ddlit/`, never the package the other kernels import.
A notebook fails when a cell raises, or when it leaves anything in its temporary folder. At the end the copy's
exported package must equal the repository's (notebooks and library in sync).

    python tools/test_notebooks.py [--jobs 2] [--timeout 1800] [nbs/15_fig1.ipynb ...]

`nbdev_test` runs the same notebooks without the flagged cells; on a GPU, `nbdev_test --flags cuda` runs those too.
"""
import argparse, filecmp, os, shutil, subprocess, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def project_copy(dest:Path) -> Path:
    "The repository's tracked and untracked-but-not-ignored files, copied under `dest`."
    listed = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard'], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in listed.stdout.splitlines():
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(src, dest / name)
    return dest

def run_notebook(path:Path, # a notebook inside the copy
                 timeout:int, # seconds one cell may take
                ) -> tuple:
    "Execute the notebook with nbclient in its own folder: (name, seconds, error or None, files left in its TMPDIR)."
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    tmp = Path(tempfile.mkdtemp(prefix=f'ddlit-nb-{path.stem}-'))
    # torch's optimizers import its compiler, which makes a cache folder in the temporary folder: torch's
    # files, not the page's, so they go to a folder of their own (removed with the rest)
    cache = Path(tempfile.mkdtemp(prefix=f'ddlit-torch-cache-{path.stem}-'))
    env = {**os.environ, 'TMPDIR': str(tmp), 'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1',
           'TORCHINDUCTOR_CACHE_DIR': str(cache)}
    nb, t, error = nbformat.read(path, as_version=4), time.time(), None
    client = NotebookClient(nb, kernel_name='python3', timeout=timeout, resources={'metadata': {'path': str(path.parent)}},
                            extra_arguments=['--IPKernelApp.log_level=ERROR']) # a loopback kernel; no notice about it per notebook
    try: client.execute(env=env)
    except CellExecutionError as e: error = str(e)[-3000:]
    except Exception as e: error = f'{type(e).__name__}: {e}'
    left = sorted(str(p.relative_to(tmp)) for p in tmp.iterdir())
    shutil.rmtree(tmp, ignore_errors=True); shutil.rmtree(cache, ignore_errors=True)
    return path.name, time.time() - t, error, left

def exported_differences(copy:Path) -> list:
    "Library files whose exported text in the copy differs from the repository's."
    cmp = filecmp.dircmp(ROOT / 'ddlit', copy / 'ddlit', ignore=['__pycache__'])
    out, stack = [], [(cmp, Path('ddlit'))]
    while stack:
        c, rel = stack.pop()
        out += [str(rel / f) for f in c.diff_files + c.left_only + c.right_only if f.endswith('.py')]
        stack += [(sub, rel / name) for name, sub in c.subdirs.items()]
    return sorted(out)

def report(name:str, seconds:float, error, left:list) -> bool:
    "Print one notebook's outcome at once (CI's log shows progress, not minutes of silence); whether it failed."
    bad = bool(error or left)
    print(f'{seconds:7.1f} s  {"FAILED" if bad else "ok":6s} {name}', flush=True)
    if error: print(error, flush=True)
    if left: print(f'    left in its temporary folder: {", ".join(left[:10])}', flush=True)
    return bad

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='*', type=Path, help='default: every notebook in nbs/')
    p.add_argument('--jobs', type=int, default=2, help='notebooks run at once (default: 2)')
    p.add_argument('--timeout', type=int, default=1800, help='seconds one cell may take (default: 1800)')
    a = p.parse_args(argv)
    names = [n.name for n in a.notebooks] or sorted(n.name for n in (ROOT / 'nbs').glob('*.ipynb') if not n.name.startswith('_'))
    start = time.time()
    print(f'running {len(names)} notebooks, {a.jobs} at a time; each is listed as it finishes', flush=True)
    failed = 0
    with tempfile.TemporaryDirectory(prefix='ddlit-project-') as tmp:
        copy = project_copy(Path(tmp))
        with ProcessPoolExecutor(a.jobs) as pool:
            jobs = [pool.submit(run_notebook, copy / 'nbs' / n, a.timeout) for n in names]
            for job in as_completed(jobs):
                failed += report(*job.result())
        stale = exported_differences(copy) if not a.notebooks else []
    if stale: print('exported package differs from ddlit/ in:', ', '.join(stale))
    print(f'{len(names) - failed} of {len(names)} notebooks ran top to bottom in {time.time() - start:.0f} s'
          + ('' if a.notebooks else f'; exports {"in sync" if not stale else "OUT OF SYNC"}'))
    return 1 if failed or stale else 0

if __name__ == '__main__':
    sys.exit(main())
