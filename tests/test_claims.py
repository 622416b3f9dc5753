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

def _counts(scale:str, kind:str) -> tuple:
    "(asserted holding, asserted, reported, reported not holding) over the committed claims files of `scale`."
    cs = [c for f in FILES if f.parent.name == scale for c in json.loads(f.read_text())['claims'] if c['kind'] == kind]
    a = [c for c in cs if c['asserted']]; r = [c for c in cs if not c['asserted']]
    return sum(c['holds'] for c in a), len(a), len(r), sum(not c['holds'] for c in r)

def test_readme_counts_equal_the_claims_files():
    "The README's line per owner states, at each scale, exactly what the committed claims files hold."
    readme = (ROOT / 'README.md').read_text()
    line = (r"\('{kind}'\): at quick scale (\d+) of (\d+) asserted hold, (\d+) reported \((\d+) do not hold\); "
            r"at full scale (\d+) of (\d+) asserted hold, (\d+) reported \((\d+) do not hold\)")
    for kind in KINDS:
        m = re.search(line.format(kind=kind), readme)
        assert m, f'the README states no counts for {kind!r} claims'
        stated = tuple(map(int, m.groups()))
        assert stated == _counts('quick', kind) + _counts('full', kind), (kind, stated)
