"""ddlit: literate dataset distillation for two-layer ReLU networks on Gaussian multi-index tasks.

Two layers. The library, the paper's machinery in its order: `core` -> `hermite`, `network` ->
`tasks` -> `training` -> `phase1`, `reference` -> `second_set`, `phase2` -> `pipeline`. The harness
that reproduces the paper's experiments, `ddlit.repro` (sweeps, baselines, one module per
experiment, the registry and the command line): it imports the library, and the library never
imports it.

`from ddlit import *` gives the library's paper-level names below; `from ddlit.repro import
reproduce` runs an experiment; every other function is importable from its module (`ddlit.phase1`,
`ddlit.second_set`, `ddlit.repro.fig1`). Written by hand, not exported: nbdev exports modules, not
package initializers."""
from .core import __version__, default_device, make_generator
from .tasks import (
    HermiteTarget, MultiIndexTask, default_target, hermite_target, make_task, parse_target,
    preprocess, sample, seeded_task, task_from_record)
from .network import TwoLayerNet, symmetric_init
from .training import TrainedNet, alignment, held_out_set, population_loss
from .reference import (
    Reference, reference_init, retrain_phase1, finish_on_real_data, train_on_real_data)
from .phase1 import distill_phase1
from .pipeline import (
    Comparison, DistillConfig, Distillation, DistilledDataset, ParadigmRow, compare_paradigms,
    distill, format_paradigms, load_dataset, retrain, save_dataset)

__all__ = [
    # tasks (Section 3.1)
    'MultiIndexTask', 'HermiteTarget', 'hermite_target', 'default_target', 'parse_target',
    'make_task', 'seeded_task', 'sample', 'preprocess', 'task_from_record',
    # the network and its training (Sections 3.2-3.3)
    'TwoLayerNet', 'symmetric_init', 'TrainedNet', 'Reference', 'reference_init', 'retrain_phase1',
    'finish_on_real_data', 'train_on_real_data', 'held_out_set', 'population_loss', 'alignment',
    # distillation and retraining (Algorithm 1)
    'DistillConfig', 'distill_phase1', 'distill', 'Distillation', 'DistilledDataset', 'retrain',
    'save_dataset', 'load_dataset',
    # the paradigms of Section 5.1
    'compare_paradigms', 'Comparison', 'ParadigmRow', 'format_paradigms',
    # seeds and devices
    'make_generator', 'default_device',
]
