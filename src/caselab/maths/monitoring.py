"""Watching a deployed classifier: input drift (PSI), calibration drift (O/E) and schema checks.

Labels in fraud, credit or churn arrive weeks late, so a deployed model is
watched first through what is available at once:

* **input drift** — the population stability index between a feature's
  baseline and current distribution (:func:`psi`, :func:`psi_from_samples`,
  :func:`psi_level`);
* **calibration drift** — observed over expected positives once labels land
  (:func:`observed_to_expected`, :func:`oe_alert`);
* **recall under a feedback loop** — when only flagged items get labels, an
  ε-exploration stream of unflagged items estimates the misses
  (:func:`exploration_recall`, :func:`exploration_rate_for_recall_se`);
* **broken pipelines** — a schema check on every batch (:func:`check_schema`
  with :class:`ColumnSpec`): a column that vanished, changed type, units or
  vocabulary is far more common than genuine drift.

The thresholds used here (PSI 0.1 / 0.25, O/E band [0.8, 1.25]) are industry
conventions, not statistical laws: tune them to your volumes and costs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np

from caselab.maths._validation import check_positive, check_probability, check_scores

__all__ = [
    "psi",
    "psi_contributions",
    "PSIResult",
    "psi_from_samples",
    "psi_level",
    "observed_to_expected",
    "oe_alert",
    "ExplorationRecall",
    "exploration_recall",
    "exploration_rate_for_recall_se",
    "ColumnSpec",
    "Violation",
    "check_schema",
]

_SUM_TOL = 0.01  # published tables round each bin; allow their sum to be off by up to 1 pp


# --------------------------------------------------------------------------- #
# population stability index
# --------------------------------------------------------------------------- #
def _check_fractions(x, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array of bin fractions; got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must hold finite, non-negative fractions; got {arr.tolist()}.")
    total = float(arr.sum())
    if abs(total - 1.0) > _SUM_TOL:
        raise ValueError(
            f"{name} sums to {total:.4g}, not 1: pass bin fractions (divide counts by their total)."
        )
    return arr


def psi_contributions(expected_fractions, actual_fractions, eps: float = 1e-4) -> np.ndarray:
    """Per-bin terms of the population stability index: ``(a_i − e_i) · ln(a_i / e_i)``.

    Every term is ≥ 0 (both factors have the same sign), so the bins with the
    largest terms are where the distribution moved.  See :func:`psi` for the
    empty-bin rule.
    """
    e = _check_fractions(expected_fractions, "expected_fractions")
    a = _check_fractions(actual_fractions, "actual_fractions")
    if e.shape != a.shape:
        raise ValueError(
            f"expected_fractions has {e.size} bins but actual_fractions has {a.size}; "
            "use the same bins for both."
        )
    eps = check_probability(eps, "eps", open_low=True, open_high=True)
    # empty bin → eps, so ln(a/e) stays finite; no renormalisation afterwards
    e = np.maximum(e, eps)
    a = np.maximum(a, eps)
    return (a - e) * np.log(a / e)


def psi(expected_fractions, actual_fractions, eps: float = 1e-4) -> float:
    """Population stability index between a baseline and a current binned distribution.

    .. math::  \\mathrm{PSI} = \\sum_i (a_i - e_i) \\ln\\frac{a_i}{e_i}

    with ``e_i`` the baseline ("expected") and ``a_i`` the current ("actual")
    fraction in bin ``i``.  It is the symmetrised Kullback–Leibler divergence
    ``KL(a‖e) + KL(e‖a)``, so PSI ≥ 0, with 0 only for identical distributions.

    Parameters
    ----------
    expected_fractions, actual_fractions : array-like of shape (k,)
        Bin fractions over the **same** bins, each summing to 1 (within 0.01,
        to accept rounded tables; they are *not* rescaled).
    eps : float, default=1e-4
        **Empty-bin rule:** any fraction below ``eps`` (in particular 0) is
        replaced by ``eps`` before the formula; the fractions are **not**
        renormalised afterwards (so a hand calculation reproduces the
        number).  An empty bin on one side would otherwise make
        ``ln(a/e)`` infinite.  The result then depends on ``eps`` — a
        category that is new in production contributes ≈ ``a · ln(a/eps)``
        — so report ``eps`` with the PSI.

    Returns
    -------
    float

    Examples
    --------
    Baseline deciles (0.1 each), current ``amount`` deciles
    ``[.08, .09, .10×6, .11, .12]``: PSI ≈ 0.0101 (stable).
    ``account_age`` ``[.20, .16, .13, .11, .09, .08, .07, .06, .05, .05]``:
    ≈ 0.2123 (moderate, close to major).  ``device`` ``[.55, .40, .05, 0]`` →
    ``[.45, .35, .05, .15]`` with a new category: ≈ 1.12 with ``eps = 1e-4``,
    of which the new category alone gives ``0.1499 · ln(1,500) = 1.096``.

    References
    ----------
    Siddiqi (2006), *Credit Risk Scorecards*, Wiley.
    Yurdakul (2018), "Statistical properties of population stability index",
    PhD thesis, Western Michigan University.
    """
    return float(np.sum(psi_contributions(expected_fractions, actual_fractions, eps)))


class PSIResult(NamedTuple):
    """Result of :func:`psi_from_samples`.

    Attributes
    ----------
    psi : float
        The index.
    edges : ndarray
        Bin edges, ``-inf`` first and ``+inf`` last; bin ``i`` is
        ``(edges[i], edges[i + 1]]``.
    expected : ndarray
        Baseline fraction per bin.
    actual : ndarray
        Current fraction per bin.
    """

    psi: float
    edges: np.ndarray
    expected: np.ndarray
    actual: np.ndarray


def psi_from_samples(baseline_values, current_values, n_bins: int = 10, eps: float = 1e-4) -> PSIResult:
    """PSI of a numeric feature, with quantile bins fixed on the **baseline**.

    Inner edges are the baseline's ``1/n_bins, …, (n_bins−1)/n_bins``
    quantiles (``np.quantile``), so the baseline has ≈ ``1/n_bins`` in each
    bin; the outer bins are open (``−∞`` and ``+∞``) so current values beyond
    the baseline range still land somewhere.  Bins are right-closed; duplicate
    edges (a baseline with many ties) are merged, giving fewer bins.  Then
    :func:`psi` with the given ``eps``.

    Parameters
    ----------
    baseline_values, current_values : array-like
        Raw feature values (finite numbers) at training time and now.
    n_bins : int, default=10
    eps : float, default=1e-4

    Returns
    -------
    PSIResult
        ``(psi, edges, expected, actual)``.

    Examples
    --------
    A unit change upstream (``amount`` sent in cents instead of dollars)
    pushes almost every current value into the top baseline bin: PSI of
    several units, "major" by any convention — the same incident that
    :func:`check_schema` reports as an out-of-range violation.
    """
    base = check_scores(np.ravel(baseline_values), "baseline_values")
    cur = check_scores(np.ravel(current_values), "current_values")
    if isinstance(n_bins, bool) or not isinstance(n_bins, Integral):
        raise TypeError(f"n_bins must be an integer; got {n_bins!r} of type {type(n_bins).__name__}.")
    if n_bins < 2:
        raise ValueError(f"n_bins = {n_bins} must be at least 2.")
    inner = np.unique(np.quantile(base, np.linspace(0, 1, n_bins + 1)[1:-1]))
    k = inner.size + 1
    # searchsorted(side="left"): a value equal to an edge goes to the lower bin
    expected = np.bincount(np.searchsorted(inner, base, side="left"), minlength=k) / base.size
    actual = np.bincount(np.searchsorted(inner, cur, side="left"), minlength=k) / cur.size
    edges = np.concatenate([[-np.inf], inner, [np.inf]])
    return PSIResult(psi(expected, actual, eps), edges, expected, actual)


def psi_level(value: float) -> str:
    """Conventional reading of a PSI value.

    * ``< 0.1`` → ``"stable"``;
    * ``0.1 ≤ PSI < 0.25`` → ``"moderate"`` (investigate);
    * ``≥ 0.25`` → ``"major"`` (act: retrain, recalibrate or fix the pipeline).

    These cut-offs are a credit-scoring rule of thumb (Siddiqi 2006), not
    laws: PSI grows with the number of bins and, for small samples, with
    sampling noise alone (Yurdakul 2018 derives its null distribution), so
    calibrate alert levels on your own bin count and volume.
    """
    if isinstance(value, bool) or not isinstance(value, Real | np.number) or not math.isfinite(float(value)):
        raise ValueError(f"psi must be a finite number; got {value!r}.")
    v = float(value)
    if v < 0:
        raise ValueError(f"psi = {v} is negative; a PSI is a sum of non-negative terms.")
    if v < 0.1:
        return "stable"
    if v < 0.25:
        return "moderate"
    return "major"


# --------------------------------------------------------------------------- #
# calibration in production
# --------------------------------------------------------------------------- #
def observed_to_expected(observed_rate: float, predicted_rate: float) -> float:
    """Observed-to-expected ratio: how many positives happened per positive predicted.

    .. math::  O/E = \\frac{\\text{observed positive rate}}{\\text{mean predicted probability}}

    (counts work too: observed positives over the sum of predicted
    probabilities over the same examples).  1 means calibrated in the large;
    below 1 the model over-predicts, above 1 it under-predicts.

    Examples
    --------
    Observed fraud rate 1.5 %, mean score 2.1 %: O/E = 0.714 — the model
    over-predicts by 40 % and falls outside the [0.8, 1.25] band
    (:func:`oe_alert`).  Before alerting, check the count: with only a
    handful of expected positives, O/E is mostly noise.

    References
    ----------
    Steyerberg (2019), *Clinical Prediction Models*, 2nd ed., Springer
    ("calibration-in-the-large").
    """
    for name, val in (("observed_rate", observed_rate), ("predicted_rate", predicted_rate)):
        if isinstance(val, bool) or not isinstance(val, Real | np.number) or not math.isfinite(float(val)):
            raise ValueError(f"{name} must be a finite number; got {val!r}.")
        if float(val) < 0:
            raise ValueError(f"{name} = {float(val)} is negative; rates and counts are ≥ 0.")
    if float(predicted_rate) == 0:
        raise ValueError("predicted_rate = 0: nothing was expected, so O/E is undefined.")
    return float(observed_rate) / float(predicted_rate)


def oe_alert(ratio: float, lower: float = 0.8, upper: float = 1.25) -> bool:
    """True when an O/E ratio falls outside ``[lower, upper]``.

    The default band is symmetric on the log scale (``1/1.25 = 0.8``): a 25 %
    over- or under-prediction.  A convention to tune to volume and cost.
    """
    for name, val in (("ratio", ratio), ("lower", lower), ("upper", upper)):
        if isinstance(val, bool) or not isinstance(val, Real | np.number) or not math.isfinite(float(val)):
            raise ValueError(f"{name} must be a finite number; got {val!r}.")
    if not 0 < lower < 1 < upper:
        raise ValueError(
            f"the band must satisfy 0 < lower < 1 < upper; got lower = {lower}, upper = {upper}."
        )
    if ratio < 0:
        raise ValueError(f"ratio = {ratio} is negative; an O/E ratio is ≥ 0.")
    return not (lower <= ratio <= upper)


# --------------------------------------------------------------------------- #
# recall under a feedback loop: exploration
# --------------------------------------------------------------------------- #
class ExplorationRecall(NamedTuple):
    """Result of :func:`exploration_recall`.

    Attributes
    ----------
    fn_estimate : float
        ``F̂N = X / ε``, the estimated number of missed positives.
    recall : float
        ``TP / (TP + F̂N)``.
    se : float
        Delta-method standard error of ``recall`` (see :func:`exploration_recall`).
    """

    fn_estimate: float
    recall: float
    se: float


def exploration_recall(tp: float, explored_positives: float, exploration: float) -> ExplorationRecall:
    """Recall of a deployed classifier from its review log plus an ε-exploration stream, with its SE.

    When only flagged items are reviewed, every labelled positive is a
    flagged one and the log's recall is 1 by construction.  With
    **exploration** — each *unflagged* item is also reviewed, independently,
    with probability ``ε`` — the ``X`` positives found among the explored
    items estimate the misses by inverse-probability weighting
    (Horvitz–Thompson):

    .. math::

        \\widehat{FN} = \\frac{X}{ε}, \\qquad
        \\widehat{\\text{recall}} = \\frac{TP}{TP + \\widehat{FN}}, \\qquad
        \\mathrm{SE} \\approx \\frac{TP\\,\\sqrt{\\widehat{FN}\\,(1 - ε)/ε}}{(TP + \\widehat{FN})^2}

    ``X ~ Binomial(FN, ε)``, so ``F̂N`` is unbiased with
    ``Var(F̂N) = FN (1 − ε)/ε``; ``TP`` is known exactly (every flag is
    reviewed), and the delta method with
    ``d recall / d FN = −TP/(TP + FN)²`` gives the SE, evaluated at
    ``F̂N`` (plug-in).

    Parameters
    ----------
    tp : float
        Flagged items labelled positive (true positives), ≥ 0.
    explored_positives : float
        ``X``, positives among the explored (unflagged, reviewed) items, ≥ 0.
    exploration : float
        ``ε``, the chance that an unflagged item is reviewed, in (0, 1].

    Returns
    -------
    ExplorationRecall
        ``(fn_estimate, recall, se)``.

    Raises
    ------
    ValueError
        For negative counts, ``ε`` outside (0, 1], or ``tp = X = 0`` (no
        positive seen anywhere: recall is undefined).

    Notes
    -----
    Edge cases: ``X = 0`` gives ``recall = 1`` and ``SE = 0`` — the delta
    method says nothing when no miss was sampled (use a larger ``ε`` or an
    exact binomial bound on ``FN``); ``ε = 1`` reviews everything, so the
    recall is exact and ``SE = 0``.  The delta method is accurate when ``X``
    is not small (about 10 % error at ``X ≈ 25``).  The same weights give
    the prevalence a retraining job should assume: ``(TP + X/ε) / n``.

    Examples
    --------
    740 flagged positives, ε = 0.02 and ``X = 22`` explored positives:
    ``F̂N = 1,100``, recall ``= 740/1,840 = 0.402``, SE
    ``= 740·√(1,100·0.98/0.02)/1,840² = 0.051`` — a wide interval for a 2 %
    exploration stream (see :func:`exploration_rate_for_recall_se`).

    References
    ----------
    Horvitz & Thompson (1952), "A generalization of sampling without
    replacement from a finite universe", *JASA* 47.
    Casella & Berger (2002), *Statistical Inference*, 2nd ed., §5.5.4 (delta method).
    Bottou et al. (2013), "Counterfactual reasoning and learning systems",
    *JMLR* 14 (exploration in deployed systems).
    """
    tp = _check_count_nonneg(tp, "tp")
    x = _check_count_nonneg(explored_positives, "explored_positives")
    eps = check_probability(exploration, "exploration", open_low=True)
    fn_hat = x / eps
    if tp + fn_hat == 0:
        raise ValueError(
            "tp = 0 and explored_positives = 0: no positive was seen, so recall is undefined "
            "(explore more items, or wait for more traffic)."
        )
    recall = tp / (tp + fn_hat)
    se = tp * math.sqrt(fn_hat * (1 - eps) / eps) / (tp + fn_hat) ** 2
    return ExplorationRecall(fn_hat, recall, se)


def exploration_rate_for_recall_se(tp: float, fn_estimate: float, target_se: float) -> float:
    """Exploration share ``ε`` at which the recall estimate of :func:`exploration_recall` has a given SE.

    Solving ``SE(ε) = s`` for ``ε`` in the delta-method formula
    ``SE² = TP² · FN (1 − ε)/ε / (TP + FN)⁴``:

    .. math::  ε = \\frac{1}{1 + s^2 (TP + FN)^4 / (TP^2\\, FN)}

    with today's ``F̂N`` plugged in for ``FN``.  The SE falls like
    ``1/√ε``: halving it costs about four times the exploration (and the
    reviews: ``ε ×`` unflagged items a day).

    Parameters
    ----------
    tp : float
        Flagged positives (true positives), ≥ 0.
    fn_estimate : float
        Estimated misses ``F̂N``, ≥ 0.
    target_se : float
        Wanted standard error ``s > 0``.

    Returns
    -------
    float
        ``ε`` in [0, 1).  Edge case: with ``fn_estimate = 0`` or ``tp = 0`` the
        delta-method SE is 0 for every ``ε`` (recall estimated as exactly 1
        or 0) and 0.0 is returned — the formula gives no guidance there.

    Examples
    --------
    ``TP = 740``, ``F̂N = 1,100``, target 0.02: ``ε = 1/(1 + 0.02²·1,840⁴/(740²·1,100))
    = 0.116``, nearly six times a 2 % stream.

    References
    ----------
    Casella & Berger (2002), *Statistical Inference*, 2nd ed., §5.5.4.
    """
    tp = _check_count_nonneg(tp, "tp")
    fn = _check_count_nonneg(fn_estimate, "fn_estimate")
    s = check_positive(target_se, "target_se")
    if fn == 0 or tp == 0:
        return 0.0
    return 1.0 / (1.0 + s**2 * (tp + fn) ** 4 / (tp**2 * fn))


def _check_count_nonneg(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real | np.number) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number; got {value!r}.")
    v = float(value)
    if v < 0:
        raise ValueError(f"{name} = {v:g} is negative; it counts items.")
    return v


# --------------------------------------------------------------------------- #
# schema checks
# --------------------------------------------------------------------------- #
_DTYPES = ("numeric", "categorical")


@dataclass(frozen=True)
class ColumnSpec:
    """What a column of the scoring input must look like.

    Attributes
    ----------
    name : str
        Column name.
    dtype : {"numeric", "categorical"}
        ``"numeric"``: real numbers (booleans and numeric strings such as
        ``"12.5"`` are violations).  ``"categorical"``: strings.
    min_value, max_value : float, optional
        Allowed range for a numeric column (inclusive).
    max_null_rate : float, default=0.0
        Largest acceptable fraction of missing values (``None`` or NaN).
    categories : collection of str, optional
        Known vocabulary of a categorical column.
    max_unknown_rate : float, default=0.0
        Largest acceptable fraction of non-missing values outside ``categories``.
    """

    name: str
    dtype: str = "numeric"
    min_value: float | None = None
    max_value: float | None = None
    max_null_rate: float = 0.0
    categories: frozenset | None = None
    max_unknown_rate: float = 0.0

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"ColumnSpec name must be a non-empty string; got {self.name!r}.")
        if self.dtype not in _DTYPES:
            raise ValueError(f"ColumnSpec {self.name!r}: dtype must be one of {_DTYPES}; got {self.dtype!r}.")
        check_probability(self.max_null_rate, "max_null_rate")
        check_probability(self.max_unknown_rate, "max_unknown_rate")
        if self.dtype == "categorical" and (self.min_value is not None or self.max_value is not None):
            raise ValueError(f"ColumnSpec {self.name!r}: min_value/max_value apply to numeric columns only.")
        if self.dtype == "numeric" and self.categories is not None:
            raise ValueError(f"ColumnSpec {self.name!r}: categories apply to categorical columns only.")
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValueError(
                f"ColumnSpec {self.name!r}: min_value = {self.min_value} "
                f"exceeds max_value = {self.max_value}."
            )
        if self.categories is not None:
            object.__setattr__(self, "categories", frozenset(self.categories))


@dataclass(frozen=True)
class Violation:
    """One schema problem.

    Attributes
    ----------
    column : str
    kind : str
        ``"missing_column"``, ``"dtype"``, ``"out_of_range"``, ``"null_rate"``
        or ``"unknown_category"``.
    detail : str
        Human-readable: what was expected and what was seen.
    count : int or None
        How many values offend: missing rows (``null_rate``), values of the
        wrong type (``dtype``), numbers outside the range (``out_of_range``),
        unknown categories (``unknown_category``), or every row of the batch
        (``missing_column``).  ``None`` only for a ``Violation`` built by hand.
    total : int or None
        The count's denominator: all rows (``null_rate``, ``missing_column``),
        the non-missing values (``dtype``, ``unknown_category``), or the
        non-missing numbers (``out_of_range``).
    rate : float or None
        ``count / total`` — the number compared with ``max_null_rate`` or
        ``max_unknown_rate`` — and 1.0 for ``missing_column``.
    """

    column: str
    kind: str
    detail: str
    count: int | None = None
    total: int | None = None
    rate: float | None = None


# value classes of a column, per element
_NULL, _NUMBER, _STRING, _OTHER, _FLOAT = 0, 1, 2, 3, 4


def _class_of(t: type) -> int:
    """The value class of every object of type ``t`` (``_FLOAT``: a number or NaN, decided per value)."""
    if t is type(None):
        return _NULL
    if issubclass(t, bool | np.bool_):
        return _OTHER  # True is an int in Python, but not a feature value a numeric column accepts
    if issubclass(t, float | np.floating):
        return _FLOAT
    if issubclass(t, Real | np.number):
        return _NUMBER
    if issubclass(t, str):
        return _STRING
    return _OTHER


class _Profile(NamedTuple):
    """One column sorted into value classes, with the numbers and strings pulled out (in row order)."""

    classes: np.ndarray  # int8 per row: _NULL, _NUMBER, _STRING or _OTHER
    numbers: np.ndarray  # float64, the _NUMBER values
    strings: np.ndarray  # the _STRING values (str or object dtype)
    original: object  # the column, to show an offending value

    def example(self, cls_mask: np.ndarray):
        """The first value (a Python object, as ``tolist`` gives it) where ``cls_mask`` holds."""
        i = int(np.flatnonzero(cls_mask)[0])
        col = self.original
        if isinstance(col, np.ndarray) and col.dtype != object:
            return col[i : i + 1].tolist()[0]
        return col[i]


def _profile(col) -> _Profile:
    n = len(col)
    empty_f, empty_s = np.empty(0, np.float64), np.empty(0, object)
    if isinstance(col, np.ndarray) and col.dtype != object:
        kind = col.dtype.kind
        if kind == "f":
            null = np.isnan(col)
            return _Profile(np.where(null, _NULL, _NUMBER).astype(np.int8), col[~null].astype(np.float64),
                            empty_s, col)
        if kind in "iu":
            return _Profile(np.full(n, _NUMBER, np.int8), col.astype(np.float64), empty_s, col)
        if kind == "U":
            return _Profile(np.full(n, _STRING, np.int8), empty_f, col, col)
        # bool, bytes, complex, dates, …: values, but neither real numbers nor strings
        return _Profile(np.full(n, _OTHER, np.int8), empty_f, empty_s, col)
    # Python objects (a list, or an object array): classify by type, then by NaN for floats
    types = list(map(type, col))
    class_of = {t: _class_of(t) for t in set(types)}
    if len(class_of) == 1:
        only = next(iter(class_of.values()))
        if only == _FLOAT:
            nums = np.array(col, dtype=np.float64)
            null = np.isnan(nums)
            return _Profile(np.where(null, _NULL, _NUMBER).astype(np.int8), nums[~null], empty_s, col)
        if only == _NUMBER:
            return _Profile(np.full(n, _NUMBER, np.int8), np.array(col, dtype=np.float64), empty_s, col)
        classes = np.full(n, only, np.int8)
    else:
        classes = np.fromiter(map(class_of.__getitem__, types), dtype=np.int8, count=n)
    obj = col if isinstance(col, np.ndarray) else np.fromiter(col, dtype=object, count=n)
    is_float = classes == _FLOAT
    if is_float.any():
        classes[is_float] = np.where(np.isnan(obj[is_float].astype(np.float64)), _NULL, _NUMBER)
    number = classes == _NUMBER
    string = classes == _STRING
    nums = obj[number].astype(np.float64) if number.any() else empty_f
    return _Profile(classes, nums, obj[string] if string.any() else empty_s, col)


def _known(strings: np.ndarray, categories: frozenset) -> np.ndarray:
    """Boolean mask: which of ``strings`` belong to ``categories`` (set membership, as ``in``)."""
    if strings.dtype.kind == "U" and all(isinstance(c, str) and not c.endswith("\x00") for c in categories):
        # NumPy strings: compare in C (a fixed-width array drops trailing NULs, hence the guard)
        return np.isin(strings, np.array(sorted(categories), dtype=str))
    return np.fromiter(map(categories.__contains__, strings.tolist()), dtype=bool, count=strings.size)


def _column(v, name):
    """A column of the dict form: a 1-d array kept as is, anything else iterable as a list."""
    if isinstance(v, np.ndarray):
        if v.ndim != 1:
            raise ValueError(f"column {name!r} must be 1-d (one value per row); got an array of shape {v.shape}.")
        return v
    if isinstance(getattr(v, "dtype", None), np.dtype) and v.dtype.kind in "fiuU" and not isinstance(v, Sequence):
        # a pandas Series of NumPy numbers or strings, …: the vectorised path (extension dtypes such as
        # nullable Int64 are read value by value, as lists are)
        arr = np.asarray(v)
        if arr.ndim == 1:
            return arr
    return v if isinstance(v, Sequence) else list(v)


def _as_columns(data, names) -> tuple[dict[str, object], int]:
    """The schema's columns present in ``data`` (1-d arrays or sequences), and the number of rows."""
    if isinstance(data, Mapping):
        cols = {k: _column(v, k) for k, v in data.items()}
        lengths = {len(v) for v in cols.values()}
        if len(lengths) > 1:
            raise ValueError(
                f"columns have different lengths {sorted(lengths)}; every column needs one value per row."
            )
        return {k: cols[k] for k in names if k in cols}, (lengths.pop() if lengths else 0)
    if isinstance(data, Sequence) and not isinstance(data, str | bytes):
        if not all(isinstance(r, Mapping) for r in data):
            raise ValueError("rows must all be dicts mapping column name to value.")
        # a key missing from one row is a missing value in that row
        present = {k for k in names if any(k in r for r in data)}
        return {k: [r.get(k) for r in data] for k in present}, len(data)
    raise TypeError(f"data must be a dict of columns or a list of row dicts; got {type(data).__name__}.")


def check_schema(data, schema: Sequence[ColumnSpec]) -> list[Violation]:
    """Check a batch of scoring input against a schema; return every violation found.

    For each :class:`ColumnSpec`, in order:

    1. ``missing_column`` — the column is absent (then nothing else is checked);
    2. ``null_rate`` — fraction of ``None``/NaN above ``max_null_rate``;
    3. ``dtype`` — non-missing values of the wrong type (numeric: a real
       number; categorical: a string);
    4. ``out_of_range`` — numeric values outside ``[min_value, max_value]``;
    5. ``unknown_category`` — fraction of values outside ``categories``
       above ``max_unknown_rate``.

    Rates are over all rows (null rate) or over the non-missing values
    (unknown-category rate), and a rate violates its limit only when it is
    strictly above it.  Extra columns are ignored.  Each :class:`Violation`
    carries the offending ``count``, its denominator ``total`` and the
    ``rate`` as numbers, besides the ``detail`` text.

    Parameters
    ----------
    data : dict of {name: sequence} or list of {name: value} rows
        The batch.  In row form a key absent from a row counts as missing.
        Numeric and string NumPy columns are checked with vectorised NumPy
        operations (100,000 rows in milliseconds); Python lists and object
        arrays are classified by the types they hold, then vectorised.
    schema : sequence of ColumnSpec

    Returns
    -------
    list of Violation
        Empty when the batch conforms.

    Notes
    -----
    Value classes: missing is ``None`` or a float NaN; a real number is a
    Python or NumPy real (``bool`` is **not** one); a string is a ``str``.
    Anything else (bytes, dates, complex numbers, …) is a wrong type for
    either kind of column.

    Examples
    --------
    An upstream service starts sending ``amount`` in cents: with
    ``ColumnSpec("amount", min_value=0, max_value=10_000)`` a $250.00
    purchase arrives as 25,000 and is reported as ``out_of_range`` — long
    before a delayed label could show the damage.  The violation's ``rate``
    is the share of amounts past the limit; a batch guard blocks on any
    violation, not on that share.
    """
    if isinstance(schema, ColumnSpec) or not all(isinstance(s, ColumnSpec) for s in schema):
        raise TypeError("schema must be a sequence of ColumnSpec objects.")
    cols, n_rows = _as_columns(data, {s.name for s in schema})
    out: list[Violation] = []
    for spec in schema:
        name = spec.name
        if name not in cols:
            out.append(Violation(name, "missing_column", f"column {name!r} is absent from the batch.",
                                 n_rows, n_rows, 1.0))
            continue
        prof = _profile(cols[name])
        cls = prof.classes
        n = cls.size
        n_null = int(np.count_nonzero(cls == _NULL))
        n_present = n - n_null
        if n:
            null_rate = n_null / n
            if null_rate > spec.max_null_rate:
                out.append(
                    Violation(
                        name,
                        "null_rate",
                        f"{null_rate:.1%} of rows are missing ({n_null} of {n}); "
                        f"allowed at most {spec.max_null_rate:.1%}.",
                        n_null,
                        n,
                        null_rate,
                    )
                )
        if spec.dtype == "numeric":
            bad = (cls == _STRING) | (cls == _OTHER)
            n_bad = int(np.count_nonzero(bad))
            if n_bad:
                ex = prof.example(bad)
                out.append(
                    Violation(
                        name,
                        "dtype",
                        f"{n_bad} value(s) are not numbers "
                        f"(e.g. {ex!r} of type {type(ex).__name__}); expected real numbers.",
                        n_bad,
                        n_present,
                        n_bad / n_present,
                    )
                )
            nums = prof.numbers
            lo = -np.inf if spec.min_value is None else spec.min_value
            hi = np.inf if spec.max_value is None else spec.max_value
            n_out = int(np.count_nonzero((nums < lo) | (nums > hi)))
            if n_out:
                out.append(
                    Violation(
                        name,
                        "out_of_range",
                        f"{n_out} of {nums.size} value(s) lie outside [{lo}, {hi}] "
                        f"(seen min {nums.min():g}, max {nums.max():g}).",
                        n_out,
                        int(nums.size),
                        n_out / nums.size,
                    )
                )
        else:
            bad = (cls == _NUMBER) | (cls == _OTHER)
            n_bad = int(np.count_nonzero(bad))
            if n_bad:
                ex = prof.example(bad)
                out.append(
                    Violation(
                        name,
                        "dtype",
                        f"{n_bad} value(s) are not strings "
                        f"(e.g. {ex!r} of type {type(ex).__name__}); expected strings.",
                        n_bad,
                        n_present,
                        n_bad / n_present,
                    )
                )
            if spec.categories is not None and n_present:
                unknown = ~_known(prof.strings, spec.categories)
                n_unknown = int(np.count_nonzero(unknown))
                shown = sorted(set(prof.strings[unknown].tolist()))[:3]
                rate = n_unknown / n_present
                if rate > spec.max_unknown_rate:
                    out.append(
                        Violation(
                            name,
                            "unknown_category",
                            f"{rate:.1%} of values are unknown categories (e.g. {shown}); "
                            f"allowed at most {spec.max_unknown_rate:.1%}.",
                            n_unknown,
                            n_present,
                            rate,
                        )
                    )
    return out
