"""ddlit: literate dataset distillation for two-layer ReLU networks on Gaussian multi-index tasks.

`from ddlit import *` gives the paper-level names below; every other function is importable from its module
(`ddlit.phase1`, `ddlit.phase2`, `ddlit.second_set`, `ddlit.experiments.fig1`, ...)."""
__version__ = "0.1.0"

from .core import default_device, make_generator
from .tasks import HermiteTarget, MultiIndexTask, default_target, hermite_target, make_task, parse_target, preprocess, sample, seeded_task, task_from_record
from .network import TwoLayerNet, symmetric_init
from .training import TrainedNet, alignment, held_out_set, population_loss
from .reference import Reference, reference_init, retrain_phase1, finish_on_real_data, train_on_real_data
from .phase1 import distill_phase1
from .pipeline import (Comparison, DistillConfig, Distillation, DistilledDataset, ParadigmRow, compare_paradigms, distill,
                       load_dataset, retrain, save_dataset)
from .experiments import EXPERIMENTS, failed_claims, format_claims, reproduce
from .cli import format_paradigms

__all__ = [
    # tasks (Section 3.1)
    'MultiIndexTask', 'HermiteTarget', 'hermite_target', 'default_target', 'parse_target', 'make_task', 'seeded_task', 'sample', 'preprocess', 'task_from_record',
    # the network and its training (Sections 3.2-3.3)
    'TwoLayerNet', 'symmetric_init', 'TrainedNet', 'Reference', 'reference_init', 'retrain_phase1', 'finish_on_real_data', 'train_on_real_data',
    'held_out_set', 'population_loss', 'alignment',
    # distillation and retraining (Algorithm 1)
    'DistillConfig', 'distill_phase1', 'distill', 'Distillation', 'DistilledDataset', 'retrain', 'save_dataset', 'load_dataset',
    # the paradigms of Section 5.1
    'compare_paradigms', 'Comparison', 'ParadigmRow', 'format_paradigms',
    # the experiments of Section 5 and Appendix B.8
    'EXPERIMENTS', 'reproduce', 'format_claims', 'failed_claims',
    # seeds and devices
    'make_generator', 'default_device',
]
