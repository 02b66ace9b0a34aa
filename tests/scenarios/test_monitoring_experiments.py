"""Monitoring and experiment scenarios: every answer recomputed independently of the solvers.

Hand derivations are written out here; scipy.stats and statsmodels provide the reference statistics.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from scipy import stats

from caselab.scenarios import casebook


def answers(sid: str, givens: dict | None = None) -> dict:
    scenario = casebook.load(sid)
    return {k: a.value for k, a in casebook.solve(scenario, givens).answers.items()}


def givens_of(sid: str) -> dict:
    return copy.deepcopy(casebook.load(sid).givens)


def _psi_by_hand(expected, actual, eps):
    total = 0.0
    for e, a in zip(expected, actual, strict=False):
        e, a = max(e, eps), max(a, eps)
        total += (a - e) * math.log(a / e)
    return total


def _level(v):
    return "stable" if v < 0.1 else "moderate" if v < 0.25 else "major"


# ------------------------------------------------------------------------------------------------
# fraud-drift-psi-calibration
# ------------------------------------------------------------------------------------------------
DRIFT = "fraud-drift-psi-calibration"


def test_drift_psi_by_hand_and_as_symmetric_kl():
    g, a = givens_of(DRIFT), answers(DRIFT)
    for f in ("amount", "account_age", "device"):
        e, cur = g[f"{f}_baseline"], g[f"{f}_current"]
        assert a[f"psi_{f}"] == pytest.approx(_psi_by_hand(e, cur, g["eps"]))
        # PSI = KL(a‖e) + KL(e‖a): scipy's entropy gives each direction
        e_, a_ = np.maximum(e, g["eps"]), np.maximum(cur, g["eps"])
        assert a[f"psi_{f}"] == pytest.approx(stats.entropy(a_, e_) + stats.entropy(e_, a_), rel=2e-3)
    # the figures of the casebook catalog (ARITH): 0.0101 / 0.2123 / 1.123
    assert a["psi_amount"] == pytest.approx(0.0101, abs=5e-5)
    assert a["psi_account_age"] == pytest.approx(0.2123, abs=5e-5)
    assert a["psi_device"] == pytest.approx(1.123, abs=5e-4)
    # the new category alone: (0.15 − ε)·ln(0.15/ε)
    new_term = (0.15 - 1e-4) * math.log(0.15 / 1e-4)
    assert a["new_category_share_of_psi"] == pytest.approx(new_term / a["psi_device"])
    assert a["psi_device_small_eps"] == pytest.approx(
        a["psi_device"] - new_term + (0.15 - 1e-6) * math.log(0.15 / 1e-6))
    assert a["level_account_age"] == _level(a["psi_account_age"]) == "moderate"
    assert a["level_device"] == "major"


def test_drift_oe_and_decision():
    g, a = givens_of(DRIFT), answers(DRIFT)
    assert a["oe_ratio"] == pytest.approx(0.015 / 0.021)
    assert a["oe_alert_fires"] == "alert"
    o, e = 0.015 * 50_000, 0.021 * 50_000
    assert a["oe_z"] == pytest.approx((o - e) / math.sqrt(e))
    # Poisson check: the probability of ≤ 750 frauds when 1,050 are expected is tiny
    assert stats.poisson.cdf(o, e) < 1e-15
    assert a["action"].startswith("recalibrate")
    # a small cohort: the same O/E is noise → investigate only
    g["n_matured"] = 500  # E = 10.5, O = 7.5, z ≈ −0.93
    assert answers(DRIFT, g)["action"] == "investigate the drifted inputs; no model change"
    # calibrated and no drift → no action
    g = givens_of(DRIFT)
    g["observed_fraud_rate"] = g["predicted_fraud_rate"]
    g["account_age_current"] = g["account_age_baseline"]
    g["device_current"] = [0.55, 0.40, 0.05, 0.0]
    a2 = answers(DRIFT, g)
    assert a2["oe_alert_fires"] == "no alert" and a2["action"] == "no action"


def test_drift_variants_by_hand():
    """Drill variants: PSI levels, the O/E band, z in counts and the action rule, written out for 50 draws."""
    from caselab.scenarios import variants

    scenario = casebook.load(DRIFT)
    seen = set()
    for seed in range(50):
        g = variants.draw(scenario, seed)
        a = answers(DRIFT, g)
        levels = [_level(_psi_by_hand(g[f"{f}_baseline"], g[f"{f}_current"], g["eps"]))
                  for f in ("amount", "account_age", "device")]
        assert [a["level_account_age"], a["level_device"]] == levels[1:]
        oe = g["observed_fraud_rate"] / g["predicted_fraud_rate"]
        fires = not g["oe_lower"] <= oe <= g["oe_upper"]
        assert a["oe_alert_fires"] == ("alert" if fires else "no alert")
        o, e = g["observed_fraud_rate"] * g["n_matured"], g["predicted_fraud_rate"] * g["n_matured"]
        assert a["oe_z"] == pytest.approx((o - e) / math.sqrt(e))
        if fires and abs(o - e) / math.sqrt(e) > g["z_alarm"]:
            expected = "recalibrate on matured labels and investigate the drifted inputs"
        elif fires or any(level != "stable" for level in levels):
            expected = "investigate the drifted inputs; no model change"
        else:
            expected = "no action"
        assert a["action"] == expected
        seen.add(expected)
    assert len(seen) >= 2  # the draws reach more than one action


# ------------------------------------------------------------------------------------------------
# fraud-amount-cents-schema-guard
# ------------------------------------------------------------------------------------------------
CENTS = "fraud-amount-cents-schema-guard"


def _decile_psi(base, cur, eps):
    """PSI on the baseline's deciles, written out: edges, right-closed bins, empty-bin rule."""
    edges = np.quantile(base, np.arange(1, 10) / 10)
    e = np.array([np.mean(np.searchsorted(edges, base, side="left") == i) for i in range(10)])
    a = np.array([np.mean(np.searchsorted(edges, cur, side="left") == i) for i in range(10)])
    return _psi_by_hand(e, a, eps), a


def test_cents_switch_by_hand():
    from caselab.scenarios.data import card_transactions

    g, a = givens_of(CENTS), answers(CENTS)
    kw = {"median_amount": g["median_amount"], "amount_sigma": g["amount_sigma"]}
    base = card_transactions(g["n_baseline"], g["seed_baseline"], **kw)["amount"]
    cur = g["unit_factor"] * card_transactions(g["n_current"], g["seed_current"], **kw)["amount"]
    psi, shares = _decile_psi(base, cur, 1e-4)
    assert a["psi_amount"] == pytest.approx(psi)
    assert a["psi_amount"] > 5  # "several units": far past any convention
    assert a["top_bin_share"] == pytest.approx(np.mean(cur > np.quantile(base, 0.9)))
    assert a["top_bin_share"] == pytest.approx(shares[-1]) and a["top_bin_share"] > 0.99
    assert a["mean_ratio"] == pytest.approx(cur.mean() / base.mean())
    assert a["mean_ratio"] == pytest.approx(100, rel=0.05)
    # the range [0, 10,000] is broken by purchases over $100: P(lognormal(ln 40, 1.1) > 100) ≈ 0.2
    assert a["share_out_of_range"] == pytest.approx(np.mean(cur > 10_000))
    assert a["share_out_of_range"] == pytest.approx(stats.norm.sf(math.log(100 / 40) / 1.1), abs=0.01)
    assert a["n_violations"] == 1  # amount out of range; account age and device conform
    assert a["batch_action"] == "block the batch and fail over to a scorer that does not use the broken field"
    # retraining rule: drops 0.005, 0.015, 0.037, 0.025 — only one of the last two exceeds 0.03
    assert a["retrain"] == "do not retrain"


def test_cents_answers_follow_the_givens():
    g = givens_of(CENTS)
    g["unit_factor"] = 1  # no incident: stable PSI, no violation
    a = answers(CENTS, g)
    assert a["psi_amount"] < 0.01 and a["n_violations"] == 0
    assert a["batch_action"] == "score the batch as usual"
    g["weekly_matured_pr_auc"] = [0.415, 0.405, 0.383, 0.385]  # two windows more than 0.03 below
    assert answers(CENTS, g)["retrain"] == "retrain"
    g["schema"]["device"]["categories"] = ["ios", "android"]  # 5% 'web' now unknown > 1% allowed
    a = answers(CENTS, g)
    assert a["n_violations"] == 1 and a["batch_action"].startswith("block")


# ------------------------------------------------------------------------------------------------
# pinterest-ab-test-design
# ------------------------------------------------------------------------------------------------
AB = "pinterest-ab-test-design"


def test_ab_sample_size_matches_statsmodels_and_the_formula():
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize, samplesize_proportions_2indep_onetail

    a = answers(AB)
    p1, p2 = 0.04, 0.04 * 0.95
    za, zb = stats.norm.ppf(0.975), stats.norm.ppf(0.8)
    pbar = (p1 + p2) / 2
    pooled = (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p1 - p2) ** 2
    unpooled = (za + zb) ** 2 * (p1 * (1 - p1) + p2 * (1 - p2)) / (p1 - p2) ** 2
    assert a["n_per_arm"] == math.ceil(pooled) == 147_083
    assert math.ceil(unpooled) == 147_081  # the catalog's figure: within the question's ±50
    sm = samplesize_proportions_2indep_onetail(p2 - p1, p1, 0.8, alpha=0.05, alternative="two-sided")
    assert a["n_per_arm"] == pytest.approx(sm, abs=1)
    cohen = NormalIndPower().solve_power(proportion_effectsize(p1, p2), alpha=0.05, power=0.8)
    assert abs(a["n_per_arm"] - cohen) < 50  # the arcsine approximation also passes the tolerance
    assert a["duration_days"] == pytest.approx(147_083 / 20_000)
    assert a["run_days"] == 14
    p2b = 0.04 * 0.9
    alt = samplesize_proportions_2indep_onetail(p2b - p1, p1, 0.8, alpha=0.05, alternative="two-sided")
    assert a["n_per_arm_alternative"] == math.ceil(alt) == 35_865


def test_ab_srm_segments_and_peeking():
    from statsmodels.stats.proportion import power_proportions_2indep

    a = answers(AB)
    chi = stats.chisquare([281_200, 278_800], [280_000, 280_000])
    assert a["srm_chi2"] == pytest.approx(chi.statistic) and a["srm_chi2"] == pytest.approx(2 * 1_200**2 / 280_000)
    assert a["srm_p"] == pytest.approx(chi.pvalue)
    assert a["srm_action"].startswith("stop")
    assert a["alpha_per_segment"] == pytest.approx(0.005)
    sm = power_proportions_2indep(0.038 - 0.04, 0.04, 147_083 / 10, alpha=0.005, alternative="two-sided").power
    assert a["segment_power"] == pytest.approx(sm, abs=1e-3)  # statsmodels also counts the far tail
    # 14 looks, deterministically: propagate the density of the random walk S_k on a grid, killing the mass
    # that crosses |S_k| ≥ 1.96·√k (stopped paths), one N(0, 1) step at a time
    z, looks, h = stats.norm.ppf(0.975), 14, 0.01
    x = np.arange(-z * math.sqrt(looks), z * math.sqrt(looks) + h, h)
    step = stats.norm.pdf(x[:, None] - x[None, :]) * h  # transition kernel on the grid
    density = stats.norm.pdf(x) * (np.abs(x) < z)  # after the first look
    for k in range(2, looks + 1):
        density = (step @ density) * (np.abs(x) < z * math.sqrt(k))
    assert a["peeking_false_positive_rate"] == pytest.approx(1 - density.sum() * h, abs=0.005)
    assert 0.15 < a["peeking_false_positive_rate"] < 1 - 0.95**14


def test_ab_timeline_arm_sizes_and_the_cohen_h_route():
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    g = casebook.load(AB).givens
    solution = casebook.solve(casebook.load(AB))
    a = {k: v.value for k, v in solution.answers.items()}
    # enrolment in whole weeks, then the first-week metric's window for the last users enrolled
    assert a["run_days"] == 14 and a["read_day"] == 14 + 7
    assert solution.facts["earliest_read_day"] == pytest.approx(147_083 / 20_000 + 7)  # ≈ 14.35
    # the observed arms hold what the enrolment period delivers (14 days × 20,000 per arm), not 10 days' worth
    expected_total = a["run_days"] * g["eligible_per_day"] * 2 * g["allocation_per_arm"]
    assert sum(g["observed_arm_sizes"]) == pytest.approx(expected_total, rel=0.01)
    h = proportion_effectsize(0.04, 0.038)
    n_h = NormalIndPower().solve_power(h, alpha=0.05, power=0.8, ratio=1.0, alternative="two-sided")
    assert solution.facts["n_cohen_h"] == pytest.approx(n_h, rel=1e-4)  # statsmodels also counts the far tail
    q = casebook.load(AB).question("n_per_arm")
    assert q.accepted.accepts(n_h, a["n_per_arm"]) and q.accepted.accepts(solution.facts["n_unpooled"], a["n_per_arm"])


def test_ab_variants_arms_add_up_to_their_enrolment():
    # the [variants] keep the traffic fixed and draw needs of 7-14 days, so the observed arms (drawn separately)
    # always hold what 14 days of enrolment deliver, and the SRM check decides on the split alone
    from caselab.scenarios import variants

    scenario = casebook.load(AB)
    for seed in range(40):
        g, solution = variants.draw_solved(scenario, seed)
        run = solution.answers["run_days"].value
        assert 7 < solution.answers["duration_days"].value <= run == 14
        assert sum(g["observed_arm_sizes"]) == run * g["eligible_per_day"] * 2 * g["allocation_per_arm"]
        chi = stats.chisquare(g["observed_arm_sizes"])
        assert solution.answers["srm_p"].value == pytest.approx(chi.pvalue)


def test_ab_answers_follow_the_givens():
    g = givens_of(AB)
    g["observed_arm_sizes"] = [200_300, 199_700]  # χ² = 0.9: no mismatch
    g["srm_alarm"] = 0.001
    a = answers(AB, g)
    assert a["srm_chi2"] == pytest.approx(2 * 300**2 / 200_000)
    assert a["srm_action"] == "analyse the results as planned"
    g["eligible_per_day"] = 10_000  # 147,083 / 5,000 = 29.4 days → 5 weeks
    assert answers(AB, g)["run_days"] == 35


# ------------------------------------------------------------------------------------------------
# pinterest-segment-regression-rollback
# ------------------------------------------------------------------------------------------------
SEG = "pinterest-segment-regression-rollback"


def test_segment_ztest_matches_statsmodels():
    from scipy.optimize import brentq
    from statsmodels.stats.proportion import (
        confint_proportions_2indep,
        power_proportions_2indep,
        proportions_ztest,
    )

    a = answers(SEG)
    z, p = proportions_ztest([304, 240], [4_000, 4_000])  # treatment first: positive z = regression
    assert a["z"] == pytest.approx(z) and a["p_value"] == pytest.approx(p)
    assert a["diff"] == pytest.approx(0.016)
    pbar = 544 / 8_000
    assert a["se_pooled"] == pytest.approx(math.sqrt(pbar * (1 - pbar) * (2 / 4_000)))
    lo, hi = confint_proportions_2indep(304, 4_000, 240, 4_000, method="wald", compare="diff")
    assert (a["ci_low"], a["ci_high"]) == pytest.approx((lo, hi))
    assert a["ci_low"] == pytest.approx(0.005, abs=5e-4) and a["ci_high"] == pytest.approx(0.027, abs=5e-4)
    z_all, p_all = proportions_ztest([5_700, 6_000], [150_000, 150_000])
    assert a["overall_diff"] == pytest.approx(-0.002) and a["overall_p"] == pytest.approx(p_all)
    assert a["segment_alpha"] == pytest.approx(0.005)
    assert a["segment_regression_confirmed"] == "yes"  # p 0.0045 < 0.005
    # what the guardrail can see: statsmodels' power (both tails) solved for the increase
    d = brentq(lambda d: power_proportions_2indep(d, 0.06, 4_000, alpha=0.005).power - 0.8, 1e-4, 0.5)
    assert a["minimum_detectable_regression"] == pytest.approx(d, abs=2e-4)
    assert a["ramp_decision"].startswith("hold the ramp")


def test_segment_decision_follows_the_counts():
    g = givens_of(SEG)
    g["treatment_events"] = 280  # +1.0 pp: p ≈ 0.07, not confirmed at 0.005
    a = answers(SEG, g)
    assert a["segment_regression_confirmed"] == "no" and a["ramp_decision"] == "continue the ramp to 100%"
    g["overall_treatment_events"] = 5_950  # overall −0.03 pp, not significant → no win to keep
    assert answers(SEG, g)["ramp_decision"] == "roll back the new model everywhere"


def test_segment_variants_match_statsmodels_and_the_ramp_rule():
    """Drill variants: the z-tests by statsmodels, Bonferroni by hand, and the ramp rule, for 40 draws."""
    from statsmodels.stats.proportion import proportions_ztest

    from caselab.scenarios import variants

    scenario = casebook.load(SEG)
    decisions = set()
    for seed in range(40):
        g = variants.draw(scenario, seed)
        a = answers(SEG, g)
        z, p = proportions_ztest([g["treatment_events"], g["control_events"]], [g["treatment_users"], g["control_users"]])
        assert a["z"] == pytest.approx(z) and a["p_value"] == pytest.approx(p)
        _, p_all = proportions_ztest([g["overall_treatment_events"], g["overall_control_events"]],
                                     [g["overall_treatment_users"], g["overall_control_users"]])
        assert a["overall_p"] == pytest.approx(p_all)
        level = g["alpha"] / g["n_segments"]
        confirmed = z > 0 and p < level
        assert a["segment_regression_confirmed"] == ("yes" if confirmed else "no")
        win = g["overall_treatment_events"] < g["overall_control_events"] and p_all < g["alpha"]
        expected = ("roll back the new model everywhere" if not win else
                    "hold the ramp and route the segment to the old model while investigating" if confirmed else
                    "continue the ramp to 100%")
        assert a["ramp_decision"] == expected
        decisions.add(expected)
    assert len(decisions) == 3  # the draws reach every decision


# ------------------------------------------------------------------------------------------------
# pinterest-shadow-canary-ab-ladder
# ------------------------------------------------------------------------------------------------
LADDER = "pinterest-shadow-canary-ab-ladder"


def test_ladder_stages_by_hand_and_with_statsmodels():
    from scipy.optimize import brentq
    from statsmodels.stats.proportion import (
        power_proportions_2indep,
        proportions_ztest,
        samplesize_proportions_2indep_onetail,
    )

    a = answers(LADDER)
    assert a["shadow_flag_ratio"] == pytest.approx(0.031 / 0.028)
    assert a["shadow_gate"] == "pass"  # 41 ms ≤ 50 ms, 1.107 in [0.8, 1.25]
    n = 40_000 * 0.01 * 7
    assert a["canary_users_per_arm"] == pytest.approx(2_800)
    # MDE: statsmodels' power (both tails) solved for the increase
    d = brentq(lambda d: power_proportions_2indep(d, 0.04, n, alpha=0.05).power - 0.8, 1e-4, 0.5)
    assert a["canary_mde"] == pytest.approx(d, abs=1e-4)
    # hand approximation: (z_a + z_b)·√(2p(1 − p)/n) ≈ 0.0147; the exact pooled root is a bit larger
    assert a["canary_mde"] == pytest.approx(2.8016 * math.sqrt(2 * 0.04 * 0.96 / n), rel=0.1)
    assert a["canary_sees_target"] == "no"  # 0.016 ≫ 0.002
    _, p = proportions_ztest([120, 112], [2_800, 2_800])
    assert a["canary_p"] == pytest.approx(p)
    assert a["canary_gate"] == "ramp to the 50/50 A/B test"
    n_guard = samplesize_proportions_2indep_onetail(0.003, 0.01, 0.8, alpha=0.05, alternative="two-sided")
    assert a["guardrail_users_per_arm"] == math.ceil(n_guard)
    # the complaint guardrail randomises creators (a viewer-randomised test cannot assign a creator's complaint)
    assert a["guardrail_days_in_canary"] == pytest.approx(math.ceil(n_guard) / (10_000 * 0.01))
    assert a["guardrail_days_in_ab"] == pytest.approx(math.ceil(n_guard) / (10_000 * 0.5))
    assert a["ab_run_days"] == 14  # primary 7.35 days dominates the guardrail's ≈ 4
    assert a["ab_read_day"] == 21  # + the first-week metric's window


def test_ladder_gates_follow_the_givens():
    g = givens_of(LADDER)
    g["shadow_flag_rate_new"] = 0.04  # ratio 1.43: outside the band
    assert answers(LADDER, g)["shadow_gate"] == "fail"
    g = givens_of(LADDER)
    g["canary_treatment_events"] = 180  # 6.4% vs 4.0%: a catastrophe the canary does see
    assert answers(LADDER, g)["canary_gate"] == "roll back and investigate"
    g = givens_of(LADDER)
    g["complaint_rate"], g["complaint_harm_relative"] = 0.001, 0.1  # a rare guardrail needs ~1.6M per arm
    a = answers(LADDER, g)
    assert a["guardrail_days_in_ab"] > 7.35 and a["ab_run_days"] == 7 * math.ceil(a["guardrail_days_in_ab"] / 7)
