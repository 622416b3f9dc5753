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

def test_public_api_is_exported():
    import ddlit
    for name in ('make_generator', 'hermite', 'default_target', 'make_task', 'sample', 'preprocess',
                 'symmetric_init', 'TwoLayerNet', 'softplus', 'phase1_step', 'ridge_solve', 'ridge_gd',
                 'train_teacher', 'population_loss', 'teacher_experiment', 'distill_phase1', 'gm_phase1',
                 'reference_init', 'retrain_phase1', 'second_set_inputs', 'gm_labels', 'pm_labels', 'distill', 'retrain',
                 'save_dataset', 'load_dataset', 'compare_paradigms', 'seeded_task', 'CellLog', 'run_sweep',
                 'random_features_net', 'oracle_net', 'ridge_distillation', 'reproduce'):
        assert callable(getattr(ddlit, name)), name

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
