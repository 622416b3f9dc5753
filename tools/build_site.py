"""Build the documentation site offline, without Quarto, as close to what `nbdev_docs` publishes as the tools here allow.

1. nbdev's own processing of the notebooks (`proc_nbs`: front matter, `show_doc` for every export, exported
   source folded under its entry, hidden cells removed, links to documented names, and ddlit's processor
   `ddlit._docs:site_links`), exactly as `nbdev_docs` runs it before Quarto.
2. The cell options Quarto would then read, honoured here: `#| hide` and `include: false` remove the cell,
   `echo: false` hides the source and keeps the output, `output: false` the reverse, `output: asis` turns the
   output into markdown, `code-fold` folds the source under its `code-summary`; the `#|` lines themselves are
   never shown, nor are prompts.
3. nbconvert renders each page; the page gets Quarto's file name (front matter `output-file`), heading ids as
   Pandoc makes them (so `page.html#name` links resolve here and on the Quarto site alike), the sidebar of
   `nbs/sidebar.yml` with the current page marked, previous/next links in the same order, and a search box.
4. Pagefind indexes the pages for search; MathJax comes from a local copy (Debian's `libjs-mathjax`).

Search needs the site served over HTTP (`python -m http.server -d _site_offline`); the rest works from files.
`tests/test_site.py` opens every page in headless Chromium.

    python tools/build_site.py [--out _site_offline] [--mathjax /usr/share/javascript/mathjax]
"""
import argparse, html, re, shutil, subprocess, sys
from pathlib import Path
import nbformat, yaml
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbdev.process import extract_directives
from nbdev.serve import proc_nbs

ROOT = Path(__file__).resolve().parents[1]
MATHJAX = Path('/usr/share/javascript/mathjax')

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
    "The title, description and output file nbdev's FrontmatterProc moved into a raw front-matter cell."
    for cell in nb.cells:
        if cell.cell_type == 'raw' and cell.source.startswith('---'): return yaml.safe_load(cell.source.strip('-\n')) or {}
    return {}

_re_quarto_link = re.compile(r'\[([^\]]+)\]\(([^)\s]+)\)\{[^}]*\}')

def quarto_markdown(md:str) -> str:
    "Quarto's link attributes (`[source](url){target=...}`, as `show_doc` writes them) as plain HTML links."
    return _re_quarto_link.sub(lambda m: f'<a class="ddlit-source" href="{html.escape(m[2])}" target="_blank" rel="noopener">{m[1]}</a>', md)

def _option(d:dict, key:str):
    "A Quarto cell option as nbdev parsed it (`echo: false` -> 'false'), or None."
    v = d.get(key + ':')
    return ' '.join(v).strip('"\'').lower() if v else None

def as_markdown(cell, tags:list):
    "The outputs of an `output: asis` cell, as the markdown cell Quarto would make of them."
    parts = [o.text if o.output_type == 'stream' else o.get('data', {}).get('text/markdown', '') for o in cell.outputs]
    md = ''.join(parts).strip()
    if tags[:1] == ['ddlit-doc']: md = re.sub(r'^---\s*\n', '', md) # the entry is framed by CSS instead
    return nbformat.v4.new_markdown_cell(quarto_markdown(md), metadata={'tags': tags})

def prepare(cell) -> list:
    "What a reader sees of one processed cell, after Quarto's options: no cell, one, or source and output apart."
    if cell.cell_type == 'raw' or 'source' not in cell: return []
    if cell.cell_type == 'markdown':
        cell.source = quarto_markdown(cell.source); return [cell]
    d = extract_directives(cell, remove=False)
    if 'hide' in d or _option(d, 'include') == 'false': return []
    cell.source = re.sub(r'^(\s*#\|.*\n?)+', '', cell.source).strip()
    tags = ['ddlit-doc'] if cell.get('has_sd') or cell.source.startswith('show_doc(') else []
    if _option(d, 'output') == 'false': cell.outputs = []
    if _option(d, 'code-fold'):
        tags.append('ddlit-fold'); cell.metadata['ddlit_summary'] = ' '.join(d.get('code-summary:', ['Code'])).strip('"\'')
    cell.metadata['tags'] = tags
    out = [cell] if _option(d, 'echo') != 'false' and cell.source else []
    if _option(d, 'output') == 'asis':
        doc = as_markdown(cell, tags); cell.outputs = []
        return out + ([doc] if doc.source else [])
    if _option(d, 'echo') == 'false' and cell.outputs:
        cell.metadata['transient'] = {'remove_source': True}; out.append(cell)
    return out

def merge_folds(cells:list) -> list:
    """Consecutive folded cells of the same summary (exported helpers with no entry between them) as one fold, so a
    reader opens one "Exported source", not several in a row."""
    out = []
    for cell in cells:
        prev = out[-1] if out else None
        fold = lambda c: c.cell_type == 'code' and 'ddlit-fold' in c.metadata.get('tags', []) and not c.get('outputs')
        if prev is not None and fold(prev) and fold(cell) and prev.metadata['ddlit_summary'] == cell.metadata['ddlit_summary']:
            prev.source += '\n\n' + cell.source
        else: out.append(cell)
    return out

def pandoc_id(text:str) -> str:
    "The identifier Pandoc (and so Quarto) gives a heading: lower case, letters, digits, `_-.` kept, spaces to `-`."
    s = re.sub(r'[^\w\s.-]', '', text.strip().lower())
    s = re.sub(r'\s+', '-', s)
    return re.sub(r'^[^a-z]+', '', s) or 'section'

def page_nav(pages:list, titles:dict, files:dict, current:str) -> str:
    "The sidebar: a search box, the sections and links in the order of sidebar.yml, the current page marked."
    parts, section = ['<nav class="ddlit-nav" id="ddlit-nav"><p class="ddlit-brand"><a href="index.html">ddlit</a></p>',
                      '<div id="ddlit-search"></div><ul>'], None
    for sec, page in pages:
        if sec != section: parts.append(f'</ul><p class="ddlit-section">{html.escape(sec)}</p><ul>'); section = sec
        name = Path(page).stem
        mark = ' class="ddlit-current" aria-current="page"' if name == current else ''
        parts.append(f'<li><a{mark} href="{files[name]}">{inline_markdown(titles[name])}</a></li>')
    return ''.join(parts) + '</ul></nav>'

def pager(order:list, titles:dict, files:dict, current:str) -> str:
    "Previous and next page, in the sidebar's order."
    i = order.index(current)
    link = lambda j, rel, label: (f'<a rel="{rel}" class="ddlit-{rel}" href="{files[order[j]]}">{label} '
                                  f'<span>{inline_markdown(titles[order[j]])}</span></a>') if 0 <= j < len(order) else '<span></span>'
    return f'<nav class="ddlit-pager">{link(i - 1, "prev", "&larr;")}{link(i + 1, "next", "&rarr;")}</nav>'

def inline_markdown(text:str) -> str:
    "A title or subtitle rendered as inline markdown (`code`, emphasis), without the paragraph around it."
    return re.sub(r'^<p>(.*)</p>\s*$', r'\1', markdown2html_mistune(text).strip(), flags=re.S)

STYLE = """<link rel="stylesheet" href="pagefind/pagefind-ui.css"><style>
body.jp-Notebook { max-width: none !important; margin: 0 !important; padding: 0 !important; }
.ddlit-nav { position: fixed; top: 0; left: 0; width: 16rem; height: 100%; overflow-y: auto; padding: 1rem; z-index: 20;
  box-sizing: border-box; background: #f7f7f9; border-right: 1px solid #ddd; font-family: system-ui, sans-serif; font-size: 0.85rem; }
.ddlit-brand a { font-size: 1.3rem; font-weight: bold; color: #2c3e50; text-decoration: none; }
.ddlit-nav ul { list-style: none; padding-left: 0.3rem; margin: 0.2rem 0; } .ddlit-nav li { margin: 0.15rem 0; }
.ddlit-nav a { color: #2c3e50; text-decoration: none; } .ddlit-nav a:hover { text-decoration: underline; }
.ddlit-section { font-weight: bold; margin: 0.9rem 0 0.2rem; text-transform: uppercase; font-size: 0.75rem; color: #666; }
.ddlit-nav a.ddlit-current { display: block; font-weight: bold; color: #fff; background: #2780e3; border-radius: 4px; padding: 0.1rem 0.35rem; margin-left: -0.35rem; }
#ddlit-search { margin: 0.5rem 0 0.8rem; --pagefind-ui-scale: 0.7; }
.ddlit-menu { display: none; }
.ddlit-main { margin-left: 16rem; padding: 0 2.5rem 2rem; max-width: 62rem; box-sizing: border-box; }
.ddlit-main > h1 { margin-top: 1.5rem; font-family: system-ui, sans-serif; }
.ddlit-subtitle { font-size: 1.15rem; color: #555; font-style: italic; }
.jp-InputPrompt, .jp-OutputPrompt { display: none !important; }
.jp-Cell, .jp-InputArea-editor, .jp-OutputArea-output { min-width: 0; }
.jp-InputArea-editor, .jp-OutputArea-output { overflow-x: auto; }
.jp-InputArea-editor pre, .jp-OutputArea-output pre { white-space: pre-wrap; overflow-wrap: anywhere; } /* long lines wrap, as Quarto's code-overflow: wrap */
.ddlit-toc { margin: 0.3rem 0 0.5rem 0.6rem !important; padding-left: 0.5rem !important; border-left: 2px solid #c9d7ea; font-size: 0.8rem; }
.ddlit-toc li { margin: 0.1rem 0; }
.jp-RenderedMarkdown table { display: block; max-width: 100%; overflow-x: auto; }
.jp-RenderedImage img, .jp-RenderedMarkdown img { max-width: 100%; height: auto; }
.MathJax_Display, .MathJax_CHTML_Display { overflow-x: auto; overflow-y: hidden; max-width: 100%; }
.celltag_ddlit-doc { border-top: 1px solid #ccc; padding-top: 0.4rem; margin-top: 1.2rem; }
.celltag_ddlit-doc pre { white-space: pre-wrap; overflow-wrap: anywhere; }
.celltag_ddlit-doc h3 { font-family: var(--jp-code-font-family, monospace); font-size: 1.15rem; overflow-wrap: anywhere; }
.ddlit-source { float: right; font-size: smaller; }
a.anchor-link::after { content: '\\00b6'; } /* drawn, not written: no pilcrow in the text, titles or search */
.jp-RenderedMarkdown a code { color: #2780e3; }
details.ddlit-fold > summary { cursor: pointer; color: #666; font-size: 0.85rem; margin: 0.2rem 0; }
.ddlit-pager { display: flex; justify-content: space-between; gap: 1rem; border-top: 1px solid #ddd; margin-top: 2rem; padding-top: 1rem; font-family: system-ui, sans-serif; }
.ddlit-pager a { text-decoration: none; } .ddlit-pager a span { text-decoration: underline; }
@media (max-width: 900px) { /* phones and tablets: the sidebar slides in behind a menu button, the text takes the width */
  .ddlit-menu { display: block; position: sticky; top: 0; z-index: 30; width: 100%; text-align: left; padding: 0.6rem 1rem;
    font: bold 1rem system-ui, sans-serif; color: #2c3e50; background: #f7f7f9; border: 0; border-bottom: 1px solid #ddd; cursor: pointer; }
  .ddlit-nav { transform: translateX(-100%); transition: transform 0.2s, visibility 0.2s; width: min(18rem, 85vw); top: 2.6rem; height: calc(100% - 2.6rem);
    visibility: hidden; }
  body.ddlit-nav-open .ddlit-nav { transform: none; visibility: visible; box-shadow: 2px 0 8px rgba(0, 0, 0, 0.15); }
  .ddlit-main { margin-left: 0; padding: 0 0.8rem 1.5rem; max-width: 100%; }
  .ddlit-main > h1 { font-size: 1.6rem; }
  .jp-Cell { padding-left: 0 !important; padding-right: 0 !important; }
}
</style>"""

MENU = '<button class="ddlit-menu" type="button" aria-controls="ddlit-nav" aria-expanded="false">&#9776; ddlit</button>'

SEARCH = """<script src="pagefind/pagefind-ui.js"></script><script>
window.addEventListener('DOMContentLoaded', function () {
  if (typeof PagefindUI !== 'undefined') new PagefindUI({ element: '#ddlit-search', showSubResults: true, showImages: false });
  var menu = document.querySelector('.ddlit-menu');
  menu.addEventListener('click', function () {
    var open = document.body.classList.toggle('ddlit-nav-open'); menu.setAttribute('aria-expanded', String(open)); });
  document.querySelector('.ddlit-main').addEventListener('click', function () {
    document.body.classList.remove('ddlit-nav-open'); menu.setAttribute('aria-expanded', 'false'); });
});
</script>"""

_re_math = re.compile(r'(\$\$.+?\$\$|\$[^$]+?\$|\\\(.+?\\\)|\\\[.+?\\\])', re.S)

def search_ignores(soup):
    "What search leaves out of its index and excerpts: code cells, code blocks and the TeX source of equations."
    for el in soup.select('.ddlit-main .jp-CodeCell, .ddlit-main .jp-RenderedMarkdown pre'): el['data-pagefind-ignore'] = ''
    for text in list(soup.select_one('.ddlit-main').find_all(string=_re_math)):
        if text.find_parent(['code', 'pre', 'script']) or text.find_parent(attrs={'data-pagefind-ignore': True}): continue
        parts = _re_math.split(str(text))
        spans = [soup.new_tag('span', attrs={'data-pagefind-ignore': ''}) if i % 2 else None for i in range(len(parts))]
        for span, part in zip(spans, parts):
            if span: span.string = part
        text.replace_with(*[span or part for span, part in zip(spans, parts) if span or part])

def plain_title(title:str) -> str:
    "A title as search shows it: inline math and code as their plain letters (`$N_1$` -> N1)."
    return re.sub(r'[$`\\{}_^]', '', title)

def image_alts(soup, alts:list):
    "The alt text each image output carries (`Image(..., alt=...)`), onto its `<img>`; nbconvert drops it."
    imgs = soup.select('.jp-RenderedImage img')
    if len(imgs) != len(alts): raise SystemExit(f'{len(imgs)} images rendered for {len(alts)} image outputs')
    for img, alt in zip(imgs, alts):
        if alt: img['alt'] = alt

def finish_page(soup, files:dict):
    "Heading ids as Pandoc's, links to notebooks as links to their pages, exported source folded, search's view of the page."
    seen = {}
    for h in soup.select('.ddlit-main h1, .ddlit-main h2, .ddlit-main h3, .ddlit-main h4, .ddlit-main h5, .ddlit-main h6'):
        for a in h.select('a.anchor-link'): a.decompose()
        base = pandoc_id(h.get_text()); n = seen.get(base, 0); seen[base] = n + 1
        h['id'] = base if n == 0 else f'{base}-{n}'
        h.append(soup.new_tag('a', href='#' + h['id'], attrs={'class': 'anchor-link', 'aria-label': 'link to this section'}))
    for a in soup.select('a[href]'):
        m = re.match(r'([\w.-]+)\.ipynb(#.*)?$', a['href'])
        if m and m[1] in files: a['href'] = files[m[1]] + (m[2] or '')
    for area in soup.select('.celltag_ddlit-fold .jp-InputArea'):
        box = soup.new_tag('details', attrs={'class': 'ddlit-fold'}) # folded: the entry above it says what it defines
        summary = soup.new_tag('summary'); summary.string = area.find_parent(class_='jp-Cell').get('data-ddlit-summary', 'Code')
        area.wrap(box); box.insert(0, summary)
    page_contents(soup)
    search_ignores(soup)

TOC_MIN = 3 # sections a page needs before the sidebar lists them

def page_contents(soup):
    "On this page: the page's sections (its h2 headings), listed in the sidebar under the current page."
    heads = soup.select('.ddlit-main h2')
    current = soup.select_one('.ddlit-nav a.ddlit-current')
    if len(heads) < TOC_MIN or current is None: return
    toc = soup.new_tag('ul', attrs={'class': 'ddlit-toc', 'aria-label': 'On this page'})
    for h in heads:
        li, a = soup.new_tag('li'), soup.new_tag('a', href='#' + h['id'])
        a.string = ' '.join(h.get_text().split()); li.append(a); toc.append(li)
    current.parent.append(toc)

def render(nb, exporter, head:str, nav:str, foot:str, files:dict) -> str:
    "One page: nbconvert's HTML of the prepared cells inside the site's frame."
    summaries = [c.metadata.get('ddlit_summary', 'Code') for c in nb.cells if c.cell_type == 'code' and 'ddlit-fold' in c.metadata.get('tags', [])]
    alts = [o.get('metadata', {}).get('image/png', {}).get('alt') for c in nb.cells if c.cell_type == 'code'
            for o in c.get('outputs', []) if 'image/png' in o.get('data', {}) and 'text/html' not in o.get('data', {})]
    body, _ = exporter.from_notebook_node(nb)
    soup = BeautifulSoup(body, 'html.parser')
    for cell, s in zip(soup.select('.jp-CodeCell.celltag_ddlit-fold'), summaries): cell['data-ddlit-summary'] = s
    image_alts(soup, alts)
    main = soup.new_tag('main', attrs={'class': 'ddlit-main', 'data-pagefind-body': ''})
    for child in list(soup.body.children): main.append(child.extract())
    soup.body.append(BeautifulSoup(MENU + nav, 'html.parser')); soup.body.append(main)
    main.insert(0, BeautifulSoup(head, 'html.parser')); main.append(BeautifulSoup(foot, 'html.parser'))
    soup.head.append(BeautifulSoup(STYLE, 'html.parser')); soup.body.append(BeautifulSoup(SEARCH, 'html.parser'))
    finish_page(soup, files)
    return str(soup)

def build(out:Path, mathjax:Path=MATHJAX) -> list:
    "Build the site into `out` and index it for search; return the pages written."
    if not (mathjax / 'MathJax.js').exists(): raise SystemExit(f"no MathJax at {mathjax}: install Debian's libjs-mathjax or pass --mathjax")
    nbs = ROOT / 'nbs'
    proc = proc_nbs(path=str(nbs), n_workers=0, force=True)
    pages = sidebar_pages(nbs)
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / 'mathjax').symlink_to(mathjax.resolve())
    (out / 'results').symlink_to(ROOT / 'results') # figures the pages show by relative path (the home page's)
    exporter = HTMLExporter(template_name='lab', exclude_input_prompt=True, exclude_output_prompt=True,
                            mathjax_url='mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe')
    nbs_read = {Path(p).stem: nbformat.read(proc / p, as_version=4) for _, p in pages}
    fms = {k: front_matter(nb) for k, nb in nbs_read.items()}
    titles = {k: fm.get('title', k) for k, fm in fms.items()}
    files = {k: fm.get('output-file', f'{k}.html') for k, fm in fms.items()}
    order = [Path(p).stem for _, p in pages]
    written = []
    for name, nb in nbs_read.items():
        fm = fms[name]
        nb.cells = merge_folds([c for cell in nb.cells for c in prepare(cell)])
        head = (f'<h1 class="ddlit-title" data-pagefind-meta="title:{html.escape(plain_title(titles[name]))}">'
                f'{inline_markdown(titles[name])}</h1>' + (f'<p class="ddlit-subtitle">{inline_markdown(fm["description"])}</p>' if fm.get('description') else ''))
        page = render(nb, exporter, head, page_nav(pages, titles, files, name), pager(order, titles, files, name), files)
        written.append(out / files[name]); written[-1].write_text(page)
    index_for_search(out)
    return written

def index_for_search(out:Path):
    "Pagefind's index of the pages (the `pagefind[bin]` development dependency) into `out/pagefind`."
    p = subprocess.run([sys.executable, '-m', 'pagefind', '--site', str(out), '--glob', '*.html'], capture_output=True, text=True)
    if p.returncode: raise SystemExit(f'pagefind failed (pip install "pagefind[bin]"):\n{p.stdout[-2000:]}{p.stderr[-2000:]}')

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', type=Path, default=ROOT / '_site_offline')
    p.add_argument('--mathjax', type=Path, default=MATHJAX)
    a = p.parse_args()
    pages = build(a.out, a.mathjax)
    print(f'{len(pages)} pages written to {a.out}')
