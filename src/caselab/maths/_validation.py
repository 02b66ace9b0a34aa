"""Input checks shared by the reference library.

Every public function validates its inputs through these helpers so that a
mistake gets the same, specific message everywhere (what was wrong, what was
seen, what is allowed) — in the spirit of scikit-learn's ``check_array``.
All checks raise :class:`ValueError` (or :class:`TypeError` for a wrong type).
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

__all__ = [
    "check_binary_labels",
    "check_scores",
    "check_labels_and_scores",
    "check_cost",
    "check_probability",
    "check_count",
    "check_nonnegative_count",
    "check_positive",
    "check_positive_int",
    "check_threshold",
    "check_has_positives",
    "check_has_both_classes",
]


def check_binary_labels(y_true, name: str = "y_true") -> np.ndarray:
    """Return ``y_true`` as an int8 array of 0/1, or raise a clear error.

    Accepts booleans, integers 0/1 and floats equal to 0.0/1.0.
    """
    y = np.asarray(y_true)
    if y.ndim != 1:
        raise ValueError(f"{name} must be a 1-d array of 0/1 labels; got an array of shape {y.shape}.")
    if y.size == 0:
        raise ValueError(f"{name} is empty: at least one labelled example is needed.")
    if y.dtype == bool:
        return y.astype(np.int8)
    if not np.issubdtype(y.dtype, np.number):
        raise ValueError(
            f"{name} must hold the binary labels 0 and 1; got values of type {y.dtype} "
            f"(e.g. {y[:3].tolist()!r}). Encode the positive class as 1 and the negative as 0."
        )
    if np.issubdtype(y.dtype, np.floating) and not np.all(np.isfinite(y)):
        raise ValueError(f"{name} contains NaN or infinity; labels must be 0 or 1.")
    # Not np.unique: it sorts (0.25 s for 10^7 int64 labels, a third of an argsort). Integers are
    # 0/1 iff min >= 0 and max <= 1 (two SIMD reductions); floats need the comparisons. The distinct
    # values are only needed for the error message.
    if np.issubdtype(y.dtype, np.integer):
        is_binary = y.min() >= 0 and y.max() <= 1
    else:
        is_binary = np.all((y == 0) | (y == 1))
    if not is_binary:
        values = np.unique(y)
        shown = values[:5].tolist()
        raise ValueError(
            f"{name} must be binary (0 = negative, 1 = positive); found the values {shown}"
            f"{' …' if values.size > 5 else ''}. For more classes, binarise first (one class against the rest)."
        )
    return y.astype(np.int8)


def check_scores(y_score, name: str = "y_score") -> np.ndarray:
    """Return ``y_score`` as a finite 1-d float64 array, or raise a clear error."""
    s = np.asarray(y_score)
    if s.ndim != 1:
        raise ValueError(f"{name} must be a 1-d array of scores; got an array of shape {s.shape}.")
    if s.size == 0:
        raise ValueError(f"{name} is empty: at least one score is needed.")
    if not (np.issubdtype(s.dtype, np.number) or s.dtype == bool):
        raise ValueError(f"{name} must be numeric; got values of type {s.dtype}.")
    s = s.astype(np.float64, copy=False)
    # Fast test first: a NaN or an infinity always shows up in the min or the max.
    if not (np.isfinite(s.min()) and np.isfinite(s.max())):
        bad = ~np.isfinite(s)
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name} contains {int(bad.sum())} NaN or infinite value(s) (first at index {first}: {s[first]}). "
            "Scores must be finite: drop or impute those rows before computing a curve."
        )
    return s


def check_labels_and_scores(y_true, y_score) -> tuple[np.ndarray, np.ndarray]:
    """Validate a pair of labels and scores of the same length."""
    y = check_binary_labels(y_true)
    s = check_scores(y_score)
    if y.shape[0] != s.shape[0]:
        raise ValueError(
            f"y_true and y_score have different lengths: {y.shape[0]} labels but {s.shape[0]} scores. "
            "Each example needs exactly one label and one score."
        )
    return y, s


def _check_real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real | np.number):
        raise TypeError(f"{name} must be a real number; got {value!r} of type {type(value).__name__}.")
    v = float(value)
    if math.isnan(v) or math.isinf(v):
        raise ValueError(f"{name} must be finite; got {v}.")
    return v


def check_cost(value, name: str) -> float:
    """A cost is a finite, non-negative number (a benefit is a negative cost of the *other* outcome)."""
    v = _check_real(value, name)
    if v < 0:
        raise ValueError(
            f"{name} = {v} is negative. Costs are non-negative; to model a benefit (e.g. fraud caught), "
            "add it to the cost of the opposite error instead (a missed fraud costs what a caught one saves)."
        )
    return v


def check_probability(value, name: str, *, open_low: bool = False, open_high: bool = False) -> float:
    """A number in [0, 1] (optionally excluding an end point)."""
    v = _check_real(value, name)
    lo_ok = v > 0 if open_low else v >= 0
    hi_ok = v < 1 if open_high else v <= 1
    if not (lo_ok and hi_ok):
        interval = f"{'(' if open_low else '['}0, 1{')' if open_high else ']'}"
        raise ValueError(f"{name} = {v} is outside {interval}: it is a probability or a rate.")
    return v


def check_count(value, name: str, *, minimum: int = 1) -> float:
    """A finite number of items (may be an expected, non-integer count) of at least ``minimum``."""
    v = _check_real(value, name)
    if v < minimum:
        raise ValueError(f"{name} = {v} must be at least {minimum}.")
    return v


def check_nonnegative_count(value, name: str) -> float:
    """A finite count of examples that may be zero or fractional (an *expected* count), but not negative."""
    v = _check_real(value, name)
    if v < 0:
        raise ValueError(
            f"{name} = {v} is negative: a confusion-matrix cell counts examples (possibly an expected, "
            "fractional count), so it must be >= 0."
        )
    return v


def check_positive(value, name: str) -> float:
    """A finite real number strictly greater than 0."""
    v = _check_real(value, name)
    if v <= 0:
        raise ValueError(f"{name} = {v} must be > 0.")
    return v


def check_positive_int(value, name: str) -> int:
    """A whole number of at least 1 (an ``int`` or a NumPy integer; not a float, not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be a whole number (an int); got {value!r} of type {type(value).__name__}.")
    v = int(value)
    if v < 1:
        raise ValueError(f"{name} = {v} must be at least 1.")
    return v


def check_threshold(value, name: str = "threshold") -> float:
    """A decision threshold: a real number, not NaN. ``+inf`` (flag nothing) and ``-inf`` (flag all) are allowed."""
    if isinstance(value, bool) or not isinstance(value, Real | np.number):
        raise TypeError(f"{name} must be a real number; got {value!r} of type {type(value).__name__}.")
    v = float(value)
    if math.isnan(v):
        raise ValueError(f"{name} is NaN: a threshold must be a number (use inf to flag nothing).")
    return v


def check_has_positives(y: np.ndarray, what: str) -> None:
    """Raise if the validated 0/1 labels ``y`` hold no positive: recall would divide by zero."""
    if not y.any():
        raise ValueError(
            f"y_true has no positive examples (all {y.size} labels are 0): {what} needs at least one, "
            "because recall = TP / (number of positives) is undefined without positives."
        )


def check_has_both_classes(y: np.ndarray, what: str) -> None:
    """Raise if the validated 0/1 labels ``y`` hold only one class (as scikit-learn does for ROC AUC)."""
    n_positive = int(np.count_nonzero(y))
    if n_positive == 0 or n_positive == y.size:
        only = "1 (all positive)" if n_positive else "0 (all negative)"
        raise ValueError(
            f"Only one class is present in y_true: all {y.size} labels are {only}. {what} needs positive "
            "and negative examples, because the true-positive rate divides by the positives and the "
            "false-positive rate by the negatives."
        )


def check_probabilities(p, name: str = "p") -> np.ndarray:
    """``p`` (a number or an array of any shape) as float64 values in [0, 1], or a clear error."""
    try:
        arr = np.asarray(p, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric probabilities in [0, 1]; got {p!r}.") from None
    if arr.size == 0:
        raise ValueError(f"{name} is empty: at least one probability is needed.")
    flat = arr.ravel()
    bad = ~np.isfinite(flat) | (flat < 0) | (flat > 1)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name} must hold probabilities in [0, 1]; found {int(bad.sum())} value(s) outside it "
            f"(first at index {first}: {flat[first]})."
        )
    return arr
