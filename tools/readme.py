"""Write README.md from the home page nbs/index.ipynb, offline (where Quarto, and so `nbdev_readme`, is missing):
markdown cells verbatim, code cells as Python blocks, the outputs of `#| echo: false` cells in their place, and
`#| hide` cells left out, links to pages pointed at nbs/ (the README sits one folder above them). Run
`python tools/run_nbs.py nbs/index.ipynb` first so that the outputs are current.

    python tools/readme.py
"""
import json, re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def directives(source:str) -> set:
    "The `#|` options of a cell, as 'key: value' strings."
    return {line[2:].strip() for line in source.split('\n') if line.startswith('#|')}

def output_text(output:dict) -> str:
    "An output as Markdown: Markdown as it is, text in a code block."
    data = output.get('data', {})
    if 'text/markdown' in data: return ''.join(data['text/markdown']).strip()
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
