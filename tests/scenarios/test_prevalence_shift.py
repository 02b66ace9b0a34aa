"""social-prevalence-shift-deployment: checked by Bayes' rule by hand and on a simulated binormal population."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.metrics import precision_score, recall_score

from caselab.scenarios import casebook

SID = "social-prevalence-shift-deployment"


def answers(givens: dict | None = None) -> dict:
    scenario = casebook.load(SID)
    return {k: a.value for k, a in casebook.solve(scenario, givens).answers.items()}


def test_by_hand():
    a = answers()
    # per 100,000 at 2%: 2,000 scams → 1,600 caught; 98,000 legit → 1,960 flagged
    assert a["flags_train"] == pytest.approx(1_600 + 1_960)
    assert a["precision_train"] == pytest.approx(1_600 / 3_560)
    # at 0.5%: 500 scams → 400 caught; 99,500 legit → 1,990 flagged
    assert a["flags_prod"] == pytest.approx(400 + 1_990)
    assert a["precision_prod"] == pytest.approx(400 / 2_390)
    assert a["odds_factor"] == pytest.approx((0.005 / 0.995) / (0.02 / 0.98))
    odds = 0.3 / 0.7 * a["odds_factor"]
    assert a["shifted_score"] == pytest.approx(odds / (1 + odds))
    assert a["bayes_threshold"] == pytest.approx(1 / 6)
    back = 0.2 / a["odds_factor"]  # odds of τ* divided by r
    assert a["old_score_threshold"] == pytest.approx(back / (1 + back))  # 0.448
    assert a["cost_prod"] == pytest.approx(1 * 1_990 + 5 * 100)
    assert a["cost_flag_nothing"] == pytest.approx(5 * 500)
    assert a["run_or_not"] == "run it"
    assert a["what_transfers"] == "recall (TPR) and FPR"


def test_on_a_simulated_population():
    """Binormal scores with TPR 0.80 / FPR 0.02 at a fixed cut, drawn at the production prior."""
    a = answers()
    t = norm.ppf(0.98)  # FPR 0.02 for negatives ~ N(0, 1)
    d = t - norm.ppf(0.20)  # TPR 0.80 for positives ~ N(d, 1)
    rng = np.random.default_rng(23)
    n = 2_000_000
    y = (rng.random(n) < 0.005).astype(int)
    x = rng.standard_normal(n) + d * y
    flagged = (x >= t).astype(int)
    assert recall_score(y, flagged) == pytest.approx(0.80, abs=0.01)
    assert precision_score(y, flagged) == pytest.approx(a["precision_prod"], abs=0.005)
    assert flagged.sum() / n * 100_000 == pytest.approx(a["flags_prod"], rel=0.02)

    def posterior(z, prior):
        lr = norm.pdf(z - d) / norm.pdf(z)
        return prior * lr / (prior * lr + 1 - prior)

    # the prior-shifted training posterior equals the production posterior…
    z = np.linspace(-2, 6, 50)
    shifted = a["odds_factor"] * posterior(z, 0.02) / (a["odds_factor"] * posterior(z, 0.02) + 1 - posterior(z, 0.02))
    assert shifted == pytest.approx(posterior(z, 0.005))
    # …and it is calibrated on the simulated production traffic
    p_prod = posterior(x, 0.005)
    band = (p_prod > 0.1) & (p_prod < 0.3)
    assert y[band].mean() == pytest.approx(p_prod[band].mean(), abs=0.01)
    # old score ≥ the re-aimed threshold ⇔ production probability ≥ τ*
    old = posterior(x, 0.02)
    assert np.mean((old >= a["old_score_threshold"]) == (p_prod >= 1 / 6)) > 0.99999


def test_no_shift_changes_nothing():
    g = copy.deepcopy(casebook.load(SID).givens)
    g["prod_prior"] = g["train_prior"]
    a = answers(g)
    assert a["odds_factor"] == pytest.approx(1.0)
    assert a["precision_prod"] == pytest.approx(a["precision_train"])
    assert a["old_score_threshold"] == pytest.approx(1 / 6)


def test_mean_score_is_biased_toward_the_training_prior_and_em_removes_it():
    """The production sample rebuilt from scratch (binormal, posterior at the training prior); EM by hand."""
    g = casebook.load(SID).givens
    a = answers()
    d = norm.ppf(1 - g["fpr"]) + norm.ppf(g["tpr"])
    rng = np.random.default_rng(g["seed"])
    y = (rng.random(g["volume"]) < g["prod_prior"]).astype(int)
    latent = rng.standard_normal(g["volume"]) + d * y
    pi = g["train_prior"]
    log_odds = d * latent - d**2 / 2 + np.log(pi / (1 - pi))  # Bayes' rule with the *training* prior
    s = 1 / (1 + np.exp(-log_odds))
    assert a["mean_score_prod"] == pytest.approx(s.mean())
    assert s.mean() > 2 * g["prod_prior"]  # 0.012: pulled toward the training 0.02
    q = s.mean()
    for _ in range(10_000):  # Saerens et al.: E-step (Bayes with the current prior), M-step (mean)
        r = (q / (1 - q)) / (pi / (1 - pi))
        new = np.mean(r * s / (r * s + 1 - s))
        if abs(new - q) < 1e-12:
            break
        q = new
    assert a["em_prior_prod"] == pytest.approx(q, abs=1e-8)
    assert abs(q - y.mean()) < 0.001 and abs(q - g["prod_prior"]) < 0.001


def test_drill_variants_by_bayes_rule():
    """Drill variants: precision, flags, the re-aimed threshold and run-or-not, from the drawn givens by hand."""
    from caselab.scenarios import variants

    scenario = casebook.load(SID)
    verdicts = set()
    for seed in range(40):
        g = variants.draw(scenario, seed)
        a = answers(g)
        n, tpr, fpr, pi2 = g["volume"], g["tpr"], g["fpr"], g["prod_prior"]
        tp, fp = n * pi2 * tpr, n * (1 - pi2) * fpr
        assert a["precision_prod"] == pytest.approx(tp / (tp + fp)) and a["flags_prod"] == pytest.approx(tp + fp)
        tau = g["cost_fp"] / (g["cost_fp"] + g["cost_fn"])
        back = tau / (1 - tau) * (g["train_prior"] / (1 - g["train_prior"])) / (pi2 / (1 - pi2))
        assert a["old_score_threshold"] == pytest.approx(back / (1 + back))
        cost = g["cost_fp"] * fp + g["cost_fn"] * n * pi2 * (1 - tpr)
        nothing = g["cost_fn"] * n * pi2
        assert a["run_or_not"] == ("run it" if cost < nothing else "flag nothing")
        verdicts.add(a["run_or_not"])
    assert verdicts == {"run it", "flag nothing"}
