"""Beyond the paper: the distillation algorithms practitioners run, on ddlit's network and tasks.

One protocol scores them all (`protocol`): gradient matching (`dc`), unrolled performance matching
(`pm`), distribution matching (`dm`), trajectory matching (`mtt`) and kernel inducing points
(`kip`), beside ddlit's own progressive distillation (`protocol.PROGRESSIVE`).

A layer of its own: it imports the library (`ddlit.core` ... `ddlit.pipeline`) and is imported by
the harness (`ddlit.repro.comparison`), never the reverse; `import ddlit` loads none of it.

Written by hand, not exported: nbdev exports modules, not package initializers."""
from .protocol import (
    PROGRESSIVE, RANDOM, Algorithm, Data, Distilled, Procedure, Score, SeedScore, evaluate,
    full_reference, gd_procedure, principal_sines, score_seed, tune, two_phase_procedure)
from .dc import DC
from .pm import PM
from .dm import DM
from .mtt import MTT
from .kip import KIP

ALGORITHMS = {a.name: a for a in (PROGRESSIVE, DC, PM, DM, MTT, KIP)}

__all__ = [
    # the protocol
    'Data', 'Distilled', 'Procedure', 'Algorithm', 'evaluate', 'score_seed', 'full_reference', 'Score',
    'SeedScore', 'tune', 'principal_sines', 'gd_procedure', 'two_phase_procedure',
    # the algorithms
    'PROGRESSIVE', 'RANDOM', 'DC', 'PM', 'DM', 'MTT', 'KIP', 'ALGORITHMS',
]
