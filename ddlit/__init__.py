"""ddlit: literate dataset distillation for two-layer ReLU networks on Gaussian multi-index tasks."""
__version__ = "0.1.0"

from .core import *
from .hermite import *
from .tasks import *
from .network import *
from .training import *
from .phase1 import *
from .reference import *
from .second_set import *
from .phase2 import *
from .pipeline import *
from .sweep import *
from .baselines import *
from .experiments import *
from .cli import format_paradigms
