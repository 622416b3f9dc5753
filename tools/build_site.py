"""Build the documentation site offline, without Quarto: nbdev's own processing of the notebooks (the same
processors `nbdev_docs` runs: front matter, `show_doc` for every export, hidden cells removed), then nbconvert
to one HTML page per notebook, with the sidebar of `nbs/sidebar.yml` and MathJax from a local copy (Debian's
`libjs-mathjax`), so the pages render with no network. `tests/test_site.py` opens every page in headless
Chromium.

    python tools/build_site.py [--out _site_offline] [--mathjax /usr/share/javascript/mathjax]
"""
import argparse, html, re, shutil
from pathlib import Path
import nbformat, yaml
from nbconvert import HTMLExporter
from nbdev.serve import proc_nbs

ROOT = Path(__file__).resolve().parents[1]
MATHJAX = Path('/usr/share/javascript/mathjax')

# Runs in the page once MathJax has typeset it; leaves what the browser test reads in <body data-ddlit-check>.
CHECK = """<script>
window.addEventListener('load', function () {
  function check() {
    var imgs = Array.prototype.slice.call(document.images);
    var md = Array.prototype.slice.call(document.querySelectorAll('.jp-RenderedMarkdown'));
    var raw = md.map(function (el) {
      var c = el.cloneNode(true); c.querySelectorAll('code, pre, script').forEach(function (x) { x.remove(); });
      return (c.textContent.match(/\\$/g) || []).length; }).reduce(function (a, b) { return a + b; }, 0);
    document.body.setAttribute('data-ddlit-check', JSON.stringify({
      images: imgs.length, broken_images: imgs.filter(function (i) { return !i.complete || i.naturalWidth === 0; }).length,
      math: document.querySelectorAll('.MathJax, .MathJax_Display, .MathJax_CHTML').length,
      math_errors: document.querySelectorAll('.MathJax_Error, .merror, .mjx-merror, .MathJax_CHTML [style*="color: red"]').length, // red: undefined macro
      raw_dollars: raw, mathjax: typeof MathJax !== 'undefined' }));
  }
  if (typeof MathJax !== 'undefined' && MathJax.Hub) MathJax.Hub.Queue(check); else check();
});
</script>"""

def sidebar_pages(nbs:Path) -> list:
    "(section, notebook) pairs in the order of sidebar.yml."
    out = []
    def walk(items, section):
        for item in items:
            if isinstance(item, str): out.append((section, item))
            else: walk(item['contents'], item['section'])
    walk(yaml.safe_load((nbs / 'sidebar.yml').read_text())['website']['sidebar']['contents'], None)
    return out

def front_matter(nb) -> dict:
    "The title and description nbdev's FrontmatterProc moved into a raw front-matter cell."
    for cell in nb.cells:
        if cell.cell_type == 'raw' and cell.source.startswith('---'): return yaml.safe_load(cell.source.strip('-\n')) or {}
    return {}

def nav(pages:list, titles:dict, current:str) -> str:
    "The sidebar: sections and links, the current page marked."
    parts, section = ['<nav class="ddlit-nav"><p><a href="index.html"><b>ddlit</b></a></p><ul>'], None
    for sec, page in pages:
        if sec != section:
            parts.append(f'</ul><p class="ddlit-section">{html.escape(sec)}</p><ul>' if sec else ''); section = sec
        name = Path(page).stem
        mark = ' class="ddlit-current"' if name == current else ''
        parts.append(f'<li><a{mark} href="{name}.html">{html.escape(titles.get(name, name))}</a></li>')
    return ''.join(parts) + '</ul></nav>'

STYLE = """<style>
.ddlit-nav { position: fixed; top: 0; left: 0; width: 15rem; height: 100%; overflow-y: auto; padding: 1rem;
  background: #f7f7f9; border-right: 1px solid #ddd; font-family: sans-serif; font-size: 0.85rem; }
.ddlit-nav ul { list-style: none; padding-left: 0.5rem; margin: 0.2rem 0; } .ddlit-section { font-weight: bold; margin: 0.8rem 0 0.2rem; }
.ddlit-current { font-weight: bold; }
body.jp-Notebook { max-width: none !important; margin: 0 !important; padding: 0 !important; }
.ddlit-main { margin-left: 16rem; padding: 0 2rem; max-width: 72rem; } .ddlit-main > h1 { margin-top: 1.5rem; }
.jp-OutputArea-output pre { white-space: pre; overflow-x: auto; }
.ddlit-subtitle { font-size: 1.15rem; color: #555; }
</style>"""

def build(out:Path, mathjax:Path=MATHJAX) -> list:
    "Build the site into `out`; return the pages written."
    nbs = ROOT / 'nbs'
    proc = proc_nbs(path=str(nbs), n_workers=0, force=True)
    pages = sidebar_pages(nbs)
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    if not (mathjax / 'MathJax.js').exists(): raise SystemExit(f"no MathJax at {mathjax}: install Debian's libjs-mathjax or pass --mathjax")
    (out / 'mathjax').symlink_to(mathjax.resolve())
    (out / 'results').symlink_to(ROOT / 'results') # figures the pages show by relative path (the home page's)
    exporter = HTMLExporter(template_name='lab', mathjax_url='mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe')
    nbs_read = {Path(p).stem: nbformat.read(proc / p, as_version=4) for _, p in pages}
    titles = {k: front_matter(nb).get('title', k) for k, nb in nbs_read.items()}
    written = []
    for name, nb in nbs_read.items():
        fm = front_matter(nb)
        nb.cells = [c for c in nb.cells if not (c.cell_type == 'raw' and c.source.startswith('---'))] # shown as the page head below
        body, _ = exporter.from_notebook_node(nb)
        head = f'<h1>{html.escape(fm.get("title", name))}</h1>' + (f'<p class="ddlit-subtitle">{html.escape(fm["description"])}</p>' if fm.get('description') else '')
        body = re.sub(r'href="([\w.-]+)\.ipynb(#[^"]*)?"', lambda m: f'href="{m[1]}.html{m[2] or ""}"', body)
        body = body.replace('</head>', STYLE + '</head>', 1)
        body = re.sub(r'(<body[^>]*>)', lambda m: m[1] + nav(pages, titles, name) + '<div class="ddlit-main">' + head, body, count=1)
        body = body.replace('</body>', '</div>' + CHECK + '</body>', 1)
        written.append(out / f'{name}.html'); written[-1].write_text(body)
    return written

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', type=Path, default=ROOT / '_site_offline')
    p.add_argument('--mathjax', type=Path, default=MATHJAX)
    a = p.parse_args()
    pages = build(a.out, a.mathjax)
    print(f'{len(pages)} pages written to {a.out}')
