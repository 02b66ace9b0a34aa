"""caselab — interview prep for deploying binary classifiers well.

Worked, graded scenarios on decision thresholds, precision/recall/F1/PR-AUC and expected cost under
class imbalance, class weights vs focal loss vs resampling, calibration, capacity, monitoring and A/B
tests. The reference library (``caselab.maths``: metrics, curves, calibration, …) computes every answer.

The package reads like its design, each layer importing only those below it:

``caselab.maths``      the maths a learner is invited to read: numbers in, numbers out
``caselab.scenarios``  specs, drills (variants), the casebook, data generators and the solvers
``caselab.notebooks``  rendering, the interactive explorers (widgets), offline HTML, the study guide
``caselab.practice``   grading and the learner API, the headless runner, the pytest plugin, journal, mock
``caselab.cli``        the ``caselab`` command

In a notebook::

    import caselab
    case = caselab.case("pinterest-f1-cost")
    case.check("f1_baseline", f1_baseline)
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("caselab")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+local"


def case(ref, *, variant=None, givens=None):
    """Open a scenario by id or by spec path; see :class:`caselab.practice.grading.Case`."""
    from caselab.practice.grading import Case

    return Case(ref, variant=variant, givens=givens)


# Short names for notebooks and learners: ``caselab.curves.average_precision(...)``,
# ``caselab.widgets.threshold_explorer(...)`` work after a bare ``import caselab``, without importing
# every module up front.
_SHORT_NAMES = {
    **{m: f"caselab.maths.{m}" for m in ("metrics", "curves", "calibration", "imbalance", "experiments",
                                         "monitoring", "ranking")},
    **{m: f"caselab.scenarios.{m}" for m in ("spec", "variants", "casebook", "data", "solvers")},
    "widgets": "caselab.notebooks.widgets",
    "grading": "caselab.practice.grading",
}


def __getattr__(name):
    import importlib

    if name in _SHORT_NAMES:
        return importlib.import_module(_SHORT_NAMES[name])
    if name in {"maths", "scenarios", "notebooks", "practice", "cli"}:
        return importlib.import_module(f"caselab.{name}")
    raise AttributeError(f"module 'caselab' has no attribute {name!r}")
