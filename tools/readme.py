"""Write README.md from the home page nbs/index.ipynb, offline (where Quarto, and so `nbdev_readme`, is missing):
markdown cells verbatim, code cells as Python blocks, the outputs of `#| echo: false` cells in their place, and
`#| hide` cells left out, links to pages pointed at nbs/ (the README sits one folder above them). Run
`python tools/run_nbs.py nbs/index.ipynb` first so that the outputs are current.

    python tools/readme.py
"""
import json, re, unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def directives(source:str) -> set:
    "The `#|` options of a cell, as 'key: value' strings."
    return {line[2:].strip() for line in source.split('\n') if line.startswith('#|')}

SYMBOLS = {r'\theta': 'θ', r'\kappa': 'κ', r'\Phi': 'Φ', r'\to': '→', r'\infty': '∞', r'\geq': '≥', r'\leq': '≤',
           r'\tan': 'tan ', r'\,': ' '}
SUB, SUP = str.maketrans('0123456789', '₀₁₂₃₄₅₆₇₈₉'), str.maketrans('0123456789-', '⁰¹²³⁴⁵⁶⁷⁸⁹⁻')

def sup(text:str) -> str:
    "A superscript in Unicode where it has one (digits, minus), else in parentheses."
    return text.translate(SUP) if re.fullmatch(r'-?\d+', text) else f'^({text})'

def plain_math(tex:str) -> str:
    """The inline TeX a page's output writes (`$n_\\theta'$`, `$\\tilde\\Phi$`, `$2^{18}$`) as plain Unicode
    (n_θ′, Φ̃, 2¹⁸): the README is read as text as often as rendered."""
    s = re.sub(r'\\tilde\s*(\\?[A-Za-z]+)', lambda m: SYMBOLS.get(m[1], m[1].lstrip('\\')) + '\u0303', tex)
    for k, v in SYMBOLS.items(): s = s.replace(k, v)
    s = re.sub(r'_\{?(\d+)\}?', lambda m: m[1].translate(SUB), s)
    s = re.sub(r'\^(\d|\{[^}]*\})', lambda m: sup(m[1].strip('{}')), s).replace('^*', '*')
    s = re.sub(r"_(θ)'", r'_\1′', s)
    return unicodedata.normalize('NFC', s.replace("'", '′').replace('{', '').replace('}', '').strip()) # Õ as one letter

def output_text(output:dict) -> str:
    "An output as Markdown: Markdown with its inline math as plain Unicode, text in a code block."
    data = output.get('data', {})
    if 'text/markdown' in data:
        return re.sub(r'\$([^$\n]+)\$', lambda m: plain_math(m[1]), ''.join(data['text/markdown']).strip())
    text = ''.join(output.get('text', '')) or ''.join(data.get('text/plain', ''))
    return f"```\n{text.rstrip()}\n```" if text.strip() else ''

def repo_links(markdown:str) -> str:
    "Links to a page (`[text](02_tasks.ipynb#anchor)`) as seen from the repository's root: `nbs/02_tasks.ipynb`."
    def fix(m): return f"]({'nbs/' if (ROOT / 'nbs' / m.group(1)).is_file() else ''}{m.group(1)}"
    return re.sub(r'\]\(([\w.-]+\.ipynb)', fix, markdown)

def render(cell:dict) -> list:
    "The Markdown pieces of one cell."
    source = ''.join(cell['source'])
    if cell['cell_type'] == 'markdown': return [source]
    opts = directives(source)
    if 'hide' in opts: return []
    code = '\n'.join(line for line in source.split('\n') if not line.startswith('#|')).strip()
    shown = [] if 'echo: false' in opts else [f"```python\n{code}\n```"]
    return shown + [t for t in map(output_text, cell.get('outputs', [])) if t]

def main():
    cells = json.loads((ROOT / 'nbs' / 'index.ipynb').read_text())['cells']
    text = repo_links('\n\n'.join(piece for cell in cells for piece in render(cell))) + '\n'
    (ROOT / 'README.md').write_text(text)
    print(f"wrote README.md ({len(text.splitlines())} lines)")

if __name__ == '__main__': main()
