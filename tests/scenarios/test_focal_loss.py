"""focal-loss-numerics: the focal-loss arithmetic written out by hand, CE checked against scikit-learn."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from sklearn.metrics import log_loss

from caselab.scenarios import casebook

SID = "focal-loss-numerics"


def answers(givens=None):
    scenario = casebook.load(SID)
    return {k: a.value for k, a in casebook.solve(scenario, givens).answers.items()}


def fl(p_t, gamma, alpha_t=1.0):
    return -alpha_t * (1 - p_t) ** gamma * math.log(p_t)


def test_factors_and_losses_by_hand():
    a = answers()
    assert a["factor_easy"] == pytest.approx(0.01**2)
    assert a["factor_moderate"] == pytest.approx(0.1**2)
    assert a["factor_hard"] == pytest.approx(0.25)  # a 4× cut, not "nearly full weight"
    assert a["factor_wrong"] == pytest.approx(0.81)
    # cross-entropy of a positive predicted at 0.99, via scikit-learn's log loss
    ce = log_loss([1], [0.99], labels=[0, 1])
    assert a["ce_easy"] == pytest.approx(ce) == pytest.approx(0.0100503, rel=1e-5)
    assert a["fl_easy"] == pytest.approx(1e-4 * ce)
    assert a["hard_easy_ratio"] == pytest.approx(0.25 / 1e-4)  # 2,500


def test_alpha_direction():
    a = answers()
    assert a["alpha_weight_positive"] == pytest.approx(0.25)
    assert a["alpha_upweights_rare"].startswith("no")
    g = copy.deepcopy(casebook.load(SID).givens)
    g["alpha"] = 0.9
    assert answers(g)["alpha_upweights_rare"].startswith("yes")


def test_detector_shares_by_hand():
    g = casebook.load(SID).givens
    a = answers()
    n_e, n_h = g["n_easy_negatives"], g["n_hard_positives"]
    easy_ce, hard_ce = n_e * -math.log(0.99), n_h * -math.log(0.5)
    assert a["easy_share_ce"] == pytest.approx(easy_ce / (easy_ce + hard_ce))  # 0.9931
    easy, hard = n_e * fl(0.99, 2), n_h * fl(0.5, 2)
    assert a["easy_share_fl"] == pytest.approx(easy / (easy + hard))  # 0.0548
    easy_a, hard_a = n_e * fl(0.99, 2, 0.75), n_h * fl(0.5, 2, 0.25)
    assert a["easy_share_fl_alpha"] == pytest.approx(easy_a / (easy_a + hard_a))  # 0.1482
    assert a["easy_share_fl_alpha"] > a["easy_share_fl"]  # α = 0.25 gives the negatives weight back
    assert a["detector_loss"] == "focal loss"
    assert a["tabular_loss"] == "class weights and a tuned threshold"


def test_few_easy_negatives_make_focal_loss_pointless():
    g = copy.deepcopy(casebook.load(SID).givens)
    g["n_easy_negatives"] = 100  # easy anchors no longer dominate the cross-entropy
    a = answers(g)
    assert a["easy_share_ce"] < 0.5 and a["detector_loss"] == "class weights and a tuned threshold"
    assert np.isclose(a["easy_share_ce"], 100 * 0.0100503 / (100 * 0.0100503 + 10 * math.log(2)), rtol=1e-5)


def test_prior_bias_and_positive_anchor_normalisation_by_hand():
    from scipy.special import expit, logit

    g = casebook.load(SID).givens
    a = answers()
    assert a["prior_bias"] == pytest.approx(logit(g["prior_pi"]))  # −ln(99) = −4.595
    assert expit(a["prior_bias"]) == pytest.approx(0.01)
    n_e, n_h = g["n_easy_negatives"], g["n_hard_positives"]
    total = n_e * fl(0.99, 2, 0.75) + n_h * fl(0.5, 2, 0.25)
    assert a["normalised_image_loss"] == pytest.approx(total / n_h)
    # the real pre-focal alternative in detection was sampling, and it is named as the mistake
    solution = casebook.solve(casebook.load(SID))
    assert any(v.startswith("hard-negative mining") for v in solution.answers["detector_loss"].mistakes.values())
    # at p_t = 0.5 the p_t^γ slip equals the key, so it is not offered as a named mistake there
    assert "p_t^γ instead of (1 − p_t)^γ" not in solution.answers["factor_hard"].mistakes
