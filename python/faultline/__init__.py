"""faultline: a deterministic simulator of a microservice cluster under chaos faults.

>>> import faultline
>>> r = faultline.run("scenarios/order-delivery-v1.yaml", seed=3)
>>> r.summary["messages"]["lost"], r.backlog["peak"]
>>> r.series("rabbitmq_queue_messages_ready")          # a pandas DataFrame
>>> s = faultline.sweep("scenarios/mmc-reference.json",
...                     {"components.consumer.count": "3..6:1"}, seeds=5, jobs=2)
>>> s.aggregate                                         # mean and Student-t interval per setting
"""

from ._errors import ConservationError, InputError
from . import _faultline
from .result import Result, SeriesArrays
from .running import Validation, replay, run, validate
from .scenario import Scenario, load
from .sweeping import SweepResult, sweep

__version__ = _faultline.__version__

__all__ = [
    "ConservationError",
    "InputError",
    "Result",
    "Scenario",
    "SeriesArrays",
    "SweepResult",
    "Validation",
    "load",
    "replay",
    "run",
    "sweep",
    "validate",
]
