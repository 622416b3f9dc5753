"""The documentation's renderer and link processor, both named in settings.ini.

Written by hand, not exported from a notebook: nbdev imports both from an installed module, and they
concern the site, not distillation.

* `DocRenderer` (settings.ini: `renderer = ddlit._docs.DocRenderer`) is what `show_doc` renders with
  when a page runs. nbdev's renderer writes every entry as `def Name(...)`, a property as a call
  documented "Call self as a function", and no source line for classes and properties; this one
  writes `class Name(...)`, `Name: type # property` with the getter's docstring, and every entry's
  source line.
* `site_links` (settings.ini: `procs = ddlit._docs:site_links`), run by `nbdev_docs`,
  `nbdev_preview` and `tools/build_site.py` after nbdev's processors, makes links to documented
  names relative (`pipeline.html#distill`): nbdev writes them under `doc_host + doc_baseurl`, a site
  that need not exist, and a relative link resolves on the Quarto site wherever it is served and
  offline alike."""
import inspect
from fastcore.docments import _fmt_sig, _ital_first
from nbdev.config import get_config
from nbdev.doclinks import NbdevLookup
from nbdev.showdoc import BasicMarkdownRenderer

__all__ = ['DocRenderer', 'site_links']

class DocRenderer(BasicMarkdownRenderer):
    "`show_doc`'s renderer: `class` for classes, `Name: type` for properties, source-line links."
    def __init__(self, sym, name=None, title_level=3, maxline=110):
        self.prop = sym if isinstance(sym, property) else None
        super().__init__(sym, name=name, title_level=title_level, maxline=maxline)

    def _signature(self) -> str:
        short = self.nm.split('.')[-1]
        if self.prop:
            ret = inspect.signature(self.prop.fget).return_annotation
            kind = '' if ret is inspect.Signature.empty else f': {getattr(ret, "__name__", ret)}'
            return f'{short}{kind} # property'
        if inspect.isclass(self.sym):
            return _fmt_sig(short, self.dm.params, self.dm._ret_str, self.maxline, prefix='class')
        return str(self.dm)

    def _source(self) -> str:
        "The link to the entry's source line on GitHub, or ''."
        url = NbdevLookup().code(self.fn)
        if not url: return ''
        target = inspect.unwrap(self.prop.fget if self.prop else self.sym)
        try: line = inspect.getsourcelines(target)[1]
        except (OSError, TypeError): return ''
        return (f'[source]({url.rsplit("#L", 1)[0]}#L{line})'
                '{target="_blank" style="float:right; font-size:smaller"}\n\n')

    def _repr_markdown_(self):
        docs = inspect.getdoc(self.prop.fget) or '' if self.prop else self.docs
        return ('---\n\n' + self._source() + f"{'#' * self.title_level} {self.nm}\n\n"
                + f'```python\n{self._signature()}\n```'
                + (f'\n\n{_ital_first(docs)}' if docs else ''))

def _site_prefix() -> str:
    cfg = get_config()
    return cfg.doc_host.rstrip('/') + '/' + cfg.doc_baseurl.strip('/') + '/'

def site_links(cell):
    "Link documented names in markdown outputs too, and make every such link relative."
    prefix = _site_prefix()
    if cell.cell_type == 'markdown': cell.source = cell.source.replace(f']({prefix}', '](')
    for o in cell.get('outputs', []):
        md = o.get('data', {}).get('text/markdown')
        if md is None: continue
        # nbdev's add_links linked a list of lines, but
        # walked a string's characters and linked nothing
        text = ''.join(md) if isinstance(md, list) else NbdevLookup().linkify(md)
        o.data['text/markdown'] = text.replace(f']({prefix}', '](')
