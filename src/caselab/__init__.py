"""caselab — interview prep for deploying binary classifiers well.

Worked, graded scenarios on decision thresholds, precision/recall/F1/PR-AUC and expected cost under
class imbalance, class weights vs focal loss vs resampling, calibration, capacity, monitoring and A/B
tests. The reference library (``caselab.metrics``, ``caselab.curves``, …) computes every answer.

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
    """Open a scenario by id or by spec path; see :class:`caselab.grading.Case`."""
    from caselab.grading import Case

    return Case(ref, variant=variant, givens=givens)


def __getattr__(name):
    # `caselab.curves`, `caselab.metrics`, … work after a bare `import caselab` (as in the notebooks)
    # without importing every module up front.
    import importlib

    if name in {"metrics", "curves", "calibration", "imbalance", "experiments", "monitoring", "ranking",
                "data", "spec", "solvers", "casebook", "grading", "render", "widgets", "html", "variants",
                "journal", "guide", "coverage"}:
        return importlib.import_module(f"caselab.{name}")
    raise AttributeError(f"module 'caselab' has no attribute {name!r}")
