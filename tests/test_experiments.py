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

from caselab import experiments as ex

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
