"""The committed claims files: whose each claim is, and the README's counts of them."""
import json, re
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / 'results').glob('*/*-claims.json'))
KINDS = ('paper', 'cited', 'ddlit', 'consistency')

def test_claims_files_are_there():
    scales = {f.parent.name for f in FILES}
    assert {'quick', 'full'} <= scales, scales

@pytest.mark.parametrize('path', FILES, ids=lambda p: f'{p.parent.name}/{p.name}')
def test_every_claim_names_its_owner_and_the_paper_its_section(path):
    "Read as raw JSON (not through `Claim`, which refuses the same): an owner, and a section where the paper states it."
    claims = json.loads(path.read_text())['claims']
    assert claims, path
    for c in claims:
        assert c['kind'] in KINDS, (path.name, c['claim'], c['kind'])
        if c['kind'] in ('paper', 'cited'):
            section = c.get('section', '')
            assert re.search(r'(Section|Appendix|Theorem|Figure|Table)s? ([A-Z]\.?)?\d', section), (path.name, c['claim'], section)
        assert isinstance(c['holds'], bool) and isinstance(c['asserted'], bool), (path.name, c['claim'])

OWNERS = {'cited': 'cited by the paper', 'ddlit': "ddlit's own", 'consistency': 'consistency'}

def _claims(scale:str, kind:str) -> list:
    "The committed claims of one owner at one scale, in file order."
    return [c for f in FILES if f.parent.name == scale for c in json.loads(f.read_text())['claims'] if c['kind'] == kind]

def test_readme_shows_the_papers_claims_and_counts_the_others():
    """The README's table holds every claim of the paper's, written in plain Unicode (no TeX, no ASCII stand-ins), and
    its line per other owner states what the committed claims files hold at each scale."""
    from ddlit.repro.common import claim_math
    readme = (ROOT / 'README.md').read_text()
    table = readme[readme.index('| claim | section | verdict |'):].split('\n\n')[0]
    paper = _claims('quick', 'paper')
    assert len(table.splitlines()) == len(paper) + 2, 'one row per claim of the paper'
    for c in paper:
        assert claim_math(c['claim'], 'unicode').replace('|', '\\|') in table, c['claim']
    assert not re.search(r"\$|n_theta'|Phi~|\bN1\b|r\^2", table), 'TeX or ASCII math left in the README table'
    for kind, owner in OWNERS.items():
        q, f = _claims('quick', kind), _claims('full', kind)
        stated = f"{owner}: {len(q)} ({sum(c['holds'] for c in q)} hold at quick scale, {sum(c['holds'] for c in f)} of the {len(f)} run at full scale)"
        assert stated in readme, f'the README states no line {stated!r}'
