"""The paper's experiments: one module per experiment page (fig1, fig2, reconstruction, finite_t, memory, iterated, rates), the machinery they share (common), and the registry `reproduce` reads (registry).

Written by hand, not exported: nbdev exports modules, not package initializers."""
from .common import Claim, failed_claims, format_claims, format_pivot, summarize
from .registry import EXPERIMENTS, SETTINGS, Reproduction, read_claims, reproduce, sweep_cells

__all__ = ['EXPERIMENTS', 'SETTINGS', 'reproduce', 'Reproduction', 'sweep_cells', 'read_claims', 'Claim', 'format_claims', 'failed_claims',
           'summarize', 'format_pivot']
