"""smote-categorical-features: the interpolation by hand, the resampling re-run with imbalanced-learn."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE, SMOTENC

from caselab.scenarios import casebook
from caselab.scenarios.data import mixed_type_fraud

SID = "smote-categorical-features"


def answers(givens=None):
    scenario = casebook.load(SID)
    return {k: a.value for k, a in casebook.solve(scenario, givens).answers.items()}


def test_interpolation_by_hand():
    a = answers()
    # ($500, 1, 0) and ($5, 0, 1) at λ = 0.3
    assert casebook.load(SID).givens["lam"] == 0.3
    assert a["mid_amount"] == pytest.approx(500 + 0.3 * (5 - 500))  # 351.5
    assert (a["mid_high_limit"], a["mid_prepaid"]) == pytest.approx((0.7, 0.3))
    lam = (500 - 252) / (500 - 5)  # 248 / 495
    assert a["lambda_for_target"] == pytest.approx(lam) == pytest.approx(0.50101, abs=1e-5)
    assert a["high_limit_at_target"] == pytest.approx(1 - lam)


def test_rounding_a_two_parent_blend_returns_the_nearer_parent_except_at_one_half():
    """Same λ on every column: each 0/1 value is 1 − λ, λ or unchanged, so rounding copies the nearer parent."""
    rng = np.random.default_rng(0)
    for _ in range(2000):
        x_i, x_nn = rng.integers(0, 2, 6).astype(float), rng.integers(0, 2, 6).astype(float)
        lam = rng.random()
        blend = np.round(x_i + lam * (x_nn - x_i))
        nearer = x_i if lam < 0.5 else x_nn
        assert np.array_equal(blend, nearer)
    # λ = 0.5 exactly: numpy rounds half to even, so every differing 0/1 column becomes 0 — neither parent
    x_i, x_nn = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    assert np.array_equal(np.round(x_i + 0.5 * (x_nn - x_i)), [0.0, 0.0])


def test_resampling_with_imblearn():
    g = casebook.load(SID).givens
    a = answers()
    d = mixed_type_fraud(g["n_transactions"], prevalence=g["prevalence"], seed=g["seed"])
    X = np.column_stack([d.amount, np.eye(3)[d.card_type]])
    Xs, ys = SMOTE(random_state=g["seed"]).fit_resample(X, d.y)
    syn = Xs[len(d.y):]
    assert np.bincount(ys)[0] == np.bincount(ys)[1]
    assert a["n_synthetic"] == (d.y == 0).sum() - (d.y == 1).sum() == len(syn)
    fractional = [any(0 < v < 1 for v in row[1:]) for row in syn]
    assert a["fractional_share"] == pytest.approx(np.mean(fractional))
    rounded_ok = [int(sum(round(v) for v in row[1:]) == 1) for row in syn]
    assert a["rounded_valid_share"] == pytest.approx(np.mean(rounded_ok))
    Xn, _ = SMOTENC(categorical_features=[1], random_state=g["seed"]).fit_resample(
        np.column_stack([d.amount, d.card_type]), d.y)
    assert a["smotenc_valid_share"] == pytest.approx(np.mean(np.isin(Xn[len(d.y):, 1], [0, 1, 2]))) == 1.0
    assert a["approach"].startswith("SMOTE-NC")


def test_givens_drive_the_answers():
    g = copy.deepcopy(casebook.load(SID).givens)
    g["fraud_a"]["amount"], g["target_amount"] = 1000, 400
    a = answers(g)
    assert a["lambda_for_target"] == pytest.approx((1000 - 400) / (1000 - 5))
    assert a["mid_amount"] == pytest.approx(1000 + g["lam"] * (5 - 1000))  # 701.5 at λ = 0.3
