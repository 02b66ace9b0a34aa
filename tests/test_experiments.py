"""Tests for caselab.experiments: hand derivations plus statsmodels / scipy oracles.

The module is imported as a whole (``ex.test_duration_days``) so that pytest
does not mistake the function ``test_duration_days`` for a test.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chisquare, norm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    power_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)

from caselab.maths import experiments as ex

FAST = settings(max_examples=50, deadline=None)


# --------------------------------------------------------------------------- sample size
def test_sample_size_hand_derivation_4pct_to_3_8pct():
    p1, p2 = 0.040, 0.038
    z_a = norm.ppf(0.975)  # 1.959964
    z_b = norm.ppf(0.80)  # 0.841621
    p_bar = 0.039
    s0 = math.sqrt(2 * p_bar * (1 - p_bar))  # √(2·0.039·0.961) = 0.273785
    s1 = math.sqrt(0.04 * 0.96 + 0.038 * 0.962)  # √(0.0384 + 0.036556) = 0.273781
    n = (z_a * s0 + z_b * s1) ** 2 / 0.002**2  # (1.959964·0.273785 + 0.841621·0.273781)² / 4e-6
    assert n == pytest.approx(147_082.9, abs=0.1)
    assert ex.two_proportion_sample_size(p1, p2) == math.ceil(n) == 147_083
    # unpooled: (z_a + z_b)² · 0.074956 / 4e-6 = 147,080.2 → 147,081
    n_u = (z_a + z_b) ** 2 * s1**2 / 0.002**2
    assert n_u == pytest.approx(147_080.2, abs=0.1)
    assert ex.two_proportion_sample_size(p1, p2, variance="unpooled") == 147_081


def test_sample_size_10pct_mde():
    assert ex.two_proportion_sample_size(0.04, 0.036) == 35_865
    assert ex.two_proportion_sample_size(0.04, 0.036, variance="unpooled") == 35_862
    # halving the effect roughly quadruples n
    ratio = ex.two_proportion_sample_size(0.04, 0.038) / ex.two_proportion_sample_size(0.04, 0.036)
    assert ratio == pytest.approx(4.0, rel=0.03)


@pytest.mark.parametrize("p1, p2", [(0.04, 0.038), (0.04, 0.036), (0.10, 0.12), (0.5, 0.45)])
def test_sample_size_matches_statsmodels_pooled_formula(p1, p2):
    sm = samplesize_proportions_2indep_onetail(p2 - p1, p1, 0.8, ratio=1, alpha=0.05, alternative="two-sided")
    assert ex.two_proportion_sample_size(p1, p2) == math.ceil(sm)


@pytest.mark.parametrize("p1, p2", [(0.04, 0.038), (0.04, 0.036), (0.10, 0.12)])
def test_sample_size_close_to_cohens_h(p1, p2):
    # Cohen's h (arcsine) is a different approximation: agree within a few %
    h = proportion_effectsize(p1, p2)
    n_h = NormalIndPower().solve_power(h, alpha=0.05, power=0.8, ratio=1)
    assert ex.two_proportion_sample_size(p1, p2) == pytest.approx(n_h, rel=0.02)


def test_sample_size_one_sided_is_smaller():
    # z_{0.95} = 1.645 < z_{0.975} = 1.960
    assert ex.two_proportion_sample_size(0.04, 0.038, two_sided=False) < ex.two_proportion_sample_size(
        0.04, 0.038
    )


# --------------------------------------------------------------------------- power
def test_power_inverts_sample_size():
    n = ex.two_proportion_sample_size(0.04, 0.038)
    assert ex.power_two_proportions(0.04, 0.038, n) >= 0.8
    assert ex.power_two_proportions(0.04, 0.038, n - 1) < 0.8
    assert ex.power_two_proportions(0.04, 0.038, n) == pytest.approx(0.8, abs=1e-5)


@FAST
@given(st.floats(0.01, 0.5), st.floats(-0.3, 0.3), st.floats(100, 1e6))
def test_power_matches_statsmodels(p1, rel, n):
    p2 = p1 * (1 + rel)
    if abs(p2 - p1) < 1e-4:
        return
    ours = ex.power_two_proportions(p1, p2, n)
    theirs = power_proportions_2indep(p2 - p1, p1, n, ratio=1, alpha=0.05).power
    # statsmodels adds the wrong-direction tail, which is at most α/2
    assert ours <= theirs + 1e-12
    assert theirs - ours <= 0.025 + 1e-12


def test_power_grows_with_n():
    powers = [ex.power_two_proportions(0.04, 0.038, n) for n in (10_000, 50_000, 150_000, 400_000)]
    assert all(a < b for a, b in zip(powers, powers[1:], strict=False))


# --------------------------------------------------------------------------- duration
def test_duration_example():
    # 40,000 eligible/day, 50/50 → 20,000 per arm per day
    assert ex.test_duration_days(147_081, 40_000) == pytest.approx(147_081 / 20_000)
    assert ex.test_duration_days(147_081, 40_000) == pytest.approx(7.35, abs=0.01)
    assert ex.test_duration_days(147_083, 40_000) == pytest.approx(7.354, abs=1e-3)
    assert ex.round_up_to_weeks(7.354) == 14
    assert ex.round_up_to_weeks(7.0) == 7
    assert ex.round_up_to_weeks(0.5) == 7
    # 10 %/10 % split takes 5× longer than 50/50
    assert ex.test_duration_days(100_000, 40_000, 0.1) == pytest.approx(25.0)


def test_duration_function_is_not_collected_by_pytest():
    assert ex.test_duration_days.__test__ is False


# --------------------------------------------------------------------------- SRM
def test_srm_example_by_hand_and_scipy():
    res = ex.srm_test([201_000, 199_000], [0.5, 0.5])
    # E = 200,000; χ² = (1,000² + 1,000²)/200,000 = 10.0
    assert res.chi2 == pytest.approx(10.0)
    np.testing.assert_allclose(res.expected_counts, [200_000, 200_000])
    # df = 1: p = P(χ²₁ > 10) = P(|Z| > √10) = 2(1 − Φ(3.1623)) = 0.001565
    assert res.p_value == pytest.approx(2 * norm.sf(math.sqrt(10)))
    assert res.p_value == pytest.approx(0.0016, abs=5e-5)
    sp = chisquare([201_000, 199_000])
    assert res.chi2 == pytest.approx(sp.statistic) and res.p_value == pytest.approx(sp.pvalue)


@FAST
@given(
    st.lists(st.integers(1, 10**6), min_size=2, max_size=5),
    st.lists(st.floats(0.1, 10), min_size=5, max_size=5),
)
def test_srm_matches_scipy(counts, weights):
    ratios = np.array(weights[: len(counts)])
    res = ex.srm_test(counts, ratios)
    expected = np.sum(counts) * ratios / ratios.sum()
    sp = chisquare(counts, expected)
    assert res.chi2 == pytest.approx(sp.statistic, rel=1e-9, abs=1e-9)
    assert res.p_value == pytest.approx(sp.pvalue, rel=1e-7, abs=1e-12)


def test_srm_default_equal_and_unnormalised_ratios():
    assert ex.srm_test([100, 100]).chi2 == 0.0
    # ratios [9, 1] mean [0.9, 0.1]: a 900/100 split fits the design exactly …
    a = ex.srm_test([900, 100], [9, 1])
    assert a.chi2 == 0.0 and a.p_value == 1.0
    # … while 500/500 on that design is a gross mismatch: (400²/900 + 400²/100) = 177.8 + 1,600
    b = ex.srm_test([500, 500], [9, 1])
    assert b.chi2 == pytest.approx(400**2 / 900 + 400**2 / 100)


# --------------------------------------------------------------------------- z-test
def test_ztest_example_by_hand_and_statsmodels():
    res = ex.two_proportion_ztest(240, 4_000, 304, 4_000)
    assert res.diff == pytest.approx(0.016)
    # pooled: p̄ = 544/8,000 = 0.068; SE = √(0.068·0.932·2/4,000) = √3.1688e-5 = 0.0056292
    se_p = math.sqrt(0.068 * 0.932 * (2 / 4_000))
    assert res.se_pooled == pytest.approx(se_p)
    assert res.z == pytest.approx(0.016 / se_p)  # 2.8423
    assert round(res.z, 2) == 2.84
    # unpooled: √(0.06·0.94/4,000 + 0.076·0.924/4,000) = √(1.41e-5 + 1.7556e-5) = 0.0056264
    se_u = math.sqrt(0.06 * 0.94 / 4_000 + 0.076 * 0.924 / 4_000)
    assert res.se_unpooled == pytest.approx(se_u)
    assert 0.016 / se_u == pytest.approx(2.8438, abs=1e-4)  # both SEs round to z ≈ 2.84
    assert res.p_value == pytest.approx(0.0045, abs=5e-5)
    # CI: 0.016 ± 1.96·0.0056264 = [0.00497, 0.02703]
    assert res.ci_low == pytest.approx(0.016 - norm.ppf(0.975) * se_u)
    assert (round(res.ci_low * 100, 1), round(res.ci_high * 100, 1)) == (0.5, 2.7)
    # statsmodels oracles
    z_sm, p_sm = proportions_ztest([304, 240], [4_000, 4_000])
    assert res.z == pytest.approx(z_sm) and res.p_value == pytest.approx(p_sm)
    lo, hi = confint_proportions_2indep(304, 4_000, 240, 4_000, method="wald", compare="diff")
    assert res.ci_low == pytest.approx(lo) and res.ci_high == pytest.approx(hi)


@FAST
@given(st.integers(50, 5_000), st.integers(50, 5_000), st.floats(0.02, 0.98), st.floats(0.02, 0.98))
def test_ztest_matches_statsmodels(n1, n2, r1, r2):
    x1, x2 = round(n1 * r1), round(n2 * r2)
    res = ex.two_proportion_ztest(x1, n1, x2, n2, alpha=0.1)
    z_sm, p_sm = proportions_ztest([x2, x1], [n2, n1])
    assert res.z == pytest.approx(z_sm, rel=1e-9, abs=1e-12)
    assert res.p_value == pytest.approx(p_sm, rel=1e-9, abs=1e-15)
    lo, hi = confint_proportions_2indep(x2, n2, x1, n1, method="wald", compare="diff", alpha=0.1)
    assert res.ci_low == pytest.approx(lo, abs=1e-12) and res.ci_high == pytest.approx(hi, abs=1e-12)


def test_bonferroni():
    assert ex.bonferroni(0.05, 10) == pytest.approx(0.005)
    reject, _, _, alpha_bonf = multipletests([0.004, 0.006, 0.5], alpha=0.05, method="bonferroni")
    assert ex.bonferroni(0.05, 3) == pytest.approx(alpha_bonf)
    assert reject.tolist() == [p < ex.bonferroni(0.05, 3) for p in (0.004, 0.006, 0.5)]


# --------------------------------------------------------------------------- validation
def test_validation_messages():
    with pytest.raises(ValueError, match="p1 and p2 are both 0.04: a zero effect needs an infinite sample"):
        ex.two_proportion_sample_size(0.04, 0.04)
    with pytest.raises(ValueError, match=r"p1 = 0.0 is outside \(0, 1\)"):
        ex.two_proportion_sample_size(0.0, 0.04)
    with pytest.raises(ValueError, match=r"alpha = 1.2 is outside \(0, 1\)"):
        ex.two_proportion_sample_size(0.04, 0.03, alpha=1.2)
    with pytest.raises(ValueError, match=r"power = 1.0 is outside \(0, 1\)"):
        ex.two_proportion_sample_size(0.04, 0.03, power=1.0)
    with pytest.raises(ValueError, match="variance must be one of"):
        ex.two_proportion_sample_size(0.04, 0.03, variance="welch")
    with pytest.raises(ValueError, match="n_per_arm = 0.0 must be at least 1"):
        ex.power_two_proportions(0.04, 0.03, 0)
    with pytest.raises(ValueError, match="eligible_per_day = 0: with no traffic"):
        ex.test_duration_days(1_000, 0)
    with pytest.raises(ValueError, match=r"allocation = 0.0 is outside \(0, 1\]"):
        ex.test_duration_days(1_000, 100, allocation=0)
    with pytest.raises(ValueError, match="days = -1.0 must be at least 0"):
        ex.round_up_to_weeks(-1)


def test_srm_and_ztest_validation_messages():
    with pytest.raises(ValueError, match="at least 2 arm sizes"):
        ex.srm_test([100])
    with pytest.raises(ValueError, match="finite and non-negative"):
        ex.srm_test([100, -5])
    with pytest.raises(ValueError, match="all 0"):
        ex.srm_test([0, 0])
    with pytest.raises(ValueError, match="expected_ratios has 3 entries but observed_counts has 2"):
        ex.srm_test([10, 10], [1, 1, 1])
    with pytest.raises(ValueError, match="expected_ratios must be positive"):
        ex.srm_test([10, 10], [1, 0])
    with pytest.raises(ValueError, match="successes exceed users"):
        ex.two_proportion_ztest(11, 10, 5, 10)
    with pytest.raises(ValueError, match="all failures: the pooled variance is 0"):
        ex.two_proportion_ztest(0, 10, 0, 10)
    with pytest.raises(ValueError, match="x1 = -1.0 must be at least 0"):
        ex.two_proportion_ztest(-1, 10, 0, 10)
    with pytest.raises(TypeError, match="m must be an integer number of tests"):
        ex.bonferroni(0.05, 2.5)
    with pytest.raises(ValueError, match="m = 0 must be at least 1"):
        ex.bonferroni(0.05, 0)


# --------------------------------------------------------------------------- minimum detectable effect
def _mde_unpooled_closed_form(p1, n, alpha, power, sign):
    """Hand derivation: d√n = k·√(p1q1 + p2q2), p2 = p1 ± d, k = z_a + z_b, squared:
    d²n = k²(2p1q1 ± d(1 − 2p1) − d²)  →  (n + k²)d² ∓ k²(1 − 2p1)d − 2k²p1q1 = 0, the positive root."""
    k = norm.ppf(1 - alpha / 2) + norm.ppf(power)
    s = sign * (1 - 2 * p1)
    return (k**2 * s + math.sqrt(k**4 * s**2 + 8 * k**2 * p1 * (1 - p1) * (n + k**2))) / (2 * (n + k**2))


@pytest.mark.parametrize("direction, sign", [("increase", 1), ("decrease", -1)])
@pytest.mark.parametrize("p1, n", [(0.06, 4_000), (0.04, 2_800), (0.3, 500), (0.9, 10_000)])
def test_mde_unpooled_matches_the_quadratic_root(p1, n, direction, sign):
    ours = ex.minimum_detectable_effect(p1, n, variance="unpooled", direction=direction)
    assert ours == pytest.approx(_mde_unpooled_closed_form(p1, n, 0.05, 0.8, sign), rel=1e-9)


@pytest.mark.parametrize("direction, sign", [("increase", 1), ("decrease", -1)])
@pytest.mark.parametrize("p1, n, alpha", [(0.06, 4_000, 0.005), (0.04, 2_800, 0.05), (0.2, 50_000, 0.01)])
def test_mde_inverts_power_and_sample_size(p1, n, alpha, direction, sign):
    d = ex.minimum_detectable_effect(p1, n, alpha=alpha, power=0.8, direction=direction)
    assert d > 0
    assert ex.power_two_proportions(p1, p1 + sign * d, n, alpha=alpha) == pytest.approx(0.8, abs=1e-9)
    # the sample-size formula solved for n at that effect gives back n (up to its rounding up)
    assert ex.two_proportion_sample_size(p1, p1 + sign * d, alpha=alpha) - n in (0, 1)


def test_mde_scenario_figures_and_statsmodels_two_tailed_power():
    from scipy.optimize import brentq

    # the guardrail segment: 6 % bad experiences, 4,000 per arm, α = 0.05/10
    d = ex.minimum_detectable_effect(0.06, 4_000, alpha=0.005, power=0.8)
    assert round(d, 4) == 0.0209
    # statsmodels' power also counts the far rejection tail: its MDE is a hair smaller
    d_sm = brentq(lambda d: power_proportions_2indep(d, 0.06, 4_000, alpha=0.005).power - 0.8, 1e-4, 0.5)
    assert d_sm <= d and d == pytest.approx(d_sm, abs=2e-4)
    # a 1 % canary arm: 2,800 users at 4 %
    assert round(ex.minimum_detectable_effect(0.04, 2_800), 4) == 0.0160
    assert round(ex.minimum_detectable_effect(0.04, 2_800, direction="decrease"), 4) == 0.0134


@pytest.mark.parametrize("direction, sign", [("increase", 1), ("decrease", -1)])
@pytest.mark.parametrize("p1, n", [(0.04, 2_800), (0.06, 4_000), (0.1, 20_000)])
def test_mde_close_to_cohens_h_from_statsmodels(p1, n, direction, sign):
    # NormalIndPower solves for Cohen's h = 2·arcsin√p2 − 2·arcsin√p1; invert the arcsine
    h = NormalIndPower().solve_power(effect_size=None, nobs1=n, alpha=0.05, power=0.8, ratio=1)
    p2 = math.sin(math.asin(math.sqrt(p1)) + sign * h / 2) ** 2
    assert proportion_effectsize(p2, p1) == pytest.approx(sign * h)
    assert ex.minimum_detectable_effect(p1, n, direction=direction) == pytest.approx(abs(p2 - p1), rel=0.03)


def test_mde_shape():
    base = ex.minimum_detectable_effect(0.05, 10_000)
    # ≈ 1/√n: four times the users, about half the effect
    assert ex.minimum_detectable_effect(0.05, 40_000) / base == pytest.approx(0.5, rel=0.03)
    # a one-sided test, a larger α or a lower power detect smaller effects
    assert ex.minimum_detectable_effect(0.05, 10_000, two_sided=False) < base
    assert ex.minimum_detectable_effect(0.05, 10_000, alpha=0.1) < base
    assert ex.minimum_detectable_effect(0.05, 10_000, power=0.5) < base
    # unpooled is the simpler formula: slightly different, same size
    assert ex.minimum_detectable_effect(0.05, 10_000, variance="unpooled") == pytest.approx(base, rel=0.01)


def test_mde_validation_messages():
    with pytest.raises(ValueError, match=r"no increase of p1 = 0.5 is detectable with power 0.8 at n_per_arm = 1"):
        ex.minimum_detectable_effect(0.5, 1)
    with pytest.raises(ValueError, match="even p2 → 0 has power"):
        ex.minimum_detectable_effect(0.5, 1, direction="decrease")
    with pytest.raises(ValueError, match=r"power = 0.01 is below the test's power for a vanishing effect"):
        ex.minimum_detectable_effect(0.05, 1_000, power=0.01)
    with pytest.raises(ValueError, match="direction must be one of"):
        ex.minimum_detectable_effect(0.05, 1_000, direction="up")
    with pytest.raises(ValueError, match="variance must be one of"):
        ex.minimum_detectable_effect(0.05, 1_000, variance="welch")
    with pytest.raises(ValueError, match=r"p1 = 0.0 is outside \(0, 1\)"):
        ex.minimum_detectable_effect(0.0, 1_000)
    with pytest.raises(ValueError, match="n_per_arm = 0.0 must be at least 1"):
        ex.minimum_detectable_effect(0.05, 0)
    with pytest.raises(ValueError, match=r"alpha = 0.0 is outside \(0, 1\)"):
        ex.minimum_detectable_effect(0.05, 1_000, alpha=0)


# --------------------------------------------------------------------------- peeking
def _peeking_by_density(looks, alpha=0.05, h=0.005):
    """Deterministic FPR: propagate the density of the random walk S_k on a grid, one N(0, 1) step at a
    time, removing the mass that has crossed |S_k| ≥ z·√k (paths stopped at a false positive)."""
    z = norm.ppf(1 - alpha / 2)
    x = np.arange(-z * math.sqrt(looks), z * math.sqrt(looks) + h, h)
    step = norm.pdf(x[:, None] - x[None, :]) * h
    density = norm.pdf(x) * (np.abs(x) < z)
    for k in range(2, looks + 1):
        density = (step @ density) * (np.abs(x) < z * math.sqrt(k))
    return 1 - density.sum() * h


def _mc_tol(p, paths):
    return 4 * math.sqrt(p * (1 - p) / paths)  # four Monte-Carlo standard errors


def test_peeking_one_look_is_the_nominal_level():
    fpr = ex.peeking_false_positive_rate(1, 0.05, paths=200_000, seed=1)
    assert fpr == pytest.approx(0.05, abs=_mc_tol(0.05, 200_000))
    one_sided = ex.peeking_false_positive_rate(1, 0.05, paths=200_000, seed=2, two_sided=False)
    assert one_sided == pytest.approx(0.05, abs=_mc_tol(0.05, 200_000))


def test_peeking_two_looks_exact_bivariate_normal():
    from scipy.stats import multivariate_normal

    # Z1 = S1, Z2 = S2/√2: corr(Z1, Z2) = cov(S1, S2)/√2 = 1/√2
    c, r = norm.ppf(0.975), 1 / math.sqrt(2)
    mvn = multivariate_normal(mean=[0, 0], cov=[[1, r], [r, 1]])
    inside = mvn.cdf([c, c]) - mvn.cdf([-c, c]) - mvn.cdf([c, -c]) + mvn.cdf([-c, -c])
    exact = 1 - inside
    assert exact == pytest.approx(0.083, abs=1e-3)  # Armitage et al. (1969)
    fpr = ex.peeking_false_positive_rate(2, 0.05, paths=200_000, seed=3)
    assert fpr == pytest.approx(exact, abs=_mc_tol(exact, 200_000))


@pytest.mark.parametrize("looks, armitage", [(5, 0.142), (10, 0.193), (14, None)])
def test_peeking_matches_the_density_recursion_and_armitage(looks, armitage):
    exact = _peeking_by_density(looks)
    if armitage is not None:
        assert exact == pytest.approx(armitage, abs=2e-3)
    fpr = ex.peeking_false_positive_rate(looks, 0.05, paths=100_000, seed=4)
    assert fpr == pytest.approx(exact, abs=_mc_tol(exact, 100_000) + 2e-3)  # + the grid's error
    assert 0.05 < fpr < 1 - 0.95**looks  # more than one look, less than independent looks


def test_peeking_is_the_written_out_simulation_and_blocks_do_not_change_it(monkeypatch):
    looks, paths, seed = 14, 20_001, 30
    rng = np.random.default_rng(seed)
    z = np.cumsum(rng.standard_normal((paths, looks)), axis=1) / np.sqrt(np.arange(1, looks + 1))
    by_hand = float(np.mean((np.abs(z) > norm.ppf(0.975)).any(axis=1)))
    assert ex.peeking_false_positive_rate(looks, 0.05, paths, seed) == by_hand
    monkeypatch.setattr(ex, "_PEEK_BLOCK", 14 * 997)  # 997 paths per block, the last one short
    assert ex.peeking_false_positive_rate(looks, 0.05, paths, seed) == by_hand
    assert ex.peeking_false_positive_rate(looks, 0.05, paths, seed + 1) != by_hand


def test_peeking_validation_messages():
    with pytest.raises(ValueError, match="looks = 0 must be at least 1"):
        ex.peeking_false_positive_rate(0)
    with pytest.raises(TypeError, match="looks must be a whole number"):
        ex.peeking_false_positive_rate(2.5)
    with pytest.raises(ValueError, match="paths = 0 must be at least 1"):
        ex.peeking_false_positive_rate(3, paths=0)
    with pytest.raises(ValueError, match=r"alpha = 1.0 is outside \(0, 1\)"):
        ex.peeking_false_positive_rate(3, alpha=1.0)


# --------------------------------------------------------------------------- sample size for a margin
def test_sample_size_for_margin_by_hand():
    z = norm.ppf(0.975)  # 1.959964
    # recall ≈ 0.7 within ±0.05: 1.959964² · 0.7 · 0.3 / 0.05² = 3.841459 · 0.21 / 0.0025 = 322.68
    assert z**2 * 0.21 / 0.0025 == pytest.approx(322.68, abs=0.01)
    assert ex.sample_size_for_margin(0.7, 0.05) == 323
    assert ex.sample_size_for_margin(0.5, 0.05) == 385  # worst case: 3.841459 / 4 / 0.0025 = 384.15
    assert ex.sample_size_for_margin(0.3, 0.05) == ex.sample_size_for_margin(0.7, 0.05)  # symmetric in p
    # 90 %: z = 1.644854 → 2.705543 · 0.21 / 0.0025 = 227.27 → 228
    assert ex.sample_size_for_margin(0.7, 0.05, confidence=0.9) == 228
    # the Wald half-width at n is within the margin, and at n − 1 it is not
    n = ex.sample_size_for_margin(0.7, 0.05)
    assert z * math.sqrt(0.21 / n) <= 0.05 < z * math.sqrt(0.21 / (n - 1))


@FAST
@given(st.floats(0.01, 0.99), st.floats(0.005, 0.3), st.floats(0.5, 0.999))
def test_sample_size_for_margin_matches_statsmodels(p, margin, confidence):
    from statsmodels.stats.proportion import samplesize_confint_proportion

    sm = samplesize_confint_proportion(p, margin, alpha=1 - confidence)
    ours = ex.sample_size_for_margin(p, margin, confidence)
    assert ours == math.ceil(round(sm, 9))
    assert ours - 1 < sm + 1e-6 and ours >= sm - 1e-6


def test_sample_size_for_margin_validation_messages():
    with pytest.raises(ValueError, match="margin = 5 is not below 1: give the half-width as a proportion"):
        ex.sample_size_for_margin(0.7, 5)
    with pytest.raises(ValueError, match="margin = 0.0 must be > 0"):
        ex.sample_size_for_margin(0.7, 0)
    with pytest.raises(ValueError, match=r"p = 1.0 is outside \(0, 1\)"):
        ex.sample_size_for_margin(1.0, 0.05)
    with pytest.raises(ValueError, match=r"confidence = 95.0 is outside \(0, 1\)"):
        ex.sample_size_for_margin(0.7, 0.05, confidence=95)


# --------------------------------------------------------------------------- Wilson interval
@pytest.mark.parametrize(("k", "n"), [(26, 40), (0, 12), (12, 12), (528, 800), (3, 7), (1, 1000)])
def test_wilson_interval_matches_statsmodels(k, n):
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    ci = ex.wilson_interval(k, n)
    assert ci.estimate == pytest.approx(k / n)
    assert (ci.low, ci.high) == (pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))
    assert 0 <= ci.low <= ci.estimate <= ci.high <= 1


@pytest.mark.parametrize(("k", "n"), [(26, 40), (3, 7), (528, 800), (14, 25)])
def test_wald_interval_matches_statsmodels_and_is_narrower_than_wilson(k, n):
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(k, n, alpha=0.05, method="normal")
    assert ex.wald_interval(k, n) == (pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))
    wald, wilson = ex.wald_interval(k, n), ex.wilson_interval(k, n)
    assert wald[1] - wald[0] > 0 and (wald[1] - wald[0]) != pytest.approx(wilson.high - wilson.low)
    # 26 of 40 by hand: 0.65 ± 1.959964·√(0.65·0.35/40) = 0.65 ± 1.959964·0.0754155 = 0.65 ± 0.147812
    if (k, n) == (26, 40):
        assert wald == (pytest.approx(0.502188, abs=1e-6), pytest.approx(0.797812, abs=1e-6))


def test_wilson_interval_hand_derivation_and_confidence():
    # 26 of 40, z = 1.959964, z² = 3.841459: centre (0.65 + z²/80)/(1 + z²/40) = 0.698018/1.096036 = 0.636857,
    # half z·√(0.65·0.35/40 + z²/6400)/1.096036 = 1.959964·√0.00628773/1.096036 = 1.959964·0.079295/1.096036
    # = 0.141798
    ci = ex.wilson_interval(26, 40)
    assert ci.low == pytest.approx(0.636857 - 0.141798, abs=3e-6)
    assert ci.high == pytest.approx(0.636857 + 0.141798, abs=3e-6)
    wider = ex.wilson_interval(26, 40, confidence=0.99)
    assert wider.low < ci.low and wider.high > ci.high


@pytest.mark.parametrize(("k", "n", "match"), [(5, 0, "n = 0"), (-1, 10, "negative"), (11, 10, "exceeds n"),
                                               (5, 10, "confidence")])
def test_wilson_interval_refuses_bad_input(k, n, match):
    with pytest.raises(ValueError, match=match):
        ex.wilson_interval(k, n, confidence=1.5 if match == "confidence" else 0.95)


# --------------------------------------------------------------------------- CUPED
def test_cuped_theta_is_the_ols_slope_and_adjusted_is_the_residual():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    x = rng.gamma(2.0, 3.0, 5_000)  # pre-period sessions
    y = 0.6 * x + rng.normal(0, 4.0, 5_000) + 2.0  # in-experiment sessions
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    r = ex.cuped_adjust(y, x)
    assert r.theta == pytest.approx(fit.params[1], rel=1e-10)
    assert r.adjusted == pytest.approx(fit.resid + y.mean(), rel=1e-10, abs=1e-10)
    assert r.adjusted.mean() == pytest.approx(y.mean())
    assert r.correlation == pytest.approx(np.corrcoef(x, y)[0, 1], rel=1e-10)
    assert r.variance_reduction == pytest.approx(fit.rsquared, rel=1e-10)
    assert r.variance_reduction == pytest.approx(r.correlation**2, rel=1e-10)
    assert np.var(r.adjusted) == pytest.approx(np.var(y) * (1 - r.correlation**2), rel=1e-10)


def test_cuped_refuses_a_constant_covariate_and_mismatched_lengths():
    with pytest.raises(ValueError, match="constant"):
        ex.cuped_adjust([1.0, 2.0, 3.0], [5.0, 5.0, 5.0])
    with pytest.raises(ValueError, match="same length"):
        ex.cuped_adjust([1.0, 2.0, 3.0], [1.0, 2.0])


def test_cuped_sample_size_hand_derivation():
    # 147,083 · (1 − 0.25) = 110,312.25 → 110,313; ρ = 0 changes nothing; ρ = −0.5 is as good as 0.5
    assert ex.cuped_sample_size(147_083, 0.5) == 110_313
    assert ex.cuped_sample_size(147_083, 0.0) == 147_083
    assert ex.cuped_sample_size(147_083, -0.5) == 110_313
    with pytest.raises(ValueError, match="not in"):
        ex.cuped_sample_size(1000, 1.2)
# ---------------------------------------------------------------------------------------------------
# Uncertainty of a difference: corrected resampled SE, paired t, paired bootstrap
# ---------------------------------------------------------------------------------------------------
def test_resampled_se_is_nadeau_bengio_by_hand():
    from caselab.maths.experiments import resampled_se

    values = [0.12, 0.05, 0.09, 0.02, 0.11]
    s = np.std(values, ddof=1)
    assert resampled_se(values, n_train=700, n_test=300) == pytest.approx(s * np.sqrt(1 / 5 + 300 / 700))
    assert resampled_se(values, n_train=700, n_test=300) > s / np.sqrt(5)  # the naive SE is too small
    with pytest.raises(ValueError, match="at least 2"):
        resampled_se([0.1], 700, 300)


def test_paired_t_matches_scipy_and_uses_t_not_z():
    from scipy import stats

    from caselab.maths.experiments import paired_t

    rng = np.random.default_rng(3)
    d = rng.normal(0.01, 0.02, 17)  # 17 folds: 16 degrees of freedom
    r = paired_t(d)
    ref = stats.ttest_1samp(d, 0.0)
    assert r.t == pytest.approx(ref.statistic) and r.p_value == pytest.approx(ref.pvalue)
    assert r.df == 16
    lo, hi = ref.confidence_interval(0.95)
    assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi))
    assert r.p_value > 2 * stats.norm.sf(abs(r.t))  # a z reading would understate p
    with pytest.raises(ValueError, match="spread is 0"):
        paired_t([0.1, 0.1, 0.1])


def test_paired_bootstrap_ci_matches_a_plain_loop_and_scipy():
    from scipy import stats

    from caselab.maths.experiments import paired_bootstrap_ci

    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 1.0, 200), rng.normal(0.8, 1.0, 200)

    def diff(x, y):
        return float(np.mean(x) - np.mean(y))

    lo, hi, reps = paired_bootstrap_ci(diff, (a, b), n_boot=4000, seed=5)
    # the same draws by hand: one index vector per replicate, applied to both arrays
    gen = np.random.default_rng(5)
    hand = []
    for _ in range(4000):
        idx = gen.integers(0, 200, 200)
        hand.append(a[idx].mean() - b[idx].mean())
    assert reps == pytest.approx(np.array(hand))
    assert (lo, hi) == pytest.approx(tuple(np.percentile(hand, [2.5, 97.5])))
    # scipy's paired percentile bootstrap (its own random draws) lands on the same interval within noise
    ref = stats.bootstrap((a, b), diff, paired=True, vectorized=False, n_resamples=4000, method="percentile",
                          random_state=1).confidence_interval
    assert lo == pytest.approx(ref.low, abs=0.03) and hi == pytest.approx(ref.high, abs=0.03)
