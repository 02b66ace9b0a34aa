"""caselab.metrics: the seed numbers derived by hand, and every metric against scikit-learn."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from caselab.maths.metrics import Confusion, _ratio, confusion_at_threshold, confusion_from_rates

FAST = settings(max_examples=150, deadline=None)


# --- the seed article's two operating points, by hand ----------------------------------------


def test_seed_operating_point_precision_70_recall_45_by_hand():
    # n = 10,000 examples, prevalence 8 %: P = 10,000 · 0.08 = 800 positives, 9,200 negatives.
    positives = Fraction(10_000) * Fraction(8, 100)
    assert positives == 800
    tp = Fraction(45, 100) * positives  # recall · P = 0.45 · 800 = 360
    fn = positives - tp  # 800 − 360 = 440
    fp = tp * (1 - Fraction(70, 100)) / Fraction(70, 100)  # 360 · 0.30 / 0.70 = 1080/7
    tn = 10_000 - positives - fp  # 9,200 − 1080/7 = 63320/7
    assert (tp, fn, fp, tn) == (360, 440, Fraction(1080, 7), Fraction(63320, 7))
    f1 = 2 * tp / (2 * tp + fp + fn)  # 720 / (720 + 1080/7 + 440) = 5040/9200 = 63/115
    assert f1 == Fraction(63, 115)
    cost = fp * 1 + fn * 5  # 1080/7 + 2,200 = 16480/7
    assert cost == Fraction(16480, 7)

    c = confusion_from_rates(10_000, 0.08, precision=0.70, recall=0.45)
    assert c.tp == pytest.approx(float(tp), rel=1e-12)
    assert c.fn == pytest.approx(float(fn), rel=1e-12)
    assert c.fp == pytest.approx(float(fp), rel=1e-12)  # 154.2857…
    assert c.tn == pytest.approx(float(tn), rel=1e-12)  # 9045.714…
    assert c.f1 == pytest.approx(float(f1), rel=1e-12)
    assert round(c.f1, 5) == 0.54783
    assert c.expected_cost(cost_fp=1, cost_fn=5) == pytest.approx(float(cost), rel=1e-12)
    assert round(c.expected_cost(1, 5), 4) == 2354.2857
    # the F1 of the counts is the harmonic mean of the given rates: 2·0.7·0.45/(0.7 + 0.45)
    assert c.f1 == pytest.approx(2 * 0.7 * 0.45 / (0.7 + 0.45), rel=1e-12)
    assert c.precision == pytest.approx(0.70, rel=1e-12) and c.recall == pytest.approx(0.45, rel=1e-12)


def test_seed_operating_point_precision_58_recall_66_by_hand():
    positives = Fraction(800)
    tp = Fraction(66, 100) * positives  # 0.66 · 800 = 528
    fn = positives - tp  # 272
    fp = tp * (1 - Fraction(58, 100)) / Fraction(58, 100)  # 528 · 42/58 = 11088/29 = 382.3448…
    tn = 10_000 - positives - fp
    assert (tp, fn, fp) == (528, 272, Fraction(11088, 29))
    f1 = 2 * tp / (2 * tp + fp + fn)  # 1056 / (1056 + 11088/29 + 272) = 0.617419…
    cost = fp * 1 + fn * 5  # 11088/29 + 1,360 = 50528/29 = 1742.3448…
    assert cost == Fraction(50528, 29)

    c = confusion_from_rates(10_000, 0.08, precision=0.58, recall=0.66)
    assert (c.tp, c.fn) == (pytest.approx(528.0), pytest.approx(272.0))
    assert c.fp == pytest.approx(float(fp), rel=1e-12)
    assert c.tn == pytest.approx(float(tn), rel=1e-12)
    assert c.f1 == pytest.approx(float(f1), rel=1e-12)
    assert round(c.f1, 5) == 0.61742
    assert c.expected_cost(1, 5) == pytest.approx(float(cost), rel=1e-12)
    assert round(c.expected_cost(1, 5), 2) == 1742.34


def test_confusion_from_rates_keeps_n_and_prevalence():
    c = confusion_from_rates(2_500, 0.3, precision=0.8, recall=0.5)
    assert c.n == pytest.approx(2_500)
    assert c.prevalence == pytest.approx(0.3)
    assert c.positives == pytest.approx(750) and c.negatives == pytest.approx(1_750)


def test_confusion_from_rates_boundary_fp_equal_to_negatives_is_allowed():
    # P = 5, TP = 5, FP = 5·0.5/0.5 = 5 = all five negatives: TN = 0 exactly, not an error.
    c = confusion_from_rates(10, 0.5, precision=0.5, recall=1.0)
    assert (c.tp, c.fp, c.fn, c.tn) == (5, 5, 0, 0)


def test_confusion_from_rates_zero_recall_and_zero_prevalence():
    c = confusion_from_rates(100, 0.2, precision=0.3, recall=0.0)
    assert (c.tp, c.fp, c.fn, c.tn) == (0, 0, 20, 80)
    c = confusion_from_rates(100, 0.0, precision=1.0, recall=1.0)
    assert (c.tp, c.fp, c.fn, c.tn) == (0, 0, 0, 100)


@FAST
@given(n=st.floats(1, 1e6), prevalence=st.floats(0.001, 0.999), precision=st.floats(0.01, 1.0),
       recall=st.floats(0.0, 1.0, allow_subnormal=False))
def test_confusion_from_rates_round_trips(n, prevalence, precision, recall):
    try:
        c = confusion_from_rates(n, prevalence, precision, recall)
    except ValueError as error:
        assert "negative number of true negatives" in str(error)
        # the rates really are inconsistent: FP would exceed the negatives
        tp = recall * n * prevalence
        assert tp * (1 - precision) / precision > n * (1 - prevalence) * (1 - 1e-9)
        return
    assert c.n == pytest.approx(n, rel=1e-9)
    assert c.recall == pytest.approx(recall, rel=1e-9, abs=1e-12)
    if c.tp > 1e-6:  # (with denormal counts like 1e-320, precision is lost to underflow)
        assert c.precision == pytest.approx(precision, rel=1e-9)
    assert min(c.tp, c.fp, c.fn, c.tn) >= 0


# --- Confusion against scikit-learn on integer confusions -------------------------------------

counts = st.one_of(st.integers(0, 6), st.integers(500, 2000))  # zeros, tiny cells and extreme imbalance


def _labels_and_predictions(tp, fp, fn, tn):
    y_true = np.array([1] * tp + [0] * fp + [1] * fn + [0] * tn)
    y_pred = np.array([1] * tp + [1] * fp + [0] * fn + [0] * tn)
    return y_true, y_pred


@FAST
@given(tp=counts, fp=counts, fn=counts, tn=counts, beta=st.sampled_from([0.5, 1.0, 2.0, 0.3, 3.7]))
def test_confusion_metrics_match_sklearn(tp, fp, fn, tn, beta):
    if tp + fp + fn + tn == 0:
        return
    y_true, y_pred = _labels_and_predictions(tp, fp, fn, tn)
    c = Confusion(tp, fp, fn, tn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk_tn, sk_fp, sk_fn, sk_tp = skm.confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()
        assert (c.tn, c.fp, c.fn, c.tp) == (sk_tn, sk_fp, sk_fn, sk_tp)
        assert c.precision == pytest.approx(skm.precision_score(y_true, y_pred, zero_division=0), abs=1e-12)
        assert c.recall == pytest.approx(skm.recall_score(y_true, y_pred, zero_division=0), abs=1e-12)
        assert c.f1 == pytest.approx(skm.f1_score(y_true, y_pred, zero_division=0), abs=1e-12)
        assert c.f_beta(beta) == pytest.approx(
            skm.fbeta_score(y_true, y_pred, beta=beta, zero_division=0), abs=1e-12)
        assert c.mcc == pytest.approx(skm.matthews_corrcoef(y_true, y_pred), abs=1e-12)
        assert c.accuracy == pytest.approx(skm.accuracy_score(y_true, y_pred), abs=1e-12)
        # specificity is the recall of the negative class; NPV its precision
        assert c.specificity == pytest.approx(
            skm.recall_score(y_true, y_pred, pos_label=0, zero_division=0), abs=1e-12)
        assert c.npv == pytest.approx(skm.precision_score(y_true, y_pred, pos_label=0, zero_division=0), abs=1e-12)
        if c.positives > 0 and c.negatives > 0:  # scikit-learn averages only the classes present
            assert c.balanced_accuracy == pytest.approx(skm.balanced_accuracy_score(y_true, y_pred), abs=1e-12)


@FAST
@given(tp=counts, fp=counts, fn=counts, tn=counts)
def test_rates_are_complementary_where_defined(tp, fp, fn, tn):
    c = Confusion(tp, fp, fn, tn)
    if c.positives:
        assert c.fnr == pytest.approx(1 - c.recall)
        assert c.tpr == c.recall
    if c.negatives:
        assert c.fpr == pytest.approx(1 - c.specificity)
    assert c.n == tp + fp + fn + tn
    assert c.flagged == tp + fp
    assert -1 - 1e-12 <= c.mcc <= 1 + 1e-12
    # F-beta tends to precision as beta -> 0 and to recall as beta -> inf
    if tp + fp and tp + fn:
        assert c.f_beta(1e-6) == pytest.approx(c.precision, abs=1e-6)
        assert c.f_beta(1e6) == pytest.approx(c.recall, abs=1e-6)


def test_zero_division_policy_is_zero():
    assert _ratio(3, 0) == 0.0 and _ratio(0, 0) == 0.0
    assert _ratio(1, 4) == 0.25
    nothing_flagged = Confusion(tp=0, fp=0, fn=5, tn=95)
    assert nothing_flagged.precision == 0.0
    assert nothing_flagged.f1 == 0.0
    assert nothing_flagged.mcc == 0.0  # TP + FP = 0 in the MCC denominator
    no_positives = Confusion(tp=0, fp=3, fn=0, tn=7)
    assert no_positives.recall == 0.0 and no_positives.fnr == 0.0
    assert no_positives.specificity == 0.7
    assert no_positives.balanced_accuracy == pytest.approx(0.35)  # (0 + 0.7)/2: the 0.0 is averaged in
    assert Confusion(0, 0, 0, 0).accuracy == 0.0


def test_mcc_by_hand():
    # (TP·TN − FP·FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (6·3 − 1·2)/sqrt(7·8·4·5) = 16/sqrt(1120)
    assert Confusion(tp=6, fp=1, fn=2, tn=3).mcc == pytest.approx(16 / math.sqrt(1120))


def test_expected_cost_counts_all_four_cells():
    c = Confusion(tp=10, fp=20, fn=3, tn=67)
    # 10·2 + 20·1 + 3·50 + 67·0.5 = 20 + 20 + 150 + 33.5 = 223.5
    assert c.expected_cost(cost_fp=1, cost_fn=50, cost_tp=2, cost_tn=0.5) == 223.5
    assert c.expected_cost(1, 50) == 20 + 150


def test_confusion_is_frozen_and_printable():
    c = Confusion(360, 154.2857142857143, 440, 9045.714285714286)
    with pytest.raises(AttributeError):
        c.tp = 1
    text = str(c)
    assert "TP 360" in text and "FN 440" in text and "FP 154.29" in text and "TN 9,045.71" in text
    assert "F1 0.5478" in text


# --- confusion_at_threshold ---------------------------------------------------------------------

# (negative label, positive label, pos_label argument): 0/1 and the encodings scikit-learn accepts
ENCODINGS = [(0, 1, None), (-1, 1, None), (1, 2, 2), ("ham", "spam", "spam"), (1, 0, 0), (False, True, None)]


@FAST
@given(data=st.data())
def test_confusion_at_threshold_matches_sklearn_confusion_matrix(data):
    n = data.draw(st.integers(1, 30))
    y = np.array(data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    if data.draw(st.booleans()):  # extreme imbalance: a single example of one class
        y = np.full(n, data.draw(st.integers(0, 1)))
        y[data.draw(st.integers(0, n - 1))] ^= 1
    values = data.draw(st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=4))
    scores = np.array(data.draw(st.lists(st.sampled_from(values), min_size=n, max_size=n)))
    threshold = data.draw(st.one_of(st.sampled_from(values), st.floats(-6, 6), st.just(np.inf), st.just(-np.inf)))
    negative, positive, pos_label = data.draw(st.sampled_from(ENCODINGS))
    labels = np.where(y == 1, positive, negative)
    c = confusion_at_threshold(labels, scores, threshold, pos_label=pos_label)
    flagged = np.where(scores >= threshold, positive, negative)
    tn, fp, fn, tp = skm.confusion_matrix(labels, flagged, labels=[negative, positive]).ravel()
    assert (c.tp, c.fp, c.fn, c.tn) == (tp, fp, fn, tn)


def test_confusion_at_threshold_flags_ties_and_the_infinities():
    y, scores = [1, 0, 1, 0], [0.9, 0.5, 0.5, 0.1]
    assert confusion_at_threshold(y, scores, 0.5) == Confusion(tp=2, fp=1, fn=0, tn=1)  # score >= 0.5
    assert confusion_at_threshold(y, scores, np.inf) == Confusion(tp=0, fp=0, fn=2, tn=2)
    assert confusion_at_threshold(y, scores, -np.inf) == Confusion(tp=2, fp=2, fn=0, tn=0)


# ---------------------------------------------------------------------------------------------------
# Cohen's κ with its standard error
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(20))
def test_cohen_kappa_matches_statsmodels_and_sklearn_on_random_tables(seed):
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import cohens_kappa

    from caselab.maths.metrics import cohen_kappa

    rng = np.random.default_rng(seed)
    k = 2 + seed % 3  # 2, 3 and 4 labels
    table = rng.integers(0, 60, (k, k)) + np.diag(rng.integers(20, 200, k))
    ours = cohen_kappa(table)
    ref = cohens_kappa(table)
    assert ours.kappa == pytest.approx(ref.kappa)
    assert ours.se == pytest.approx(ref.std_kappa)
    assert (ours.ci_low, ours.ci_high) == pytest.approx((ref.kappa_low, ref.kappa_upp))
    # κ from the item-level labels
    a = np.repeat(np.repeat(np.arange(k), k), table.ravel())
    b = np.repeat(np.tile(np.arange(k), k), table.ravel())
    assert ours.kappa == pytest.approx(cohen_kappa_score(a, b))


def test_cohen_kappa_refuses_bad_tables_and_bands_by_landis_koch():
    from caselab.maths.metrics import cohen_kappa, kappa_band

    with pytest.raises(ValueError, match="square"):
        cohen_kappa([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ValueError, match="undefined"):
        cohen_kappa([[10, 0], [0, 0]])
    with pytest.raises(ValueError, match="empty"):
        cohen_kappa([[0, 0], [0, 0]])
    assert [kappa_band(x) for x in (-0.1, 0.2, 0.21, 0.6, 0.61, 0.95)] == [
        "poor", "slight", "fair", "moderate", "substantial", "almost perfect"]
