"""The documentation site as a reader sees it, built offline by `tools/build_site.py` (Quarto cannot be installed
here), served on a loopback address and opened page by page in headless Chromium.

On every page: no leaked directive or notebook machinery in the text (`#|`, `{target=`, `In [`, `Out[`,
`show_doc(`), every figure loaded, visible and described (alt text), every equation typeset (no raw `$`, no MathJax
error), the current page marked in the sidebar, previous/next links in the sidebar's order, signatures that wrap
instead of scrolling. At 390, 768 and 1280 px: nothing wider than the window; below 900 px the sidebar hidden behind
a menu button that opens it, and the text column at least 90% of the width. Across the site: every internal link
and anchor resolves, no link to a documented name leaves the site, the API page documents every public class's
fields and methods, no page carries a temporary path, and two searches find their pages with prose excerpts.
Full-page screenshots of the home, results, rates and how-to pages at 390 and 1280 px are written to `_screenshots/`
(ignored by git). Against each notebook: the first sentence of every Markdown cell and every table it shows reach
its page, and no raw table syntax does; at 1280 px no code line scrolls and long pages list their sections.

Needs Debian's `chromium` and `libjs-mathjax` (`.ci/run` installs them). Without them the test is skipped, unless
DDLIT_REQUIRE_BROWSER=1 (as in CI), where it fails. DDLIT_SITE=DIR tests a site already built in DIR."""
import dataclasses, functools, html, inspect, json, os, re, shutil, struct, subprocess, sys, threading
from concurrent.futures import ThreadPoolExecutor
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit
import pytest
from PIL import Image # matplotlib's dependency: crops screenshots to the screen's width

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
MATHJAX = Path('/usr/share/javascript/mathjax/MathJax.js')
HAVE = bool(CHROMIUM) and MATHJAX.exists()
pytestmark = pytest.mark.skipif(not HAVE and os.environ.get('DDLIT_REQUIRE_BROWSER') != '1',
                                reason='needs chromium and libjs-mathjax (apt-get install chromium libjs-mathjax)')
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--hide-scrollbars',
         '--virtual-time-budget=10000']
MIN_WINDOW = 500 # headless Chromium's narrowest window: narrower screens are an iframe that wide inside it
LEAKS = ['#|', '{target=', 'In [', 'Out[', 'show_doc(']
WIDTHS = (390, 768, 1280) # a phone, a tablet, a laptop
NARROW = 900 # below it the sidebar hides behind a menu button
SCREENSHOTS = {'home': 'index.html', 'results': 'results.html', 'rates': 'rates.html', 'how-to': 'your_own_task.html'}
SHOT_WIDTHS = (390, 1280)

# A page seen on a screen `w` px wide: an iframe of that width (media queries and innerWidth follow the frame, so a
# phone's 390 px need no window that narrow); the frame's report is copied onto the outer page for --dump-dom.
FRAME = """<!doctype html><html><body style="margin:0"><iframe id="f" src="%s" style="border:0;display:block;width:%dpx;height:%dpx"></iframe>
<script>
(function poll() {
  var d = document.getElementById('f').contentDocument, v = d && d.body && d.body.getAttribute('data-ddlit-check');
  if (v) document.body.setAttribute('data-ddlit-check', v); else setTimeout(poll, 50);
})();
</script></body></html>"""

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
    var nav = document.querySelector('.ddlit-nav'), menu = document.querySelector('.ddlit-menu');
    var shown = function (el) { var r = el.getBoundingClientRect(); return r.width > 0 && r.right > 1 && getComputedStyle(el).display !== 'none'; };
    var mainRight = main.getBoundingClientRect().right;
    var clipped = Array.prototype.slice.call(main.querySelectorAll('pre')).filter(function (p) {
      var o = getComputedStyle(p).overflowX, sticks = p.getBoundingClientRect().right > mainRight + 1;
      var hidden = p.scrollWidth > p.clientWidth + 1 && o !== 'auto' && o !== 'scroll';
      var scroller = p.closest('.jp-InputArea-editor, .jp-OutputArea-output'); // code scrolls inside its block
      return sticks || (hidden && !(scroller && ['auto', 'scroll'].indexOf(getComputedStyle(scroller).overflowX) >= 0)); }).length;
    var navShown = shown(nav), menuShown = !!menu && shown(menu), opens = null;
    if (menuShown) { nav.style.transition = 'none'; menu.click(); opens = shown(nav) && nav.getBoundingClientRect().left >= -1; menu.click(); nav.getBoundingClientRect(); nav.style.transition = ''; } // closed before the transition returns
    return { images: imgs.length,
      broken_images: imgs.filter(function (i) { return !i.complete || i.naturalWidth === 0; }).length,
      hidden_images: imgs.filter(function (i) { var r = i.getBoundingClientRect(); return r.width < 50 || r.height < 50 || getComputedStyle(i).visibility === 'hidden'; }).length,
      math: document.querySelectorAll('.MathJax, .MathJax_Display, .MathJax_CHTML').length,
      math_errors: document.querySelectorAll('.MathJax_Error, .merror, .mjx-merror, .MathJax_CHTML [style*="color: red"]').length,
      raw_dollars: raw, mathjax: typeof MathJax !== 'undefined', leaks: leaks,
      current: Array.prototype.map.call(current, function (a) { return a.getAttribute('href'); }),
      search_box: !!document.querySelector('#ddlit-search input'),
      prev: rel('a[rel="prev"]'), next: rel('a[rel="next"]'), wide_signatures: wide.length,
      clipped: clipped, scrolling: Array.prototype.slice.call(main.querySelectorAll('.jp-InputArea-editor pre, .jp-OutputArea-output pre')).filter(function (p) {
        return p.scrollWidth > p.clientWidth + 1; }).length,
      toc: document.querySelectorAll('.ddlit-toc a').length, sections: main.querySelectorAll('h2').length, alts: imgs.map(function (i) { return i.getAttribute('alt') || ''; }),
      viewport: window.innerWidth, text_width: main.getBoundingClientRect().width, nav_shown: navShown, menu_shown: menuShown, menu_opens: opens,
      page_width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight };
  }
  function report(extra) { var m = measure(); for (var k in extra) m[k] = extra[k]; document.body.setAttribute('data-ddlit-check', JSON.stringify(m)); }
  function afterMath() {
    var q = new URLSearchParams(location.search).get('ddlit-search');
    if (!q) return report({});
    import('./pagefind/pagefind.js').then(function (pf) { return pf.search(q); })
      .then(function (r) { return Promise.all(r.results.slice(0, 5).map(function (x) { return x.data(); })); })
      .then(function (d) { report({ search: d.map(function (x) { return x.url; }),
        titles: d.map(function (x) { return x.meta.title; }).concat([].concat.apply([], d.map(function (x) { return x.sub_results.map(function (s) { return s.title; }); }))),
        excerpts: d.map(function (x) { return x.excerpt; }).concat([].concat.apply([], d.map(function (x) { return x.sub_results.map(function (s) { return s.excerpt; }); }))) }); },
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
            url = urlsplit(self.path)
            if url.path == '/_frame.html': return self.send_html(frame(**{k: v[0] for k, v in parse_qs(url.query).items()}))
            path = site / unquote(url.path).lstrip('/')
            if path.suffix != '.html' or not path.is_file(): return super().do_GET()
            self.send_html(path.read_text().replace('</body>', CHECK + '</body>', 1))
        def send_html(self, text:str):
            body = text.encode()
            self.send_response(200); self.send_header('Content-Type', 'text/html; charset=utf-8')
            self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
    httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{httpd.server_address[1]}/'
    httpd.shutdown()

def frame(src:str, w:str, h:str) -> str: return FRAME % (html.escape(src), int(w), int(h))

def on_screen(server:str, page:str, width:int, height:int=900) -> list:
    "Chromium's window and address for `page` (relative, with its query) seen on a screen `width` x `height` px."
    return [f'--window-size={max(width, MIN_WINDOW)},{height}', server + '_frame.html?' + urlencode(dict(src=page, w=width, h=height))]

def browser_check(server:str, page:str, tries:int=1, width:int=1280) -> dict:
    """Open `page` in headless Chromium on a screen `width` pixels wide and return what the check script measured; up to
    `tries` loads, for a check that waits on fetches (headless Chromium may dump the page before a dynamically imported
    module has loaded)."""
    for _ in range(tries):
        p = subprocess.run([CHROMIUM, *FLAGS, '--dump-dom', *on_screen(server, page, width)], capture_output=True, text=True, timeout=180)
        m = re.search(r'data-ddlit-check="([^"]*)"', p.stdout)
        if m: return json.loads(html.unescape(m[1]))
    raise AssertionError(f'{page}: the check script did not report in {tries} load(s) ({p.stderr[-300:]})')

@pytest.fixture(scope='module')
def all_widths(site, server) -> dict:
    "What the check script measured on every page at every width: {width: {page: measures}}."
    pages = sorted(p.name for p in site.glob('*.html'))
    jobs = [(w, p) for w in WIDTHS for p in pages]
    with ThreadPoolExecutor(2) as pool: measured = list(pool.map(lambda job: browser_check(server, job[1], width=job[0]), jobs))
    out = {w: {} for w in WIDTHS}
    for (w, p), m in zip(jobs, measured): out[w][p] = m
    return out

@pytest.fixture(scope='module')
def checks(all_widths): return all_widths[max(WIDTHS)]

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
        assert c['wide_signatures'] == 0, f'{page}: {c["wide_signatures"]} signatures scroll'
        assert all(a.strip() and a != NBCONVERT_ALT for a in c['alts']), f'{page}: an image without alt text: {c["alts"]}'
    assert sum(c['math'] for c in checks.values()) > 100 and sum(c['images'] for c in checks.values()) >= 10

NBCONVERT_ALT = 'No description has been provided for this image'

def test_every_page_fits_every_screen(all_widths):
    "At each width nothing overflows sideways; below 900 px the sidebar waits behind a menu button and the text takes the width."
    for w, pages in all_widths.items():
        worst = min(pages.items(), key=lambda kv: kv[1]['text_width'])
        print(f"{w:5d} px: widest page {max(c['page_width'] for c in pages.values())} px, narrowest text column "
              f"{worst[1]['text_width']:.0f} px ({worst[1]['text_width'] / w:.0%}, {worst[0]}), sidebar shown on "
              f"{sum(c['nav_shown'] for c in pages.values())} pages, menu button on {sum(c['menu_shown'] for c in pages.values())}, "
              f"menu opens the sidebar on {sum(bool(c['menu_opens']) for c in pages.values())}, blocks cut off {sum(c['clipped'] for c in pages.values())}")
        for page, c in pages.items():
            assert c['viewport'] == w and c['page_width'] <= w, f'{page} at {w} px: the page is {c["page_width"]} px wide'
            assert c['clipped'] == 0, f'{page} at {w} px: {c["clipped"]} code or output blocks cut off instead of scrolling'
            if w < NARROW:
                assert c['menu_shown'] and not c['nav_shown'] and c['menu_opens'], f'{page} at {w} px: sidebar {c["nav_shown"]}, menu {c["menu_shown"]}, opens {c["menu_opens"]}'
                assert c['text_width'] >= 0.9 * w, f'{page} at {w} px: text column {c["text_width"]:.0f} px'
            else:
                assert c['nav_shown'] and not c['menu_shown'], f'{page} at {w} px: no sidebar'

def test_rendered_pages_carry_no_temporary_paths(site):
    "Outputs saved from a run in a temporary folder would show its path; none may reach a page."
    found = {p.name: p.read_text().count('/tmp/') for p in site.glob('*.html')}
    assert not any(found.values()), {k: v for k, v in found.items() if v}

def test_code_wraps_and_long_pages_list_their_sections(checks):
    "At 1280 px no code or output line hides behind a scrollbar, and a page of three sections or more lists them beside it."
    scrolling = {p: c['scrolling'] for p, c in checks.items() if c['scrolling']}
    listed = [p for p, c in checks.items() if c['toc']]
    print(f"code and output blocks scrolling at 1280 px: {sum(scrolling.values())}; pages listing their sections: "
          f"{len(listed)} of {sum(c['sections'] >= 3 for c in checks.values())} with three or more")
    assert not scrolling, f'blocks that scroll sideways at 1280 px: {scrolling}'
    for page, c in checks.items():
        assert c['toc'] == (c['sections'] if c['sections'] >= 3 else 0), f"{page}: {c['toc']} of {c['sections']} sections listed"

def test_screenshots_at_every_width(all_widths, server):
    "Full-page screenshots of the home, results, rates and how-to pages on a phone and a laptop, to be looked at."
    out = ROOT / '_screenshots'; out.mkdir(exist_ok=True)
    for w in SHOT_WIDTHS:
        for name, page in SCREENSHOTS.items():
            path, height = out / f'{name}-{w}.png', min(all_widths[w][page]['height'], 12000)
            subprocess.run([CHROMIUM, *FLAGS, f'--screenshot={path}', *on_screen(server, page, w, height)], capture_output=True, timeout=180)
            with Image.open(path) as shot: # the window is at least MIN_WINDOW wide: keep the screen's part
                assert shot.width >= w and shot.height == height, f'{path}: no {w} px screenshot ({shot.size})'
                shot.crop((0, 0, w, height)).save(path)
    print('screenshots:', sorted(p.name for p in out.glob('*.png')))

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

SEARCHES = {'Lemma B.38': 'second_set.html', 'arc-cosine kernel': None} # a query, and a page it must find first (None: any)

def test_search_finds_pages_and_shows_prose(server):
    "Two queries: results on the expected page, titles without pilcrows, excerpts of prose (no TeX source, no code)."
    for q, page in SEARCHES.items():
        c = browser_check(server, 'index.html?ddlit-search=' + quote(q), tries=8)
        excerpts = [re.sub(r'<[^>]+>', '', e) for e in c.get('excerpts', [])]
        print(f'search {q!r}:', c.get('search'), c.get('search_error', ''), '| titles:', c.get('titles', [])[:4], '| first excerpt:', excerpts[:1])
        assert c.get('search'), f'search {q!r} returned nothing: {c.get("search_error")}'
        if page: assert any(u.rstrip('/').endswith(page) for u in c['search'][:3]), c['search']
        for t in c['titles']: assert '¶' not in t and '$' not in t, f'search title {t!r}'
        for e in excerpts:
            assert not re.search(r'[$¶]|\\[a-zA-Z]|\bimport |\bdef |>>>|\w\(\w+=', e), f'search {q!r}: excerpt {e!r} is not prose'

# The page against its notebook: every table a notebook shows renders as a table, every Markdown cell's prose
# reaches the page. Pure functions of (notebook, page HTML), so the checks themselves are tested below on pages
# that carry each defect.
_re_table_rule = re.compile(r'^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$')
_re_raw_rule = re.compile(r'\|\s*:?-{3,}:?\s*\|')

def markdown_tables(md:str) -> list:
    "The number of body rows of each Markdown table in `md`."
    lines, out = md.split('\n'), []
    for i in range(1, len(lines)):
        if _re_table_rule.match(lines[i]) and '|' in lines[i - 1] and '|' in lines[i]:
            j = i + 1
            while j < len(lines) and '|' in lines[j] and lines[j].strip(): j += 1
            out.append(j - i - 1)
    return out

def shown(cell:dict) -> bool:
    "Whether a reader sees a code cell's outputs (Quarto's options as the site builder honours them)."
    src = ''.join(cell['source'])
    return not re.search(r'^#\|\s*(hide\b|include:\s*false|output:\s*false)', src, re.M)

def first_sentences(md:str) -> list:
    """The start of each block of prose of a Markdown cell as rendered (headings, paragraphs, list items, quotes): at
    most its first sentence, 100 characters. A cell's first block alone would miss a lost paragraph under a title."""
    from bs4 import BeautifulSoup
    from nbconvert.filters.markdown_mistune import markdown2html_mistune
    soup, out = BeautifulSoup(markdown2html_mistune(md), 'html.parser'), []
    for block in soup.find_all(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'li']):
        if block.find_parent(['table', 'pre']) or block.find(['p', 'li']): continue
        text = ' '.join(block.get_text().replace('¶', '').split()) # ¶: the renderer's heading anchor
        text = re.split(r'(?<=[.;:])\s', text)[0]
        if text: out.append(text if len(text) <= 100 else text[:100].rsplit(' ', 1)[0])
    return out

def notebook_expectations(nb:dict) -> tuple:
    "What a notebook puts on its page: (first sentences of its Markdown cells, body rows of each table it shows)."
    sentences, tables = [], []
    for cell in nb['cells']:
        src = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown':
            sentences += first_sentences(src); tables += markdown_tables(src)
        elif cell['cell_type'] == 'code' and shown(cell):
            for o in cell.get('outputs', []):
                md = o.get('data', {}).get('text/markdown')
                if md: tables += markdown_tables(''.join(md))
    return sentences, tables

def page_problems(nb:dict, page_html:str) -> list:
    "What of a notebook's prose and tables does not reach its page, and raw table syntax left in the page's text."
    from collections import Counter
    from bs4 import BeautifulSoup
    main = BeautifulSoup(page_html, 'html.parser').select_one('main') or BeautifulSoup(page_html, 'html.parser')
    text = ' '.join(main.get_text().split())
    sentences, tables = notebook_expectations(nb)
    problems = [f'prose missing: {s!r}' for s in sentences if s not in text]
    rendered = Counter(len(t.select('tbody tr')) for t in main.select('table'))
    problems += [f'{n} table(s) of {rows} rows not rendered as <table>' for rows, n in (Counter(tables) - rendered).items()]
    for el in main.select('pre, code, script'): el.decompose()
    problems += [f'raw table syntax in the text: {m.group(0)!r}' for m in _re_raw_rule.finditer(main.get_text())]
    return problems

def test_every_table_and_introduction_reaches_the_page(site):
    "Each notebook's Markdown prose (first sentence of every cell) and every table it shows, on its page."
    total_s = total_t = 0
    found = {}
    for nb_name, page in expected_pages().items():
        nb = json.loads((ROOT / 'nbs' / f'{nb_name}.ipynb').read_text())
        sentences, tables = notebook_expectations(nb)
        total_s, total_t = total_s + len(sentences), total_t + len(tables)
        problems = page_problems(nb, (site / page).read_text())
        if problems: found[page] = problems
    for page, problems in found.items(): print(f'{page}: {len(problems)} problems, first: {problems[0]}')
    assert not found, f'{len(found)} pages lose prose or tables: {sorted(found)}'
    print(f'{total_s} blocks of Markdown prose and {total_t} tables of {len(expected_pages())} notebooks, all on their pages')
    assert total_s > 300 and total_t > 40

def test_the_page_checks_catch_lost_prose_and_broken_tables():
    "The two defects these checks exist for: a first cell's prose dropped with its title, a table shown as a paragraph."
    from nbconvert.filters.markdown_mistune import markdown2html_mistune
    table = '| claim | measured |\n|---|---|\n| a | 1 |\n| b | 2 |'
    nb = {'cells': [{'cell_type': 'markdown', 'source': ['# Title\n\n> Summary.']},
                    {'cell_type': 'markdown', 'source': ['Prose that introduces the page. More.']},
                    {'cell_type': 'code', 'source': ['show()'], 'outputs': [{'data': {'text/markdown': [table]}}]}]}
    good = f'<main><h1>Title</h1><p>Summary.</p><p>Prose that introduces the page. More.</p>{markdown2html_mistune(table)}</main>'
    assert page_problems(nb, good) == []
    lost = good.replace('<p>Prose that introduces the page. More.</p>', '')
    raw = good.replace(markdown2html_mistune(table), '<p>' + table.replace('\n', ' ') + '</p>')
    assert page_problems(nb, lost) == ["prose missing: 'Prose that introduces the page.'"]
    nb['cells'][:2] = [{'cell_type': 'markdown', 'source': ['# Title\n\n> Summary.\n\nProse that introduces the page. More.']}]
    assert page_problems(nb, lost) == ["prose missing: 'Prose that introduces the page.'"] # under the title, as nbdev drops it
    assert page_problems(nb, raw)[0] == '1 table(s) of 2 rows not rendered as <table>' and 'raw table syntax' in page_problems(nb, raw)[1]
