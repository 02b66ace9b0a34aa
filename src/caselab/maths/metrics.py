"""Metrics of one operating point: the 2×2 confusion matrix and everything computed from it.

Decision rule
-------------
Everywhere in caselab an example is **flagged positive when its score is >= the threshold**
(``score >= threshold``). A threshold of ``+inf`` flags nothing; the lowest score flags everything.

The four cells::

                    flagged (predicted 1)   not flagged (predicted 0)
    actual 1 (P)         TP                       FN
    actual 0 (N)         FP                       TN

Cells may be fractional *expected* counts (see :func:`confusion_from_rates`): nothing is rounded.

Zero-division policy
--------------------
A ratio whose denominator is 0 is **0.0** — the policy of scikit-learn's ``zero_division=0``. It is
applied in exactly one place, :func:`_ratio`, and every metric below goes through it. For example,
precision with nothing flagged (TP + FP = 0) is 0.0, and recall with no positives is 0.0. Two
consequences worth knowing: with no positives, ``fnr`` is 0.0 too (so ``fnr != 1 - recall`` there),
and ``balanced_accuracy`` averages the 0.0 in (scikit-learn instead averages only the classes present).

References
----------
scikit-learn user guide, "Precision, recall and F-measures" and "Matthews correlation coefficient":
https://scikit-learn.org/stable/modules/model_evaluation.html
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from caselab.maths._validation import (
    check_cost,
    check_labels_and_scores,
    check_nonnegative_count,
    check_positive,
    check_probability,
    check_threshold,
)

__all__ = ["Confusion", "confusion_from_rates", "confusion_at_threshold", "Kappa", "cohen_kappa", "KAPPA_BANDS",
           "kappa_band"]


def _ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, or 0.0 when the denominator is 0: the package's zero-division policy.

    Denominators here are sums of non-negative counts, so "is 0" is the only way to be undefined.
    """
    if denominator == 0:
        return 0.0
    return float(numerator / denominator)


@dataclass(frozen=True)
class Confusion:
    """A binary confusion matrix with its metrics as properties.

    Parameters
    ----------
    tp, fp, fn, tn : float
        True positives, false positives, false negatives, true negatives. Integers or fractional
        expected counts; each must be finite and >= 0.

    Notes
    -----
    Every ratio follows the module's zero-division policy (a 0 denominator gives 0.0, see
    :func:`_ratio`). ``Confusion`` is immutable and compares by value.

    Examples
    --------
    >>> c = Confusion(tp=360, fp=154.2857142857143, fn=440, tn=9045.714285714286)
    >>> round(c.f1, 5)
    0.54783
    """

    tp: float
    fp: float
    fn: float
    tn: float

    def __post_init__(self):
        for name in ("tp", "fp", "fn", "tn"):
            check_nonnegative_count(getattr(self, name), name)

    # --- counts -------------------------------------------------------------------------------
    @property
    def n(self) -> float:
        """All examples: TP + FP + FN + TN."""
        return self.tp + self.fp + self.fn + self.tn

    @property
    def positives(self) -> float:
        """Actual positives P = TP + FN."""
        return self.tp + self.fn

    @property
    def negatives(self) -> float:
        """Actual negatives N = FP + TN."""
        return self.fp + self.tn

    @property
    def flagged(self) -> float:
        """Predicted positives (the examples flagged): TP + FP."""
        return self.tp + self.fp

    # --- rates --------------------------------------------------------------------------------
    @property
    def prevalence(self) -> float:
        """Share of actual positives: P / n."""
        return _ratio(self.positives, self.n)

    @property
    def precision(self) -> float:
        """TP / (TP + FP): of the flagged examples, the share that are positive (0.0 if none flagged)."""
        return _ratio(self.tp, self.flagged)

    @property
    def recall(self) -> float:
        """TP / (TP + FN): of the positives, the share flagged — the true-positive rate (0.0 if no positives)."""
        return _ratio(self.tp, self.positives)

    @property
    def tpr(self) -> float:
        """True-positive rate, an alias of :attr:`recall` (the y axis of the ROC curve)."""
        return self.recall

    @property
    def fpr(self) -> float:
        """FP / (FP + TN): of the negatives, the share flagged (the x axis of the ROC curve)."""
        return _ratio(self.fp, self.negatives)

    @property
    def fnr(self) -> float:
        """FN / (TP + FN): of the positives, the share missed (1 − recall when there are positives)."""
        return _ratio(self.fn, self.positives)

    @property
    def specificity(self) -> float:
        """TN / (FP + TN): of the negatives, the share left alone (1 − FPR when there are negatives)."""
        return _ratio(self.tn, self.negatives)

    @property
    def npv(self) -> float:
        """Negative predictive value TN / (TN + FN): of the examples not flagged, the share negative."""
        return _ratio(self.tn, self.tn + self.fn)

    @property
    def accuracy(self) -> float:
        """(TP + TN) / n. Under heavy imbalance, "flag nothing" already scores 1 − prevalence."""
        return _ratio(self.tp + self.tn, self.n)

    @property
    def balanced_accuracy(self) -> float:
        """(recall + specificity) / 2: accuracy with both classes weighted equally (0.5 for a coin flip)."""
        return (self.recall + self.specificity) / 2

    @property
    def f1(self) -> float:
        """F1 = 2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall. See :meth:`f_beta`."""
        return self.f_beta(1.0)

    @property
    def mcc(self) -> float:
        """Matthews correlation coefficient.

        ``MCC = (TP·TN − FP·FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN))``, in [-1, 1]; 0 for a random
        ranking. If any of the four sums is 0 (nothing flagged, everything flagged, or one class
        absent) the denominator is 0 and MCC is 0.0 — the zero-division policy, and also what
        scikit-learn's ``matthews_corrcoef`` returns (Matthews 1975; Chicco & Jurman 2020).
        """
        denominator = math.sqrt(self.flagged * self.positives * self.negatives * (self.tn + self.fn))
        return _ratio(self.tp * self.tn - self.fp * self.fn, denominator)

    # --- methods ------------------------------------------------------------------------------
    def f_beta(self, beta: float) -> float:
        """F-beta score: recall counts ``beta`` times as much as precision.

        ``F_beta = (1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP)``, which equals
        ``(1 + β²)·P·R / (β²·P + R)`` whenever precision P and recall R are defined. Written with
        counts it needs only one zero-division rule: TP = FP = FN = 0 gives 0.0 (as scikit-learn's
        ``fbeta_score(..., zero_division=0)``). β = 1 is F1; β = 2 favours recall; β = 0.5 precision.

        Parameters
        ----------
        beta : float
            A finite number > 0.
        """
        beta = check_positive(beta, "beta")
        weight = beta * beta
        return _ratio((1 + weight) * self.tp, (1 + weight) * self.tp + weight * self.fn + self.fp)

    def expected_cost(self, cost_fp: float, cost_fn: float, cost_tp: float = 0.0, cost_tn: float = 0.0) -> float:
        """Total cost of this confusion matrix: ``TP·C_TP + FP·C_FP + FN·C_FN + TN·C_TN``.

        A total over all ``n`` examples, not a per-example average (divide by :attr:`n` for that).
        Costs must be finite and >= 0 (see :func:`caselab._validation.check_cost`); usually only the
        errors cost something, so ``cost_tp`` and ``cost_tn`` default to 0 (Elkan 2001).
        """
        cost_fp = check_cost(cost_fp, "cost_fp")
        cost_fn = check_cost(cost_fn, "cost_fn")
        cost_tp = check_cost(cost_tp, "cost_tp")
        cost_tn = check_cost(cost_tn, "cost_tn")
        return float(self.tp * cost_tp + self.fp * cost_fp + self.fn * cost_fn + self.tn * cost_tn)

    def __str__(self) -> str:
        """The 2×2 table, rows = actual class, columns = decision, then the headline metrics."""

        def count(x):  # whole counts without decimals, expected counts with two
            return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"

        def cell(label, x):
            return f"{label} {count(x)}"

        rows = [("", "flagged", "not flagged"),
                ("actual 1", cell("TP", self.tp), cell("FN", self.fn)),
                ("actual 0", cell("FP", self.fp), cell("TN", self.tn))]
        width = max(len(text) for row in rows for text in row) + 2
        table = ["".join(text.rjust(width) for text in row) for row in rows]
        summary = f"precision {self.precision:.4f}   recall {self.recall:.4f}   F1 {self.f1:.4f}   n {count(self.n)}"
        return "\n".join(table + [summary])


def confusion_from_rates(n: float, prevalence: float, precision: float, recall: float) -> Confusion:
    """The expected confusion matrix of an operating point given as (precision, recall).

    Exact expected counts, nothing rounded::

        P  = n · prevalence          (actual positives)
        TP = recall · P
        FN = P − TP
        FP = TP · (1 − precision) / precision    (precision = TP / (TP + FP), solved for FP)
        TN = n − P − FP

    Parameters
    ----------
    n : float
        Number of examples, > 0.
    prevalence : float
        Share of positives, in [0, 1].
    precision : float
        In (0, 1]: precision 0 would need infinitely many false positives per true positive.
    recall : float
        In [0, 1].

    Returns
    -------
    Confusion

    Raises
    ------
    ValueError
        If an input is out of range, or if the rates are inconsistent: FP larger than the number of
        negatives would mean a negative TN (e.g. low precision at high prevalence).

    Examples
    --------
    >>> c = confusion_from_rates(10_000, 0.08, precision=0.70, recall=0.45)
    >>> c.tp, c.fn, round(c.fp, 4), round(c.tn, 3)
    (360.0, 440.0, 154.2857, 9045.714)
    """
    n = check_positive(n, "n")
    prevalence = check_probability(prevalence, "prevalence")
    precision = check_probability(precision, "precision", open_low=True)
    recall = check_probability(recall, "recall")

    positives = n * prevalence
    negatives = n - positives
    tp = recall * positives
    fn = positives - tp
    fp = tp * (1 - precision) / precision
    tn = n - positives - fp
    if tn < 0:
        # Allow a rounding-sized overshoot at the boundary FP == negatives; anything larger is inconsistent.
        if tn > -1e-9 * n:
            tn = 0.0
        else:
            raise ValueError(
                f"these rates imply a negative number of true negatives (TN = {tn:,.4g}): with prevalence "
                f"{prevalence:g}, precision {precision:g} and recall {recall:g}, FP = {fp:,.4g} exceeds the "
                f"{negatives:,.4g} negatives. Check the rates: at this prevalence, precision must be at least "
                f"{tp / (tp + negatives):.4g} for this recall."
            )
    return Confusion(tp=tp, fp=fp, fn=fn, tn=tn)


def confusion_at_threshold(y_true, y_score, threshold: float, *, pos_label=None) -> Confusion:
    """Count the confusion matrix of labels ``y_true`` when flagging ``score >= threshold``.

    Parameters
    ----------
    y_true : array-like of labels
        0/1, -1/1 or booleans (1 / True = positive), or any two labels with ``pos_label``.
    y_score : array-like of float
        Finite scores, same length as ``y_true``.
    threshold : float
        Flag an example when its score is >= ``threshold``. ``+inf`` flags nothing, ``-inf`` everything.
    pos_label : int, float, bool or str, optional
        The positive class; needed unless the labels are 0/1 or -1/1 (scikit-learn's rule, see
        :func:`caselab._validation.check_binary_labels`).

    Returns
    -------
    Confusion
        Integer counts (as Python ints).
    """
    y, scores = check_labels_and_scores(y_true, y_score, pos_label=pos_label)
    threshold = check_threshold(threshold)
    is_positive = y.astype(bool)
    is_flagged = scores >= threshold
    tp = int(np.count_nonzero(is_flagged & is_positive))
    fp = int(np.count_nonzero(is_flagged & ~is_positive))
    positives = int(np.count_nonzero(is_positive))
    return Confusion(tp=tp, fp=fp, fn=positives - tp, tn=y.size - positives - fp)



# --------------------------------------------------------------------------------------------------
# Agreement between two raters
# --------------------------------------------------------------------------------------------------
class Kappa(NamedTuple):
    """Cohen's κ with its large-sample standard error and a normal confidence interval."""

    kappa: float
    se: float
    ci_low: float
    ci_high: float
    observed: float  # p_o, the share of items on the diagonal
    expected: float  # p_e, the agreement expected by chance from the two raters' marginal rates


def cohen_kappa(table, confidence: float = 0.95) -> Kappa:
    """Cohen's κ of a k × k agreement table, with the Fleiss–Cohen–Everitt (1969) standard error.

    With cell shares ``p_ij`` (rater A's label i, rater B's label j), row and column margins ``p_i+`` and
    ``p_+j``::

        p_o = Σ p_ii,   p_e = Σ p_i+ · p_+i,   κ = (p_o − p_e) / (1 − p_e)

        Var(κ) = [ Σ_i p_ii (1 − (p_i+ + p_+i)(1 − κ))²
                   + (1 − κ)² Σ_{i≠j} p_ij (p_+i + p_j+)²
                   − (κ − p_e (1 − κ))² ] / ((1 − p_e)² n)

    and the interval is ``κ ± z · SE`` (normal approximation; fine for hundreds of items).

    Parameters
    ----------
    table : array-like of shape (k, k)
        Counts (non-negative, finite), rows = rater A's label, columns = rater B's, same label order.
    confidence : float, default=0.95

    Returns
    -------
    Kappa(kappa, se, ci_low, ci_high, observed, expected)
        Same κ as ``sklearn.metrics.cohen_kappa_score`` on the expanded label pairs; same SE and
        interval as ``statsmodels.stats.inter_rater.cohens_kappa(table)`` (``std_kappa``).

    Raises
    ------
    ValueError
        A table that is not square, is empty, has negative counts, or where both raters use one
        single label (p_e = 1: κ undefined).
    """
    from scipy.stats import norm

    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or t.shape[0] != t.shape[1] or t.shape[0] < 2:
        raise ValueError(f"table must be a square k × k array of counts with k ≥ 2; got shape {t.shape}.")
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError("table must hold finite, non-negative counts.")
    n = t.sum()
    if n == 0:
        raise ValueError("the agreement table is empty: no items were double-labelled.")
    p = t / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    p_o = float(np.trace(p))
    p_e = float(rows @ cols)
    if p_e >= 1:
        raise ValueError("both raters gave every item the same single label: κ is undefined (p_e = 1).")
    kappa = (p_o - p_e) / (1 - p_e)
    diag = np.diag(p)
    term_a = float(np.sum(diag * (1 - (rows + cols) * (1 - kappa)) ** 2))
    off = p * (cols[:, None] + rows[None, :]) ** 2
    np.fill_diagonal(off, 0.0)
    term_b = (1 - kappa) ** 2 * float(off.sum())
    term_c = (kappa - p_e * (1 - kappa)) ** 2
    var = max(term_a + term_b - term_c, 0.0) / ((1 - p_e) ** 2 * n)
    se = math.sqrt(var)
    z = float(norm.ppf(0.5 + confidence / 2))
    return Kappa(float(kappa), se, float(kappa - z * se), float(kappa + z * se), p_o, p_e)


# Landis & Koch (1977): a convention for reading κ, not a law. Upper bounds, inclusive.
KAPPA_BANDS = ((0.0, "poor"), (0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial"),
               (1.0, "almost perfect"))


def kappa_band(kappa: float) -> str:
    """The Landis & Koch label of a κ value (κ ≤ 0 'poor', (0, 0.2] 'slight', … (0.8, 1] 'almost perfect')."""
    for upper, name in KAPPA_BANDS:
        if kappa <= upper:
            return name
    return KAPPA_BANDS[-1][1]
