"""The documentation site, built offline by `tools/build_site.py` (Quarto cannot be installed here) and opened
page by page in headless Chromium: every equation typeset by MathJax (no raw `$` left in the prose, no MathJax
error), every image loaded, no broken internal link, no Python traceback in any output.

Needs Debian's `chromium` and `libjs-mathjax` (`.ci/run` installs them). Without them the test is skipped,
unless DDLIT_REQUIRE_BROWSER=1 (as in CI), where it fails."""
import html, json, os, re, shutil, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
MATHJAX = Path('/usr/share/javascript/mathjax/MathJax.js')
HAVE = bool(CHROMIUM) and MATHJAX.exists()
pytestmark = pytest.mark.skipif(not HAVE and os.environ.get('DDLIT_REQUIRE_BROWSER') != '1',
                                reason='needs chromium and libjs-mathjax (apt-get install chromium libjs-mathjax)')
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--virtual-time-budget=10000']

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    assert HAVE, 'chromium and libjs-mathjax are required: apt-get install chromium libjs-mathjax'
    out = tmp_path_factory.mktemp('site') / 'site'
    subprocess.run([sys.executable, str(ROOT / 'tools' / 'build_site.py'), '--out', str(out)], check=True, cwd=ROOT)
    return out

def browser_check(page:Path) -> dict:
    "Open `page` in headless Chromium and return what the page's check script measured once MathJax finished."
    p = subprocess.run([CHROMIUM, *FLAGS, '--dump-dom', page.as_uri()], capture_output=True, text=True, timeout=180)
    m = re.search(r'data-ddlit-check="([^"]*)"', p.stdout)
    assert m, f'{page.name}: the check script did not run ({p.stderr[-300:]})'
    return json.loads(html.unescape(m[1]))

def test_every_page_renders(site):
    pages = sorted(site.glob('*.html'))
    notebooks = sorted((ROOT / 'nbs').glob('*.ipynb'))
    assert [p.stem for p in pages] == [n.stem for n in notebooks]
    with ThreadPoolExecutor(2) as pool: checks = dict(zip(pages, pool.map(browser_check, pages)))
    for page, c in checks.items():
        print(f"{page.name:<24} math {c['math']:4d}  math errors {c['math_errors']}  raw $ {c['raw_dollars']}  images {c['images']:2d} (broken {c['broken_images']})")
    for page, c in checks.items():
        assert c['mathjax'], f'{page.name}: MathJax did not load'
        assert c['math_errors'] == 0, f'{page.name}: {c["math_errors"]} MathJax errors'
        assert c['raw_dollars'] == 0, f'{page.name}: {c["raw_dollars"]} raw $ left in the prose'
        assert c['broken_images'] == 0, f'{page.name}: {c["broken_images"]} images did not load'
    assert sum(c['math'] for c in checks.values()) > 100 and sum(c['images'] for c in checks.values()) >= 10

def test_no_broken_internal_link_and_no_traceback(site):
    for page in sorted(site.glob('*.html')):
        text = page.read_text()
        assert 'Traceback (most recent call last)' not in text, f'{page.name} shows a Python traceback'
        for href in re.findall(r'href="([^"#]+)', text):
            if re.match(r'[a-z][a-z0-9+.-]*:', href) or href.startswith('//'): continue # external
            assert (page.parent / href).exists(), f'{page.name}: broken link {href}'
