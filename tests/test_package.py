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
    import ddlit
    cfg = configparser.ConfigParser(); cfg.read(ROOT / 'settings.ini')
    assert ddlit.__version__ == cfg['DEFAULT']['version']

def test_public_api_is_small_and_exported():
    "`from ddlit import *` gives the paper-level names, at most about 40, each defined; internals stay in their modules."
    import ddlit
    assert len(ddlit.__all__) == len(set(ddlit.__all__)) <= 40, len(ddlit.__all__)
    for name in ddlit.__all__: assert getattr(ddlit, name) is not None, name
    for name in ('distill', 'retrain', 'save_dataset', 'load_dataset', 'compare_paradigms', 'seeded_task', 'train_on_real_data', 'reproduce'):
        assert callable(getattr(ddlit, name)) and name in ddlit.__all__, name
    from ddlit.phase2 import gm_labels; from ddlit.sweep import CellLog; from ddlit.experiments.fig1 import fig1_cell # internals, by module
    namespace = {}; exec('from ddlit import *', namespace)
    assert sorted(k for k in namespace if not k.startswith('__')) == sorted(ddlit.__all__)

def test_readme_is_the_home_page():
    "README.md is index.ipynb rendered: every markdown cell of the home page appears in it verbatim."
    cells = json.loads((ROOT / 'nbs' / 'index.ipynb').read_text())['cells']
    readme = (ROOT / 'README.md').read_text()
    for cell in cells:
        if cell['cell_type'] == 'markdown': assert ''.join(cell['source']) in readme

def test_quarto_config_is_shared():
    "nbdev 2 reads _quarto.yml from nbs/; the top-level file is the one it must find there."
    assert (ROOT / 'nbs' / '_quarto.yml').resolve() == (ROOT / '_quarto.yml').resolve()
    sidebar = (ROOT / 'nbs' / 'sidebar.yml').read_text()
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')): assert nb.name in sidebar, nb.name

def test_every_page_opens_with_title_subtitle_and_paper_section():
    "Each page but the home page starts with '# Title', a '> subtitle' line and the paper section it covers."
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')):
        if nb.name == 'index.ipynb': continue
        cells = json.loads(nb.read_text())['cells']
        first = ''.join(next(c for c in cells if c['cell_type'] == 'markdown')['source'])
        lines = first.split('\n')
        assert lines[0].startswith('# ') and lines[2].startswith('> '), nb.name
        assert any(l.startswith('Paper:') for l in lines[3:]), nb.name

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
