"""The documentation site as a reader sees it, built offline by `tools/build_site.py` (Quarto cannot be installed
here), served on a loopback address and opened page by page in headless Chromium.

On every page: no leaked directive or notebook machinery in the text (`#|`, `{target=`, `In [`, `Out[`,
`show_doc(`), every figure loaded and visible, every equation typeset (no raw `$`, no MathJax error), the current
page marked in the sidebar, previous/next links in the sidebar's order, signatures that wrap instead of
scrolling. Across the site: every internal link and anchor resolves, no link to a documented name leaves the
site, the API page documents every public class's fields and methods, and a search finds the page of a lemma.
Full-page screenshots of three pages are written to `_screenshots/` (ignored by git) to be looked at.

Needs Debian's `chromium` and `libjs-mathjax` (`.ci/run` installs them). Without them the test is skipped, unless
DDLIT_REQUIRE_BROWSER=1 (as in CI), where it fails. DDLIT_SITE=DIR tests a site already built in DIR."""
import dataclasses, functools, html, inspect, json, os, re, shutil, struct, subprocess, sys, threading
from concurrent.futures import ThreadPoolExecutor
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
MATHJAX = Path('/usr/share/javascript/mathjax/MathJax.js')
HAVE = bool(CHROMIUM) and MATHJAX.exists()
pytestmark = pytest.mark.skipif(not HAVE and os.environ.get('DDLIT_REQUIRE_BROWSER') != '1',
                                reason='needs chromium and libjs-mathjax (apt-get install chromium libjs-mathjax)')
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--virtual-time-budget=10000']
LEAKS = ['#|', '{target=', 'In [', 'Out[', 'show_doc(']
WIDTH = 1280
SCREENSHOTS = {'home': 'index.html', 'module': 'second_set.html', 'figure': 'fig1.html'}

# Injected by the test server into every page it serves (the built site carries no test code). It waits for
# MathJax and, with ?ddlit-search=..., for a Pagefind search, then leaves what it measured in <body data-ddlit-check>.
CHECK = """<script>
window.addEventListener('load', function () {
  var LEAKS = %s;
  function measure() {
    var main = document.querySelector('main') || document.body;
    var text = main.innerText.replace(/\u00a0/g, ' '); // a prompt is 'In&nbsp;[ ]:'
    var imgs = Array.prototype.slice.call(main.querySelectorAll('img'));
    var md = Array.prototype.slice.call(main.querySelectorAll('.jp-RenderedMarkdown'));
    var raw = md.map(function (el) {
      var c = el.cloneNode(true); c.querySelectorAll('code, pre, script').forEach(function (x) { x.remove(); });
      return (c.textContent.match(/\\$/g) || []).length; }).reduce(function (a, b) { return a + b; }, 0);
    var leaks = {}; LEAKS.forEach(function (s) { var n = text.split(s).length - 1; if (n) leaks[s] = n; });
    var current = document.querySelectorAll('nav [aria-current="page"]');
    var wide = Array.prototype.slice.call(main.querySelectorAll('.celltag_ddlit-doc pre')).filter(function (p) { return p.scrollWidth > p.clientWidth + 1; });
    var rel = function (sel) { var a = document.querySelector(sel); return a ? a.getAttribute('href') : null; };
    return { images: imgs.length,
      broken_images: imgs.filter(function (i) { return !i.complete || i.naturalWidth === 0; }).length,
      hidden_images: imgs.filter(function (i) { var r = i.getBoundingClientRect(); return r.width < 50 || r.height < 50 || getComputedStyle(i).visibility === 'hidden'; }).length,
      math: document.querySelectorAll('.MathJax, .MathJax_Display, .MathJax_CHTML').length,
      math_errors: document.querySelectorAll('.MathJax_Error, .merror, .mjx-merror, .MathJax_CHTML [style*="color: red"]').length,
      raw_dollars: raw, mathjax: typeof MathJax !== 'undefined', leaks: leaks,
      current: Array.prototype.map.call(current, function (a) { return a.getAttribute('href'); }),
      search_box: !!document.querySelector('#ddlit-search input'),
      prev: rel('a[rel="prev"]'), next: rel('a[rel="next"]'), wide_signatures: wide.length,
      page_width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight };
  }
  function report(extra) { var m = measure(); for (var k in extra) m[k] = extra[k]; document.body.setAttribute('data-ddlit-check', JSON.stringify(m)); }
  function afterMath() {
    var q = new URLSearchParams(location.search).get('ddlit-search');
    if (!q) return report({});
    import('./pagefind/pagefind.js').then(function (pf) { return pf.search(q); })
      .then(function (r) { return Promise.all(r.results.slice(0, 5).map(function (x) { return x.data(); })); })
      .then(function (d) { report({ search: d.map(function (x) { return x.url; }) }); },
            function (e) { report({ search_error: String(e) }); });
  }
  if (typeof MathJax !== 'undefined' && MathJax.Hub) MathJax.Hub.Queue(afterMath); else afterMath();
});
</script>""" % json.dumps(LEAKS)

@functools.lru_cache(maxsize=None)
def expected_pages() -> dict:
    "Notebook name -> the page Quarto writes for it (nbdev's front matter `output-file`), in the sidebar's order."
    import yaml
    from nbdev.doclinks import _nbpath2html
    order = []
    def walk(items):
        for item in items:
            if isinstance(item, str): order.append(Path(item).stem)
            else: walk(item['contents'])
    walk(yaml.safe_load((ROOT / 'nbs' / 'sidebar.yml').read_text())['website']['sidebar']['contents'])
    return {nb: _nbpath2html(Path(nb + '.ipynb')).name for nb in order}

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    assert HAVE, 'chromium and libjs-mathjax are required: apt-get install chromium libjs-mathjax'
    if os.environ.get('DDLIT_SITE'): return Path(os.environ['DDLIT_SITE']).resolve()
    out = tmp_path_factory.mktemp('site') / 'site'
    subprocess.run([sys.executable, str(ROOT / 'tools' / 'build_site.py'), '--out', str(out)], check=True, cwd=ROOT)
    return out

@pytest.fixture(scope='module')
def server(site):
    "The site on a loopback port, every HTML page with the check script added."
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *a, **k): super().__init__(*a, directory=str(site), **k)
        def log_message(self, *a): pass
        def do_GET(self):
            path = site / unquote(urlsplit(self.path).path).lstrip('/')
            if path.suffix != '.html' or not path.is_file(): return super().do_GET()
            body = path.read_text().replace('</body>', CHECK + '</body>', 1).encode()
            self.send_response(200); self.send_header('Content-Type', 'text/html; charset=utf-8')
            self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
    httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{httpd.server_address[1]}/'
    httpd.shutdown()

def browser_check(url:str, tries:int=1) -> dict:
    """Open `url` in headless Chromium and return what the check script measured; up to `tries` loads, for a check that
    waits on fetches (headless Chromium may dump the page before a dynamically imported module has loaded)."""
    for _ in range(tries):
        p = subprocess.run([CHROMIUM, *FLAGS, f'--window-size={WIDTH},900', '--dump-dom', url], capture_output=True, text=True, timeout=180)
        m = re.search(r'data-ddlit-check="([^"]*)"', p.stdout)
        if m: return json.loads(html.unescape(m[1]))
    raise AssertionError(f'{url}: the check script did not report in {tries} load(s) ({p.stderr[-300:]})')

@pytest.fixture(scope='module')
def checks(site, server):
    pages = sorted(p.name for p in site.glob('*.html'))
    with ThreadPoolExecutor(2) as pool: return dict(zip(pages, pool.map(lambda p: browser_check(server + p), pages)))

def test_pages_are_the_notebooks_under_quartos_names(site):
    assert sorted(p.name for p in site.glob('*.html')) == sorted(expected_pages().values())

def test_every_page_reads_clean(checks):
    "What a reader sees: no machinery, figures, typeset math, the page marked, wrapped signatures."
    for page, c in checks.items():
        print(f"{page:<22} math {c['math']:4d} (errors {c['math_errors']}, raw $ {c['raw_dollars']})  images {c['images']:2d} "
              f"(broken {c['broken_images']}, hidden {c['hidden_images']})  leaks {c['leaks'] or 0}  current {c['current']}  "
              f"wide signatures {c['wide_signatures']}  width {c['page_width']}")
    print('pages with leaks:', sum(bool(c['leaks']) for c in checks.values()), 'of', len(checks),
          '| leaked strings:', sum(sum(c['leaks'].values()) for c in checks.values()),
          '| images:', sum(c['images'] for c in checks.values()), '| typeset equations:', sum(c['math'] for c in checks.values()))
    for page, c in checks.items():
        assert c['mathjax'], f'{page}: MathJax did not load'
        assert not c['leaks'], f'{page}: notebook machinery in the text: {c["leaks"]}'
        assert c['math_errors'] == 0 and c['raw_dollars'] == 0, f'{page}: {c["math_errors"]} MathJax errors, {c["raw_dollars"]} raw $'
        assert c['broken_images'] == 0 and c['hidden_images'] == 0, f'{page}: {c["broken_images"]} broken, {c["hidden_images"]} invisible images'
        assert c['current'] == [page], f'{page}: the sidebar marks {c["current"]}'
        assert c['search_box'], f'{page}: no search box'
        assert c['wide_signatures'] == 0 and c['page_width'] <= WIDTH, f'{page}: {c["wide_signatures"]} signatures scroll, page {c["page_width"]} px wide'
    assert sum(c['math'] for c in checks.values()) > 100 and sum(c['images'] for c in checks.values()) >= 10

def test_previous_and_next_follow_the_sidebar(checks):
    order = list(expected_pages().values())
    for i, page in enumerate(order):
        c = checks[page]
        assert c['prev'] == (order[i - 1] if i else None) and c['next'] == (order[i + 1] if i + 1 < len(order) else None), (page, c['prev'], c['next'])

@functools.lru_cache(maxsize=None)
def _parsed(page:Path):
    from bs4 import BeautifulSoup
    return BeautifulSoup(page.read_text(), 'html.parser')

def test_every_link_and_anchor_resolves_inside_the_site(site):
    "Relative links reach a page and an id on it; links to documented names stay on the site."
    from nbdev.config import get_config
    cfg = get_config()
    own = cfg.doc_host.rstrip('/') + '/' + cfg.doc_baseurl.strip('/') + '/'
    internal = documented = 0
    for page in sorted(site.glob('*.html')):
        for a in _parsed(page).select('a[href]'):
            href = a['href']
            assert not href.startswith(own), f'{page.name}: {a.get_text()!r} links to {href}, off the site'
            if re.match(r'[a-z][a-z0-9+.-]*:', href) or href.startswith('//'): continue # external
            target, _, frag = href.partition('#')
            dest = page if not target else page.parent / unquote(target)
            assert dest.exists(), f'{page.name}: broken link {href}'
            internal += 1
            if frag and dest.suffix == '.html':
                assert _parsed(dest).find(id=unquote(frag)), f'{page.name}: {href}: no #{frag} on {dest.name}'
            documented += bool(frag and a.code)
    print(f'{internal} internal links resolve, {documented} of them to documented names')
    assert documented > 100

def test_api_page_documents_every_public_class(site):
    "Signatures and entries for the public surface; every dataclass field and public method of its classes."
    import ddlit
    api = _parsed(site / 'api.html')
    text, hrefs = api.get_text(), {a['href'] for a in api.select('a[href]')}
    assert not api.select('.jp-CodeCell .jp-InputArea'), 'the API page shows the code that generates it'
    for name in ddlit.__all__:
        obj = getattr(ddlit, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)): continue
        page = expected_pages()[re.search(r'nbs/([\w.-]+)\.ipynb', Path(inspect.getsourcefile(obj)).read_text())[1]]
        assert f'{page}#{name.lower()}' in hrefs, f'API page: no link to the entry of {name}'
        if inspect.isfunction(obj): assert f'{name}(' in text, f'API page: no signature for {name}'
        if not inspect.isclass(obj): continue
        for f in dataclasses.fields(obj) if dataclasses.is_dataclass(obj) else []: assert f.name in text, f'API page: {name}.{f.name}'
        for m in [k for k, v in vars(obj).items() if not k.startswith('_') and (callable(v) or isinstance(v, property))]:
            assert f'{page}#{name.lower()}.{m.lower()}' in hrefs, f'API page: no link to {name}.{m}'
            assert _parsed(site / page).find(id=f'{name.lower()}.{m.lower()}'), f'{page}: no entry for {name}.{m}'

def test_search_finds_the_page_of_a_lemma(server):
    c = browser_check(server + 'index.html?ddlit-search=' + quote('Lemma B.38'), tries=8)
    print('search "Lemma B.38":', c.get('search'), c.get('search_error', ''))
    assert c.get('search'), f'search returned nothing: {c.get("search_error")}'
    assert any(u.rstrip('/').endswith('second_set.html') for u in c['search'][:3]), c['search']

def png_size(path:Path) -> tuple:
    return struct.unpack('>II', path.read_bytes()[16:24])

def test_full_page_screenshots(server, checks):
    "Screenshots of the home page, a module page and a figure page, for a person to look at."
    out = ROOT / '_screenshots'; out.mkdir(exist_ok=True)
    for label, page in SCREENSHOTS.items():
        height = min(checks[page]['height'], 16000)
        shot = out / f'{label}.png'
        subprocess.run([CHROMIUM, *FLAGS, '--hide-scrollbars', f'--window-size={WIDTH},{height}', f'--screenshot={shot}', server + page],
                       capture_output=True, timeout=180)
        w, h = png_size(shot)
        print(f'{shot.relative_to(ROOT)}: {w} x {h} px, {shot.stat().st_size // 1024} KiB')
        assert (w, h) == (WIDTH, height) and shot.stat().st_size > 50_000
