"""The harness that reproduces the paper's experiments on top of the library: resumable sweeps
(`sweep`), the baselines two experiments compare against (`baselines`), what every experiment shares
(`common`; its claims as rows, `claims`; the pieces of its figures, `figures`), one module per
experiment page (`fig1`, `fig2`, `reconstruction`, `finite_t`, `memory`, `iterated`, `rates`), the
registry `reproduce` reads (`registry`) and the command line (`cli`). It imports the library
(`ddlit.core` ... `ddlit.pipeline`); the library never imports it.

Written by hand, not exported: nbdev exports modules, not package initializers"""
from .common import format_pivot, summarize
from .claims import Claim, failed_claims, format_claims
from .registry import EXPERIMENTS, SETTINGS, Reproduction, read_claims, reproduce, sweep_cells

__all__ = [
    'EXPERIMENTS', 'SETTINGS', 'reproduce', 'Reproduction', 'sweep_cells', 'read_claims', 'Claim',
    'format_claims', 'failed_claims', 'summarize', 'format_pivot'
]
