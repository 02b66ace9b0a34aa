"""caselab.curves against scikit-learn and against naive O(n·u) scans written out here."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import metrics as skm

from caselab.maths import curves
from caselab.maths.curves import (
    _confusion_matrix_at_thresholds_argsort,
    average_precision,
    bayes_threshold,
    confusion_matrix_at_thresholds,
    max_fbeta_threshold,
    min_cost_threshold,
    precision_recall_curve,
    roc_auc,
    roc_curve,
    threshold_for_capacity,
    threshold_for_precision,
)

FAST = settings(max_examples=150, deadline=None)


# --- data: heavy ties, tiny n, extreme imbalance, wide and narrow score ranges --------------

@st.composite
def labelled_scores(draw, max_size=40):
    """(y, scores) with a mix of shapes that break sweep implementations."""
    shape = draw(st.sampled_from(["few_values", "continuous", "probabilities", "one_positive", "one_negative", "tiny"]))
    if shape in ("one_positive", "one_negative"):  # extreme imbalance: one example of a class among many
        n = draw(st.integers(2, 300))
        y = np.zeros(n, dtype=int)
        y[draw(st.integers(0, n - 1))] = 1
        if shape == "one_negative":
            y = 1 - y
    else:
        n = draw(st.integers(1, 5 if shape == "tiny" else max_size))
        y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    if shape in ("few_values", "tiny", "one_positive", "one_negative") or draw(st.booleans()):
        # heavy ties: every score is one of a few distinct values (including -0.0 and 0.0)
        values = draw(st.lists(st.sampled_from([-2.5, -1.0, -0.0, 0.0, 0.1, 0.5, 0.5000000000000001, 0.9, 1.0, 3.0]),
                               min_size=1, max_size=4))
        scores = np.array(draw(st.lists(st.sampled_from(values), min_size=n, max_size=n)))
    elif shape == "probabilities":
        scores = np.array(draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    else:  # any finite floats, including mixed signs over a huge range (the argsort fallback)
        scores = np.array(draw(st.lists(st.floats(-1e12, 1e12, allow_nan=False), min_size=n, max_size=n)))
    return y, scores


def both_classes(y):
    return 0 < y.sum() < y.size


def distinct_thresholds_descending(scores):
    return sorted(set(scores.tolist()), reverse=True)


def naive_counts(y, scores, threshold):
    """TP, FP, FN, TN by recomputing every prediction — the seed article's loop body."""
    tp = fp = fn = tn = 0
    for label, score in zip(y.tolist(), scores.tolist(), strict=True):
        flagged = score >= threshold
        if flagged and label:
            tp += 1
        elif flagged:
            fp += 1
        elif label:
            fn += 1
        else:
            tn += 1
    return tp, fp, fn, tn


# --- the sweep ------------------------------------------------------------------------------

@FAST
@given(labelled_scores())
def test_sweep_matches_sklearn_confusion_matrix_at_thresholds(data):
    y, scores = data
    ours = confusion_matrix_at_thresholds(y, scores)
    theirs = skm.confusion_matrix_at_thresholds(y, scores)
    for name, a, b in zip(ours._fields, ours, theirs, strict=True):
        assert_array_equal(a, b, err_msg=name)
    assert ours.tps.dtype == ours.fps.dtype == ours.thresholds.dtype == np.float64


@FAST
@given(labelled_scores())
def test_fast_sweep_equals_argsort_reference(data):
    y, scores = data
    fast = confusion_matrix_at_thresholds(y, scores)
    reference = _confusion_matrix_at_thresholds_argsort(y, scores)
    for a, b in zip(fast, reference, strict=True):
        assert_array_equal(a, b)


@FAST
@given(labelled_scores(max_size=12))
def test_sweep_matches_naive_counts_at_every_distinct_score(data):
    y, scores = data
    sweep = confusion_matrix_at_thresholds(y, scores)
    assert sweep.thresholds.tolist() == distinct_thresholds_descending(scores)
    for i, t in enumerate(sweep.thresholds):
        assert naive_counts(y, scores, t) == (sweep.tps[i], sweep.fps[i], sweep.fns[i], sweep.tns[i])


def test_fast_sweep_equals_reference_on_large_heavily_tied_input():
    rng = np.random.default_rng(7)
    n = 200_000
    y = (rng.random(n) < 0.03).astype(int)
    scores = np.round(rng.beta(0.5, 3, n) + 0.3 * y, 3)  # ~1,300 distinct values, thousands of ties each
    fast, reference = confusion_matrix_at_thresholds(y, scores), _confusion_matrix_at_thresholds_argsort(y, scores)
    for a, b in zip(fast, reference, strict=True):
        assert_array_equal(a, b)
    assert fast.thresholds.size < 2_000
    assert fast.tps[-1] == y.sum() and fast.fps[-1] == n - y.sum()


def _spy_on(monkeypatch, name):
    """Record the sizes of the inputs of every call to ``curves.<name>``."""
    calls = []
    original = getattr(curves, name)

    def spy(y, scores):
        calls.append(scores.size)
        return original(y, scores)

    monkeypatch.setattr(curves, name, spy)
    return calls


def test_fast_path_handles_probabilities_and_small_mixed_sign_scores(monkeypatch):
    argsorts = _spy_on(monkeypatch, "_sweep_argsort")
    y = np.array([0, 1, 0, 1, 1, 0])
    for scores in ([0.2, 0.9, 0.2, 0.0, 1.0, -0.0], [-1.5, 1.9, -0.0, 0.25, 0.25, -1.9], [-7.0, -3.0, -3.0, -1e300, -2.0, -5.0],
                   [1e300, 2.0, 5e-324, 0.0, 7.0, 7.0]):
        assert_array_equal(confusion_matrix_at_thresholds(y, scores).tps,
                           skm.confusion_matrix_at_thresholds(y, scores)[3])
    assert argsorts == []  # one sign, or both signs within (-2, 2): the bit-packed sort applies


def test_wide_mixed_sign_scores_fall_back_to_argsort(monkeypatch):
    argsorts = _spy_on(monkeypatch, "_sweep_argsort")
    y, scores = np.array([0, 1, 0, 1, 1]), np.array([-5.0, 5.0, 3.0, -0.5, -0.5])  # margins: no spare bit
    sweep = confusion_matrix_at_thresholds(y, scores)
    assert argsorts == [5]
    assert sweep.thresholds.tolist() == [5.0, 3.0, -0.5, -5.0]
    assert sweep.tps.tolist() == [1, 1, 3, 3] and sweep.fps.tolist() == [0, 1, 1, 2]
    for a, b in zip(sweep, skm.confusion_matrix_at_thresholds(y, scores), strict=True):
        assert_array_equal(a, b)


def test_negative_zero_and_zero_are_one_threshold():
    sweep = confusion_matrix_at_thresholds([1, 0, 1], [0.0, -0.0, 0.5])
    assert sweep.thresholds.tolist() == [0.5, 0.0]
    assert sweep.tps.tolist() == [1.0, 2.0] and sweep.fps.tolist() == [0.0, 1.0]


def test_sweep_unpacks_like_sklearn_docstring_example():
    tns, fps, fns, tps, thresholds = confusion_matrix_at_thresholds([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    assert tns.tolist() == [2, 1, 1, 0] and fps.tolist() == [0, 1, 1, 2]
    assert fns.tolist() == [1, 1, 0, 0] and tps.tolist() == [1, 1, 2, 2]
    assert thresholds.tolist() == [0.8, 0.4, 0.35, 0.1]


# --- curves and areas against scikit-learn --------------------------------------------------

@FAST
@given(labelled_scores(), st.booleans())
def test_precision_recall_curve_matches_sklearn(data, drop_intermediate):
    y, scores = data
    assume(y.sum() > 0)
    ours = precision_recall_curve(y, scores, drop_intermediate=drop_intermediate)
    theirs = skm.precision_recall_curve(y, scores, drop_intermediate=drop_intermediate)
    for a, b in zip(ours, theirs, strict=True):
        assert a.shape == b.shape
        assert_allclose(a, b, rtol=1e-15, atol=0)
    assert ours.precision[-1] == 1.0 and ours.recall[-1] == 0.0


@FAST
@given(labelled_scores(), st.booleans())
def test_roc_curve_matches_sklearn(data, drop_intermediate):
    y, scores = data
    assume(both_classes(y))
    ours = roc_curve(y, scores, drop_intermediate=drop_intermediate)
    theirs = skm.roc_curve(y, scores, drop_intermediate=drop_intermediate)
    for a, b in zip(ours, theirs, strict=True):
        assert a.shape == b.shape
        assert_allclose(a, b, rtol=1e-15, atol=0)
    assert ours.thresholds[0] == np.inf and ours.fpr[0] == ours.tpr[0] == 0


@FAST
@given(labelled_scores())
def test_average_precision_matches_sklearn(data):
    y, scores = data
    assume(y.sum() > 0)
    assert average_precision(y, scores) == pytest.approx(skm.average_precision_score(y, scores), rel=1e-12, abs=1e-15)


@FAST
@given(labelled_scores())
def test_roc_auc_matches_sklearn_and_the_pairwise_definition(data):
    y, scores = data
    assume(both_classes(y))
    auc = roc_auc(y, scores)
    assert auc == pytest.approx(skm.roc_auc_score(y, scores), rel=1e-12, abs=1e-15)
    # P(positive scores above negative), ties counted one half (Mann-Whitney U / (P·N))
    pos, neg = scores[y == 1], scores[y == 0]
    pairwise = np.mean((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :]))
    assert auc == pytest.approx(pairwise, rel=1e-12)


def test_average_precision_by_hand():
    # scores 0.8 (pos), 0.4 (neg), 0.35 (pos), 0.1 (neg): thresholds 0.8 → P=1, R=½; 0.35 → P=⅔, R=1
    # AP = ½·1 + ½·⅔ = ⅚ (0.4 and 0.1 add no recall)
    assert average_precision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(5 / 6)
    # all positives tied with all negatives: one threshold, precision = prevalence
    assert average_precision([1, 0, 0, 0], [0.5] * 4) == pytest.approx(0.25)


def test_curves_are_named_tuples_that_unpack():
    y, s = [0, 1, 1, 0, 1], [0.1, 0.8, 0.4, 0.4, 0.9]
    precision, recall, thresholds = precision_recall_curve(y, s)
    assert precision_recall_curve(y, s).recall is not None and thresholds.tolist() == [0.1, 0.4, 0.8, 0.9]
    fpr, tpr, thresholds = roc_curve(y, s, drop_intermediate=False)
    assert fpr.tolist() == [0, 0, 0, 0.5, 1] and tpr.tolist() == [0, 1 / 3, 2 / 3, 1, 1]


def test_precision_recall_curve_allows_all_positive_labels():
    precision, recall, thresholds = precision_recall_curve([1, 1], [0.3, 0.6])
    assert precision.tolist() == [1, 1, 1] and recall.tolist() == [1, 0.5, 0]


# --- selectors against naive scans ----------------------------------------------------------

def naive_min_cost(y, scores, cost_fp, cost_fn, cost_tp, cost_tn):
    candidates = [math.inf] + distinct_thresholds_descending(scores)
    costs = []
    for t in candidates:
        tp, fp, fn, tn = naive_counts(y, scores, t)
        costs.append(tp * cost_tp + fp * cost_fp + fn * cost_fn + tn * cost_tn)
    tolerance = 1e-12 * len(y) * max(cost_fp, cost_fn, cost_tp, cost_tn)
    best = min(costs)
    first = next(i for i, c in enumerate(costs) if c <= best + tolerance)  # highest threshold among ties
    return candidates[first], costs[first]


costs = st.one_of(st.sampled_from([0.0, 1.0, 2.0, 5.0, 500.0]), st.floats(0, 100))


@FAST
@given(labelled_scores(max_size=25), costs, costs, costs, costs)
def test_min_cost_threshold_matches_naive_scan(data, cost_fp, cost_fn, cost_tp, cost_tn):
    y, scores = data
    t, cost = min_cost_threshold(y, scores, cost_fp, cost_fn, cost_tp, cost_tn)
    t_naive, cost_naive = naive_min_cost(y, scores, cost_fp, cost_fn, cost_tp, cost_tn)
    assert t == t_naive
    assert cost == pytest.approx(cost_naive, rel=1e-12, abs=1e-9)
    # and the cost is what the confusion matrix at that threshold costs
    tp, fp, fn, tn = naive_counts(y, scores, t)
    assert cost == pytest.approx(tp * cost_tp + fp * cost_fp + fn * cost_fn + tn * cost_tn, rel=1e-12, abs=1e-9)


def test_min_cost_threshold_ties_choose_the_highest_threshold():
    # flagging the 0.5 group (1 pos, 1 neg) with C_FP = C_FN = 1: cost 1 either way -> keep the higher threshold
    y, scores = [1, 1, 0, 0], [0.9, 0.5, 0.5, 0.1]
    assert min_cost_threshold(y, scores, cost_fp=1, cost_fn=1) == (0.9, 1.0)
    # all-free errors: every candidate costs 0 -> "flag nothing"
    assert min_cost_threshold(y, scores, cost_fp=0, cost_fn=0) == (math.inf, 0.0)


def test_min_cost_threshold_with_one_class():
    # only negatives: flagging anything only adds false positives
    assert min_cost_threshold([0, 0, 0], [0.2, 0.5, 0.9], cost_fp=1, cost_fn=5) == (math.inf, 0.0)
    # only positives: flag everything (the lowest score), no cost
    assert min_cost_threshold([1, 1, 1], [0.2, 0.5, 0.9], cost_fp=1, cost_fn=5) == (0.2, 0.0)


def test_min_cost_threshold_by_hand():
    # scores   0.9 0.8 0.7 0.3 0.2 ; labels 1 0 1 0 0 ; C_FP = 1, C_FN = 5
    # t = inf: 2 FN -> 10 ; t = 0.9: 1 FN -> 5 ; t = 0.8: 1 FP + 1 FN -> 6 ; t = 0.7: 1 FP -> 1 ;
    # t = 0.3: 2 FP -> 2 ; t = 0.2: 3 FP -> 3  => 0.7 with cost 1
    t, cost = min_cost_threshold([1, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.3, 0.2], cost_fp=1, cost_fn=5)
    assert (t, cost) == (0.7, 1.0)


@FAST
@given(st.lists(st.sampled_from([0.1, 0.2, 0.5, 0.7, 0.9]), min_size=1, max_size=30)
       | st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=30), st.integers(1, 35))
def test_threshold_for_capacity_matches_naive(scores, k):
    scores = np.array(scores)
    descending = sorted(scores.tolist(), reverse=True)
    expected = descending[min(k, len(descending)) - 1]  # the k-th highest, or the lowest if k > n
    result = threshold_for_capacity(scores, k)
    assert result.threshold == expected
    assert result.n_flagged == sum(s >= expected for s in scores.tolist())
    assert result.n_flagged >= min(k, len(scores))


def test_threshold_for_capacity_ties_at_the_boundary_flag_more_than_k():
    threshold, n_flagged = threshold_for_capacity([0.9, 0.7, 0.7, 0.7, 0.1], k=2)
    assert threshold == 0.7 and n_flagged == 4  # the three tied at 0.7 are all flagged
    assert threshold_for_capacity([0.3, 0.1], k=10) == (0.1, 2)  # k > n: flag everything


def naive_precision_threshold(y, scores, min_precision):
    best = (math.inf, 0.0, 0.0)
    for t in distinct_thresholds_descending(scores):
        tp, fp, fn, _ = naive_counts(y, scores, t)
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        if precision >= min_precision and recall > best[2]:  # strict: keeps the highest threshold on ties
            best = (t, precision, recall)
    return best


@FAST
@given(labelled_scores(max_size=25), st.one_of(st.sampled_from([0.0, 0.25, 0.5, 2 / 3, 0.9, 1.0]), st.floats(0, 1)))
def test_threshold_for_precision_matches_naive_scan(data, min_precision):
    y, scores = data
    assume(y.sum() > 0)
    result = threshold_for_precision(y, scores, min_precision)
    expected = naive_precision_threshold(y, scores, min_precision)
    assert result.threshold == expected[0]
    assert result.precision == pytest.approx(expected[1], rel=1e-12)
    assert result.recall == pytest.approx(expected[2], rel=1e-12)


def test_threshold_for_precision_unreachable_returns_flag_nothing():
    y, scores = [0, 1, 0, 0], [0.9, 0.8, 0.3, 0.1]  # best precision: 1/2 at 0.8
    assert threshold_for_precision(y, scores, 0.6) == (math.inf, 0.0, 0.0)
    assert threshold_for_precision(y, scores, 0.5) == (0.8, 0.5, 1.0)
    # min_precision 0: the highest threshold with full recall
    assert threshold_for_precision(y, scores, 0.0) == (0.8, 0.5, 1.0)


def naive_max_fbeta(y, scores, beta):
    best_t, best_f = None, -1.0
    for t in distinct_thresholds_descending(scores):
        tp, fp, fn, _ = naive_counts(y, scores, t)
        precision = tp / (tp + fp)
        recall = tp / (tp + fn)
        f = 0.0 if tp == 0 else (1 + beta**2) * precision * recall / (beta**2 * precision + recall)
        if f > best_f + 1e-12:
            best_t, best_f = t, f
    return best_t, best_f


@FAST
@given(labelled_scores(max_size=25), st.sampled_from([0.5, 1.0, 2.0, 3.0]))
def test_max_fbeta_threshold_matches_naive_scan(data, beta):
    y, scores = data
    assume(y.sum() > 0)
    t, f = max_fbeta_threshold(y, scores, beta)
    t_naive, f_naive = naive_max_fbeta(y, scores, beta)
    assert t == t_naive
    assert f == pytest.approx(f_naive, rel=1e-12)
    y_pred = (scores >= t).astype(int)
    assert f == pytest.approx(skm.fbeta_score(y, y_pred, beta=beta, zero_division=0), rel=1e-12)


def test_max_fbeta_threshold_by_hand():
    # labels 1 0 1 0 0 at 0.9 0.8 0.7 0.3 0.2: F1 at 0.9 = 2/(2+0+1) = 2/3; at 0.7 = 4/(4+1+0) = 4/5
    assert max_fbeta_threshold([1, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.3, 0.2]) == pytest.approx((0.7, 0.8))
    # beta = 0.5 weighs precision: F at 0.9 = 1.25·1/(1.25 + 0.25·1 + 0) = 5/6 beats 1.25·2/(2.5 + 1) = 5/7
    assert max_fbeta_threshold([1, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.3, 0.2], beta=0.5) == pytest.approx((0.9, 5 / 6))


# --- Bayes threshold --------------------------------------------------------------------------

def test_bayes_threshold_examples():
    assert bayes_threshold(5, 500) == pytest.approx(5 / 505)  # 0.00990
    assert round(bayes_threshold(5, 500), 5) == 0.00990
    assert bayes_threshold(1, 5) == pytest.approx(1 / 6)
    # (C_FP − C_TN) / ((C_FP − C_TN) + (C_FN − C_TP)) = 5 / (5 + 495) = 0.01
    assert bayes_threshold(cost_fp=5, cost_fn=500, cost_tp=5) == pytest.approx(0.0100)
    assert bayes_threshold(1, 1) == 0.5


@FAST
@given(st.floats(0.01, 100), st.floats(0.01, 100), st.floats(0, 50), st.floats(0, 50), st.floats(0, 1))
def test_bayes_threshold_minimises_expected_cost_per_example(a, b, cost_tp, cost_tn, p):
    cost_fp, cost_fn = cost_tn + a, cost_tp + b  # C_FP > C_TN and C_FN > C_TP
    tau = bayes_threshold(cost_fp, cost_fn, cost_tp, cost_tn)
    assert 0 < tau < 1
    flag = p * cost_tp + (1 - p) * cost_fp
    leave = p * cost_fn + (1 - p) * cost_tn
    scale = 1e-9 * (cost_fp + cost_fn + cost_tp + cost_tn)
    if p >= tau:
        assert flag <= leave + scale
    else:
        assert leave <= flag + scale


def test_min_cost_threshold_approaches_bayes_threshold_on_calibrated_scores():
    rng = np.random.default_rng(3)
    p = rng.beta(1, 6, 200_000)
    y = (rng.random(p.size) < p).astype(int)  # calibrated by construction
    t, _ = min_cost_threshold(y, p, cost_fp=1, cost_fn=5)
    assert t == pytest.approx(bayes_threshold(1, 5), abs=0.02)


def test_selectors_unpack_as_tuples():
    y, s = [1, 0, 1, 0], [0.9, 0.6, 0.4, 0.1]
    t, cost = min_cost_threshold(y, s, 1, 5)
    t_cap, n_flagged = threshold_for_capacity(s, 2)
    t_p, precision, recall = threshold_for_precision(y, s, 0.6)
    t_f, f = max_fbeta_threshold(y, s)
    assert (t, cost) == (0.4, 1.0) and (t_cap, n_flagged) == (0.6, 2)
    assert (t_p, precision, recall) == (0.4, 2 / 3, 1.0) and (t_f, f) == (0.4, 0.8)


def test_no_warnings_from_curves():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y, s = [1, 0, 1, 1], [0.5, 0.5, 0.2, 0.9]
        precision_recall_curve(y, s)
        roc_curve(y, s)
        average_precision(y, s)
        roc_auc(y, s)
        min_cost_threshold(y, s, 1, 1)


@FAST
@given(data=st.data())
def test_recall_and_fpr_selectors_match_a_naive_scan(data):
    n = data.draw(st.integers(2, 40))
    y = np.array(data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    assume(0 < y.sum() < n)
    scores = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.5, 0.9, 1.0]), min_size=n,
                                         max_size=n)))
    candidates = np.unique(scores)[::-1]  # highest first; positive ⇔ score ≥ t
    recall = np.array([np.sum((scores >= t) & (y == 1)) / y.sum() for t in candidates])

    min_recall = data.draw(st.floats(0.01, 1.0))
    got = curves.threshold_for_recall(y, scores, min_recall)
    first = int(np.argmax(recall >= min_recall - 1e-12))  # the highest threshold reaching the target
    assert got.threshold == candidates[first] and got.recall == pytest.approx(recall[first])

    max_fpr = data.draw(st.floats(0.0, 1.0))
    _assert_fpr_selector_matches_naive_scan(y, scores, max_fpr)


def _assert_fpr_selector_matches_naive_scan(y, scores, max_fpr):
    """Naive oracle: every distinct score, keep those within the cap, most recall, then highest threshold."""
    y, scores = np.asarray(y), np.asarray(scores)
    n_pos, n_neg = y.sum(), y.size - y.sum()
    best = None  # (recall, threshold) of the non-dominated choice
    for t in sorted(set(scores.tolist()), reverse=True):
        flagged = scores >= t
        fpr = np.sum(flagged & (y == 0)) / n_neg
        recall = np.sum(flagged & (y == 1)) / n_pos
        if fpr <= max_fpr and recall > 0 and (best is None or recall > best[0]):
            best = (recall, t, fpr)  # strictly more recall only: equal recall keeps the higher threshold
    got = curves.threshold_for_fpr(y, scores, max_fpr)
    if best is None:
        assert got == (np.inf, 0.0, 0.0)
    else:
        assert got.threshold == best[1] and got.recall == pytest.approx(best[0])
        assert got.fpr == pytest.approx(best[2])


def test_fpr_selector_returns_the_non_dominated_point_on_random_cases():
    # The issue-12 counterexample: 0.8 also has recall 1 but adds a false positive; 0.9 dominates it.
    assert curves.threshold_for_fpr([1, 0, 0], [0.9, 0.8, 0.7], 0.5) == (0.9, 0.0, 1.0)
    rng = np.random.default_rng(12)
    dominated_cases = 0  # cases where "lowest threshold within the cap" would have been dominated
    for _ in range(1_102):
        n = int(rng.integers(2, 30))
        y = rng.integers(0, 2, n)
        if not 0 < y.sum() < n:
            continue
        scores = rng.integers(0, 8, n) / 8  # coarse grid: many ties, many vertical runs
        max_fpr = float(rng.random())
        _assert_fpr_selector_matches_naive_scan(y, scores, max_fpr)
        candidates = np.unique(scores)[::-1]
        fpr = np.array([np.sum((scores >= t) & (y == 0)) for t in candidates]) / (n - y.sum())
        within = np.flatnonzero(fpr <= max_fpr)
        if within.size and curves.threshold_for_fpr(y, scores, max_fpr).threshold != candidates[within[-1]]:
            dominated_cases += 1
    assert dominated_cases > 100  # the old rule really was wrong often; the oracle above checked every case


def test_fpr_selector_agrees_with_sklearn_roc_curve_default():
    # The learner's route: roc_curve (drop_intermediate=True), last point within the cap.
    from sklearn.metrics import roc_curve as sk_roc_curve
    rng = np.random.default_rng(5)
    for _ in range(300):
        n = int(rng.integers(3, 60))
        y = rng.integers(0, 2, n)
        if not 0 < y.sum() < n:
            continue
        scores = rng.integers(0, 10, n) / 10
        max_fpr = float(rng.random())
        got = curves.threshold_for_fpr(y, scores, max_fpr)
        # every point: the most recall within the cap, then the first (highest) threshold reaching it
        fpr, tpr, thr = sk_roc_curve(y, scores, drop_intermediate=False)
        best_tpr = tpr[fpr <= max_fpr].max()
        i = int(np.argmax(tpr == best_tpr))
        if best_tpr == 0:
            assert got == (np.inf, 0.0, 0.0)
        else:
            assert (got.threshold, got.recall) == (thr[i], pytest.approx(tpr[i]))
        # the default curve keeps corners only (the left end of every flat run survives); the same
        # rule on it gives our point, or — when the best in-cap point sat inside a diagonal run it
        # thinned — one with less recall, never the same recall at another threshold
        fpr, tpr, thr = sk_roc_curve(y, scores)
        best_tpr = tpr[fpr <= max_fpr].max()
        i = int(np.argmax(tpr == best_tpr))
        assert best_tpr <= got.recall + 1e-12
        if best_tpr == got.recall and got.recall > 0:
            assert thr[i] == got.threshold


def test_recall_and_fpr_selectors_by_hand():
    # scores 0.9 0.8 0.7 0.6 0.5 with labels 1 0 1 1 0: recall 2/3 is first reached at 0.7 (TP 2, FP 1)
    y, s = [1, 0, 1, 1, 0], [0.9, 0.8, 0.7, 0.6, 0.5]
    assert curves.threshold_for_recall(y, s, 0.6) == (0.7, 2 / 3, 2 / 3)
    # FPR ≤ 0.5 allows one of the two negatives: the lowest such threshold is 0.6 (TP 3, FP 1)
    assert curves.threshold_for_fpr(y, s, 0.5) == (0.6, 0.5, 1.0)
    with pytest.raises(ValueError, match="min_recall"):
        curves.threshold_for_recall(y, s, 0.0)
    with pytest.raises(ValueError, match="threshold_for_fpr"):
        curves.threshold_for_fpr([1, 1], [0.2, 0.3], 0.1)


# --- labels other than 0/1, and integer scores ----------------------------------------------------

LABEL_ENCODINGS = st.sampled_from([
    (lambda y: np.where(y == 1, 1, -1), None),        # {-1, 1}: 1 is positive without pos_label
    (lambda y: y + 1, 2),                             # {1, 2}
    (lambda y: np.where(y == 1, "spam", "ham"), "spam"),
    (lambda y: 1 - y, 0),                             # 0 is the positive class
])


@FAST
@given(labelled_scores(), LABEL_ENCODINGS)
def test_label_encodings_match_sklearn_with_the_same_pos_label(data, encoding):
    y, scores = data
    encode, pos_label = encoding
    labels = encode(y)
    sweep = confusion_matrix_at_thresholds(labels, scores, pos_label=pos_label)
    for a, b in zip(sweep, skm.confusion_matrix_at_thresholds(labels, scores, pos_label=pos_label), strict=True):
        assert_array_equal(a, b)
    if y.any():
        ours = precision_recall_curve(labels, scores, pos_label=pos_label)
        theirs = skm.precision_recall_curve(labels, scores, pos_label=pos_label)
        for a, b in zip(ours, theirs, strict=True):
            assert_allclose(a, b, rtol=1e-12)
        sk_pos_label = 1 if pos_label is None else pos_label  # average_precision_score defaults to 1
        assert average_precision(labels, scores, pos_label=pos_label) == pytest.approx(
            skm.average_precision_score(labels, scores, pos_label=sk_pos_label), abs=1e-12)
    if both_classes(y):
        for a, b in zip(roc_curve(labels, scores, pos_label=pos_label),
                        skm.roc_curve(labels, scores, pos_label=pos_label), strict=True):
            assert_allclose(a, b, rtol=1e-12)
        # roc_auc_score has no pos_label: it takes the larger label as positive, so give it the 0/1 labels
        assert roc_auc(labels, scores, pos_label=pos_label) == pytest.approx(skm.roc_auc_score(y, scores), abs=1e-12)


@pytest.mark.parametrize("dtype", [np.int64, np.uint64, np.int32])
def test_integer_scores_up_to_2_to_the_53_are_exact(dtype):
    top = 2**53 if dtype != np.int32 else 2**31 - 1
    scores = np.array([top, top - 1, top - 2, top - 1], dtype=dtype)  # distinct only in the last unit
    y = [0, 1, 1, 0]
    # positives {top-1, top-2} against negatives {top, top-1}: of the 4 pairs only (top-1, top-1) counts, as a
    # tie (1/2): AUC = 0.5 / 4 = 0.125 (all-equal float scores would give 0.5)
    assert roc_auc(y, scores) == skm.roc_auc_score(y, scores) == 0.125
    assert confusion_matrix_at_thresholds(y, scores).thresholds.tolist() == [top, top - 1, top - 2]
    # past 2**53 float64 would tie 2**62 + 1 with 2**62 (roc_auc 0.5; the truth, scikit-learn's, is 0.0): refused
    assert skm.roc_auc_score([0, 1], np.array([2**62 + 1, 2**62])) == 0.0
    with pytest.raises(ValueError, match=r"beyond ±2\*\*53"):
        roc_auc([0, 1], np.array([2**62 + 1, 2**62]))
