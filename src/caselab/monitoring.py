"""Watching a deployed classifier: input drift (PSI), calibration drift (O/E) and schema checks.

Labels in fraud, credit or churn arrive weeks late, so a deployed model is
watched first through what is available at once:

* **input drift** — the population stability index between a feature's
  baseline and current distribution (:func:`psi`, :func:`psi_from_samples`,
  :func:`psi_level`);
* **calibration drift** — observed over expected positives once labels land
  (:func:`observed_to_expected`, :func:`oe_alert`);
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

from caselab._validation import check_probability, check_scores

__all__ = [
    "psi",
    "psi_contributions",
    "PSIResult",
    "psi_from_samples",
    "psi_level",
    "observed_to_expected",
    "oe_alert",
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
    """

    column: str
    kind: str
    detail: str


def _is_null(v) -> bool:
    return v is None or (isinstance(v, float | np.floating) and math.isnan(v))


def _is_number(v) -> bool:
    return isinstance(v, Real | np.number) and not isinstance(v, bool | np.bool_)


def _as_columns(data) -> dict[str, list]:
    if isinstance(data, Mapping):
        cols = {}
        for k, v in data.items():
            values = v.tolist() if isinstance(v, np.ndarray) else list(v)
            cols[k] = values
        lengths = {len(v) for v in cols.values()}
        if len(lengths) > 1:
            raise ValueError(
                f"columns have different lengths {sorted(lengths)}; every column needs one value per row."
            )
        return cols
    if isinstance(data, Sequence) and not isinstance(data, str | bytes):
        if not all(isinstance(r, Mapping) for r in data):
            raise ValueError("rows must all be dicts mapping column name to value.")
        names = {k for r in data for k in r}
        # a key missing from one row is a missing value in that row
        return {k: [r.get(k) for r in data] for k in names}
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
    (unknown-category rate).  Extra columns are ignored.

    Parameters
    ----------
    data : dict of {name: sequence} or list of {name: value} rows
        The batch.  In row form a key absent from a row counts as missing.
    schema : sequence of ColumnSpec

    Returns
    -------
    list of Violation
        Empty when the batch conforms.

    Examples
    --------
    An upstream service starts sending ``amount`` in cents: with
    ``ColumnSpec("amount", min_value=0, max_value=10_000)`` a $250.00
    purchase arrives as 25,000 and is reported as ``out_of_range`` — long
    before a delayed label could show the damage.
    """
    cols = _as_columns(data)
    if isinstance(schema, ColumnSpec) or not all(isinstance(s, ColumnSpec) for s in schema):
        raise TypeError("schema must be a sequence of ColumnSpec objects.")
    out: list[Violation] = []
    for spec in schema:
        name = spec.name
        if name not in cols:
            out.append(Violation(name, "missing_column", f"column {name!r} is absent from the batch."))
            continue
        values = cols[name]
        n = len(values)
        present = [v for v in values if not _is_null(v)]
        if n:
            null_rate = 1 - len(present) / n
            if null_rate > spec.max_null_rate:
                out.append(
                    Violation(
                        name,
                        "null_rate",
                        f"{null_rate:.1%} of rows are missing ({n - len(present)} of {n}); "
                        f"allowed at most {spec.max_null_rate:.1%}.",
                    )
                )
        if spec.dtype == "numeric":
            bad = [v for v in present if not _is_number(v)]
            nums = np.array([float(v) for v in present if _is_number(v)], dtype=np.float64)
            if bad:
                out.append(
                    Violation(
                        name,
                        "dtype",
                        f"{len(bad)} value(s) are not numbers "
                        f"(e.g. {bad[0]!r} of type {type(bad[0]).__name__}); expected real numbers.",
                    )
                )
            lo = -np.inf if spec.min_value is None else spec.min_value
            hi = np.inf if spec.max_value is None else spec.max_value
            outside = nums[(nums < lo) | (nums > hi)]
            if outside.size:
                out.append(
                    Violation(
                        name,
                        "out_of_range",
                        f"{outside.size} of {nums.size} value(s) lie outside [{lo}, {hi}] "
                        f"(seen min {nums.min():g}, max {nums.max():g}).",
                    )
                )
        else:
            bad = [v for v in present if not isinstance(v, str)]
            if bad:
                out.append(
                    Violation(
                        name,
                        "dtype",
                        f"{len(bad)} value(s) are not strings "
                        f"(e.g. {bad[0]!r} of type {type(bad[0]).__name__}); expected strings.",
                    )
                )
            if spec.categories is not None and present:
                unknown = [v for v in present if isinstance(v, str) and v not in spec.categories]
                rate = len(unknown) / len(present)
                if rate > spec.max_unknown_rate:
                    shown = sorted(set(unknown))[:3]
                    out.append(
                        Violation(
                            name,
                            "unknown_category",
                            f"{rate:.1%} of values are unknown categories (e.g. {shown}); "
                            f"allowed at most {spec.max_unknown_rate:.1%}.",
                        )
                    )
    return out
