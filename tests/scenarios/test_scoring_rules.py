"""proper-scoring-rules: every metric recomputed with scikit-learn; costs counted by hand."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from scipy.special import expit, logit
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score, brier_score_loss, f1_score, log_loss, roc_auc_score

from caselab.scenarios import casebook
from caselab.scenarios.data import binormal_scores

SID = "proper-scoring-rules"


def answers(givens=None):
    scenario = casebook.load(SID)
    return {k: a.value for k, a in casebook.solve(scenario, givens).answers.items()}


def ece(y, p, n_bins):
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy="quantile")
    edges = np.percentile(p, np.linspace(0, 100, n_bins + 1))
    counts = np.bincount(np.searchsorted(edges[1:-1], p), minlength=n_bins)
    return float(np.sum(counts[counts > 0] / len(y) * np.abs(prob_true - prob_pred)))


def test_metrics_with_sklearn():
    g = casebook.load(SID).givens
    a = answers()
    y, pa = binormal_scores(g["n"], g["prevalence"], g["separation"], g["seed"])
    pb = expit(g["sharpness"] * logit(pa))
    assert a["roc_auc_a"] == pytest.approx(roc_auc_score(y, pa)) == pytest.approx(a["roc_auc_b"])
    assert average_precision_score(y, pa) == pytest.approx(average_precision_score(y, pb))  # same ranking
    assert a["f1_half_a"] == pytest.approx(f1_score(y, pa >= 0.5)) == pytest.approx(f1_score(y, pb >= 0.5))
    assert a["log_loss_a"] == pytest.approx(log_loss(y, pa))
    assert a["log_loss_b"] == pytest.approx(log_loss(y, pb))
    assert a["brier_a"] == pytest.approx(brier_score_loss(y, pa))
    assert a["brier_b"] == pytest.approx(brier_score_loss(y, pb))
    assert a["log_loss_b"] > a["log_loss_a"] and a["brier_b"] > a["brier_a"]
    assert a["ece_a"] == pytest.approx(ece(y, pa, g["n_bins"]), abs=1e-9)
    assert a["ece_b"] == pytest.approx(ece(y, pb, g["n_bins"]), abs=1e-9)
    assert a["which_notices"] == "log loss and Brier score"
    pi = y.mean()
    assert a["ece_constant"] == pytest.approx(0, abs=1e-9)
    assert a["brier_constant"] == pytest.approx(pi * (1 - pi))


def test_costs_by_hand():
    g = casebook.load(SID).givens
    a = answers()
    y, pa = binormal_scores(g["n"], g["prevalence"], g["separation"], g["seed"])
    pb = expit(g["sharpness"] * logit(pa))
    tau = g["cost_fp"] / (g["cost_fp"] + g["cost_fn"])

    def cost(p, t):
        return g["cost_fp"] * np.sum((p >= t) & (y == 0)) + g["cost_fn"] * np.sum((p < t) & (y == 1))

    assert a["cost_a_bayes"] == cost(pa, tau)
    assert a["cost_b_bayes"] == cost(pb, tau) > a["cost_a_bayes"]
    scanned = min(cost(pb, t) for t in np.r_[np.unique(pb), np.inf])
    assert a["cost_b_scanned"] == scanned <= a["cost_a_bayes"]


def test_f1_at_a_cut_ties_only_where_the_sharpening_keeps_the_cut():
    # σ(k·logit p) is increasing (same ranking) and fixes 0.5 — but not τ*: F1 there differs, as the
    # model answer states with the solver's facts
    g = casebook.load(SID).givens
    y, pa = binormal_scores(g["n"], g["prevalence"], g["separation"], g["seed"])
    pb = expit(g["sharpness"] * logit(pa))
    tau = g["cost_fp"] / (g["cost_fp"] + g["cost_fn"])
    facts = casebook.solve(casebook.load(SID)).facts
    assert facts["f1_at_tau_a"] == pytest.approx(f1_score(y, pa >= tau))
    assert facts["f1_at_tau_b"] == pytest.approx(f1_score(y, pb >= tau))
    assert abs(f1_score(y, pa >= tau) - f1_score(y, pb >= tau)) > 0.005  # a visible, not rounding, difference


def test_sharpness_one_makes_the_models_identical():
    g = copy.deepcopy(casebook.load(SID).givens)
    g.update(sharpness=1.0, n=5_000)
    a = answers(g)
    assert a["log_loss_b"] == pytest.approx(a["log_loss_a"])
    assert a["cost_b_bayes"] == pytest.approx(a["cost_a_bayes"])
