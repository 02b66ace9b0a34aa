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


_LARGEST_EXACT_INTEGER = 2**53  # float64 holds every integer in [-2**53, 2**53] exactly, and not all beyond


def check_binary_labels(y_true, name: str = "y_true", *, pos_label=None) -> np.ndarray:
    """Return ``y_true`` as an int8 array with 1 for the positive class and 0 for the other, or raise.

    Which label is the positive class is decided here and nowhere else, by scikit-learn's rule
    (``sklearn.utils.validation._check_pos_label_consistency``):

    * ``pos_label=None`` (the default): the labels must be {0, 1} or {-1, 1} (or only one of 0, 1,
      -1); booleans, integers and floats equal to those values all count. The positive class is 1.
      Any other labels — {1, 2}, strings — are ambiguous and raise a ``ValueError`` asking for
      ``pos_label``.
    * ``pos_label`` given (a number, a bool or a string): ``y_true`` may hold any two labels; the
      positive class is the one equal to ``pos_label`` and the other label is negative
      (``pos_label=0`` on 0/1 labels makes 0 the positive class). If both labels are present,
      ``pos_label`` must be one of them; with a single label that differs from ``pos_label``
      (of the same kind: a string for string labels, a number for numbers) every example is negative.

    More than two distinct labels is an error either way: binarise first, e.g. ``y == "fraud"``.
    """
    y = np.asarray(y_true)
    if y.ndim != 1:
        raise ValueError(f"{name} must be a 1-d array of class labels; got an array of shape {y.shape}.")
    if y.size == 0:
        raise ValueError(f"{name} is empty: at least one labelled example is needed.")
    if y.dtype.kind == "O" and all(isinstance(v, Real) for v in y.tolist()):
        y = y.astype(np.float64)  # numbers held as objects (e.g. a pandas object column): compare as numbers
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError(f"{name} contains NaN or infinity; labels must be class labels such as 0 and 1.")
    if pos_label is None:
        return _labels_positive_one(y, name)
    return _labels_positive_is(y, name, pos_label)


def _labels_positive_one(y: np.ndarray, name: str) -> np.ndarray:
    """Labels {0, 1} or {-1, 1} (or a subset) as int8 0/1, positive = 1; anything else raises."""
    if y.dtype == bool:
        return y.astype(np.int8)
    if y.dtype.kind in "iuf":
        # Not np.unique: it sorts (0.25 s for 10^7 int64 labels, a third of an argsort). Integers are
        # 0/1 iff min >= 0 and max <= 1 (two SIMD reductions); floats need the comparisons. The
        # distinct values are only needed for the error message.
        if y.dtype.kind in "iu":
            is_zero_one = y.min() >= 0 and y.max() <= 1
        else:
            is_zero_one = np.all((y == 0) | (y == 1))
        if is_zero_one:
            return y.astype(np.int8)
        is_positive = y == 1
        if np.all(is_positive | (y == -1)):  # {-1, 1}
            return is_positive.view(np.int8)
    values = _distinct_labels(y)
    if values.size > 2:
        raise _too_many_labels(values, name)
    example = values.tolist()[-1]
    raise ValueError(
        f"{name} holds the labels {_shown(values)} and pos_label is not given, so which class is positive "
        f"is ambiguous: pass pos_label= the positive class (e.g. pos_label={example!r}), or encode the labels "
        "as {0, 1} or {-1, 1} (1 = positive)."
    )


def _labels_positive_is(y: np.ndarray, name: str, pos_label) -> np.ndarray:
    """Any two labels as int8 0/1, positive = ``pos_label``."""
    if not isinstance(pos_label, str | Real | np.generic) or (isinstance(pos_label, np.generic) and pos_label.ndim):
        raise TypeError(
            f"pos_label must be one label (a number, a bool or a string); got {pos_label!r} of type "
            f"{type(pos_label).__name__}."
        )
    is_positive = np.asarray(y == pos_label, dtype=bool)
    if is_positive.shape != y.shape:  # an incomparable pair may compare as one False
        is_positive = np.zeros(y.shape, dtype=bool)
    others = y[~is_positive]
    if others.size and not np.all(others == others[0]):
        values = _distinct_labels(y)
        if values.size > 2 or is_positive.any():
            raise _too_many_labels(values, name)
        raise ValueError(
            f"pos_label={pos_label!r} is not one of the labels in {name} ({_shown(values)}): pass one of them."
        )
    label_is_text = y.dtype.kind in "US"
    pos_is_text = isinstance(pos_label, str | np.str_ | np.bytes_)
    if not is_positive.any() and y.dtype.kind != "O" and label_is_text != pos_is_text:
        raise ValueError(
            f"pos_label={pos_label!r} is a {'string' if pos_is_text else 'number'} but {name} holds "
            f"{'strings' if label_is_text else 'numbers'} ({_shown(_distinct_labels(y))}): pass the positive "
            "label as it appears in the data."
        )
    return is_positive.view(np.int8)


def _distinct_labels(y: np.ndarray) -> np.ndarray:
    try:
        return np.unique(y)
    except TypeError:  # an object array of incomparable labels (e.g. strings and None)
        return np.array(sorted(set(y.tolist()), key=repr), dtype=object)


def _shown(values: np.ndarray) -> str:
    return f"{values[:5].tolist()}{' …' if values.size > 5 else ''}"


def _too_many_labels(values: np.ndarray, name: str) -> ValueError:
    return ValueError(
        f"{name} must be binary (two classes); found the values {_shown(values)}. "
        "For more classes, binarise first (one class against the rest, e.g. y == the_class)."
    )


def check_scores(y_score, name: str = "y_score") -> np.ndarray:
    """Return ``y_score`` as a finite 1-d float64 array, or raise a clear error.

    Integer scores beyond ±2**53 are refused: float64 cannot hold them all, so distinct scores
    (2**62 and 2**62 + 1) would silently become ties — and every threshold in caselab is a float, so
    a threshold could not even name such a score. Integers within ±2**53 convert exactly.
    """
    s = np.asarray(y_score)
    if s.ndim != 1:
        raise ValueError(f"{name} must be a 1-d array of scores; got an array of shape {s.shape}.")
    if s.size == 0:
        raise ValueError(f"{name} is empty: at least one score is needed.")
    if not (np.issubdtype(s.dtype, np.number) or s.dtype == bool):
        raise ValueError(f"{name} must be numeric; got values of type {s.dtype}.")
    if s.dtype.kind in "iu":  # always finite; exact in float64 only within ±2**53
        lowest, highest = int(s.min()), int(s.max())
        if highest > _LARGEST_EXACT_INTEGER or lowest < -_LARGEST_EXACT_INTEGER:
            extreme = highest if highest > _LARGEST_EXACT_INTEGER else lowest
            raise ValueError(
                f"{name} holds integers beyond ±2**53 (e.g. {extreme}), which float64 — the type scores and "
                f"thresholds are compared in — cannot hold exactly: distinct scores such as {extreme} and "
                f"{extreme - 1 if extreme > 0 else extreme + 1} would become ties. Shift or rescale them into "
                "±2**53 (e.g. subtract the minimum, or replace them by their ranks with scipy.stats.rankdata), "
                "or cast to float64 yourself if ties are acceptable."
            )
        return s.astype(np.float64)
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


def check_labels_and_scores(y_true, y_score, *, pos_label=None) -> tuple[np.ndarray, np.ndarray]:
    """Validate a pair of labels and scores of the same length (labels as 0/1: see :func:`check_binary_labels`)."""
    y = check_binary_labels(y_true, pos_label=pos_label)
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
    """Raise if the validated labels ``y`` (1 = positive, from :func:`check_binary_labels`) hold no positive: recall would divide by zero."""
    if not y.any():
        raise ValueError(
            f"y_true has no positive examples (all {y.size} labels are negative): {what} needs at least one, "
            "because recall = TP / (number of positives) is undefined without positives."
        )


def check_has_both_classes(y: np.ndarray, what: str) -> None:
    """Raise if the validated 0/1 labels ``y`` hold only one class (scikit-learn's ROC AUC warns and returns NaN)."""
    n_positive = int(np.count_nonzero(y))
    if n_positive == 0 or n_positive == y.size:
        only = "positive" if n_positive else "negative"
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
