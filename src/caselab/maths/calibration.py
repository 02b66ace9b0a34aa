"""Probability calibration: measuring it, fixing it, and moving it between priors.

A score ``p`` is *calibrated* when, among all examples that receive ``p ≈ 0.2``,
about 20 % are positive.  Calibration matters whenever a probability is used as
a probability — to compare with a cost threshold ``τ* = C_FP / (C_FP + C_FN)``,
to compute an expected loss, or to add risks together.  Ranking metrics (ROC
AUC, average precision) do not see calibration at all.

This module contains, each written out by hand so that the arithmetic is
visible:

* measuring calibration — :func:`reliability_bins`,
  :func:`expected_calibration_error`, :func:`brier_score`, :func:`log_loss`;
* fitting a calibration map on held-out data — Platt scaling
  (:func:`fit_platt`, :func:`platt_scaling`) and isotonic regression by
  pool-adjacent-violators (:func:`pool_adjacent_violators`,
  :func:`isotonic_fit`, :func:`isotonic_predict`);
* moving a calibrated probability to a different class prior — the
  undersampling correction of Dal Pozzolo et al. (2015)
  (:func:`undersampling_correction`, :func:`undersampling_inverse`,
  :func:`beta_for_balance`) and the general prior-shift rule
  (:func:`prior_shift`).

The tests cross-check every function against scikit-learn.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from scipy.special import expit

from caselab.maths._validation import (
    check_labels_and_scores,
    check_probabilities,
    check_probability,
    check_scores,
)

__all__ = [
    "ReliabilityBins",
    "reliability_bins",
    "expected_calibration_error",
    "brier_score",
    "log_loss",
    "PlattParams",
    "fit_platt",
    "platt_scaling",
    "pool_adjacent_violators",
    "IsotonicFit",
    "isotonic_fit",
    "isotonic_predict",
    "undersampling_correction",
    "undersampling_inverse",
    "beta_for_balance",
    "prior_shift_factor",
    "prior_shift",
    "PriorEstimate",
    "em_prior",
]

_STRATEGIES = ("quantile", "uniform")
_LOG_LOSS_DTYPES = (np.float64, np.float32, np.float16)  # those scikit-learn's log_loss computes in


# --------------------------------------------------------------------------- #
# small private helpers
# --------------------------------------------------------------------------- #
def _check_prob_array(p, name: str) -> tuple[np.ndarray, bool]:
    """Return ``p`` as a float array of values in [0, 1] and whether it was a scalar."""
    arr = check_probabilities(p, name)
    return arr, arr.ndim == 0


def _out(arr: np.ndarray, scalar: bool):
    """Give back a Python float for scalar input, an array otherwise."""
    return float(arr) if scalar else arr


def _check_labels_and_probs(y_true, p, pos_label) -> tuple[np.ndarray, np.ndarray]:
    y, s = check_labels_and_scores(y_true, p, pos_label=pos_label)
    bad = (s < 0) | (s > 1)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"p must hold predicted probabilities in [0, 1]; found {int(bad.sum())} value(s) outside it "
            f"(first at index {first}: {s[first]}). Pass probabilities, not raw scores or logits."
        )
    return y, s


def _check_n_bins(n_bins) -> int:
    if isinstance(n_bins, bool) or not isinstance(n_bins, Integral):
        raise TypeError(f"n_bins must be an integer; got {n_bins!r} of type {type(n_bins).__name__}.")
    if n_bins < 1:
        raise ValueError(f"n_bins = {n_bins} must be at least 1.")
    return int(n_bins)


# --------------------------------------------------------------------------- #
# measuring calibration
# --------------------------------------------------------------------------- #
class ReliabilityBins(NamedTuple):
    """Per-bin summary behind a reliability diagram (one entry per bin).

    Attributes
    ----------
    count : ndarray of int
        Number of examples in each bin (``n_b``).  May be 0: with ``"uniform"``
        bins, and with ``"quantile"`` bins between two interpolated percentiles.
    mean_predicted : ndarray of float
        Mean predicted probability in each bin (``mean_p_b``); NaN for an empty bin.
    observed_rate : ndarray of float
        Fraction of positives in each bin (``rate_b``); NaN for an empty bin.
    edges : ndarray of float
        The ``len(count) + 1`` bin edges, non-decreasing.  Bin ``b`` is the
        right-closed interval ``(edges[b], edges[b + 1]]``, except the first
        bin, which also contains its left edge: ``[edges[0], edges[1]]``.
        ``edges[0] == edges[1]`` when the first bin holds only predictions
        tied at the minimum (``[m, m]``); all other edges increase strictly.
    """

    count: np.ndarray
    mean_predicted: np.ndarray
    observed_rate: np.ndarray
    edges: np.ndarray


def reliability_bins(y_true, p, n_bins: int = 10, strategy: str = "quantile", *,
                     pos_label=None) -> ReliabilityBins:
    """Group predictions into bins and compare mean prediction with observed rate.

    For each bin ``b`` with members ``B_b``::

        n_b        = |B_b|
        mean_p_b   = (1 / n_b) Σ_{i ∈ B_b} p_i
        rate_b     = (1 / n_b) Σ_{i ∈ B_b} y_i

    A calibrated model has ``mean_p_b ≈ rate_b`` in every bin; plotting
    ``rate_b`` against ``mean_p_b`` gives the reliability diagram.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Binary labels: 0/1, -1/1 or booleans (1 = positive), or any two
        labels with ``pos_label``.
    p : array-like of shape (n,)
        Predicted probabilities of the positive class, in [0, 1].
    n_bins : int, default=10
        Number of bins requested.
    strategy : {"quantile", "uniform"}, default="quantile"
        ``"quantile"``: equal-frequency bins — edges are the empirical
        percentiles of ``p`` at ``100 · linspace(0, 1, n_bins + 1)``
        (``np.percentile``, linear interpolation: bit for bit the edges of
        scikit-learn's ``calibration_curve``), so each bin holds about
        ``n / n_bins`` examples.  When many predictions are tied, several
        inner edges coincide; a repeated inner edge ``e`` only bounds the
        empty bin ``(e, e]``, so it is merged, and so is a last bin
        ``(e, max]`` with ``e == max``.  The bottom edge (the minimum) is kept
        even when the first inner edge equals it: then the first bin is
        ``[min, min]``, the predictions tied at the minimum.  So **fewer than
        n_bins bins may be returned**, a block of tied values is never split
        across bins, and the examples are grouped exactly as scikit-learn
        groups them.
        ``"uniform"``: equal-width bins ``0, 1/n_bins, …, 1``; with imbalanced
        data most of these are empty or nearly so, which is why quantile bins
        are the default here.
    pos_label : int, float, bool or str, optional
        The positive class; needed unless the labels are 0/1 or -1/1.

    Returns
    -------
    ReliabilityBins
        ``(count, mean_predicted, observed_rate, edges)``; see its docstring.
        Bins are right-closed (a value equal to an inner edge goes to the
        lower bin), the same convention as ``sklearn.calibration.calibration_curve``.

    Notes
    -----
    scikit-learn's ``calibration_curve`` returns the same ``observed_rate`` and
    ``mean_predicted`` (equal bit for bit, for either strategy) but silently
    drops empty bins; here empty bins are kept (count 0, NaN means) so that
    every array lines up with ``edges``.  Empty bins occur with ``"uniform"``
    and, between two interpolated percentiles, with ``"quantile"`` too.

    References
    ----------
    DeGroot & Fienberg (1983), "The comparison and evaluation of forecasters".
    Niculescu-Mizil & Caruana (2005), "Predicting good probabilities with
    supervised learning", ICML.
    """
    y, s = _check_labels_and_probs(y_true, p, pos_label)
    n_bins = _check_n_bins(n_bins)
    if strategy == "quantile":
        # np.percentile at 100·q, as scikit-learn: np.quantile at q can differ from it by an ulp.
        percentiles = np.percentile(s, np.linspace(0.0, 1.0, n_bins + 1) * 100)
        # Merge repeated inner edges (each bounds only an empty bin) but keep the bottom edge even
        # if it equals the first inner edge: the predictions tied at the minimum form their own bin.
        edges = np.r_[percentiles[0], np.unique(percentiles[1:-1])]
        if edges.size == 1 or percentiles[-1] > edges[-1]:  # else the last bin (max, max] is empty
            edges = np.r_[edges, percentiles[-1]]
    elif strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    else:
        raise ValueError(f"strategy must be one of {_STRATEGIES}; got {strategy!r}.")

    # searchsorted(side="left") counts inner edges strictly below each value,
    # which puts a value equal to an edge into the lower bin: right-closed bins.
    bin_id = np.searchsorted(edges[1:-1], s, side="left")
    k = edges.size - 1
    count = np.bincount(bin_id, minlength=k)
    sum_p = np.bincount(bin_id, weights=s, minlength=k)
    sum_y = np.bincount(bin_id, weights=y.astype(np.float64), minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_p = np.where(count > 0, sum_p / count, np.nan)
        rate = np.where(count > 0, sum_y / count, np.nan)
    return ReliabilityBins(count, mean_p, rate, edges)


def expected_calibration_error(y_true, p, n_bins: int = 10, strategy: str = "quantile", *,
                               pos_label=None) -> float:
    """Expected calibration error (ECE): the count-weighted gap between prediction and outcome.

    .. math::

        \\mathrm{ECE} = \\sum_b \\frac{n_b}{n}\\,
                        \\lvert \\mathrm{mean\\_p}_b - \\mathrm{rate}_b \\rvert

    with the bins of :func:`reliability_bins` (empty bins have weight 0).

    Parameters
    ----------
    y_true, p, n_bins, strategy, pos_label
        As in :func:`reliability_bins`.

    Returns
    -------
    float
        ECE in [0, 1], in the units of probability (0.01 = one percentage point).

    Notes
    -----
    ECE is **a convention, not a unique number**: it changes with the number of
    bins, with quantile vs. uniform edges and with the tie rule, so always
    report them next to it.  It is also biased upward for small bins (noise in
    ``rate_b`` never cancels inside ``|·|``) and it can be 0 for a useless
    model that predicts the base rate for everyone.  Pair it with a proper
    scoring rule (:func:`brier_score`, :func:`log_loss`).

    References
    ----------
    Naeini, Cooper & Hauskrecht (2015), "Obtaining well calibrated
    probabilities using Bayesian binning", AAAI.
    Guo et al. (2017), "On calibration of modern neural networks", ICML.
    """
    bins = reliability_bins(y_true, p, n_bins=n_bins, strategy=strategy, pos_label=pos_label)
    n = bins.count.sum()
    filled = bins.count > 0
    gaps = np.abs(bins.mean_predicted[filled] - bins.observed_rate[filled])
    return float(np.sum(bins.count[filled] / n * gaps))


def brier_score(y_true, p, *, pos_label=None) -> float:
    """Brier score: mean squared error of the predicted probability.

    .. math::  \\mathrm{BS} = \\frac{1}{n} \\sum_i (p_i - y_i)^2

    Returns
    -------
    float
        In [0, 1]; lower is better.  A constant prediction of the prevalence
        ``π`` scores ``π(1 − π)`` — with 1 % positives that is only 0.0099, so
        on imbalanced data compare against this baseline (or use the Brier
        skill score ``1 − BS / (π(1 − π))``) rather than against 0.

    Notes
    -----
    A strictly proper scoring rule: its expectation is minimised only by the
    true probability.  Same value as ``sklearn.metrics.brier_score_loss``
    (with the same ``pos_label``).  Labels: 0/1, -1/1 or booleans (1 =
    positive), or any two labels with ``pos_label`` naming the positive class.

    References
    ----------
    Brier (1950), "Verification of forecasts expressed in terms of probability",
    Monthly Weather Review 78(1).
    """
    y, s = _check_labels_and_probs(y_true, p, pos_label)
    return float(np.mean((s - y) ** 2))


def log_loss(y_true, p, eps: float | None = None, *, pos_label=None) -> float:
    """Mean negative log-likelihood (binary cross-entropy).

    .. math::  \\mathrm{LL} = -\\frac{1}{n} \\sum_i \\big[y_i \\ln p_i + (1 - y_i) \\ln(1 - p_i)\\big]

    Parameters
    ----------
    y_true, p
        Binary labels and predicted probabilities of the positive class.
    eps : float, optional
        ``p`` is clipped to ``[eps, 1 − eps]`` before the logarithm so that a
        confident mistake costs ``−ln(eps)`` instead of infinity.  Default:
        the machine epsilon of ``p``'s dtype, as ``sklearn.metrics.log_loss``
        does — float64 (and non-float input): 2.2e-16, so one certain mistake
        adds ≈ 36 / n; float32: 1.2e-7 (≈ 15.9 / n); float16: 9.8e-4
        (≈ 6.9 / n).  Other float types (e.g. longdouble) use float64's, as
        scikit-learn converts them to float64.
    pos_label : int, float, bool or str, optional
        The positive class; needed unless the labels are 0/1 or -1/1.
        (scikit-learn's ``log_loss`` has no ``pos_label``: with two labels
        it takes ``p`` as the probability of the larger one.)

    Returns
    -------
    float
        Non-negative; lower is better.  Predicting the prevalence ``π`` for
        everyone scores the binary entropy ``−π ln π − (1 − π) ln(1 − π)``.

    References
    ----------
    Good (1952), "Rational decisions", JRSS B 14(1).
    """
    y, s = _check_labels_and_probs(y_true, p, pos_label)
    if eps is None:
        dtype = np.asarray(p).dtype
        eps = np.finfo(dtype if dtype in _LOG_LOSS_DTYPES else np.float64).eps
    else:
        eps = check_probability(eps, "eps", open_low=True)
    if eps >= 0.5:
        raise ValueError(f"eps = {eps} must be below 0.5 (p is clipped to [eps, 1 − eps]).")
    s = np.clip(s, eps, 1 - eps)
    return float(-np.mean(y * np.log(s) + (1 - y) * np.log1p(-s)))


# --------------------------------------------------------------------------- #
# Platt scaling
# --------------------------------------------------------------------------- #
class PlattParams(NamedTuple):
    """Parameters of a Platt map ``p = σ(a·s + b)``.

    Attributes
    ----------
    a : float
        Slope on the score (positive when higher scores mean more positive).
    b : float
        Intercept.
    """

    a: float
    b: float


def fit_platt(
    scores, y_true, *, target_smoothing: bool = False, max_iter: int = 100, tol: float = 1e-10,
    pos_label=None,
) -> PlattParams:
    """Fit Platt scaling ``p = σ(a·s + b)`` by maximum likelihood (Newton's method).

    This is a logistic regression with one feature (the score) and an
    intercept.  Writing ``x_i = (s_i, 1)``, ``θ = (a, b)``, ``p_i = σ(θ·x_i)``
    and targets ``t_i``, the negative log-likelihood

    .. math::  L(θ) = -\\sum_i \\big[t_i \\ln p_i + (1 - t_i) \\ln(1 - p_i)\\big]

    has gradient ``g = Σ (p_i − t_i) x_i`` and Hessian
    ``H = Σ p_i (1 − p_i) x_i x_iᵀ`` (a 2×2 matrix), and each Newton step is
    ``θ ← θ − H⁻¹ g`` (this is the same as iteratively reweighted least
    squares).  A step is halved until the loss decreases, so the iteration
    cannot diverge.

    Parameters
    ----------
    scores : array-like of shape (n,)
        Uncalibrated scores (margins, logits, or probabilities) on a
        **held-out** calibration set — fitting on the training set reproduces
        the training over-confidence.
    y_true : array-like of shape (n,)
        Binary labels (0/1, -1/1, booleans, or any two labels with
        ``pos_label``); both classes must be present.
    target_smoothing : bool, default=False
        ``False`` (default): plain maximum likelihood, ``t_i = y_i`` — the same
        fit as an unpenalised ``LogisticRegression`` on the 1-d score.
        ``True``: Platt's (1999) regularised targets
        ``t₊ = (N₊ + 1)/(N₊ + 2)`` and ``t₋ = 1/(N₋ + 2)`` (a Bayesian prior
        that keeps the fit finite on separable data); this is what
        ``sklearn.calibration.CalibratedClassifierCV(method="sigmoid")`` does.
        (Same fit, except that scikit-learn's L-BFGS works on the raw score
        and stops at a gradient of 1e-6, so for scores spanning a tiny range,
        e.g. 1e-6, it stops short of the maximum; caselab centres and scales
        the score first.)
    max_iter : int, default=100
        Maximum number of Newton steps (it usually converges in < 10).
    tol : float, default=1e-10
        Stop when the largest absolute gradient component, divided by ``n``,
        is below ``tol``.
    pos_label : int, float, bool or str, optional
        The positive class; needed unless the labels are 0/1 or -1/1.

    Returns
    -------
    PlattParams
        ``(a, b)``.  Apply with :func:`platt_scaling`.

    Raises
    ------
    ValueError
        If only one class is present, if the scores are constant, or if
        (without smoothing) the classes are perfectly separated by the score:
        then the likelihood keeps increasing as ``a → ∞`` and no maximum
        exists — use ``target_smoothing=True``.

    References
    ----------
    Platt (1999), "Probabilistic outputs for support vector machines and
    comparisons to regularized likelihood methods".
    Lin, Lin & Weng (2007), "A note on Platt's probabilistic outputs for
    support vector machines", Machine Learning 68.
    """
    y, s = check_labels_and_scores(y_true, scores, pos_label=pos_label)
    if isinstance(max_iter, bool) or not isinstance(max_iter, Integral) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer; got {max_iter!r}.")
    if not (isinstance(tol, Real) and 0 < tol < 1):
        raise ValueError(f"tol must be a small positive number; got {tol!r}.")
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError(f"fit_platt needs both classes; got {n_pos} positive(s) and {n_neg} negative(s).")
    if np.ptp(s) == 0:
        raise ValueError(
            f"scores are all equal ({s[0]}): the slope a cannot be estimated from a constant score."
        )
    if target_smoothing:
        t = np.where(y == 1, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))
    else:
        if s[y == 0].max() <= s[y == 1].min() or s[y == 1].max() <= s[y == 0].min():
            raise ValueError(
                "the score separates the classes perfectly, so the maximum-likelihood slope is "
                "infinite (no finite Platt fit exists). Use target_smoothing=True, or more data."
            )
        t = y.astype(np.float64)

    # Centre and scale the score for a well-conditioned Hessian; map back at the end. The range, not
    # the standard deviation: a variance underflows to 0 for scores like {0, 1e-300} and overflows
    # for scores near 1e200, while the range (> 0, checked above) is finite for any finite scores
    # spanning less than 1.8e308.
    centre, scale = s.mean(), np.ptp(s)
    x = (s - centre) / scale
    X = np.column_stack([x, np.ones_like(x)])

    def nll(theta):
        z = X @ theta
        # −[t ln σ(z) + (1 − t) ln σ(−z)] = logaddexp(0, z) − t·z  (stable for any z)
        return float(np.sum(np.logaddexp(0.0, z) - t * z))

    prior = t.mean()
    theta = np.array([0.0, np.log(prior / (1 - prior))])  # start from the base rate
    loss = nll(theta)
    for _ in range(max_iter):
        pr = expit(X @ theta)
        grad = X.T @ (pr - t)
        if np.max(np.abs(grad)) / y.size < tol:
            break
        hess = (X * (pr * (1 - pr))[:, None]).T @ X
        step = np.linalg.solve(hess, grad)
        for _halving in range(50):  # backtracking: halve until the loss does not increase
            new = theta - step
            new_loss = nll(new)
            if new_loss <= loss:
                break
            step = step / 2
        theta, loss = new, new_loss
    a_std, b_std = theta
    # σ(a_std·(s − c)/σ_s + b_std) = σ(a·s + b)
    a = a_std / scale
    b = b_std - a_std * centre / scale
    return PlattParams(float(a), float(b))


def platt_scaling(scores, a: float, b: float):
    """Apply a Platt map: ``p = σ(a·s + b) = 1 / (1 + exp(−(a·s + b)))``.

    Parameters
    ----------
    scores : array-like or float
        Uncalibrated scores.
    a, b : float
        Slope and intercept, e.g. from :func:`fit_platt`.

    Returns
    -------
    ndarray or float
        Calibrated probabilities (``scipy.special.expit``, which does not
        overflow for large ``|a·s + b|``).

    Notes
    -----
    scikit-learn writes the same map as ``1 / (1 + exp(A·s + B))``, i.e.
    ``A = −a`` and ``B = −b``.
    """
    scalar = np.ndim(scores) == 0
    s = check_scores(np.atleast_1d(scores), "scores")
    a, b = float(a), float(b)
    if not (np.isfinite(a) and np.isfinite(b)):
        raise ValueError(f"a and b must be finite; got a = {a}, b = {b}.")
    p = expit(a * s + b)
    return float(p[0]) if scalar else p


# --------------------------------------------------------------------------- #
# isotonic regression by pool-adjacent-violators
# --------------------------------------------------------------------------- #
def pool_adjacent_violators(values, weights=None) -> np.ndarray:
    """Weighted least-squares non-decreasing fit of a sequence (PAV algorithm).

    Solves

    .. math::  \\min_{f_1 \\le f_2 \\le \\dots \\le f_n} \\sum_i w_i (v_i - f_i)^2

    Walk left to right keeping a stack of blocks, each with its weighted mean
    ``m = Σ w v / Σ w``.  Push each value as a new block; while the last block's
    mean is below the previous block's mean (a *violation*), pool the two
    blocks into one with the combined weighted mean.  At the end every
    position takes the mean of its block.  O(n) amortised.

    Parameters
    ----------
    values : array-like of shape (n,)
        The sequence, already sorted by the predictor (e.g. labels sorted by score).
    weights : array-like of shape (n,), optional
        Positive weights (default all 1).

    Returns
    -------
    ndarray of shape (n,)
        The fitted non-decreasing sequence; a step function of block means.

    References
    ----------
    Ayer et al. (1955), "An empirical distribution function for sampling with
    incomplete information", Ann. Math. Statist. 26(4).
    Barlow et al. (1972), *Statistical Inference under Order Restrictions*.
    """
    v = check_scores(values, "values")
    if weights is None:
        w = np.ones_like(v)
    else:
        w = check_scores(weights, "weights")
        if w.shape != v.shape:
            raise ValueError(f"weights has length {w.size} but values has length {v.size}; they must match.")
        if np.any(w <= 0):
            raise ValueError(f"weights must be positive; the smallest is {w.min()}.")
    means: list[float] = []
    wsum: list[float] = []
    sizes: list[int] = []
    for vi, wi in zip(v, w, strict=True):
        means.append(float(vi))
        wsum.append(float(wi))
        sizes.append(1)
        # pool while the newest block breaks monotonicity
        while len(means) > 1 and means[-2] > means[-1]:
            w_new = wsum[-2] + wsum[-1]
            m_new = (wsum[-2] * means[-2] + wsum[-1] * means[-1]) / w_new
            size_new = sizes[-2] + sizes[-1]
            del means[-1], wsum[-1], sizes[-1]
            means[-1], wsum[-1], sizes[-1] = m_new, w_new, size_new
    return np.repeat(np.array(means), sizes)


class IsotonicFit(NamedTuple):
    """A fitted isotonic calibration map.

    Attributes
    ----------
    x : ndarray
        Distinct training scores, increasing.
    y : ndarray
        Fitted calibrated probability at each ``x`` (non-decreasing).
    """

    x: np.ndarray
    y: np.ndarray


def isotonic_fit(scores, y_true, sample_weight=None, *, pos_label=None) -> IsotonicFit:
    """Fit a non-decreasing map from score to probability (isotonic calibration).

    Steps: sort by score; pool examples with **tied scores** into one point
    (weighted mean label, summed weight) so that equal scores always get the
    same probability; run :func:`pool_adjacent_violators` on the result.

    Parameters
    ----------
    scores : array-like of shape (n,)
        Uncalibrated scores on a held-out calibration set.
    y_true : array-like of shape (n,)
        Binary labels (0/1, -1/1, booleans, or any two labels with ``pos_label``).
    sample_weight : array-like of shape (n,), optional
        Positive example weights.
    pos_label : int, float, bool or str, optional
        The positive class; needed unless the labels are 0/1 or -1/1.

    Returns
    -------
    IsotonicFit
        ``(x, y)``: the calibrated value at each distinct score.  Predict with
        :func:`isotonic_predict`.

    Notes
    -----
    Isotonic calibration makes no parametric assumption but needs more data
    than Platt scaling (it overfits small calibration sets: its output is a
    staircase with many ties).  Same fitted values as
    ``sklearn.isotonic.IsotonicRegression``, except for scores less than
    ``np.finfo(np.float64).resolution`` (1e-15) apart, e.g. 0 and 1e-300:
    scikit-learn pools them into one point, caselab keeps every distinct score.

    References
    ----------
    Zadrozny & Elkan (2002), "Transforming classifier scores into accurate
    multiclass probability estimates", KDD.
    """
    y, s = check_labels_and_scores(y_true, scores, pos_label=pos_label)
    if sample_weight is None:
        w = np.ones_like(s)
    else:
        w = check_scores(sample_weight, "sample_weight")
        if w.shape != s.shape:
            raise ValueError(
                f"sample_weight has length {w.size} but scores has length {s.size}; they must match."
            )
        if np.any(w <= 0):
            raise ValueError(f"sample_weight must be positive; the smallest is {w.min()}.")
    x_unique, inverse = np.unique(s, return_inverse=True)
    w_sum = np.bincount(inverse, weights=w)
    y_mean = np.bincount(inverse, weights=w * y) / w_sum
    return IsotonicFit(x_unique, pool_adjacent_violators(y_mean, w_sum))


def isotonic_predict(fit: IsotonicFit, scores) -> np.ndarray:
    """Evaluate an isotonic map at new scores.

    Between training scores the map is interpolated linearly; outside the
    training range it is held constant at the end values (clipped).  This is
    ``IsotonicRegression(out_of_bounds="clip").predict``.

    Parameters
    ----------
    fit : IsotonicFit
        From :func:`isotonic_fit`.
    scores : array-like of shape (m,)

    Returns
    -------
    ndarray of shape (m,)
    """
    if not isinstance(fit, IsotonicFit):
        raise TypeError(f"fit must be an IsotonicFit from isotonic_fit(); got {type(fit).__name__}.")
    s = check_scores(scores, "scores")
    return np.interp(s, fit.x, fit.y)


# --------------------------------------------------------------------------- #
# moving probabilities between class priors
# --------------------------------------------------------------------------- #
def _check_beta(beta) -> float:
    return check_probability(beta, "beta", open_low=True)


def undersampling_correction(p_s, beta: float):
    """Map a probability learned on undersampled data back to the original prior.

    If every negative was kept with probability ``β`` (all positives kept),
    the odds seen in training are inflated by ``1/β``:
    ``p_s/(1 − p_s) = [p/(1 − p)] / β``.  Solving for ``p``:

    .. math::  p = \\frac{β\\, p_s}{β\\, p_s - p_s + 1}

    Parameters
    ----------
    p_s : float or array-like
        Probability from the model trained on the undersampled data, in [0, 1].
    beta : float
        Keep-rate of negatives, in (0, 1] (``β = 1`` means no undersampling).

    Returns
    -------
    float or ndarray
        ``p`` under the original class prior.

    Examples
    --------
    Prior 0.1 % undersampled to 50/50 gives ``β = 0.001/0.999 = 0.001001``;
    then ``p_s`` 0.5 / 0.9 / 0.99 / 0.999 correspond to ``p`` ≈ 0.0010 /
    0.00893 / 0.0902 / 0.500:

    >>> round(undersampling_correction(0.9, 0.001 / 0.999), 5)
    0.00893

    References
    ----------
    Dal Pozzolo, Caelen, Johnson & Bontempi (2015), "Calibrating probability
    with undersampling for unbalanced classification", IEEE SSCI.
    """
    b = _check_beta(beta)
    ps, scalar = _check_prob_array(p_s, "p_s")
    # βp_s/(βp_s − p_s + 1), grouped as βp_s + (1 − p_s) so that p_s = 1 maps exactly to 1
    return _out(b * ps / (b * ps + (1.0 - ps)), scalar)


def undersampling_inverse(p, beta: float):
    """Map a probability under the original prior to the undersampled scale.

    The inverse of :func:`undersampling_correction` — the odds are divided by
    ``β`` (negatives are rarer in the sample):

    .. math::  p_s = \\frac{p}{p + β (1 - p)}

    Use it to translate a decision threshold: a cost-optimal threshold
    ``τ*`` on the true probability is the threshold ``undersampling_inverse(τ*, β)``
    on the undersampled model's output.

    Parameters
    ----------
    p : float or array-like
        Probability under the original prior, in [0, 1].
    beta : float
        Keep-rate of negatives, in (0, 1].

    Returns
    -------
    float or ndarray
        ``p_s``.

    Notes
    -----
    A formula sometimes quoted, ``p / (p + (1 − p)/β)``, is **wrong**: it
    multiplies the odds by ``β`` instead of dividing.  With ``p = 0.001`` and
    ``β = 0.001`` the right inverse gives ``p_s ≈ 0.50`` (a balanced sample,
    as it should), the wrong one ≈ 1e-6.

    Examples
    --------
    With ``β = 0.001001`` the threshold ``τ* = 0.0099`` becomes ≈ 0.909 on ``p_s``:

    >>> round(undersampling_inverse(0.0099, 0.001 / 0.999), 3)
    0.909

    References
    ----------
    Dal Pozzolo et al. (2015), see :func:`undersampling_correction`.
    """
    b = _check_beta(beta)
    pp, scalar = _check_prob_array(p, "p")
    return _out(pp / (pp + b * (1.0 - pp)), scalar)


def beta_for_balance(prevalence: float) -> float:
    """The negative keep-rate ``β`` that turns prevalence ``π`` into a 50/50 sample.

    Keeping all ``π n`` positives and ``β (1 − π) n`` negatives, balance needs
    ``β (1 − π) n = π n``, so

    .. math::  β = \\frac{π}{1 - π}

    Parameters
    ----------
    prevalence : float
        Fraction of positives ``π``, in (0, 0.5] (above 0.5 the negatives are
        already the minority and ``β`` would exceed 1).

    Returns
    -------
    float
        ``β``; e.g. ``π = 0.001`` → ``β = 0.001001`` (not exactly 0.001).
    """
    pi = check_probability(prevalence, "prevalence", open_low=True, open_high=True)
    if pi > 0.5:
        raise ValueError(
            f"prevalence = {pi} is above 0.5: positives are the majority, so undersampling "
            "negatives cannot balance the sample (β would be above 1)."
        )
    return pi / (1.0 - pi)


def prior_shift_factor(old_prior: float, new_prior: float) -> float:
    """Odds multiplier for moving from class prior ``π`` to ``π'``.

    .. math::  r = \\frac{π'/(1 - π')}{π/(1 - π)}

    Example: ``π = 2 %`` → ``π' = 0.5 %`` gives
    ``r = (0.005/0.995)/(0.02/0.98) = 0.005025/0.020408 ≈ 0.2462``.
    """
    old = check_probability(old_prior, "old_prior", open_low=True, open_high=True)
    new = check_probability(new_prior, "new_prior", open_low=True, open_high=True)
    return (new / (1.0 - new)) / (old / (1.0 - old))


def prior_shift(p, old_prior: float, new_prior: float):
    """Adjust calibrated probabilities for a change of class prior (label shift).

    Assuming ``P(x | y)`` is unchanged and only ``P(y)`` moves from ``π`` to
    ``π'``, Bayes' rule multiplies the posterior odds by the ratio of prior odds:

    .. math::

        \\frac{p'}{1 - p'} = \\frac{p}{1 - p} \\cdot r, \\quad
        r = \\frac{π'/(1 - π')}{π/(1 - π)}
        \\qquad\\Longrightarrow\\qquad
        p' = \\frac{r\\, p}{r\\, p + 1 - p}

    Parameters
    ----------
    p : float or array-like
        Calibrated probabilities under the old prior, in [0, 1].
    old_prior, new_prior : float
        Prevalence in training (``π``) and in production (``π'``), in (0, 1).

    Returns
    -------
    float or ndarray
        ``p'``.  0 and 1 are fixed points.

    Examples
    --------
    Training prior 2 %, production 0.5 %: ``r ≈ 0.2462``, so a calibrated
    0.30 (odds 0.4286) becomes odds 0.1055, i.e. ``p' ≈ 0.0955``.

    Notes
    -----
    The undersampling correction is the special case ``r = β``.  The rule is
    only valid under pure label shift; if the features' meaning drifts too,
    recalibrate on fresh labels.

    References
    ----------
    Elkan (2001), "The foundations of cost-sensitive learning", IJCAI.
    Saerens, Latinne & Decaestecker (2002), "Adjusting the outputs of a
    classifier to new a priori probabilities", Neural Computation 14(1).
    """
    r = prior_shift_factor(old_prior, new_prior)
    pp, scalar = _check_prob_array(p, "p")
    return _out(r * pp / (r * pp + (1.0 - pp)), scalar)


class PriorEstimate(NamedTuple):
    """A new class prior estimated from unlabelled calibrated scores (:func:`em_prior`)."""

    prior: float  # the estimate after the last step
    n_iter: int  # EM steps taken
    converged: bool  # the last step moved the estimate by less than ``tol``
    history: np.ndarray  # the estimate after each step, starting with the naive mean of the scores


def em_prior(p, train_prior: float, tol: float = 1e-10, max_iter: int = 1_000) -> PriorEstimate:
    """Estimate the production prior from unlabelled scores calibrated at ``train_prior`` (Saerens et al. 2002).

    Under label shift the mean of the old calibrated scores is *not* the new prior: each score was
    computed with the training prior in Bayes' rule, so the average is pulled toward it. EM fixes
    this by re-applying Bayes' rule with the current estimate and averaging again:

    .. math::

        π_0 = \\tfrac1n \\textstyle\\sum_i p_i, \\qquad
        π_{k+1} = \\tfrac1n \\textstyle\\sum_i \\operatorname{prior\\_shift}(p_i, π, π_k)

    until ``|π_{k+1} − π_k| < tol``. Its fixed point is the maximum-likelihood prior under label shift.

    Parameters
    ----------
    p : array-like of float in [0, 1]
        Calibrated probabilities (calibrated where the positive rate was ``train_prior``) on an
        unlabelled sample of the new population.
    train_prior : float in (0, 1)
    tol : float, default=1e-10
    max_iter : int, default=1000

    Returns
    -------
    PriorEstimate(prior, n_iter, converged, history)
        ``history[0]`` is the naive mean; the estimate stays inside (0, 1) unless every score is 0 or 1.

    Raises
    ------
    ValueError
        Empty input, or scores outside [0, 1].
    """
    pp, _ = _check_prob_array(p, "p")
    pp = np.atleast_1d(pp)
    if pp.size == 0:
        raise ValueError("p is empty: no unlabelled scores to estimate a prior from.")
    train_prior = check_probability(train_prior, "train_prior", open_low=True, open_high=True)
    estimate = float(pp.mean())
    history = [estimate]
    converged = False
    for _ in range(int(max_iter)):
        if not 0.0 < estimate < 1.0:  # every score 0 (or 1): the prior is 0 (or 1), nothing to iterate
            converged = True
            break
        new = float(np.mean(prior_shift(pp, train_prior, estimate)))
        history.append(new)
        if abs(new - estimate) < tol:
            estimate, converged = new, True
            break
        estimate = new
    return PriorEstimate(estimate, len(history) - 1, converged, np.array(history))
