"""The documentation's own nbdev processor (settings.ini: `procs = ddlit._docs:site_links`), run by
`nbdev_docs`, `nbdev_preview` and `tools/build_site.py` after nbdev's processors.

Written by hand, not exported from a notebook: nbdev imports processors from an installed module,
and this one concerns the site, not distillation. It makes two corrections to what nbdev writes into
the pages:

* links to documented names point to `doc_host + doc_baseurl` (`https://ddlit.github.io/ddlit/...`),
  a site that need not exist; they become relative (`pipeline.html#distill`), which resolves on the
  Quarto site wherever it is served and on the offline build alike;
* `show_doc` writes every signature as `def Name(...)`, properties as a call documented "Call self
  as a function", and `#LNone` for the source line of classes and properties: classes become `class
  Name(...)`, properties `Name: type` with their own docstring, and source links get their line."""
import importlib, inspect, re
from nbdev.config import get_config
from nbdev.doclinks import NbdevLookup

__all__ = ['site_links']

_re_entry = re.compile(r'\[source\]\(https://[^)]*?/blob/[^/]+/((?:[\w-]+/)*[\w-]+)\.py#L(\w+)\)'
                       r'(\{[^}]*\})?\s*### (\S+)', re.S)

def _site_prefix() -> str:
    cfg = get_config()
    return cfg.doc_host.rstrip('/') + '/' + cfg.doc_baseurl.strip('/') + '/'

def _resolve(module:str, qualname:str):
    "The object `module.qualname` (a property stays a property), or None."
    try: obj = importlib.import_module(module)
    except ImportError: return None
    for part in qualname.split('.'):
        get = inspect.getattr_static if inspect.isclass(obj) else getattr
        obj = get(obj, part, None)
        if obj is None: return None
    return obj

def _source_line(obj) -> str:
    target = obj.fget if isinstance(obj, property) else obj
    try: return str(inspect.getsourcelines(inspect.unwrap(target))[1])
    except (OSError, TypeError): return ''

def _fix_entry(md:str) -> str:
    "Correct one `show_doc` entry: class keyword, property form, source line."
    m = _re_entry.search(md)
    if not m: return md
    path, line, name = m[1], m[2], m[4]
    obj = _resolve(path.replace('/', '.'), name)
    if obj is None: return md
    if line == 'None':
        md = md.replace(f'.py#LNone)', f'.py#L{_source_line(obj)})'.replace('#L)', ')'), 1)
    short = name.split('.')[-1]
    if inspect.isclass(obj): md = md.replace(f'def {short}(', f'class {short}(', 1)
    if isinstance(obj, property):
        ret = inspect.signature(obj.fget).return_annotation
        kind = '' if ret is inspect.Signature.empty else f': {getattr(ret, "__name__", ret)}'
        md = re.sub(r'```python\n.*?```', f'```python\n{short}{kind} # property\n```', md, count=1,
                    flags=re.S)
        # the summary line in italics, as show_doc writes a function's; the rest below it
        doc = (inspect.getdoc(obj.fget) or '').split('\n', 1)
        md = md.replace('*Call self as a function.*', '\n'.join([f'*{doc[0]}*', *doc[1:]]), 1)
    return md

def site_links(cell):
    """Link documented names in markdown outputs too, make every such link relative, correct
    `show_doc` entries."""
    prefix = _site_prefix()
    if cell.cell_type == 'markdown': cell.source = cell.source.replace(f']({prefix}', '](')
    for o in cell.get('outputs', []):
        md = o.get('data', {}).get('text/markdown')
        if md is None: continue
        # nbdev's add_links linked a list of lines, but
        # walked a string's characters and linked nothing
        text = ''.join(md) if isinstance(md, list) else NbdevLookup().linkify(md)
        o.data['text/markdown'] = _fix_entry(text.replace(f']({prefix}', ']('))
