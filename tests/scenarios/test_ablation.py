"""pinterest-feature-group-ablation: gains, Shapley credit and standard errors, recomputed independently.

The standard errors are checked against an ordinary least-squares fit of the 2×2 factorial design
(statsmodels) on per-seed values constructed to have the stated means and seed SD.
"""

from __future__ import annotations

import copy
import itertools

import numpy as np
import pytest
import statsmodels.api as sm

from caselab.scenarios import casebook

SID = "pinterest-feature-group-ablation"
MEANS = {frozenset(): 0.412, frozenset("A"): 0.455, frozenset("B"): 0.430, frozenset("AB"): 0.468}


def answers(givens: dict | None = None) -> dict:
    scenario = casebook.load(SID)
    return {k: a.value for k, a in casebook.solve(scenario, givens).answers.items()}


def shapley(player: str) -> float:
    """Average marginal contribution of ``player`` over every order of adding the players."""
    contributions = []
    for order in itertools.permutations("AB"):
        before = frozenset(order[: order.index(player)])
        contributions.append(MEANS[before | {player}] - MEANS[before])
    return float(np.mean(contributions))


def test_gains_and_shapley_values():
    a = answers()
    assert a["gain_a_alone"] == pytest.approx(0.043)
    assert a["gain_a_given_b"] == pytest.approx(0.038)
    assert a["gain_b_alone"] == pytest.approx(0.018)
    assert a["gain_b_given_a"] == pytest.approx(0.013)
    assert a["shapley_a"] == pytest.approx(shapley("A"))  # 0.0405
    assert a["shapley_b"] == pytest.approx(shapley("B"))  # 0.0155
    assert a["shapley_a"] + a["shapley_b"] == pytest.approx(0.468 - 0.412)  # efficiency


def factorial_fit(sd: float = 0.004, n: int = 5):
    """OLS of PR-AUC on A, B and A·B over 4 × n runs whose per-cell means and SDs are exactly as given."""
    unit = np.linspace(-1, 1, n)
    unit = (unit - unit.mean()) / unit.std(ddof=1)  # sample SD exactly 1
    rows, y = [], []
    for has_a, has_b in itertools.product([0, 1], [0, 1]):
        cell = frozenset("A" * has_a + "B" * has_b)
        for u in unit:
            rows.append([has_a, has_b, has_a * has_b])
            y.append(MEANS[cell] + sd * u)
    return sm.OLS(np.array(y), sm.add_constant(np.array(rows, dtype=float))).fit()


def test_standard_errors_match_a_factorial_regression():
    a = answers()
    fit = factorial_fit()
    # coefficient of A·B is the interaction; its SE uses the pooled residual SD (= 0.004 here)
    assert a["interaction"] == pytest.approx(fit.params[3])
    assert a["se_interaction"] == pytest.approx(fit.bse[3])
    assert a["z_interaction"] == pytest.approx(fit.tvalues[3])
    # the coefficient of B is gain(B | ∅), a difference of two cell means: its SE is the two-mean SE
    assert a["gain_b_alone"] == pytest.approx(fit.params[2])
    assert a["se_difference"] == pytest.approx(fit.bse[2])
    # z(B | A): B's effect with A present = β_B + β_AB; its SE from the covariance matrix
    c = np.array([0, 0, 1, 1])
    se = float(np.sqrt(c @ fit.cov_params() @ c))
    assert a["z_b_given_a"] == pytest.approx((c @ fit.params) / se)  # 5.14
    # the residual SD has 4·(5 − 1) = 16 degrees of freedom: statsmodels' p-value is Student's t on them
    assert a["pooled_df"] == fit.df_resid == 16
    assert a["interaction_p_value"] == pytest.approx(fit.pvalues[3])  # 0.181, not the normal 0.162
    assert a["interaction_p_value"] > 0.17
    assert a["keep_groups"] == "keep A and B"


def test_paired_bootstrap_over_examples_by_hand():
    """AP by scikit-learn, the bootstrap as a plain loop with the stated draws; scipy's own bootstrap agrees."""
    from scipy import stats
    from sklearn.metrics import average_precision_score

    from caselab.scenarios.data import paired_model_scores

    g = casebook.load(SID).givens
    v = g["validation"]
    y, s_a, s_ab = paired_model_scores(v["n"], v["prevalence"], v["separation_a"], v["separation_ab"],
                                       v["correlation"], v["seed"])
    a = answers()

    def gain(yy, sa, sab):
        return average_precision_score(yy, sab) - average_precision_score(yy, sa)

    assert a["ap_gain_examples"] == pytest.approx(gain(y, s_a, s_ab), abs=1e-12)
    rng = np.random.default_rng(g["bootstrap_seed"])
    reps = []
    for _ in range(g["n_boot"]):
        idx = rng.integers(0, y.size, y.size)
        reps.append(gain(y[idx], s_a[idx], s_ab[idx]))
    assert a["bootstrap_sd"] == pytest.approx(np.std(reps, ddof=1), abs=1e-9)
    assert (a["bootstrap_ci_low"], a["bootstrap_ci_high"]) == pytest.approx(tuple(np.percentile(reps, [2.5, 97.5])))
    assert a["bootstrap_ci_low"] < 0 < a["bootstrap_ci_high"]
    assert a["gain_established"].startswith("not on this evidence")
    # evaluation-set noise dwarfs seed noise
    assert a["bootstrap_sd"] > 5 * a["se_difference"]
    # scipy's paired bootstrap, with its own draws, lands inside the stated tolerance
    ref = stats.bootstrap((y, s_a, s_ab), gain, paired=True, vectorized=False, n_resamples=g["n_boot"],
                          method="percentile", random_state=1)
    assert a["bootstrap_sd"] == pytest.approx(ref.standard_error, abs=0.002)
    assert a["bootstrap_ci_low"] == pytest.approx(ref.confidence_interval.low, abs=0.005)
    assert a["bootstrap_ci_high"] == pytest.approx(ref.confidence_interval.high, abs=0.005)


def test_more_noise_changes_the_decision():
    g = copy.deepcopy(casebook.load(SID).givens)
    g["seed_sd"] = 0.012  # SE of a difference 0.0076: B|A = 0.013 is t ≈ 1.7, no longer significant
    a = answers(g)
    assert a["z_b_given_a"] == pytest.approx(0.013 / (np.sqrt(2) * 0.012 / np.sqrt(5)))
    assert a["keep_groups"] == "keep A only"
