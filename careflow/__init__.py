"""careflow: a justified treatment plan for knee pain and leg veins.

    >>> import careflow
    >>> plan = careflow.evaluate(careflow.read_patient("examples/vascular-knee-pain.yaml"))
"""

from ._version import __version__ as __version__
from .errors import (
    CareflowError,
    Diagnostic,
    EngineError,
    InputError,
    MissingExtra,
    RulebookError,
    UsageError,
)
from .evaluate import evaluate
from .model import Patient, loads_patient, parse_patient, read_patient
from .plan import Contribution, Evidence, Finding, Item, Plan, Protocol, Reason
from .rulebook import Rulebook, load_rulebook

__all__ = [
    "CareflowError", "Contribution", "Diagnostic", "EngineError", "Evidence", "Finding",
    "InputError", "Item", "MissingExtra", "Patient", "Plan", "Protocol", "Reason", "Rulebook",
    "RulebookError", "UsageError", "evaluate", "load_rulebook", "loads_patient",
    "parse_patient", "read_patient",
]
