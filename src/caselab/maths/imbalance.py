"""Training under class imbalance: weights, focal loss and resampling, with their arithmetic.

Every remedy for imbalance changes *what the model is optimising*, and with it
what its output means:

* **class / cost weights** (:func:`balanced_class_weights`, :func:`cost_weights`)
  move the model's 0.5 point: a positive weight ``w`` makes "weighted score
  > 0.5" equivalent to "true probability > 1/(1 + w)"
  (:func:`equivalent_threshold`).  Encode the business costs **once** — in
  the weights *or* in the threshold, never both;
* **focal loss** (:func:`focal_loss`) down-weights easy examples by
  ``(1 − p_t)^γ``; its ``α`` is a weight on the *positive* class, and the
  paper's α = 0.25 actually *down*-weights positives;
* **resampling** (:func:`random_undersample`, EasyEnsemble coverage,
  :func:`smote_interpolate`) changes the training prior, which must be
  undone before the scores are used as probabilities
  (:func:`caselab.calibration.undersampling_correction`).

The tests cross-check against scikit-learn and imbalanced-learn.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import NamedTuple

import numpy as np
from scipy.special import expit

from caselab.maths._validation import (
    check_binary_labels,
    check_cost,
    check_count,
    check_probabilities,
    check_probability,
    check_scores,
)

__all__ = [
    "balanced_class_weights",
    "equivalent_threshold",
    "weight_for_threshold",
    "unweight_probability",
    "cost_weights",
    "modulating_factor",
    "focal_loss",
    "focal_loss_from_logits",
    "UndersampleResult",
    "random_undersample",
    "easy_ensemble_coverage",
    "subsets_for_coverage",
    "disjoint_subsets",
    "smote_interpolate",
]


def _check_nonnegative(value, name: str, *, strict: bool = False) -> float:
    """A finite real number ≥ 0 (> 0 when ``strict``)."""
    if isinstance(value, bool) or not isinstance(value, Real | np.number):
        raise TypeError(f"{name} must be a real number; got {value!r} of type {type(value).__name__}.")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite; got {v}.")
    if v < 0 or (strict and v == 0):
        raise ValueError(f"{name} = {v} must be {'positive' if strict else 'non-negative'}.")
    return v


def _check_positive(value, name: str) -> float:
    return _check_nonnegative(value, name, strict=True)


def _check_gamma(gamma) -> float:
    return _check_nonnegative(gamma, "gamma")


# --------------------------------------------------------------------------- #
# class weights and what they do to the threshold
# --------------------------------------------------------------------------- #
def balanced_class_weights(y_true) -> dict[int, float]:
    """Class weights that give every class the same total weight.

    .. math::  w_c = \\frac{n}{K \\, n_c}

    with ``n`` examples, ``K = 2`` classes and ``n_c`` examples of class
    ``c``.  Then ``n_c · w_c = n / K`` for every class: the classes contribute
    equally to the loss.  Identical to
    ``sklearn.utils.class_weight.compute_class_weight("balanced", ...)``.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Binary labels; both classes must be present.

    Returns
    -------
    dict
        ``{0: w_0, 1: w_1}``.

    Examples
    --------
    99 negatives per positive (n = 100): ``w_0 = 100/(2·99) = 0.50505``,
    ``w_1 = 100/(2·1) = 50``.  The per-example ratio ``w_1/w_0`` is
    ``n_0/n_1 = 99`` — not 100 — and both class totals are 50.

    References
    ----------
    King & Zeng (2001), "Logistic regression in rare events data", Political
    Analysis 9(2) (the heuristic); scikit-learn ``compute_class_weight``.
    """
    y = check_binary_labels(y_true)
    n = y.size
    counts = np.bincount(y, minlength=2)
    if np.any(counts == 0):
        raise ValueError(
            f"balanced_class_weights needs both classes; got {counts[0]} negative(s) and "
            f"{counts[1]} positive(s)."
        )
    return {c: n / (2 * int(counts[c])) for c in (0, 1)}


def equivalent_threshold(weight: float) -> float:
    """The true-probability threshold implied by a positive-class weight ``w``.

    Weighting each positive by ``w`` (negatives by 1) multiplies the odds the
    model learns by ``w``: ``q/(1 − q) = w · p/(1 − p)``.  The weighted model's
    default cut ``q > 0.5`` (odds > 1) is therefore

    .. math::  p > \\frac{1}{1 + w}

    on the true probability ``p`` — provided the model is flexible enough to
    fit the (re-weighted) posterior; a misspecified model can deviate.

    Parameters
    ----------
    weight : float
        Positive-class weight ``w > 0`` relative to negatives.

    Returns
    -------
    float
        ``1/(1 + w)``: ``w = 99`` → 0.0100; ``w = 100`` → 0.0099;
        ``w = 9,900`` → 0.000101.

    Notes
    -----
    **The double-counting trap.**  With costs ``C_FN/C_FP = 100`` the
    cost-optimal threshold is ``τ* = C_FP/(C_FP + C_FN) = 1/101 ≈ 0.0099``.
    Encoding it once is enough: either weight positives by ``w = 100`` and
    cut at 0.5, or train unweighted and cut at 0.0099.  Setting
    ``scale_pos_weight = (C_FN/C_FP)·(N_neg/N_pos) = 100 · 99 = 9,900`` and
    cutting at 0.5 means ``p > 0.000101`` (≈ 98× too low; the class ratio has
    nothing to do with the costs); lowering the threshold again on top of
    that counts the costs twice more.

    References
    ----------
    Elkan (2001), "The foundations of cost-sensitive learning", IJCAI.
    """
    w = _check_positive(weight, "weight")
    return 1.0 / (1.0 + w)


def weight_for_threshold(threshold: float) -> float:
    """The positive-class weight that makes 0.5 equivalent to a true-probability ``threshold``.

    Inverse of :func:`equivalent_threshold`: ``w = (1 − τ)/τ`` — the odds
    against at the threshold.  ``τ = C_FP/(C_FP + C_FN)`` gives
    ``w = C_FN/C_FP``: the cost ratio, with no class ratio in it.
    """
    tau = check_probability(threshold, "threshold", open_low=True, open_high=True)
    return (1.0 - tau) / tau


def unweight_probability(p_weighted, weight: float):
    """Recover the true probability from a model trained with positive weight ``w``.

    The weighted model learns odds ``w · p/(1 − p)``; dividing them back:

    .. math::  p = \\frac{q}{q + w (1 - q)}

    This is the undersampling correction with ``β = 1/w`` (weighting positives
    by ``w`` and keeping ``1/w`` of the negatives move the odds the same way).

    Parameters
    ----------
    p_weighted : float or array-like
        Output ``q`` of the weighted model, in [0, 1].
    weight : float
        Positive-class weight used in training, ``w > 0``.

    Returns
    -------
    float or ndarray
    """
    w = _check_positive(weight, "weight")
    q = check_probabilities(p_weighted, "p_weighted")
    out = q / (q + w * (1.0 - q))
    return float(out) if out.ndim == 0 else out


def cost_weights(y_true, cost_fp: float, cost_fn: float, *, normalize: bool = False) -> np.ndarray:
    """Per-example training weights that encode misclassification costs.

    A positive's weight is the cost of missing it, ``C_FN``; a negative's is
    the cost of a false alarm on it, ``C_FP``::

        w_i = C_FN  if y_i = 1
        w_i = C_FP  if y_i = 0

    With these weights the weighted model's 0.5 cut corresponds to the
    cost-optimal ``τ* = C_FP/(C_FP + C_FN)`` on the true probability (see
    :func:`equivalent_threshold` with ``w = C_FN/C_FP``), so **do not also
    move the threshold**.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Binary labels.
    cost_fp, cost_fn : float
        Non-negative costs, not both zero.
    normalize : bool, default=False
        If True, divide by the mean weight so the weights average 1.  Scaling
        all weights by a constant does not move an unregularised optimum, but
        it changes the effective strength of regularisation and of learning
        rates — normalising keeps those comparable with the unweighted fit.

    Returns
    -------
    ndarray of shape (n,)
    """
    y = check_binary_labels(y_true)
    c_fp = check_cost(cost_fp, "cost_fp")
    c_fn = check_cost(cost_fn, "cost_fn")
    if c_fp == 0 and c_fn == 0:
        raise ValueError("cost_fp and cost_fn are both 0: at least one error must cost something.")
    w = np.where(y == 1, c_fn, c_fp).astype(np.float64)
    if normalize:
        if w.mean() == 0:
            raise ValueError(
                "cannot normalize: every example has weight 0 (only the class whose cost is 0 is present)."
            )
        w = w / w.mean()
    return w


# --------------------------------------------------------------------------- #
# focal loss
# --------------------------------------------------------------------------- #
def modulating_factor(p_t, gamma: float = 2.0):
    """Focal-loss modulating factor ``(1 − p_t)^γ``.

    ``p_t`` is the probability the model gives to the *true* class.  With
    ``γ = 2``: ``p_t = 0.99`` → 1e-4, ``0.9`` → 0.01, ``0.5`` → 0.25 (a 4×
    down-weight — not "nearly full weight"), ``0.1`` → 0.81.  A hard example
    (``p_t = 0.5``) thus counts 0.25/1e-4 = 2,500× an easy one (``p_t = 0.99``)
    relative to cross-entropy.  ``γ = 0`` gives 1 (plain cross-entropy).

    Parameters
    ----------
    p_t : float or array-like
        Probability of the true class, in [0, 1].
    gamma : float, default=2.0
        Focusing parameter ``γ ≥ 0``.

    Returns
    -------
    float or ndarray
    """
    g = _check_gamma(gamma)
    pt = check_probabilities(p_t, "p_t")
    out = (1.0 - pt) ** g
    return float(out) if out.ndim == 0 else out


def _alpha_t(y: np.ndarray, alpha) -> np.ndarray | float:
    if alpha is None:
        return 1.0
    a = check_probability(alpha, "alpha")
    # α multiplies positives and (1 − α) negatives
    return a * y + (1.0 - a) * (1 - y)


def focal_loss(
    y_true, p, gamma: float = 2.0, alpha: float | None = None, eps: float | None = None
) -> np.ndarray:
    """Per-example binary focal loss.

    .. math::

        \\mathrm{FL}_i = -α_t (1 - p_t)^γ \\ln p_t, \\qquad
        p_t = \\begin{cases} p & y = 1 \\\\ 1 - p & y = 0 \\end{cases}, \\qquad
        α_t = α\\, y + (1 - α)(1 - y)

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Binary labels.
    p : array-like of shape (n,)
        Predicted probability of the positive class.
    gamma : float, default=2.0
        Focusing parameter; ``γ = 0`` and ``alpha=None`` give per-example
        cross-entropy (log loss).
    alpha : float in [0, 1], optional
        Weight of the **positive** class (negatives get ``1 − α``).  ``None``
        means no class weighting (``α_t = 1``).  Note the direction: Lin et
        al.'s default α = 0.25 weights positives 0.25 and negatives 0.75 — it
        does *not* up-weight the rare class; in their experiments it offsets
        the fact that ``γ`` already suppresses the many easy negatives.
    eps : float, optional
        ``p`` is clipped to ``[eps, 1 − eps]`` inside the logarithm only
        (default float64's machine epsilon ≈ 2.2e-16 — what ``sklearn.metrics.log_loss``
        uses for float64 probabilities; it uses 1.2e-7 for float32 ones, this
        function does not), so a certain mistake costs ``−ln eps ≈ 36``, not infinity.  For full
        stability train on logits with :func:`focal_loss_from_logits`.

    Returns
    -------
    ndarray of shape (n,)
        ``FL_i ≥ 0``; never above the (α-weighted) cross-entropy, because
        ``(1 − p_t)^γ ≤ 1``.

    Examples
    --------
    ``γ = 2``, ``p_t = 0.99``: CE = −ln 0.99 = 0.01005, factor 1e-4, FL = 1.005e-6.

    Notes
    -----
    ``1 − p_t`` is taken directly from ``p`` (``1 − p`` for positives, ``p``
    for negatives) and ``ln(1 − p)`` via ``log1p``, avoiding cancellation near
    0 and 1.

    References
    ----------
    Lin, Goyal, Girshick, He & Dollár (2017), "Focal loss for dense object
    detection", ICCV, eqs. (4)–(5).
    """
    y = check_binary_labels(y_true)
    s = check_scores(p, "p")
    if s.shape != y.shape:
        raise ValueError(f"y_true and p have different lengths: {y.size} labels but {s.size} probabilities.")
    s = check_probabilities(s, "p")
    g = _check_gamma(gamma)
    eps = np.finfo(np.float64).eps if eps is None else check_probability(eps, "eps", open_low=True)
    if eps >= 0.5:
        raise ValueError(f"eps = {eps} must be below 0.5 (p is clipped to [eps, 1 − eps]).")
    one_minus_pt = np.where(y == 1, 1.0 - s, s)
    sc = np.clip(s, eps, 1.0 - eps)
    log_pt = np.where(y == 1, np.log(sc), np.log1p(-sc))
    return -_alpha_t(y, alpha) * one_minus_pt**g * log_pt


def focal_loss_from_logits(y_true, logits, gamma: float = 2.0, alpha: float | None = None) -> np.ndarray:
    """Per-example focal loss computed from logits ``z`` (``p = σ(z)``), without clipping.

    With ``z_t = z`` for positives and ``−z`` for negatives, ``p_t = σ(z_t)``:

    .. math::

        \\ln p_t = -\\ln(1 + e^{-z_t}) = -\\mathrm{softplus}(-z_t), \\qquad
        1 - p_t = σ(-z_t)

    both computed stably (``np.logaddexp``, ``scipy.special.expit``), so the
    loss is finite and accurate for any finite logit.  Same parameters and
    result as :func:`focal_loss` otherwise.
    """
    y = check_binary_labels(y_true)
    z = check_scores(logits, "logits")
    if z.shape != y.shape:
        raise ValueError(f"y_true and logits have different lengths: {y.size} labels but {z.size} logits.")
    g = _check_gamma(gamma)
    z_t = np.where(y == 1, z, -z)
    log_pt = -np.logaddexp(0.0, -z_t)
    return -_alpha_t(y, alpha) * expit(-z_t) ** g * log_pt


# --------------------------------------------------------------------------- #
# resampling
# --------------------------------------------------------------------------- #
class UndersampleResult(NamedTuple):
    """Result of :func:`random_undersample`.

    Attributes
    ----------
    indices : ndarray of int
        Sorted row indices to keep: every positive and the sampled negatives.
    beta : float
        The *realised* keep-rate of negatives, ``kept negatives / all
        negatives`` — pass it to ``caselab.calibration.undersampling_correction``.
    """

    indices: np.ndarray
    beta: float


def random_undersample(
    y_true, *, beta: float | None = None, ratio: float | None = None, rng=None
) -> UndersampleResult:
    """Keep every positive and a random subset of negatives (without replacement).

    Give exactly one of:

    * ``beta`` — keep-rate of negatives: keeps ``round(β · N_neg)`` of them;
    * ``ratio`` — desired ``N_pos / N_neg`` after sampling (the float
      ``sampling_strategy`` of imbalanced-learn's ``RandomUnderSampler``):
      keeps ``int(N_pos / ratio)`` negatives; ``ratio = 1`` gives 50/50.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Binary labels; positives (1) are the minority kept in full.
    beta, ratio : float
        See above.
    rng : None, int or numpy.random.Generator
        Seed or generator (``numpy.random.default_rng(rng)``).

    Returns
    -------
    UndersampleResult
        ``(indices, beta)`` with the realised ``β``.

    Notes
    -----
    A model fitted on the sample over-estimates probabilities: its odds are
    the true odds divided by ``β``.  Undo it with
    ``caselab.calibration.undersampling_correction(p_s, result.beta)``.
    """
    y = check_binary_labels(y_true)
    if (beta is None) == (ratio is None):
        raise ValueError(
            "give exactly one of beta (negative keep-rate) or ratio (N_pos/N_neg after sampling)."
        )
    pos = np.flatnonzero(y == 1)
    neg = np.flatnonzero(y == 0)
    if pos.size == 0 or neg.size == 0:
        raise ValueError(
            f"random_undersample needs both classes; got {neg.size} negative(s) and {pos.size} positive(s)."
        )
    if beta is not None:
        b = check_probability(beta, "beta", open_low=True)
        n_keep = int(round(b * neg.size))
    else:
        r = _check_positive(ratio, "ratio")
        n_keep = int(pos.size / r)
        if n_keep > neg.size:
            raise ValueError(
                f"ratio = {r} asks for {n_keep} negatives but only {neg.size} exist; "
                f"the smallest reachable ratio is N_pos/N_neg = {pos.size / neg.size:.4g}."
            )
    if n_keep == 0:
        raise ValueError("the requested sampling keeps no negatives at all; increase beta or decrease ratio.")
    gen = np.random.default_rng(rng)
    kept_neg = gen.choice(neg, size=n_keep, replace=False)
    return UndersampleResult(np.sort(np.concatenate([pos, kept_neg])), n_keep / neg.size)


def _check_subsets(n_neg, subset_size) -> tuple[float, float]:
    n = check_count(n_neg, "n_neg")
    m = check_count(subset_size, "subset_size")
    if m > n:
        raise ValueError(
            f"subset_size = {m} exceeds n_neg = {n}: a subset cannot hold more negatives than exist."
        )
    return n, m


def easy_ensemble_coverage(n_neg, subset_size, n_subsets) -> float:
    """Expected fraction of negatives used by at least one of ``k`` random subsets.

    Each subset draws ``m`` of the ``N`` negatives without replacement,
    independently of the others, so a given negative is in a given subset
    with probability ``m/N`` and is missed by all of them with probability
    ``(1 − m/N)^k``:

    .. math::  \\mathrm{coverage} = 1 - (1 - m/N)^k

    Examples
    --------
    1,000 positives, 99,000 negatives, subsets of 1,000 negatives (balanced
    learners): 1 / 4 / 10 / 50 / 99 subsets cover 1.01 % / 3.98 % / 9.65 % /
    39.8 % / 63.4 % of the negatives — 99 *random* subsets see only about
    ``1 − e^{-1}`` of them; 99 *disjoint* subsets (:func:`disjoint_subsets`)
    see all.

    References
    ----------
    Liu, Wu & Zhou (2009), "Exploratory undersampling for class-imbalance
    learning", IEEE Trans. SMC-B 39(2) (EasyEnsemble).
    """
    n, m = _check_subsets(n_neg, subset_size)
    k = check_count(n_subsets, "n_subsets", minimum=0)
    # −expm1(k·log1p(−m/N)) is 1 − (1 − m/N)^k without cancellation for small m/N
    return float(-np.expm1(k * np.log1p(-m / n))) if m < n else (1.0 if k >= 1 else 0.0)


def subsets_for_coverage(n_neg, subset_size, coverage: float = 0.95) -> int:
    """Smallest number of random subsets whose expected coverage reaches ``coverage``.

    Solving ``1 − (1 − m/N)^k ≥ c`` for the integer ``k``:

    .. math::  k = \\left\\lceil \\frac{\\ln(1 - c)}{\\ln(1 - m/N)} \\right\\rceil

    (then checked against :func:`easy_ensemble_coverage` to guard against
    rounding).  Example: ``N = 99,000``, ``m = 1,000``, ``c = 0.95`` →
    ``ln 0.05 / ln(98/99) = 295.08`` → 296 subsets.

    Parameters
    ----------
    n_neg, subset_size : number
        ``N`` and ``m``, with ``1 ≤ m ≤ N``.
    coverage : float, default=0.95
        Target in (0, 1).  Random subsets reach 1 only in the limit, unless
        ``m = N``; for full coverage use :func:`disjoint_subsets`.

    Returns
    -------
    int
    """
    n, m = _check_subsets(n_neg, subset_size)
    c = check_probability(coverage, "coverage", open_low=True, open_high=True)
    if m == n:
        return 1
    k = max(1, math.ceil(math.log1p(-c) / math.log1p(-m / n)))
    while k > 1 and easy_ensemble_coverage(n, m, k - 1) >= c:
        k -= 1
    while easy_ensemble_coverage(n, m, k) < c:
        k += 1
    return k


def disjoint_subsets(n_neg, subset_size) -> int:
    """Number of disjoint subsets of size ``m`` needed to use every negative: ``⌈N/m⌉``.

    Example: 99,000 negatives in subsets of 1,000 → 99.  Partitioning (a
    shuffled split) rather than independent sampling is the cheap way to
    guarantee full coverage.
    """
    n, m = _check_subsets(n_neg, subset_size)
    return math.ceil(n / m)


def smote_interpolate(x_i, x_neighbor, lam):
    """The arithmetic behind SMOTE: a point on the segment between two minority examples.

    .. math::  x_{new} = x_i + λ (x_{nn} - x_i), \\qquad λ \\in [0, 1]

    SMOTE draws ``λ ~ U(0, 1)`` and ``x_nn`` among the ``k`` nearest minority
    neighbours of ``x_i``.

    Parameters
    ----------
    x_i, x_neighbor : array-like of the same shape
        A minority example and one of its minority neighbours.
    lam : float or array-like
        Interpolation weight(s) in [0, 1], broadcast against the points (e.g.
        shape ``(n, 1)`` for one λ per row).

    Returns
    -------
    ndarray

    Examples
    --------
    The midpoint (λ = 0.5) of ``($500, high_limit=1, prepaid=0)`` and
    ``($5, high_limit=0, prepaid=1)`` is ``(252.5, 0.5, 0.5)``: a card that is
    half high-limit and half prepaid.  Fractional one-hot values are not real
    data — interpolate only continuous features (SMOTENC, or SMOTE-N for
    purely categorical data, assign categories instead).

    References
    ----------
    Chawla, Bowyer, Hall & Kegelmeyer (2002), "SMOTE: Synthetic minority
    over-sampling technique", JAIR 16.
    """
    a = check_scores(np.ravel(x_i), "x_i").reshape(np.shape(x_i))
    b = check_scores(np.ravel(x_neighbor), "x_neighbor").reshape(np.shape(x_neighbor))
    if a.shape != b.shape:
        raise ValueError(f"x_i has shape {a.shape} but x_neighbor has shape {b.shape}; they must match.")
    lam_arr = check_probabilities(lam, "lam")
    return a + lam_arr * (b - a)
