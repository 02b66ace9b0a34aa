"""Threshold curves (PR, ROC), their areas, and rules for choosing a deployment threshold.

Decision rule
-------------
Everywhere in caselab an example is **flagged positive when its score is >= the threshold**. A
threshold of ``+inf`` flags nothing; the lowest score flags everything. Every threshold returned
here is either one of the scores or ``+inf``.

One sweep behind everything
---------------------------
A classifier with ``u`` distinct scores has exactly ``u`` different operating points (plus "flag
nothing"): moving the threshold between two neighbouring distinct scores changes no decision. So
every curve and every selector in this module is a few lines on top of one helper,
:func:`confusion_matrix_at_thresholds`, which returns — for each distinct score ``t``, from the
highest down — how many negatives and positives score ``>= t``. It costs one sort, O(n log n);
recomputing the predictions for every candidate threshold would cost O(n·u), i.e. O(n²).
The design follows scikit-learn's ``sklearn/metrics/_ranking.py`` and its return conventions, so
every curve here equals scikit-learn's array for array.

Zero division follows :mod:`caselab.metrics`: a ratio whose denominator is 0 is 0.0. The curves
never meet one, because every distinct score flags at least one example and the curves that
divide by the positives (or negatives) require some (see "One class only" below).

Labels
------
``y_true`` may be 0/1, -1/1 or booleans (1 / True is the positive class), or any two labels
(``{1, 2}``, ``{"legit", "fraud"}``) with ``pos_label=`` naming the positive class — scikit-learn's
rule, applied by :func:`caselab._validation.check_binary_labels` for every function here. Without
``pos_label``, labels other than {0, 1} and {-1, 1} raise a ``ValueError`` asking for it.

Scores are any finite numbers; integers beyond ±2**53 are refused (float64 would merge distinct
ones into ties — cast to float64 yourself if ties are acceptable).

One class only
--------------
* ``roc_curve`` and ``roc_auc`` need positives *and* negatives (TPR and FPR divide by each);
* ``precision_recall_curve``, ``average_precision``, ``threshold_for_precision`` and
  ``max_fbeta_threshold`` need positives (recall divides by them);
* all of them raise a ``ValueError`` saying so (scikit-learn warns and returns NaN or a constant).
  ``confusion_matrix_at_thresholds`` and ``min_cost_threshold`` work with one class: their counts
  and costs stay well defined.

References
----------
* Davis, J. & Goadrich, M. (2006). The relationship between precision-recall and ROC curves. ICML.
* Fawcett, T. (2006). An introduction to ROC analysis. Pattern Recognition Letters 27(8).
* Elkan, C. (2001). The foundations of cost-sensitive learning. IJCAI.
* scikit-learn: ``precision_recall_curve``, ``roc_curve``, ``average_precision_score``,
  ``confusion_matrix_at_thresholds`` (https://scikit-learn.org/stable/api/sklearn.metrics.html).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from caselab.maths._validation import (
    check_cost,
    check_has_both_classes,
    check_has_positives,
    check_labels_and_scores,
    check_positive,
    check_positive_int,
    check_probability,
    check_scores,
)

__all__ = [
    "ThresholdSweep",
    "PrecisionRecallCurve",
    "RocCurve",
    "CostThreshold",
    "CapacityThreshold",
    "PrecisionThreshold",
    "RecallThreshold",
    "FprThreshold",
    "FBetaThreshold",
    "confusion_matrix_at_thresholds",
    "precision_recall_curve",
    "roc_curve",
    "average_precision",
    "roc_auc",
    "min_cost_threshold",
    "threshold_for_capacity",
    "threshold_for_precision",
    "threshold_for_recall",
    "threshold_for_fpr",
    "max_fbeta_threshold",
    "bayes_threshold",
]


class ThresholdSweep(NamedTuple):
    """Confusion counts at every distinct score, highest threshold first (arrays of one length)."""

    tns: np.ndarray
    fps: np.ndarray
    fns: np.ndarray
    tps: np.ndarray
    thresholds: np.ndarray


class PrecisionRecallCurve(NamedTuple):
    precision: np.ndarray
    recall: np.ndarray
    thresholds: np.ndarray


class RocCurve(NamedTuple):
    fpr: np.ndarray
    tpr: np.ndarray
    thresholds: np.ndarray


class CostThreshold(NamedTuple):
    threshold: float
    cost: float


class CapacityThreshold(NamedTuple):
    threshold: float
    n_flagged: int


class PrecisionThreshold(NamedTuple):
    threshold: float
    precision: float
    recall: float


class RecallThreshold(NamedTuple):
    threshold: float
    recall: float
    precision: float


class FprThreshold(NamedTuple):
    threshold: float
    fpr: float
    recall: float


class FBetaThreshold(NamedTuple):
    threshold: float
    fbeta: float


# --------------------------------------------------------------------------------------------
# The sweep
# --------------------------------------------------------------------------------------------

_SIGN_BIT = np.uint64(1 << 63)


def _sortable_keys(scores: np.ndarray) -> np.ndarray:
    """Unsigned 64-bit integers that sort exactly as the float64 ``scores`` do.

    A double is stored as sign | exponent | mantissa. For non-negative numbers that bit pattern,
    read as an unsigned integer, grows with the value; for negative numbers it grows with the
    *magnitude*, the wrong way. Setting the sign bit of the non-negatives and inverting every bit of
    the negatives puts all finite doubles in order (the classic radix-sort trick). ``-0.0`` is not
    ``< 0``, so it gets the key of ``+0.0``: equal scores, equal keys.
    """
    keys = scores.view(np.uint64) | _SIGN_BIT
    if scores.min() < 0:  # (probabilities never are: skip two passes over the data)
        np.invert(keys, out=keys, where=scores < 0)
    return keys


def _scores_from_keys(keys: np.ndarray) -> np.ndarray:
    """Inverse of :func:`_sortable_keys`, in place: a key without its top bit came from a negative score."""
    if keys.min() >= _SIGN_BIT:  # no negative scores (e.g. probabilities)
        keys ^= _SIGN_BIT
    else:
        is_negative = keys < _SIGN_BIT
        np.invert(keys, out=keys, where=is_negative)
        np.bitwise_xor(keys, _SIGN_BIT, out=keys, where=~is_negative)
    return keys.view(np.float64)


def _sweep(y: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts of negatives and positives scoring >= each distinct score (validated inputs).

    Returns ``(fps, tps, thresholds)``: float64 arrays, thresholds decreasing, exactly as
    :func:`_sweep_argsort` (the textbook version: sort examples by score, then cumulative sums).

    Why not ``np.argsort``? The sweep needs the labels in score order, and an argsort of 10⁷ floats
    is ~6x slower than ``np.sort`` (which is SIMD-vectorised) and is followed by two random-access
    gathers. Instead we build one integer per example — its score's position below the highest
    score, shifted left one bit, with the label in the freed bit 0 — and ``sort`` those: the
    integers come out in decreasing-score order *carrying their labels*. It is exact: no float is
    rounded, ties stay ties. At n = 10⁷ this takes about half the time of the bare argsort
    (benchmarks/README.md); past the sort, the cost is mostly memory traffic, hence the buffer reuse.
    """
    n = scores.size
    keys = _sortable_keys(scores)
    highest = keys.max()
    if highest - keys.min() >= _SIGN_BIT:
        # The scores span more than 2**63 representable doubles, so no bit is free for the label:
        # only possible with both signs and max·|min| above about 4, e.g. raw margins from -5 to 5.
        # Use the argsort version (same result; at n = 10⁷ it takes ~1.5x a bare argsort).
        return _sweep_argsort(y, scores)

    # (highest − key) is 0 for the top score and grows as the score falls: an *ascending* sort of
    # it lists scores from highest to lowest, like scikit-learn's descending argsort.
    packed = np.subtract(highest, keys, out=keys)
    packed <<= 1
    packed |= y.view(np.uint8)  # the label rides in bit 0; it only breaks ties between equal scores
    packed.sort()

    # Read the labels off bit 0 (astype(uint8) keeps the lowest byte), then drop them from the keys:
    # now equal integers <=> equal scores.
    is_positive = packed.astype(np.uint8)
    is_positive &= 1
    packed >>= 1

    # One operating point per distinct score: the last example of each run of equal scores.
    is_last_of_its_score = np.empty(n, dtype=bool)
    np.not_equal(packed[1:], packed[:-1], out=is_last_of_its_score[:-1])
    is_last_of_its_score[-1] = True
    if np.count_nonzero(is_last_of_its_score) == n:
        # Every score distinct (continuous scores, the common case): each example is its own run, so
        # the three gathers below would copy whole arrays for nothing.
        return _sweep_all_distinct(packed, is_positive, highest)
    threshold_keys = packed[is_last_of_its_score]
    np.subtract(highest, threshold_keys, out=threshold_keys)  # undo (highest − key)
    thresholds = _scores_from_keys(threshold_keys)

    # Running counts of positives and of negatives down the sorted list, read at each run's end.
    # They are written into the sort buffer, whose keys are no longer needed: allocating fresh
    # memory costs about as much as computing on it.
    running_count = packed.view(np.float64)
    np.cumsum(is_positive, dtype=np.float64, out=running_count)
    tps = running_count[is_last_of_its_score]
    np.cumsum(1 - is_positive, dtype=np.float64, out=running_count)
    fps = running_count[is_last_of_its_score]
    return fps, tps, thresholds


def _sweep_all_distinct(packed: np.ndarray, is_positive: np.ndarray, highest: np.uint64):
    """The end of :func:`_sweep` when no two scores are equal: thresholds, TP and FP at every example."""
    thresholds = _scores_from_keys(np.subtract(highest, packed))  # a new array: packed becomes the TP buffer
    tps = packed.view(np.float64)
    np.cumsum(is_positive, dtype=np.float64, out=tps)
    fps = np.arange(1, packed.size + 1, dtype=np.float64)  # examples so far, minus the positives among them
    fps -= tps
    return fps, tps, thresholds


def _sweep_argsort(y: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reference sweep, as scikit-learn's ``_binary_clf_curve``: argsort, then cumulative sums."""
    order = np.argsort(scores)[::-1]  # decreasing score (the order within ties does not matter)
    sorted_scores = scores[order]
    sorted_labels = y[order]
    # Index of the last example of each run of equal scores (np.diff is 0 inside a run).
    last = np.r_[np.flatnonzero(np.diff(sorted_scores)), scores.size - 1]
    tps = np.cumsum(sorted_labels, dtype=np.float64)[last]
    fps = 1 + last - tps
    return fps, tps, sorted_scores[last]


def _as_threshold_sweep(fps, tps, thresholds) -> ThresholdSweep:
    # The last threshold flags everything, so fps[-1] and tps[-1] are the class totals.
    return ThresholdSweep(tns=fps[-1] - fps, fps=fps, fns=tps[-1] - tps, tps=tps, thresholds=thresholds)


def confusion_matrix_at_thresholds(y_true, y_score, *, pos_label=None) -> ThresholdSweep:
    """Confusion counts at every distinct score: the one sweep behind every curve.

    For each distinct score ``t`` (decreasing), flag the examples with ``score >= t`` and count.

    Parameters
    ----------
    y_true : array-like of 0/1, shape (n,)
    y_score : array-like of float, shape (n,)
        Finite scores; higher means "more likely positive".

    pos_label : int, float, bool or str, optional
        The positive class; needed unless the labels are 0/1 or -1/1 (see "Labels" in the module doc).

    Returns
    -------
    tns, fps, fns, tps : ndarray of float64, shape (u,)
        At index ``i``: negatives scoring below ``thresholds[i]`` (TN), negatives scoring at or
        above it (FP), positives below (FN), positives at or above (TP). ``tps`` and ``fps`` are
        non-decreasing; ``tps[-1]`` is the number of positives and ``fps[-1]`` of negatives.
    thresholds : ndarray of float64, shape (u,)
        The ``u`` distinct scores, decreasing.

    Notes
    -----
    Same return convention as ``sklearn.metrics.confusion_matrix_at_thresholds`` (scikit-learn >= 1.8)
    — a named tuple, so ``tns, fps, fns, tps, thresholds = ...`` works. One class only is fine.
    O(n log n), dominated by one integer sort; see :func:`_sweep` for how it avoids ``argsort``.

    Examples
    --------
    >>> sweep = confusion_matrix_at_thresholds([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> sweep.thresholds.tolist(), sweep.tps.tolist(), sweep.fps.tolist()
    ([0.8, 0.4, 0.35, 0.1], [1.0, 1.0, 2.0, 2.0], [0.0, 1.0, 1.0, 2.0])
    """
    y, scores = check_labels_and_scores(y_true, y_score, pos_label=pos_label)
    return _as_threshold_sweep(*_sweep(y, scores))


def _confusion_matrix_at_thresholds_argsort(y_true, y_score) -> ThresholdSweep:
    """:func:`confusion_matrix_at_thresholds` the straightforward way (argsort + cumsum), for testing."""
    y, scores = check_labels_and_scores(y_true, y_score)
    return _as_threshold_sweep(*_sweep_argsort(y, scores))


# --------------------------------------------------------------------------------------------
# Curves and areas
# --------------------------------------------------------------------------------------------


def precision_recall_curve(y_true, y_score, *, drop_intermediate: bool = False,
                           pos_label=None) -> PrecisionRecallCurve:
    """Precision and recall at every distinct threshold (scikit-learn's convention).

    ``precision = TP / (TP + FP)`` and ``recall = TP / P`` when flagging ``score >= threshold``.

    Parameters
    ----------
    y_true : array-like of 0/1
        Must contain at least one positive.
    y_score : array-like of float
    drop_intermediate : bool, default False
        Drop thresholds whose TP count equals both neighbours' (points inside a vertical run of
        the curve: same recall); the first and last point of each run are kept.

    pos_label : int, float, bool or str, optional
        The positive class; needed unless the labels are 0/1 or -1/1 (see "Labels" in the module doc).

    Returns
    -------
    precision : ndarray, shape (u + 1,)
        Precision at ``thresholds[i]``; the last element is 1 by convention.
    recall : ndarray, shape (u + 1,)
        Recall at ``thresholds[i]``, non-increasing; the last element is 0 (the "flag nothing" end).
    thresholds : ndarray, shape (u,)
        The distinct scores, *increasing* (as scikit-learn).

    The arrays equal ``sklearn.metrics.precision_recall_curve``'s element for element
    (Davis & Goadrich 2006 on why a PR curve must not be interpolated linearly: see
    :func:`average_precision`).
    """
    y, scores = check_labels_and_scores(y_true, y_score, pos_label=pos_label)
    check_has_positives(y, "precision_recall_curve")
    fps, tps, thresholds = _sweep(y, scores)
    if drop_intermediate and fps.size > 2:
        # Keep a point if TP changes on its left or right (same rule as scikit-learn).
        keep = np.r_[True, np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), True]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    # scikit-learn's layout: thresholds increasing (so recall decreases), then one more point, the
    # (recall 0, precision 1) end of the curve. Write the u values straight into the first u slots,
    # reversed (out=...[-2::-1]), to avoid building the arrays twice.
    precision = np.empty(thresholds.size + 1)
    recall = np.empty(thresholds.size + 1)
    precision[-1], recall[-1] = 1.0, 0.0
    flagged = np.add(tps, fps, out=fps)  # >= 1: each distinct score flags itself (fps: ours to reuse)
    np.divide(tps, flagged, out=precision[-2::-1])
    np.divide(tps, tps[-1], out=recall[-2::-1])
    return PrecisionRecallCurve(precision, recall, thresholds[::-1])


def roc_curve(y_true, y_score, *, drop_intermediate: bool = True, pos_label=None) -> RocCurve:
    """Receiver operating characteristic: FPR and TPR at every distinct threshold (scikit-learn's convention).

    ``fpr = FP / N`` and ``tpr = TP / P`` when flagging ``score >= threshold``.

    Parameters
    ----------
    y_true : array-like of 0/1
        Must contain both classes.
    y_score : array-like of float
    drop_intermediate : bool, default True
        Drop points collinear with their neighbours (no corner there); the area is unchanged.

    pos_label : int, float, bool or str, optional
        The positive class; needed unless the labels are 0/1 or -1/1 (see "Labels" in the module doc).

    Returns
    -------
    fpr, tpr : ndarray, increasing, starting at 0 ("flag nothing") and ending at 1.
    thresholds : ndarray, decreasing; ``thresholds[0] = inf`` is the "flag nothing" point.
    """
    y, scores = check_labels_and_scores(y_true, y_score, pos_label=pos_label)
    check_has_both_classes(y, "roc_curve")
    fps, tps, thresholds = _sweep(y, scores)
    if drop_intermediate and fps.size > 2:
        # A point is a corner if the second difference of fps or tps is non-zero there.
        keep = np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    return RocCurve(np.r_[0.0, fps] / fps[-1], np.r_[0.0, tps] / tps[-1], np.r_[np.inf, thresholds])


def average_precision(y_true, y_score, *, pos_label=None) -> float:
    """Average precision (AP), the step-wise area under the precision-recall curve.

    ``AP = Σ_k (R_k − R_{k−1}) · P_k`` over the distinct thresholds from the highest down, with
    ``R_0 = 0``: each threshold adds the recall it gains times its precision. No linear
    interpolation between points — that would be optimistic (Davis & Goadrich 2006). Equals
    ``sklearn.metrics.average_precision_score``. Its no-skill baseline is the prevalence.

    Needs at least one positive. ``pos_label`` names the positive class (needed unless the labels
    are 0/1 or -1/1).
    """
    y, scores = check_labels_and_scores(y_true, y_score, pos_label=pos_label)
    check_has_positives(y, "average_precision")
    fps, tps, _ = _sweep(y, scores)
    flagged = np.add(tps, fps, out=fps)  # (fps is our own array: reuse its memory)
    precision = np.divide(tps, flagged, out=flagged)
    positives_gained = np.empty_like(tps)  # TP_k − TP_{k−1}: the recall step times P
    positives_gained[0] = tps[0]
    np.subtract(tps[1:], tps[:-1], out=positives_gained[1:])
    # Σ_k (R_k − R_{k−1})·P_k = Σ_k (TP_k − TP_{k−1})·P_k / P; np.dot sums the products without a temporary.
    return float(max(0.0, np.dot(positives_gained, precision) / tps[-1]))


def roc_auc(y_true, y_score, *, pos_label=None) -> float:
    """Area under the ROC curve, by the trapezoid rule on the full curve.

    Equals the probability that a random positive scores above a random negative (ties count
    one half). Equals ``sklearn.metrics.roc_auc_score``. Needs both classes. ``pos_label`` names
    the positive class (needed unless the labels are 0/1 or -1/1; scikit-learn's ``roc_auc_score``
    instead takes the larger of two labels as positive).
    """
    y, scores = check_labels_and_scores(y_true, y_score, pos_label=pos_label)
    check_has_both_classes(y, "roc_auc")
    fps, tps, _ = _sweep(y, scores)
    fpr = np.r_[0.0, fps] / fps[-1]
    tpr = np.r_[0.0, tps] / tps[-1]
    # Trapezoid rule: each step adds its width (FPR gained) times the mean height (TPR) across it.
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


# --------------------------------------------------------------------------------------------
# Choosing a threshold
# --------------------------------------------------------------------------------------------

_TIE_TOLERANCE = 1e-12  # relative: values this close to the best are ties (floating-point rounding)


def _first_best(values: np.ndarray, *, maximize: bool, scale: float) -> int:
    """Index of the first optimal candidate, counting values within ``_TIE_TOLERANCE·scale`` as ties.

    Candidates are ordered from the highest threshold down, so "first" means the highest threshold,
    i.e. the fewest examples flagged: the tie policy of every selector below.
    """
    tolerance = _TIE_TOLERANCE * scale
    # The first exact optimum bounds the answer: a near-tie can only come before it, so only that prefix is
    # compared (one full pass plus part of another, instead of three full passes at n = 10⁷).
    j = int(np.argmax(values) if maximize else np.argmin(values))
    head = values[: j + 1]
    is_best = head >= values[j] - tolerance if maximize else head <= values[j] + tolerance
    return int(np.argmax(is_best))  # argmax of a boolean array: the index of the first True


def min_cost_threshold(y_true, y_score, cost_fp: float, cost_fn: float, cost_tp: float = 0.0,
                       cost_tn: float = 0.0, *, pos_label=None) -> CostThreshold:
    """The threshold with the lowest total cost on this labelled data.

    Scans every candidate — each distinct score, plus ``+inf`` ("flag nothing") — and returns the
    one minimising ``cost(t) = TP·C_TP + FP·C_FP + FN·C_FN + TN·C_TN`` (a total, not a mean).
    "Flag everything" is the lowest distinct score. Unlike :func:`bayes_threshold` it needs no
    calibration, but it is optimistic when chosen and reported on the same data.

    Parameters
    ----------
    y_true, y_score : array-like
        Labels (0/1) and finite scores. One class only is allowed.
    cost_fp, cost_fn, cost_tp, cost_tn : float
        Unit costs, finite and >= 0.

    pos_label : int, float, bool or str, optional
        The positive class; needed unless the labels are 0/1 or -1/1 (see "Labels" in the module doc).

    Returns
    -------
    CostThreshold(threshold, cost)
        ``t, cost = min_cost_threshold(...)`` works. ``threshold`` is a score or ``inf``.

    Notes
    -----
    Ties: among thresholds whose costs agree to within 1e-12 × (n × largest unit cost) — i.e. up to
    rounding — the *highest* threshold (fewest flags) wins.
    """
    y, scores = check_labels_and_scores(y_true, y_score, pos_label=pos_label)
    cost_fp, cost_fn = check_cost(cost_fp, "cost_fp"), check_cost(cost_fn, "cost_fn")
    cost_tp, cost_tn = check_cost(cost_tp, "cost_tp"), check_cost(cost_tn, "cost_tn")
    fps, tps, thresholds = _sweep(y, scores)
    n_positives, n_negatives = tps[-1], fps[-1]
    # Start from "flag nothing" (threshold +inf): every positive is a FN, every negative a TN.
    # Lowering the threshold turns FNs into TPs and TNs into FPs; each flag changes the total by:
    cost_flag_nothing = n_positives * cost_fn + n_negatives * cost_tn
    flag_a_positive = cost_tp - cost_fn  # usually < 0: a caught positive saves its miss cost
    flag_a_negative = cost_fp - cost_tn  # usually > 0: a false alarm
    # Candidate 0 is "flag nothing"; candidate i + 1 is thresholds[i]. Equals TP·C_TP + FP·C_FP + FN·C_FN + TN·C_TN.
    # The change from "flag nothing" at each threshold, computed in the sweep's own buffers (tps and fps are
    # our copies; at n = 10⁷ a fresh array costs as much as the arithmetic), the constant added to the
    # winner only. Candidates in order: "flag nothing" (change 0), then thresholds[0], thresholds[1], …
    change = np.multiply(tps, flag_a_positive, out=tps)
    change += np.multiply(fps, flag_a_negative, out=fps)
    tolerance = _TIE_TOLERANCE * y.size * max(cost_fp, cost_fn, cost_tp, cost_tn)
    lowest = int(np.argmin(change))
    if 0.0 <= change[lowest] + tolerance:  # flagging nothing is as good (within ties) and comes first
        return CostThreshold(float(np.inf), float(cost_flag_nothing))
    # the first threshold within the tie tolerance of the lowest cost (it can only come before the lowest)
    j = int(np.argmax(change[: lowest + 1] <= change[lowest] + tolerance))
    return CostThreshold(float(thresholds[j]), float(cost_flag_nothing + change[j]))


def threshold_for_capacity(y_score, k: int) -> CapacityThreshold:
    """The threshold that flags the top ``k`` scores: the k-th highest score.

    Parameters
    ----------
    y_score : array-like of float
    k : int
        How many examples can be acted on, >= 1. If ``k >= n`` everything is flagged (the
        threshold is the lowest score and ``n_flagged = n``).

    Returns
    -------
    CapacityThreshold(threshold, n_flagged)
        ``n_flagged`` = how many scores are >= ``threshold``. It can exceed ``k``: with the rule
        ``score >= threshold``, every example tied with the k-th highest score is flagged. (Flag
        exactly k only by breaking the tie some other way, e.g. at random.)

    Notes
    -----
    Needs no labels and no sweep: a partial sort (``np.partition``, O(n)) finds the k-th highest.
    """
    scores = check_scores(y_score)
    k = check_positive_int(k, "k")
    n = scores.size
    if k >= n:
        threshold = scores.min()
    else:
        threshold = np.partition(scores, n - k)[n - k]  # the (n − k)-th smallest = the k-th highest
    return CapacityThreshold(float(threshold), int(np.count_nonzero(scores >= threshold)))


def threshold_for_precision(y_true, y_score, min_precision: float, *, pos_label=None) -> PrecisionThreshold:
    """The threshold with the highest recall among those whose precision is >= ``min_precision``.

    Parameters
    ----------
    y_true, y_score : array-like
        Labels (0/1, at least one positive) and finite scores.
    min_precision : float
        In [0, 1].

    pos_label : int, float, bool or str, optional
        The positive class; needed unless the labels are 0/1 or -1/1 (see "Labels" in the module doc).

    Returns
    -------
    PrecisionThreshold(threshold, precision, recall)
        Precision and recall at that threshold. Among thresholds with the same (maximal) recall the
        highest is returned — it flags the fewest examples and has the highest precision.
        **If no threshold reaches** ``min_precision``, the result is ``(inf, 0.0, 0.0)``: flag
        nothing (precision 0.0 by the zero-division policy). Test ``result.recall == 0``.
    """
    y, scores = check_labels_and_scores(y_true, y_score, pos_label=pos_label)
    min_precision = check_probability(min_precision, "min_precision")
    check_has_positives(y, "threshold_for_precision")
    fps, tps, thresholds = _sweep(y, scores)
    precision = tps / (tps + fps)
    reaches = precision >= min_precision
    if not reaches.any():
        return PrecisionThreshold(float(np.inf), 0.0, 0.0)
    best_tps = tps[reaches].max()
    best = int(np.argmax(reaches & (tps == best_tps)))  # the first (highest) such threshold
    return PrecisionThreshold(float(thresholds[best]), float(precision[best]), float(tps[best] / tps[-1]))


def threshold_for_recall(y_true, y_score, min_recall: float, *, pos_label=None) -> RecallThreshold:
    """The highest threshold whose recall is >= ``min_recall`` (the fewest flags that catch that share).

    Recall only grows as the threshold falls, so this is the first operating point of the sweep with
    ``TP ≥ k``, ``k = ⌈min_recall · P⌉``: the k-th highest score among the positives.

    Parameters
    ----------
    y_true, y_score : array-like
        Labels (0/1, at least one positive) and finite scores.
    min_recall : float
        In (0, 1].

    pos_label : int, float, bool or str, optional
        The positive class; needed unless the labels are 0/1 or -1/1 (see "Labels" in the module doc).

    Returns
    -------
    RecallThreshold(threshold, recall, precision)
        The recall reached (≥ ``min_recall``; more when positives tie at the threshold) and the precision there.
    """
    y, scores = check_labels_and_scores(y_true, y_score, pos_label=pos_label)
    min_recall = check_probability(min_recall, "min_recall", open_low=True)
    check_has_positives(y, "threshold_for_recall")
    fps, tps, thresholds = _sweep(y, scores)
    # k positives must be caught; the 1e-9 keeps e.g. 0.95 · 40 = 38.00000000000001 from becoming 39
    k = max(1, math.ceil(min_recall * tps[-1] - 1e-9))
    i = int(np.argmax(tps >= k))
    return RecallThreshold(float(thresholds[i]), float(tps[i] / tps[-1]), float(tps[i] / (tps[i] + fps[i])))


def threshold_for_fpr(y_true, y_score, max_fpr: float, *, pos_label=None) -> FprThreshold:
    """The threshold with the highest recall among those whose false-positive rate is <= ``max_fpr``.

    An FPR cap bounds the share of *negatives* flagged (FP / N) — not the share of the flagged that are
    negatives (1 − precision): under imbalance the two give very different operating points.

    Parameters
    ----------
    y_true, y_score : array-like
        Labels with both classes present, and finite scores.
    max_fpr : float
        In [0, 1].
    pos_label : int, float, bool or str, optional
        The positive class; needed unless the labels are 0/1 or -1/1 (see "Labels" in the module doc).

    Returns
    -------
    FprThreshold(threshold, fpr, recall)
        FPR only grows as the threshold falls, so the lowest threshold within the cap has the most
        recall. Among thresholds with that same recall the **highest** is returned (as in
        ``threshold_for_precision``): lowering the threshold further only adds false positives, so the
        lowest one would be a dominated operating point. This is the point scikit-learn's
        ``roc_curve`` (``drop_intermediate=True``) keeps at the top of each vertical run.
        **If even the highest score breaks the cap, or no threshold within it catches a positive**, the
        result is ``(inf, 0.0, 0.0)``: flag nothing (recall 0 at FPR 0 dominates recall 0 at FPR > 0).
    """
    y, scores = check_labels_and_scores(y_true, y_score, pos_label=pos_label)
    max_fpr = check_probability(max_fpr, "max_fpr")
    check_has_both_classes(y, "threshold_for_fpr")
    fps, tps, thresholds = _sweep(y, scores)
    fpr = fps / fps[-1]
    within = np.flatnonzero(fpr <= max_fpr)
    if within.size == 0 or tps[within[-1]] == 0:
        return FprThreshold(float(np.inf), 0.0, 0.0)
    # tps only grows down the sweep: the first threshold reaching the last in-cap TP count is the
    # highest threshold with the most recall (fewest false positives for it)
    i = int(np.argmax(tps >= tps[within[-1]]))
    return FprThreshold(float(thresholds[i]), float(fpr[i]), float(tps[i] / tps[-1]))


def max_fbeta_threshold(y_true, y_score, beta: float = 1.0, *, pos_label=None) -> FBetaThreshold:
    """The threshold maximising F-beta on this labelled data.

    ``F_beta = (1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP)`` at each distinct score (see
    :meth:`caselab.metrics.Confusion.f_beta`). "Flag nothing" (F = 0) never wins: the lowest score
    flags every positive, so some candidate has F > 0.

    Parameters
    ----------
    y_true, y_score : array-like
        Labels (0/1, at least one positive) and finite scores.
    beta : float, default 1.0
        > 0; recall weighs β times as much as precision.

    pos_label : int, float, bool or str, optional
        The positive class; needed unless the labels are 0/1 or -1/1 (see "Labels" in the module doc).

    Returns
    -------
    FBetaThreshold(threshold, fbeta)
        Ties (F equal up to 1e-12) go to the highest threshold.
    """
    y, scores = check_labels_and_scores(y_true, y_score, pos_label=pos_label)
    beta = check_positive(beta, "beta")
    check_has_positives(y, "max_fbeta_threshold")
    fps, tps, thresholds = _sweep(y, scores)
    weight = beta * beta
    fns = tps[-1] - tps
    fbeta = (1 + weight) * tps / ((1 + weight) * tps + weight * fns + fps)  # > 0 denominators: P > 0
    best = _first_best(fbeta, maximize=True, scale=1.0)
    return FBetaThreshold(float(thresholds[best]), float(fbeta[best]))


def bayes_threshold(cost_fp: float, cost_fn: float, cost_tp: float = 0.0, cost_tn: float = 0.0) -> float:
    """The cost-optimal threshold for *calibrated* probabilities: flag when ``p >= τ*``.

    Flagging an example with probability ``p`` of being positive costs ``p·C_TP + (1 − p)·C_FP``
    in expectation; leaving it costs ``p·C_FN + (1 − p)·C_TN``. Flagging is no worse when ::

        p >= τ* = (C_FP − C_TN) / ((C_FP − C_TN) + (C_FN − C_TP))

    (Elkan 2001, "The foundations of cost-sensitive learning", Theorem 1). With only error costs,
    ``τ* = C_FP / (C_FP + C_FN)``: (1, 5) → 1/6; (5, 500) → 5/505 ≈ 0.0099.

    Parameters
    ----------
    cost_fp, cost_fn, cost_tp, cost_tn : float
        Unit costs, finite and >= 0, with ``C_FP > C_TN`` and ``C_FN > C_TP`` (a mistake costs more
        than the right call; otherwise the decision is trivial and there is no threshold to set).

    Returns
    -------
    float
        τ* in (0, 1).
    """
    cost_fp, cost_fn = check_cost(cost_fp, "cost_fp"), check_cost(cost_fn, "cost_fn")
    cost_tp, cost_tn = check_cost(cost_tp, "cost_tp"), check_cost(cost_tn, "cost_tn")
    if cost_fp <= cost_tn:
        raise ValueError(
            f"cost_fp ({cost_fp:g}) must exceed cost_tn ({cost_tn:g}): otherwise flagging a negative costs "
            "no more than leaving it, so flagging everything is optimal and there is no threshold to choose."
        )
    if cost_fn <= cost_tp:
        raise ValueError(
            f"cost_fn ({cost_fn:g}) must exceed cost_tp ({cost_tp:g}): otherwise missing a positive costs no "
            "more than catching it, so flagging nothing is optimal and there is no threshold to choose."
        )
    false_alarm_regret = cost_fp - cost_tn  # what flagging a negative costs, relative to the right call
    miss_regret = cost_fn - cost_tp  # what missing a positive costs, relative to the right call
    return false_alarm_regret / (false_alarm_regret + miss_regret)
