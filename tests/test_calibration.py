"""Tests for caselab.calibration: hand derivations plus scikit-learn / statsmodels oracles."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import CalibratedClassifierCV, _sigmoid_calibration, calibration_curve
from sklearn.frozen import FrozenEstimator
from sklearn.isotonic import IsotonicRegression, isotonic_regression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss
from sklearn.metrics import log_loss as sk_log_loss

from caselab.maths.calibration import (
    IsotonicFit,
    beta_for_balance,
    brier_score,
    expected_calibration_error,
    fit_platt,
    isotonic_fit,
    isotonic_predict,
    log_loss,
    platt_scaling,
    pool_adjacent_violators,
    prior_shift,
    prior_shift_factor,
    reliability_bins,
    undersampling_correction,
    undersampling_inverse,
)

FAST = settings(max_examples=60, deadline=None)


def _logistic_data(n=2000, a=2.0, b=-1.0, seed=0):
    rng = np.random.default_rng(seed)
    s = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(a * s + b)))).astype(int)
    return s, y


# --------------------------------------------------------------------------- reliability / ECE
def test_reliability_bins_hand_example():
    # 6 predictions, 3 quantile bins → edges at the 0, 1/3, 2/3, 1 quantiles.
    y = [0, 0, 1, 0, 1, 1]
    p = [0.1, 0.2, 0.3, 0.4, 0.8, 0.9]
    bins = reliability_bins(y, p, n_bins=3, strategy="quantile")
    # quantile(1/3) of 6 sorted values: position 5/3 → 0.2 + (2/3)(0.1) = 0.2667;
    # quantile(2/3): position 10/3 → 0.4 + (1/3)(0.4) = 0.5333
    np.testing.assert_allclose(bins.edges, [0.1, 0.2 + 0.2 / 3, 0.4 + 0.4 / 3, 0.9])
    np.testing.assert_array_equal(bins.count, [2, 2, 2])
    np.testing.assert_allclose(bins.mean_predicted, [0.15, 0.35, 0.85])
    np.testing.assert_allclose(bins.observed_rate, [0.0, 0.5, 1.0])
    # ECE = (2/6)|0.15 − 0| + (2/6)|0.35 − 0.5| + (2/6)|0.85 − 1| = (0.15 + 0.15 + 0.15)/3 = 0.15
    assert expected_calibration_error(y, p, n_bins=3) == pytest.approx(0.15)


def test_reliability_bins_right_closed_edges():
    # uniform edges 0, .5, 1: a value equal to the inner edge 0.5 goes to the LOWER bin
    bins = reliability_bins([0, 1, 1], [0.0, 0.5, 0.7], n_bins=2, strategy="uniform")
    np.testing.assert_array_equal(bins.count, [2, 1])
    np.testing.assert_allclose(bins.mean_predicted, [0.25, 0.7])


def test_reliability_bins_ties_merge_quantile_edges():
    # 80 % of predictions tied at 0.01: deciles coincide, duplicate edges merge, fewer bins
    p = np.r_[np.full(80, 0.01), np.linspace(0.2, 0.9, 20)]
    y = np.r_[np.zeros(79), 1, np.ones(20)].astype(int)
    bins = reliability_bins(y, p, n_bins=10)
    assert len(bins.count) < 10
    assert bins.count.sum() == 100
    assert bins.count[0] == 80  # the tied block is never split
    # the bottom edge is kept: the first bin is [0.01, 0.01], the block tied at the minimum
    assert bins.edges[0] == bins.edges[1] == 0.01
    assert np.all(np.diff(bins.edges[1:]) > 0)


def test_reliability_bins_keep_the_bin_of_predictions_tied_at_the_minimum():
    # The review's case: 2 of 5 predictions (>= 1/n_bins) tie at the minimum 0.
    # Percentiles at 0, 25, 50, 75, 100 of [0, 0, .1, .1, .2] are 0, 0, .1, .1, .2: inner edges {0, .1}.
    # Bins [0, 0] = {0, 0} (rate 1), (0, .1] = {.1, .1} (rate 0), (.1, .2] = {.2} (rate 1).
    y, p = [1, 1, 0, 0, 1], [0, 0, 0.1, 0.1, 0.2]
    bins = reliability_bins(y, p, n_bins=4)
    np.testing.assert_array_equal(bins.edges, [0, 0, 0.1, 0.2])
    np.testing.assert_array_equal(bins.count, [2, 2, 1])
    np.testing.assert_allclose(bins.mean_predicted, [0, 0.1, 0.2])
    np.testing.assert_array_equal(bins.observed_rate, [1, 0, 1])
    # ECE = (2/5)|0 − 1| + (2/5)|0.1 − 0| + (1/5)|0.2 − 1| = 0.4 + 0.04 + 0.16 = 0.60 (not 0.52)
    assert expected_calibration_error(y, p, n_bins=4) == pytest.approx(0.60)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=4, strategy="quantile")
    np.testing.assert_array_equal(bins.observed_rate, prob_true)
    np.testing.assert_array_equal(bins.mean_predicted, prob_pred)


NEAR_TIES = [1e-300, 1 - 1e-16]  # distinct from 0 and 1, but closer than 1e-15 to them


def test_quantile_edges_are_np_percentile_like_sklearn_to_the_last_bit():
    # The 1/3-quantile of these 7 values is 0.5 by np.quantile but 0.49999999999999983 by
    # np.percentile at 100·(1/3), which scikit-learn uses; the prediction 0.5 sits on that edge, so the
    # one ulp decides its bin. Like scikit-learn: bins {0.07, 0.18}, {0.5, 0.58, 0.6}, {0.74, 0.96}.
    p = [0.58, 0.6, 0.96, 0.07, 0.5, 0.74, 0.18]
    y = [1, 0, 1, 0, 0, 1, 0]
    third = np.linspace(0, 1, 4)[1]
    assert np.quantile(p, third) == 0.5 and np.percentile(p, third * 100) < 0.5  # the ulp, as numpy computes it
    bins = reliability_bins(y, p, n_bins=3)
    np.testing.assert_array_equal(bins.count, [2, 3, 2])
    np.testing.assert_allclose(bins.mean_predicted, [0.125, (0.5 + 0.58 + 0.6) / 3, 0.85])
    prob_true, prob_pred = calibration_curve(y, p, n_bins=3)
    np.testing.assert_array_equal(bins.mean_predicted, prob_pred)
    np.testing.assert_array_equal(bins.observed_rate, prob_true)


@st.composite
def tied_probabilities(draw, max_size=40, near_ties=True, continuous=True):
    """(y, p): labels and probabilities with heavy ties (often at the minimum or maximum), tiny n and
    extreme imbalance — the cases where binning and clipping conventions show. ``near_ties=False``
    keeps distinct values at least 1e-15 apart (and draws continuous values from a grid of 1e-6);
    ``continuous=False`` draws only from a few values at least 0.05 apart."""
    shapes = ["few_values", "tied_minimum", "tied_maximum", "tiny"] + ["continuous"] * continuous
    shape = draw(st.sampled_from(shapes))
    n = draw(st.integers(1, 5 if shape == "tiny" else max_size))
    if shape == "continuous":
        if near_ties:
            p = np.array(draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
        else:
            p = np.array(draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n))) / 10**6
    else:
        choices = [0.0, 0.1, 0.2, 0.25, 1 / 3, 0.5, 0.7, 0.9, 1.0] + (NEAR_TIES if near_ties else [])
        values = draw(st.lists(st.sampled_from(choices), min_size=1, max_size=4))
        p = np.array(draw(st.lists(st.sampled_from(values), min_size=n, max_size=n)))
        if shape in ("tied_minimum", "tied_maximum"):  # a block of at least a quarter of the predictions
            k = draw(st.integers(max(1, n // 4), n))
            p[:k] = p.min() if shape == "tied_minimum" else p.max()
    labels = draw(st.sampled_from(["random", "one_positive", "one_negative", "one_class"]))
    if labels == "random":
        y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    elif labels == "one_class":
        y = np.full(n, draw(st.integers(0, 1)))
    else:  # extreme imbalance: a single example of one class
        y = np.zeros(n, dtype=int) if labels == "one_positive" else np.ones(n, dtype=int)
        y[draw(st.integers(0, n - 1))] ^= 1
    return y, p


def _sklearn_bin_counts(y_prob, n_bins, strategy):
    """How many examples fall in each bin that scikit-learn's calibration_curve returns (it does not
    say): its own bin assignment, written out from its documented rule, empty bins dropped."""
    if strategy == "quantile":
        edges = np.percentile(y_prob, np.linspace(0, 1, n_bins + 1) * 100)
    else:
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    counts = np.bincount(np.searchsorted(edges[1:-1], y_prob), minlength=n_bins)
    return counts[counts > 0]


@FAST
@given(tied_probabilities(), st.integers(1, 12), st.sampled_from(["quantile", "uniform"]))
def test_reliability_bins_equal_sklearn_calibration_curve_on_tied_cases(data, n_bins, strategy):
    y, p = data
    bins = reliability_bins(y, p, n_bins=n_bins, strategy=strategy)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    filled = bins.count > 0  # sklearn drops empty bins
    np.testing.assert_array_equal(bins.observed_rate[filled], prob_true)
    np.testing.assert_array_equal(bins.mean_predicted[filled], prob_pred)
    np.testing.assert_array_equal(bins.count[filled], _sklearn_bin_counts(p, n_bins, strategy))
    assert bins.count.sum() == y.size and len(bins.edges) == len(bins.count) + 1
    assert np.all(np.diff(bins.edges) >= 0) and np.all(np.diff(bins.edges[1:]) > 0)
    ece = np.sum(bins.count[filled] / y.size * np.abs(prob_pred - prob_true))
    assert expected_calibration_error(y, p, n_bins=n_bins, strategy=strategy) == pytest.approx(ece, abs=1e-15)


def test_constant_predictions_give_one_bin():
    bins = reliability_bins([0, 1, 0, 0], [0.25] * 4, n_bins=10)
    np.testing.assert_array_equal(bins.count, [4])
    assert expected_calibration_error([0, 1, 0, 0], [0.25] * 4) == 0.0  # base rate is 1/4


@pytest.mark.parametrize("strategy", ["quantile", "uniform"])
def test_reliability_bins_match_sklearn_calibration_curve(strategy):
    s, y = _logistic_data(n=3000, seed=1)
    p = 1 / (1 + np.exp(-(1.5 * s - 1)))  # mis-calibrated on purpose
    bins = reliability_bins(y, p, n_bins=10, strategy=strategy)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy=strategy)
    filled = bins.count > 0  # sklearn drops empty bins
    np.testing.assert_allclose(bins.observed_rate[filled], prob_true)
    np.testing.assert_allclose(bins.mean_predicted[filled], prob_pred)
    # ECE rebuilt from sklearn's curve and our counts
    ece = np.sum(bins.count[filled] / len(y) * np.abs(prob_pred - prob_true))
    assert expected_calibration_error(y, p, strategy=strategy) == pytest.approx(ece)


def test_uniform_bins_keep_empty_bins_as_nan():
    bins = reliability_bins([0, 1], [0.05, 0.95], n_bins=10, strategy="uniform")
    assert bins.count.tolist() == [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert np.isnan(bins.mean_predicted[1]) and np.isnan(bins.observed_rate[1])


def test_ece_depends_on_binning_convention():
    s, y = _logistic_data(n=2000, seed=2)
    p = 1 / (1 + np.exp(-(3 * s - 1)))
    values = {
        expected_calibration_error(y, p, n_bins=k, strategy=st_)
        for k in (5, 10, 20)
        for st_ in ("quantile", "uniform")
    }
    assert len(values) == 6  # six conventions, six different numbers


# --------------------------------------------------------------------------- Brier / log loss
def test_brier_hand_and_sklearn():
    y = [1, 0, 0, 1]
    p = [0.9, 0.2, 0.0, 0.4]
    # ((0.1)² + 0.2² + 0² + 0.6²)/4 = (0.01 + 0.04 + 0 + 0.36)/4 = 0.1025
    assert brier_score(y, p) == pytest.approx(0.1025)
    assert brier_score(y, p) == pytest.approx(brier_score_loss(y, p))


def test_brier_base_rate_baseline():
    # predicting the prevalence π = 0.01 for everyone scores π(1 − π) = 0.0099
    y = np.r_[np.ones(10), np.zeros(990)].astype(int)
    assert brier_score(y, np.full(1000, 0.01)) == pytest.approx(0.01 * 0.99)


def test_log_loss_hand_and_sklearn():
    y = [1, 0, 1]
    p = [0.8, 0.3, 0.5]
    hand = -(math.log(0.8) + math.log(0.7) + math.log(0.5)) / 3
    assert log_loss(y, p) == pytest.approx(hand)
    assert log_loss(y, p) == pytest.approx(sk_log_loss(y, p))


def test_log_loss_clips_certain_mistakes_like_sklearn():
    y = [1, 0, 1, 0]
    p = [0.0, 1.0, 1.0, 0.0]
    assert np.isfinite(log_loss(y, p))
    assert log_loss(y, p) == pytest.approx(sk_log_loss(y, p))
    assert log_loss([1], [0.0], eps=1e-3) == pytest.approx(-math.log(1e-3))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_log_loss_clips_by_the_dtype_of_p(dtype):
    # a certain mistake costs −ln(eps) with eps the machine epsilon of p's dtype:
    # float64 2.2e-16 → 36.04, float32 1.19e-7 → 15.94, float16 9.8e-4 → 6.93
    p = np.array([0.0], dtype=dtype)
    expected = -math.log(np.finfo(dtype).eps)
    assert log_loss([1], p) == pytest.approx(expected, rel=1e-12)
    # scikit-learn computes in p's dtype: equal to that dtype's precision
    assert log_loss([1], p) == pytest.approx(sk_log_loss([1], p, labels=[0, 1]), rel=4 * float(np.finfo(dtype).eps))
    # non-float input (here integers) is clipped as float64, as scikit-learn converts it
    assert log_loss([1, 0], [0, 0]) == pytest.approx(-math.log(np.finfo(np.float64).eps) / 2, rel=1e-12)


@FAST
@given(tied_probabilities(), st.sampled_from([np.float64, np.float32]))
def test_log_loss_equals_sklearn_on_tied_and_extreme_cases(data, dtype):
    y, p = data
    p = p.astype(dtype)
    rel = 1e-12 if dtype == np.float64 else 1e-5  # scikit-learn computes in float32 for float32 input
    expected = sk_log_loss(y, p, labels=[0, 1])  # labels: y may hold one class only
    assert log_loss(y, p) == pytest.approx(expected, rel=rel, abs=1e-12)


@FAST
@given(tied_probabilities())
def test_brier_equals_sklearn_on_tied_and_extreme_cases(data):
    y, p = data
    assert brier_score(y, p) == pytest.approx(brier_score_loss(y, p, labels=[0, 1]), rel=1e-12, abs=1e-15)


# --------------------------------------------------------------------------- Platt
def test_platt_matches_unpenalised_logistic_regression():
    s, y = _logistic_data(seed=3)
    a, b = fit_platt(s, y)
    lr = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    lr.fit(s.reshape(-1, 1), y)
    assert a == pytest.approx(lr.coef_[0, 0], rel=1e-6)
    assert b == pytest.approx(lr.intercept_[0], rel=1e-6, abs=1e-8)


def _fittable(y, s, *, overlapping):
    """Make (y, s) fittable by Platt without filtering hypothesis's draws: both classes, two score
    values, and (``overlapping``) no perfect separation — by appending the fewest examples."""
    lo, hi = (s.min(), s.max()) if np.ptp(s) > 0 else (0.0, 1.0)
    if overlapping:  # a positive and a negative at both ends: neither direction separates
        return np.r_[y, 1, 0, 1, 0], np.r_[s, lo, lo, hi, hi]
    if np.ptp(s) == 0:  # one more example of its class at a second score
        y, s = np.r_[y, y[0]], np.r_[s, hi if s[0] == lo else lo]
    if y.min() == 1:
        y, s = np.r_[y, 0], np.r_[s, lo]
    if y.max() == 0:
        y, s = np.r_[y, 1], np.r_[s, hi]
    return y, s


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # sklearn near separation
@FAST
@given(tied_probabilities(near_ties=False))
def test_platt_equals_unpenalised_logistic_regression_on_tied_cases(data):
    y, s = _fittable(*data, overlapping=True)
    lr = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(s.reshape(-1, 1), y)
    ours = platt_scaling(s, *fit_platt(s, y))
    np.testing.assert_allclose(ours, lr.predict_proba(s.reshape(-1, 1))[:, 1], atol=1e-6)


@FAST
@given(tied_probabilities(near_ties=False, continuous=False, max_size=25))
def test_platt_smoothing_equals_sklearn_sigmoid_calibration_on_tied_cases(data):
    # _sigmoid_calibration is the fit CalibratedClassifierCV(method="sigmoid") runs on the scores
    # (private, but it is the exact claim; the public route is tested above on one data set).
    # Scores at least 0.05 apart: scikit-learn's L-BFGS stops at a raw gradient of 1e-6, short of
    # the maximum when the scores span a tiny range (see fit_platt's docstring).
    y, s = _fittable(*data, overlapping=False)
    big_a, big_b = _sigmoid_calibration(s, y)  # p = 1 / (1 + exp(A·s + B))
    ours = platt_scaling(s, *fit_platt(s, y, target_smoothing=True))
    np.testing.assert_allclose(ours, 1 / (1 + np.exp(big_a * s + big_b)), atol=1e-5)


def test_platt_fits_scores_of_a_tiny_scale():
    # Two distinct scores 0 and 1e-300: their variance underflows to 0 (a former NaN fit). The
    # maximum-likelihood fit with two score values reproduces each group's positive rate exactly.
    s = np.array([0.0] * 4 + [1e-300] * 4)
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    p = platt_scaling(s, *fit_platt(s, y))
    np.testing.assert_allclose(p, [0.25] * 4 + [0.75] * 4, rtol=1e-9)


def test_platt_score_equation_holds_at_the_optimum():
    # At the MLE with an intercept, Σ (p_i − y_i) = 0 and Σ (p_i − y_i) s_i = 0.
    s, y = _logistic_data(n=500, a=0.7, b=0.3, seed=4)
    p = platt_scaling(s, *fit_platt(s, y))
    assert abs(np.sum(p - y)) < 1e-6
    assert abs(np.sum((p - y) * s)) < 1e-6


def test_platt_with_smoothing_matches_calibratedclassifiercv_sigmoid():
    s, y = _logistic_data(n=1500, a=1.3, b=-2.0, seed=5)
    X = s.reshape(-1, 1)
    # Any fitted 1-d linear model: its decision_function is affine in s, and Platt's
    # map is invariant to an affine change of the score, so probabilities must agree.
    base = LogisticRegression().fit(X, y)
    cal = CalibratedClassifierCV(FrozenEstimator(base), method="sigmoid").fit(X, y)
    ours = platt_scaling(s, *fit_platt(s, y, target_smoothing=True))
    np.testing.assert_allclose(ours, cal.predict_proba(X)[:, 1], atol=2e-5)


def test_platt_smoothing_targets_by_hand():
    # With smoothing the fitted rates satisfy Σ p_i = Σ t_i where
    # t₊ = (N₊+1)/(N₊+2), t₋ = 1/(N₋+2).
    s, y = _logistic_data(n=300, seed=6)
    n_pos, n_neg = y.sum(), (1 - y).sum()
    target_total = n_pos * (n_pos + 1) / (n_pos + 2) + n_neg / (n_neg + 2)
    p = platt_scaling(s, *fit_platt(s, y, target_smoothing=True))
    assert p.sum() == pytest.approx(target_total, rel=1e-8)


def test_platt_separable_needs_smoothing():
    s = [0.1, 0.2, 0.8, 0.9]
    y = [0, 0, 1, 1]
    with pytest.raises(ValueError, match="separates the classes perfectly"):
        fit_platt(s, y)
    a, b = fit_platt(s, y, target_smoothing=True)
    assert np.isfinite(a) and a > 0


def test_platt_scaling_scalar_and_formula():
    # σ(2·0.5 − 1) = σ(0) = 0.5 ; σ(2·1 − 1) = 1/(1 + e^{−1}) = 0.7311
    assert platt_scaling(0.5, 2.0, -1.0) == 0.5
    assert platt_scaling([1.0], 2.0, -1.0)[0] == pytest.approx(1 / (1 + math.exp(-1)))


def test_platt_errors():
    with pytest.raises(ValueError, match="needs both classes"):
        fit_platt([0.1, 0.2], [1, 1])
    with pytest.raises(ValueError, match="scores are all equal"):
        fit_platt([0.3, 0.3, 0.3], [0, 1, 0])
    with pytest.raises(ValueError, match="max_iter must be a positive integer; got 0"):
        fit_platt([0.1, 0.2, 0.3], [0, 1, 0], max_iter=0)
    with pytest.raises(ValueError, match="tol must be a small positive number"):
        fit_platt([0.1, 0.2, 0.3], [0, 1, 0], tol=-1)
    with pytest.raises(ValueError, match="a and b must be finite"):
        platt_scaling([0.1], float("nan"), 0.0)


# --------------------------------------------------------------------------- PAV / isotonic
def test_pav_hand_example():
    # 1, 3, 2 → pool (3, 2) to 2.5 → 1, 2.5, 2.5
    np.testing.assert_allclose(pool_adjacent_violators([1, 3, 2]), [1, 2.5, 2.5])
    # 4, 1, 2 → pool (4,1)=2.5; then 2 < 2.5 → pool all = 7/3
    np.testing.assert_allclose(pool_adjacent_violators([4, 1, 2]), [7 / 3] * 3)
    # weights: (3 with w=3, 1 with w=1) → (9 + 1)/4 = 2.5
    np.testing.assert_allclose(pool_adjacent_violators([3, 1], [3, 1]), [2.5, 2.5])


@FAST
@given(
    st.lists(
        st.tuples(st.floats(-100, 100), st.floats(0.1, 10)),
        min_size=1,
        max_size=40,
    )
)
def test_pav_monotone_and_equal_to_sklearn(pairs):
    v = np.array([a for a, _ in pairs])
    w = np.array([b for _, b in pairs])
    fitted = pool_adjacent_violators(v, w)
    assert np.all(np.diff(fitted) >= -1e-9)
    np.testing.assert_allclose(fitted, isotonic_regression(v, sample_weight=w), atol=1e-8)
    # weighted mean is preserved by pooling
    assert np.sum(w * fitted) == pytest.approx(np.sum(w * v), abs=1e-6)


@FAST
@given(tied_probabilities(near_ties=False))
def test_isotonic_fit_predicts_like_sklearn(data):
    y, s = data  # heavy ties, tiny n, a single positive or negative, one class only
    fit = isotonic_fit(s, y)
    ir = IsotonicRegression(out_of_bounds="clip").fit(s, y)
    grid = np.linspace(-0.5, 1.5, 41)
    np.testing.assert_allclose(isotonic_predict(fit, grid), ir.predict(grid), atol=1e-12)
    np.testing.assert_allclose(isotonic_predict(fit, s), ir.predict(s), atol=1e-12)


def test_isotonic_keeps_scores_that_sklearn_merges():
    # scikit-learn pools scores less than np.finfo(float64).resolution = 1e-15 apart (its
    # _make_unique); caselab keeps every distinct score, as the docstring says.
    s, y = [0.0, 0.0, 1e-300, 1e-300], [0, 0, 1, 1]
    fit = isotonic_fit(s, y)
    np.testing.assert_array_equal(fit.y, [0.0, 1.0])  # two blocks, each its own rate
    ir = IsotonicRegression(out_of_bounds="clip").fit(s, y)
    np.testing.assert_array_equal(ir.predict(s), [0.5] * 4)  # one merged block


def test_isotonic_with_weights_matches_sklearn():
    s, y = _logistic_data(n=400, seed=7)
    w = np.random.default_rng(7).uniform(0.5, 2.0, size=400)
    fit = isotonic_fit(s, y, sample_weight=w)
    ir = IsotonicRegression(out_of_bounds="clip").fit(s, y, sample_weight=w)
    np.testing.assert_allclose(isotonic_predict(fit, s), ir.predict(s), atol=1e-10)


def test_isotonic_ties_get_the_same_value():
    fit = isotonic_fit([0.5, 0.5, 0.9], [0, 1, 1])
    # tied scores pooled first: (0 + 1)/2 = 0.5 at s = 0.5, then 1 at s = 0.9
    np.testing.assert_allclose(fit.x, [0.5, 0.9])
    np.testing.assert_allclose(fit.y, [0.5, 1.0])


def test_isotonic_errors():
    with pytest.raises(ValueError, match="weights must be positive"):
        pool_adjacent_violators([1, 2], [1, 0])
    with pytest.raises(ValueError, match="weights has length 1 but values has length 2"):
        pool_adjacent_violators([1, 2], [1])
    with pytest.raises(ValueError, match="sample_weight must be positive"):
        isotonic_fit([0.1, 0.2], [0, 1], sample_weight=[1, -1])
    with pytest.raises(ValueError, match="sample_weight has length 3 but scores has length 2"):
        isotonic_fit([0.1, 0.2], [0, 1], sample_weight=[1, 1, 1])
    with pytest.raises(TypeError, match="must be an IsotonicFit"):
        isotonic_predict((np.array([0.0]), np.array([0.0])), [0.1])
    assert isinstance(isotonic_fit([0.1, 0.2], [0, 1]), IsotonicFit)


# --------------------------------------------------------------------------- Dal Pozzolo
BETA_BALANCE = 0.001 / 0.999  # prior 0.1 % undersampled to 50/50


def test_beta_for_balance_example():
    # β = π/(1 − π) = 0.001/0.999 = 0.001001001…
    assert beta_for_balance(0.001) == pytest.approx(0.001001001, rel=1e-6)
    # check: after keeping β of the negatives, positives = negatives
    n = 1_000_000
    assert 0.001 * n == pytest.approx(beta_for_balance(0.001) * 0.999 * n)


@pytest.mark.parametrize(
    "p_s, expected",
    [
        # p = β p_s / (β p_s − p_s + 1); with p_s = 0.5: 0.5β/(0.5β + 0.5) = β/(1+β) = 0.001
        (0.5, BETA_BALANCE / (1 + BETA_BALANCE)),
        # p_s = 0.9: 0.9β / (0.9β + 0.1) = 0.9009/100.9009 ≈ 0.008929
        (0.9, 0.9 * BETA_BALANCE / (0.9 * BETA_BALANCE + 0.1)),
        # p_s = 0.99: 0.99β / (0.99β + 0.01) ≈ 0.0902
        (0.99, 0.99 * BETA_BALANCE / (0.99 * BETA_BALANCE + 0.01)),
        # p_s = 0.999: 0.999β / (0.999β + 0.001) = 0.001/0.002 = 0.5 exactly
        (0.999, 0.5),
    ],
)
def test_undersampling_correction_examples(p_s, expected):
    assert undersampling_correction(p_s, BETA_BALANCE) == pytest.approx(expected)


def test_undersampling_correction_rounded_figures():
    got = undersampling_correction([0.5, 0.9, 0.99, 0.999], BETA_BALANCE)
    np.testing.assert_allclose(got, [0.0010, 0.00893, 0.0902, 0.500], rtol=2e-3)


def test_undersampling_threshold_translation():
    # τ* = 0.0099 on p → p_s = 0.0099/(0.0099 + β·0.9901) = 0.0099/0.010891 ≈ 0.909
    tau_s = undersampling_inverse(0.0099, BETA_BALANCE)
    assert tau_s == pytest.approx(0.0099 / (0.0099 + BETA_BALANCE * 0.9901))
    assert round(tau_s, 3) == 0.909
    assert undersampling_correction(tau_s, BETA_BALANCE) == pytest.approx(0.0099)


def test_article_inverse_is_wrong():
    p, beta = 0.001, 0.001
    right = undersampling_inverse(p, beta)
    # right: 0.001/(0.001 + 0.001·0.999) = 1/1.999 ≈ 0.50
    assert right == pytest.approx(1 / 1.999)
    # the article's p/(p + (1 − p)/β) = 0.001/(0.001 + 999) ≈ 1.0e-6
    article = p / (p + (1 - p) / beta)
    assert article == pytest.approx(1.001e-6, rel=1e-3)
    # and only the right one round-trips through the correction
    assert undersampling_correction(right, beta) == pytest.approx(p)
    assert undersampling_correction(article, beta) != pytest.approx(p, rel=0.5)


def test_undersampling_matches_empirical_resampling():
    # Simulate: true p(x) on a grid; keep negatives with prob β; the positive rate
    # among kept examples at each x must be undersampling_inverse(p, β).
    rng = np.random.default_rng(11)
    p_true = np.repeat([0.02, 0.1, 0.3], 100_000)
    y = rng.random(p_true.size) < p_true
    beta = 0.2
    keep = y | (rng.random(p_true.size) < beta)
    for level in (0.02, 0.1, 0.3):
        sel = keep & (p_true == level)
        assert y[sel].mean() == pytest.approx(undersampling_inverse(level, beta), abs=0.01)


@FAST
@given(st.floats(0, 1), st.floats(1e-6, 1))
def test_undersampling_round_trip(p, beta):
    back = undersampling_correction(undersampling_inverse(p, beta), beta)
    assert back == pytest.approx(p, rel=1e-9, abs=1e-12)


@FAST
@given(st.floats(0, 1), st.floats(1e-4, 1))
def test_undersampling_is_a_prior_shift_with_factor_beta(p_s, beta):
    # odds multiplied by β ⇔ prior_shift with prior-odds ratio β (old prior 1/2 → new prior β/(1+β))
    via_prior = prior_shift(p_s, 0.5, beta / (1 + beta))
    assert undersampling_correction(p_s, beta) == pytest.approx(via_prior, rel=1e-9, abs=1e-12)


def test_prior_shift_example():
    # r = (0.005/0.995)/(0.02/0.98) = 0.0050251/0.0204082 = 0.24623
    assert prior_shift_factor(0.02, 0.005) == pytest.approx((0.005 / 0.995) / (0.02 / 0.98))
    assert round(prior_shift_factor(0.02, 0.005), 4) == 0.2462
    # odds 0.3/0.7 = 0.428571 → × 0.24623 = 0.105528 → p' = 0.105528/1.105528 = 0.09545
    expected = (0.3 / 0.7 * 0.24623115577889446) / (1 + 0.3 / 0.7 * 0.24623115577889446)
    assert prior_shift(0.3, 0.02, 0.005) == pytest.approx(expected)
    assert round(prior_shift(0.3, 0.02, 0.005), 4) == 0.0955


def test_prior_shift_arrays_fixed_points_and_identity():
    out = prior_shift(np.array([0.0, 0.3, 1.0]), 0.1, 0.3)
    assert out[0] == 0.0 and out[2] == 1.0
    np.testing.assert_allclose(prior_shift([0.2, 0.7], 0.1, 0.1), [0.2, 0.7])


@FAST
@given(st.floats(0, 1), st.floats(0.01, 0.99), st.floats(0.01, 0.99))
def test_prior_shift_round_trip(p, a, b):
    assert prior_shift(prior_shift(p, a, b), b, a) == pytest.approx(p, rel=1e-9, abs=1e-12)


# --------------------------------------------------------------------------- validation
def test_probability_validation_messages():
    with pytest.raises(ValueError, match=r"p must hold predicted probabilities in \[0, 1\]"):
        reliability_bins([0, 1], [0.2, 1.5])
    with pytest.raises(ValueError, match=r"p_s must hold probabilities in \[0, 1\]; found 1 value"):
        undersampling_correction([0.2, -0.1], 0.5)
    with pytest.raises(ValueError, match="p must be numeric probabilities"):
        prior_shift("high", 0.1, 0.2)
    with pytest.raises(ValueError, match="p is empty"):
        undersampling_inverse([], 0.5)
    with pytest.raises(ValueError, match=r"beta = 0.0 is outside \(0, 1\]"):
        undersampling_correction(0.5, 0.0)
    with pytest.raises(ValueError, match=r"beta = 1.5 is outside \(0, 1\]"):
        undersampling_inverse(0.5, 1.5)
    with pytest.raises(ValueError, match="prevalence = 0.7 is above 0.5"):
        beta_for_balance(0.7)
    with pytest.raises(ValueError, match=r"old_prior = 1.0 is outside \(0, 1\)"):
        prior_shift(0.5, 1.0, 0.2)
    with pytest.raises(ValueError, match="eps = 0.6 must be below 0.5"):
        log_loss([1], [0.5], eps=0.6)


def test_binning_validation_messages():
    with pytest.raises(ValueError, match="strategy must be one of"):
        reliability_bins([0, 1], [0.1, 0.9], strategy="kmeans")
    with pytest.raises(ValueError, match="n_bins = 0 must be at least 1"):
        expected_calibration_error([0, 1], [0.1, 0.9], n_bins=0)
    with pytest.raises(TypeError, match="n_bins must be an integer"):
        reliability_bins([0, 1], [0.1, 0.9], n_bins=2.5)
    with pytest.raises(ValueError, match="different lengths"):
        brier_score([0, 1, 1], [0.1, 0.9])


# ---------------------------------------------------------------------------------------------------
# Estimating a shifted prior from unlabelled calibrated scores (Saerens et al. 2002)
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_em_prior_is_the_label_shift_maximum_likelihood(seed):
    """EM's fixed point maximises Σ log(π'/π · p + (1 − π')/(1 − π) · (1 − p)) — found here by scipy."""
    from scipy.optimize import minimize_scalar

    from caselab.maths.calibration import em_prior
    from caselab.scenarios.data import binormal_scores

    _, p = binormal_scores(50_000, 0.01, 2.5, seed, calibrated_prior=0.05)
    est = em_prior(p, 0.05)

    def nll(q):
        return -np.sum(np.log(q / 0.05 * p + (1 - q) / 0.95 * (1 - p)))

    ref = minimize_scalar(nll, bounds=(1e-5, 0.5), method="bounded", options={"xatol": 1e-10})
    assert est.converged and est.prior == pytest.approx(ref.x, abs=1e-6)
    # the naive mean is pulled toward the calibration prior 0.05; EM moves away from it
    assert est.history[0] > est.prior and est.history[0] == pytest.approx(p.mean())
    assert abs(est.prior - 0.01) < abs(est.history[0] - 0.01)


def test_em_prior_edge_cases():
    from caselab.maths.calibration import em_prior

    assert em_prior([0.0, 0.0], 0.2).prior == 0.0  # every score 0: nothing to iterate
    with pytest.raises(ValueError, match="empty"):
        em_prior([], 0.2)
    with pytest.raises(ValueError):
        em_prior([0.5, 1.2], 0.2)
    # no shift: scores calibrated on this very population, EM stays (close to) where it starts
    rng = np.random.default_rng(0)
    p = rng.beta(2, 8, 20_000)  # mean 0.2
    assert em_prior(p, p.mean()).prior == pytest.approx(p.mean(), abs=0.01)
