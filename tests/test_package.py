"""What needs no notebook: the installed package, its metadata, and the README's agreement with the home page."""
import configparser, json, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_import_needs_no_development_tools():
    code = ("import sys, ddlit; bad = [m for m in ('nbdev', 'fastcore', 'execnb', 'IPython') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    p = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr

def test_version_matches_settings():
    "One version, defined in ddlit.core and equal to settings.ini's; nbdev writes no second copy into the package."
    import ddlit, ddlit.core
    cfg = configparser.ConfigParser(); cfg.read(ROOT / 'settings.ini')
    assert ddlit.__version__ == ddlit.core.__version__ == cfg['DEFAULT']['version']
    assert cfg['DEFAULT']['put_version_in_init'] == 'False' # else nbdev_export puts `__version__ = ...` first
    assert ddlit.__doc__ and ddlit.__doc__.startswith('ddlit: '), 'the package docstring must come first'

def test_public_api_is_small_and_exported():
    "`from ddlit import *` gives the paper-level names, at most about 40, each defined; internals stay in their modules."
    import ddlit
    assert len(ddlit.__all__) == len(set(ddlit.__all__)) <= 40, len(ddlit.__all__)
    for name in ddlit.__all__: assert getattr(ddlit, name) is not None, name
    for name in ('distill', 'retrain', 'save_dataset', 'load_dataset', 'compare_paradigms', 'seeded_task', 'train_on_real_data'):
        assert callable(getattr(ddlit, name)) and name in ddlit.__all__, name
    from ddlit.phase2 import gm_labels; from ddlit.repro.sweep import CellLog; from ddlit.repro.fig1 import _fig1_cell # internals, by module
    namespace = {}; exec('from ddlit import *', namespace)
    assert sorted(k for k in namespace if not k.startswith('__')) == sorted(ddlit.__all__)

LIBRARY = ['core', 'hermite', 'tasks', 'network', 'training', 'phase1', 'reference', 'second_set', 'phase2', 'pipeline']

def imported(path:Path) -> set:
    "The ddlit modules a module imports, as dotted names ('ddlit' for the package itself)."
    import ast
    package = ['ddlit', *path.relative_to(ROOT / 'ddlit').parent.parts]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import): out |= {a.name for a in node.names if a.name.split('.')[0] == 'ddlit'}
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            name = '.'.join(base + ([node.module] if node.module else []))
            if name.split('.')[0] == 'ddlit': out.add(name)
    return out

def test_the_library_never_imports_the_harness():
    "Three layers: the library's modules import only library modules below them (no arrow up to ddlit.peers or ddlit.repro, none back to the package); the peers import only the library and each other."
    arrows = {m: imported(ROOT / 'ddlit' / f'{m}.py') for m in LIBRARY}
    for m, deps in arrows.items():
        print(f"{m:<11} <- {sorted(d.removeprefix('ddlit.') for d in deps)}")
        for dep in deps:
            assert dep.startswith('ddlit.') and dep.removeprefix('ddlit.') in LIBRARY, f'ddlit.{m} imports {dep}'
            assert LIBRARY.index(dep.removeprefix('ddlit.')) < LIBRARY.index(m), f'ddlit.{m} imports {dep}, which comes after it'
    harness = {p.stem: imported(p) for p in sorted((ROOT / 'ddlit' / 'repro').glob('*.py'))}
    assert 'ddlit' not in set().union(*harness.values()), 'a harness module imports the package itself'
    # the peers sit between: they import the library and each other, never the harness
    peers = {p.stem: imported(p) for p in sorted((ROOT / 'ddlit' / 'peers').glob('*.py'))}
    for m, deps in peers.items():
        print(f"peers.{m:<9} <- {sorted(d.removeprefix('ddlit.') for d in deps)}")
        for dep in deps:
            assert dep.removeprefix('ddlit.') in LIBRARY or dep.startswith('ddlit.peers'), f'ddlit.peers.{m} imports {dep}'
    code = "import sys, ddlit; print(sorted(m for m in sys.modules if m.startswith(('ddlit.repro', 'ddlit.peers'))))"
    p = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert p.stdout.strip() == '[]', f'import ddlit loads the harness: {p.stdout}'

def _readme_tool():
    "tools/readme.py, imported as a module."
    import importlib.util
    spec = importlib.util.spec_from_file_location('readme_tool', ROOT / 'tools' / 'readme.py')
    module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
    return module

def test_readme_is_the_home_page():
    "README.md is index.ipynb rendered: every markdown cell of the home page appears in it (links seen from the root)."
    cells = json.loads((ROOT / 'nbs' / 'index.ipynb').read_text())['cells']
    readme, repo_links = (ROOT / 'README.md').read_text(), _readme_tool().repo_links
    for cell in cells:
        if cell['cell_type'] == 'markdown': assert repo_links(''.join(cell['source'])) in readme

def test_readme_links_resolve_from_the_root():
    "Every relative link and image of README.md names a file of the repository (as GitHub resolves it)."
    import re
    targets = re.findall(r'\]\((?!https?://|#|mailto:)([^)\s#]+)', (ROOT / 'README.md').read_text())
    print(f'{len(targets)} relative links')
    assert targets and all((ROOT / t).exists() for t in targets), [t for t in targets if not (ROOT / t).exists()]

def test_quarto_config_is_shared():
    "nbdev 2 reads _quarto.yml from nbs/; the top-level file is the one it must find there."
    assert (ROOT / 'nbs' / '_quarto.yml').resolve() == (ROOT / '_quarto.yml').resolve()
    sidebar = (ROOT / 'nbs' / 'sidebar.yml').read_text()
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')): assert nb.name in sidebar, nb.name

def test_every_page_opens_with_title_subtitle_and_paper_section():
    """Each page starts with a cell of '# Title' and '> subtitle' alone (nbdev turns that cell into the page's header and
    drops it, so any prose there would be lost), then, but on the home page, prose naming the paper section it covers."""
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')):
        cells = [''.join(c['source']) for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'markdown']
        lines = [l for l in cells[0].split('\n') if l.strip()]
        assert len(lines) == 2 and lines[0].startswith('# ') and lines[1].startswith('> '), f'{nb.name}: {lines}'
        if nb.name != 'index.ipynb': assert 'Paper:' in cells[1], nb.name

def test_no_cell_mixes_imports_with_other_code():
    "nbdev's doc processing executes every cell that starts with an import; such a cell must hold imports only."
    import re
    imp = re.compile(r'^\s*(from\s+\S+\s+)?import\s+')
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')):
        for cell in json.loads(nb.read_text())['cells']:
            source = ''.join(cell['source'])
            body = [l for l in source.split('\n') if l.strip() and not l.startswith('#|')]
            if cell['cell_type'] != 'code' or not body or '#| export' in source or not imp.match(body[0]): continue
            assert all(imp.match(l) for l in body), f"{nb.name}: a cell starts with an import and runs other code:\n{source[:300]}"

def test_no_temporary_path_in_saved_outputs():
    "The pages' saved outputs name temporary folders as a reader would (OUT, FOLDER, LOG), never by their /tmp path."
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')):
        for cell in json.loads(nb.read_text())['cells']:
            text = json.dumps(cell.get('outputs', []))
            assert '/tmp/' not in text, f"{nb.name}: a saved output shows a temporary path: ...{text[max(text.find('/tmp/') - 80, 0):text.find('/tmp/') + 80]}..."

def test_distill_checks_its_data_once(monkeypatch):
    "One public `distill` call validates X and y once, at its door; the steps inside take checked values."
    import functools, importlib, pkgutil, torch, ddlit
    import ddlit.core, ddlit.tasks
    task, X, y, seed = ddlit.seeded_task(1, 8, 256, 0)
    checks = {n: f for n, f in vars(ddlit.core).items() if n.startswith('check_') and callable(f)}
    checks['check_data'] = ddlit.tasks.check_data
    seen, depth = [], [0]
    def counted(name, f):
        @functools.wraps(f)
        def check(*a, **k):
            if depth[0] == 0: seen.extend(f'{name}({arg})' for arg, t in (('X', X), ('y', y)) if any(v is t for v in (*a, *k.values())))
            depth[0] += 1
            try: return f(*a, **k)
            finally: depth[0] -= 1
        return check
    for info in pkgutil.walk_packages(ddlit.__path__, 'ddlit.'):
        module = importlib.import_module(info.name)
        for name, f in checks.items():
            if getattr(module, name, None) is f: monkeypatch.setattr(module, name, counted(name, f))
    ddlit.distill(X, y, 16, ddlit.make_generator(seed), ddlit.DistillConfig(N1=2, n_theta=2), task=task)
    print('checks of the data on one distill call:', seen)
    assert seen == ['check_data(X)', 'check_data(y)'], seen

def test_package_lines_fit_in_100_columns():
    """Every line of the package fits in 100 columns (so every module docstring, a page's subtitle, is one
    line), except nbdev's generated `__all__` and a parameter's or field's documentation comment (docments
    reads it from the parameter's own line)."""
    import re
    docments = re.compile(r'^\s*(def \w+\(|class \w+\()?\**\w+(\s*:\s*[^#=]+?)?(\s*=\s*[^#]+?)?,?\s+# ')
    long = []
    for path in sorted((ROOT / 'ddlit').rglob('*.py')):
        if path.name == '_modidx.py': continue
        in_all = False
        for i, line in enumerate(path.read_text().split('\n'), 1):
            in_all = in_all or line.startswith('__all__ = [')
            if in_all:
                in_all = not line.rstrip().endswith(']')
                continue
            if len(line) > 100 and not docments.match(line): long.append(f'{path.relative_to(ROOT)}:{i}: {line[:60]}')
    print(f'lines over 100 columns outside __all__ and docments comments: {len(long)}')
    assert not long, '\n'.join(long)
