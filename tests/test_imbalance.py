"""Tests for caselab.imbalance: hand arithmetic plus scikit-learn / imbalanced-learn oracles."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.over_sampling import SMOTE, SMOTENC
from imblearn.under_sampling import RandomUnderSampler
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.utils.class_weight import compute_class_weight

from caselab.maths.calibration import undersampling_correction
from caselab.maths.imbalance import (
    balanced_class_weights,
    cost_weights,
    disjoint_subsets,
    easy_ensemble_coverage,
    equivalent_threshold,
    focal_loss,
    focal_loss_from_logits,
    modulating_factor,
    random_undersample,
    smote_interpolate,
    subsets_for_coverage,
    unweight_probability,
    weight_for_threshold,
)

FAST = settings(max_examples=60, deadline=None)


# --------------------------------------------------------------------------- class weights
def test_balanced_weights_99_to_1_by_hand():
    y = np.r_[np.zeros(99), np.ones(1)].astype(int)
    w = balanced_class_weights(y)
    # n/(K n_c): 100/(2·99) = 0.505050…, 100/(2·1) = 50
    assert w[0] == pytest.approx(100 / 198)
    assert w[1] == 50.0
    assert round(w[0], 5) == 0.50505
    # per-example ratio is n_0/n_1 = 99, not 100
    assert w[1] / w[0] == pytest.approx(99.0)
    # class totals are equal: 99·0.50505 = 50 = 1·50
    assert 99 * w[0] == pytest.approx(1 * w[1])


@FAST
@given(st.integers(1, 500), st.integers(1, 500))
def test_balanced_weights_equal_sklearn(n_neg, n_pos):
    y = np.r_[np.zeros(n_neg), np.ones(n_pos)].astype(int)
    ours = balanced_class_weights(y)
    theirs = compute_class_weight("balanced", classes=np.array([0, 1]), y=y)
    assert ours[0] == theirs[0] and ours[1] == theirs[1]  # same formula, bit for bit


def test_equivalent_threshold_examples():
    # 1/(1 + w)
    assert equivalent_threshold(99) == pytest.approx(1 / 100)
    assert equivalent_threshold(100) == pytest.approx(1 / 101)
    assert round(equivalent_threshold(100), 4) == 0.0099
    assert equivalent_threshold(9_900) == pytest.approx(1 / 9_901)
    assert round(equivalent_threshold(9_900), 6) == 0.000101


def test_double_counting_trap():
    cost_fp, cost_fn = 1.0, 100.0
    n_neg, n_pos = 99_000, 1_000
    tau_star = cost_fp / (cost_fp + cost_fn)  # 1/101 = 0.0099
    # encode the costs once: the weight is the cost ratio
    assert equivalent_threshold(cost_fn / cost_fp) == pytest.approx(tau_star)
    assert weight_for_threshold(tau_star) == pytest.approx(100.0)
    # the trap: multiply by the class ratio as well
    spw = (cost_fn / cost_fp) * (n_neg / n_pos)
    assert spw == 9_900
    # 0.5 on that model means p > 1/9,901: (1/101)/(1/9,901) = 98.03× too low
    assert tau_star / equivalent_threshold(spw) == pytest.approx(9_901 / 101)


@FAST
@given(st.floats(1e-3, 1e4))
def test_weight_threshold_round_trip(w):
    assert weight_for_threshold(equivalent_threshold(w)) == pytest.approx(w, rel=1e-9)


def test_weighted_logistic_regression_moves_intercept_by_log_w():
    # Well-specified logistic data: weighting positives by w multiplies the fitted odds
    # by w, i.e. adds ln w to the intercept and leaves the slope alone.
    rng = np.random.default_rng(0)
    s = rng.normal(size=40_000)
    y = (rng.random(s.size) < 1 / (1 + np.exp(-(1.5 * s - 3.0)))).astype(int)
    X = s.reshape(-1, 1)
    w = 20.0
    plain = LogisticRegression(C=np.inf).fit(X, y)
    weighted = LogisticRegression(C=np.inf, class_weight={0: 1.0, 1: w}).fit(X, y)
    assert weighted.intercept_[0] - plain.intercept_[0] == pytest.approx(math.log(w), abs=0.1)
    assert weighted.coef_[0, 0] == pytest.approx(plain.coef_[0, 0], rel=0.05)
    # so the weighted 0.5 point is where the plain model says 1/(1 + w)
    s_cut = -weighted.intercept_[0] / weighted.coef_[0, 0]
    p_plain_at_cut = plain.predict_proba([[s_cut]])[0, 1]
    assert p_plain_at_cut == pytest.approx(equivalent_threshold(w), rel=0.1)
    # and unweighting the weighted model's probabilities recovers the plain ones
    q = weighted.predict_proba(X[:200])[:, 1]
    np.testing.assert_allclose(unweight_probability(q, w), plain.predict_proba(X[:200])[:, 1], atol=0.01)


@FAST
@given(st.floats(0, 1), st.floats(1.0, 1e4))
def test_unweighting_is_undersampling_with_beta_one_over_w(q, w):
    assert unweight_probability(q, w) == pytest.approx(
        undersampling_correction(q, 1 / w), rel=1e-9, abs=1e-15
    )


def test_cost_weights():
    y = [1, 0, 0, 1]
    np.testing.assert_array_equal(cost_weights(y, cost_fp=1, cost_fn=100), [100, 1, 1, 100])
    # normalised: mean of (100, 1, 1, 100) is 50.5
    np.testing.assert_allclose(cost_weights(y, 1, 100, normalize=True), np.array([100, 1, 1, 100]) / 50.5)
    assert cost_weights(y, 1, 100, normalize=True).mean() == pytest.approx(1.0)


# --------------------------------------------------------------------------- focal loss
@pytest.mark.parametrize(
    "p_t, factor",
    [(0.99, 0.01**2), (0.9, 0.1**2), (0.5, 0.5**2), (0.1, 0.9**2)],  # (1 − p_t)²
)
def test_modulating_factor_table(p_t, factor):
    assert modulating_factor(p_t, 2.0) == pytest.approx(factor)


def test_focal_numbers_by_hand():
    ce = -math.log(0.99)  # 0.0100503
    assert ce == pytest.approx(0.01005, rel=1e-3)
    fl = focal_loss([1], [0.99], gamma=2.0)[0]
    assert fl == pytest.approx(1e-4 * ce)  # 1.005e-6
    assert fl == pytest.approx(1.005e-6, rel=1e-3)
    # hard (p_t = 0.5) vs easy (p_t = 0.99) down-weighting ratio: 0.25 / 1e-4 = 2,500
    assert modulating_factor(0.5) / modulating_factor(0.99) == pytest.approx(2_500)
    # p_t = 0.5 is a 4× down-weight, not "nearly full weight"
    assert focal_loss([0], [0.5])[0] == pytest.approx(-math.log(0.5) / 4)


def test_alpha_weights_positives_not_the_rare_class():
    # α = 0.25 → positives × 0.25, negatives × 0.75 (same p_t = 0.7 for both)
    pos = focal_loss([1], [0.7], gamma=0.0, alpha=0.25)[0]
    neg = focal_loss([0], [0.3], gamma=0.0, alpha=0.25)[0]
    assert pos == pytest.approx(0.25 * -math.log(0.7))
    assert neg == pytest.approx(0.75 * -math.log(0.7))
    assert neg / pos == pytest.approx(3.0)


@FAST
@given(
    st.lists(st.tuples(st.booleans(), st.floats(0.0, 1.0)), min_size=1, max_size=30),
    st.floats(0, 5),
    st.one_of(st.none(), st.floats(0, 1)),
)
def test_focal_matches_direct_formula_and_is_below_ce(rows, gamma, alpha):
    y = np.array([r[0] for r in rows], dtype=int)
    p = np.array([r[1] for r in rows])
    fl = focal_loss(y, p, gamma=gamma, alpha=alpha)
    eps = np.finfo(float).eps
    pc = np.clip(p, eps, 1 - eps)
    log_p_t = np.where(y == 1, np.log(pc), np.log1p(-pc))  # log1p: ln(1 − p) for tiny p
    a_t = 1.0 if alpha is None else alpha * y + (1 - alpha) * (1 - y)
    one_minus_p_t = np.where(y == 1, 1 - p, p)  # exact for negatives (no 1 − (1 − p) rounding)
    direct = -a_t * one_minus_p_t**gamma * log_p_t
    np.testing.assert_allclose(fl, direct, rtol=1e-9, atol=1e-300)
    ce = -log_p_t
    assert np.all(fl >= 0)
    assert np.all(fl <= ce * (1 + 1e-12))


def test_focal_gamma0_is_sklearn_log_loss_per_example():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, size=50)
    p = np.r_[rng.random(47), 0.0, 1.0, 1e-20]
    fl = focal_loss(y, p, gamma=0.0)
    per_example = [log_loss([yi], [pi], labels=[0, 1]) for yi, pi in zip(y, p, strict=True)]
    np.testing.assert_allclose(fl, per_example, rtol=1e-12)


def test_focal_from_logits_agrees_and_is_stable():
    rng = np.random.default_rng(4)
    z = rng.normal(scale=3, size=100)
    y = rng.integers(0, 2, size=100)
    p = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(
        focal_loss_from_logits(y, z, 2.0, 0.25), focal_loss(y, p, 2.0, 0.25), rtol=1e-9
    )
    # extreme logits: correct class → ~0; wrong class at z = −800 → ln p_t = −800, factor 1
    out = focal_loss_from_logits([1, 1, 0], [800.0, -800.0, -800.0], gamma=2.0)
    assert np.all(np.isfinite(out))
    assert out[1] == pytest.approx(800.0)
    assert out[0] == 0.0 and out[2] == 0.0


# --------------------------------------------------------------------------- resampling
def test_random_undersample_beta_and_ratio():
    y = np.r_[np.zeros(9_900), np.ones(100)].astype(int)
    res = random_undersample(y, beta=0.1, rng=0)
    kept = y[res.indices]
    assert kept.sum() == 100  # every positive kept
    assert (kept == 0).sum() == 990  # round(0.1 · 9,900)
    assert res.beta == pytest.approx(0.1)
    assert np.all(np.diff(res.indices) > 0)
    # balance: ratio = N_pos/N_neg after = 1 → 100 negatives, β = 100/9,900
    res = random_undersample(y, ratio=1.0, rng=1)
    assert (y[res.indices] == 0).sum() == 100
    assert res.beta == pytest.approx(100 / 9_900)
    # same seed, same sample
    np.testing.assert_array_equal(
        random_undersample(y, beta=0.3, rng=5).indices, random_undersample(y, beta=0.3, rng=5).indices
    )


@pytest.mark.parametrize("ratio", [1.0, 0.5, 0.25, 0.3])
def test_random_undersample_counts_match_imblearn(ratio):
    y = np.r_[np.zeros(2_000), np.ones(60)].astype(int)
    X = np.arange(y.size).reshape(-1, 1)
    _, y_res = RandomUnderSampler(sampling_strategy=ratio, random_state=0).fit_resample(X, y)
    ours = random_undersample(y, ratio=ratio, rng=0)
    assert np.bincount(y[ours.indices]).tolist() == np.bincount(y_res).tolist()


@pytest.mark.parametrize(
    "k, expected",
    [(1, 0.0101), (4, 0.0398), (10, 0.0965), (50, 0.398), (99, 0.634)],
)
def test_easy_ensemble_coverage_examples(k, expected):
    # 1 − (98/99)^k ; e.g. k = 1: 1/99 = 1.0101 %, k = 99: 1 − (98/99)^99 ≈ 1 − e^{−1.005} = 0.634
    got = easy_ensemble_coverage(99_000, 1_000, k)
    assert got == pytest.approx(1 - (98 / 99) ** k, rel=1e-12)
    assert got == pytest.approx(expected, abs=6e-4)


def test_subsets_for_95_percent_coverage():
    # ln(0.05)/ln(98/99) = −2.99573/−0.0101523 = 295.08 → 296
    assert math.log(0.05) / math.log(98 / 99) == pytest.approx(295.08, abs=0.01)
    k = subsets_for_coverage(99_000, 1_000, 0.95)
    assert k == 296
    assert easy_ensemble_coverage(99_000, 1_000, 295) < 0.95 <= easy_ensemble_coverage(99_000, 1_000, 296)
    assert disjoint_subsets(99_000, 1_000) == 99
    assert disjoint_subsets(99_500, 1_000) == 100
    assert subsets_for_coverage(500, 500, 0.99) == 1


def test_coverage_monte_carlo():
    # simulate k independent subsets of m from N and count distinct negatives seen
    rng = np.random.default_rng(8)
    N, m, k, reps = 300, 30, 12, 400
    seen = [
        np.unique(np.concatenate([rng.choice(N, m, replace=False) for _ in range(k)])).size / N
        for _ in range(reps)
    ]
    assert np.mean(seen) == pytest.approx(easy_ensemble_coverage(N, m, k), abs=0.01)


@FAST
@given(st.integers(2, 10**6), st.floats(0.01, 0.999), st.floats(1e-4, 0.5))
def test_subsets_for_coverage_is_minimal(n, c, frac):
    m = max(1, int(n * frac))
    k = subsets_for_coverage(n, m, c)
    assert easy_ensemble_coverage(n, m, k) >= c
    if k > 1:
        assert easy_ensemble_coverage(n, m, k - 1) < c


# --------------------------------------------------------------------------- SMOTE
def test_smote_midpoint_example():
    # ($500, high_limit=1, prepaid=0) and ($5, 0, 1), λ = 0.5:
    # 500 + 0.5(5 − 500) = 252.5 ; 1 + 0.5(0 − 1) = 0.5 ; 0 + 0.5(1 − 0) = 0.5
    np.testing.assert_allclose(smote_interpolate([500, 1, 0], [5, 0, 1], 0.5), [252.5, 0.5, 0.5])
    np.testing.assert_allclose(smote_interpolate([500, 1, 0], [5, 0, 1], 0.0), [500, 1, 0])
    np.testing.assert_allclose(smote_interpolate([500, 1, 0], [5, 0, 1], 1.0), [5, 0, 1])
    rows = smote_interpolate(np.zeros((3, 2)), np.ones((3, 2)), np.array([[0.1], [0.5], [0.9]]))
    np.testing.assert_allclose(rows[:, 0], [0.1, 0.5, 0.9])


def test_imblearn_smote_outputs_lie_on_minority_segments():
    rng = np.random.default_rng(9)
    X_min = rng.normal(size=(8, 2)) + 3
    X_maj = rng.normal(size=(40, 2))
    X = np.vstack([X_maj, X_min])
    y = np.r_[np.zeros(40), np.ones(8)].astype(int)
    X_res, _ = SMOTE(k_neighbors=3, random_state=0).fit_resample(X, y)
    synthetic = X_res[len(X) :]
    assert len(synthetic) == 32
    for s in synthetic:
        found = False
        for i in range(8):
            for j in range(8):
                if i == j:
                    continue
                d = X_min[j] - X_min[i]
                lam = float(np.dot(s - X_min[i], d) / np.dot(d, d))
                if 0 <= lam <= 1 and np.allclose(smote_interpolate(X_min[i], X_min[j], lam), s, atol=1e-9):
                    found = True
        assert found, f"synthetic point {s} is not on a segment between minority points"


def test_imblearn_smotenc_keeps_categories_valid():
    rng = np.random.default_rng(10)
    n_maj, n_min = 60, 10
    amount = np.r_[rng.uniform(5, 50, n_maj), rng.uniform(200, 900, n_min)]
    card_type = np.r_[rng.integers(0, 3, n_maj), rng.integers(0, 3, n_min)]  # 0 debit, 1 credit, 2 prepaid
    X = np.column_stack([amount, card_type])
    y = np.r_[np.zeros(n_maj), np.ones(n_min)].astype(int)
    X_res, _ = SMOTENC(categorical_features=[1], k_neighbors=3, random_state=0).fit_resample(X, y)
    synthetic = X_res[len(X) :]
    assert set(np.unique(synthetic[:, 1])) <= {0.0, 1.0, 2.0}  # never 0.5 or 1.5
    # while plain interpolation of the code would produce in-between, meaningless values
    assert smote_interpolate([0.0], [2.0], 0.25)[0] == 0.5


# --------------------------------------------------------------------------- validation
def test_validation_messages():
    with pytest.raises(ValueError, match="needs both classes; got 3 negative"):
        balanced_class_weights([0, 0, 0])
    with pytest.raises(ValueError, match="weight = -1.0 must be positive"):
        equivalent_threshold(-1)
    with pytest.raises(ValueError, match="weight = 0.0 must be positive"):
        unweight_probability(0.5, 0)
    with pytest.raises(TypeError, match="weight must be a real number"):
        equivalent_threshold("99")
    with pytest.raises(ValueError, match=r"threshold = 0.0 is outside \(0, 1\)"):
        weight_for_threshold(0.0)
    with pytest.raises(ValueError, match="both 0"):
        cost_weights([0, 1], 0, 0)
    with pytest.raises(ValueError, match="cannot normalize"):
        cost_weights([0, 0], 0, 5, normalize=True)
    with pytest.raises(ValueError, match="cost_fp = -1.0 is negative"):
        cost_weights([0, 1], -1, 5)
    with pytest.raises(ValueError, match="gamma = -1.0 must be non-negative"):
        focal_loss([1], [0.5], gamma=-1)
    with pytest.raises(ValueError, match=r"alpha = 1.5 is outside \[0, 1\]"):
        focal_loss([1], [0.5], alpha=1.5)
    with pytest.raises(ValueError, match=r"p must hold probabilities in \[0, 1\]"):
        focal_loss([1, 0], [0.5, 1.2])
    with pytest.raises(ValueError, match="y_true and p have different lengths"):
        focal_loss([1, 0], [0.5])
    with pytest.raises(ValueError, match="y_true and logits have different lengths"):
        focal_loss_from_logits([1, 0], [0.5])
    with pytest.raises(ValueError, match="eps = 0.5 must be below 0.5"):
        focal_loss([1], [0.5], eps=0.5)
    with pytest.raises(ValueError, match=r"p_t must hold probabilities"):
        modulating_factor(2.0)


def test_resampling_validation_messages():
    y = np.r_[np.zeros(10), np.ones(5)].astype(int)
    with pytest.raises(ValueError, match="exactly one of beta"):
        random_undersample(y)
    with pytest.raises(ValueError, match="exactly one of beta"):
        random_undersample(y, beta=0.5, ratio=1.0)
    with pytest.raises(ValueError, match="asks for 50 negatives but only 10 exist"):
        random_undersample(y, ratio=0.1)
    with pytest.raises(ValueError, match="keeps no negatives"):
        random_undersample(y, beta=0.01)
    with pytest.raises(ValueError, match="needs both classes"):
        random_undersample([1, 1], beta=0.5)
    with pytest.raises(ValueError, match="subset_size = 200.0 exceeds n_neg = 100.0"):
        easy_ensemble_coverage(100, 200, 3)
    with pytest.raises(ValueError, match=r"coverage = 1.0 is outside \(0, 1\)"):
        subsets_for_coverage(100, 10, 1.0)
    with pytest.raises(ValueError, match="n_subsets = -1.0 must be at least 0"):
        easy_ensemble_coverage(100, 10, -1)
    with pytest.raises(ValueError, match=r"x_i has shape \(2,\) but x_neighbor has shape \(3,\)"):
        smote_interpolate([1, 2], [1, 2, 3], 0.5)
    with pytest.raises(ValueError, match=r"lam must hold probabilities in \[0, 1\]"):
        smote_interpolate([1, 2], [3, 4], 1.5)
