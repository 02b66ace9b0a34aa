"""balanced-weights-calibration: every answer recomputed with scikit-learn and the odds algebra by hand."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.utils.class_weight import compute_class_weight

from caselab.scenarios import casebook
from caselab.scenarios.data import logistic_rare_events

SID = "balanced-weights-calibration"


def answers(givens=None):
    scenario = casebook.load(SID)
    return {k: a.value for k, a in casebook.solve(scenario, givens).answers.items()}


@pytest.fixture(scope="module")
def reference():
    g = casebook.load(SID).givens
    d = logistic_rare_events(g["n_train"] + g["n_test"], g["prevalence"], g["n_features"], g["signal"], g["seed"])
    n = g["n_train"]
    Xtr, ytr, Xte, yte = d.X[:n], d.y[:n], d.X[n:], d.y[n:]
    # sample_weight with sklearn's own balanced weights is the same fit as class_weight="balanced"
    cw = compute_class_weight("balanced", classes=np.array([0, 1]), y=ytr)
    plain = LogisticRegression(max_iter=1000).fit(Xtr, ytr)
    weighted = LogisticRegression(max_iter=1000).fit(Xtr, ytr, sample_weight=cw[ytr])
    return g, ytr, yte, cw, plain.predict_proba(Xte)[:, 1], weighted.predict_proba(Xte)[:, 1]


def test_weights_and_ratio(reference):
    g, ytr, _, cw, _, _ = reference
    a = answers()
    n_pos = ytr.sum()
    n_neg = ytr.size - n_pos
    assert a["weight_negative"] == pytest.approx(cw[0]) == pytest.approx(ytr.size / (2 * n_neg))
    assert a["weight_positive"] == pytest.approx(cw[1]) == pytest.approx(ytr.size / (2 * n_pos))
    assert a["per_example_ratio"] == pytest.approx(n_neg / n_pos)
    assert n_neg * cw[0] == pytest.approx(n_pos * cw[1])  # equal class totals
    # the often-quoted n / n_pos is one more than the ratio; the grading band must refuse it
    from caselab.practice.grading import check_answer

    scenario = casebook.load(SID)
    answer = casebook.solve(scenario).answers["per_example_ratio"]
    q = scenario.question("per_example_ratio")
    assert check_answer(q, answer, n_neg / n_pos).passed and not check_answer(q, answer, ytr.size / n_pos).passed
    facts = casebook.solve(scenario).facts
    assert (facts["n_pos"], facts["n_neg"]) == (n_pos, n_neg)
    assert facts["nominal_ratio"] == pytest.approx(99) and facts["rows_per_positive_nominal"] == pytest.approx(100)


def test_probabilities_ranking_and_brier(reference):
    g, ytr, yte, cw, p0, p1 = reference
    a = answers()
    assert a["mean_p_plain"] == pytest.approx(p0.mean(), rel=1e-4)
    assert a["mean_p_balanced"] == pytest.approx(p1.mean(), rel=1e-3)
    assert a["ap_plain"] == pytest.approx(average_precision_score(yte, p0), abs=1e-3)
    assert a["ap_balanced"] == pytest.approx(average_precision_score(yte, p1), abs=1e-3)
    assert abs(roc_auc_score(yte, p1) - roc_auc_score(yte, p0)) < 0.005  # the ranking hardly moves
    assert a["what_changed"] == "the probabilities, hardly the ranking"
    assert a["flagged_plain"] == pytest.approx(np.mean(p0 >= g["threshold"]), abs=2 / yte.size)
    assert a["flagged_balanced"] == pytest.approx(np.mean(p1 >= g["threshold"]), abs=1e-3)
    assert a["brier_plain"] == pytest.approx(brier_score_loss(yte, p0), rel=1e-3)
    assert a["brier_balanced"] == pytest.approx(brier_score_loss(yte, p1), rel=1e-3)
    pi = ytr.mean()
    # constant forecast π: mean (π − y)² = π² (1 − ȳ) + (1 − π)² ȳ with ȳ the test positive rate
    ybar = yte.mean()
    assert a["brier_constant"] == pytest.approx(pi**2 * (1 - ybar) + (1 - pi) ** 2 * ybar)
    assert a["brier_balanced"] > a["brier_constant"] > a["brier_plain"]


def test_prior_correction_restores_calibration(reference):
    _, ytr, yte, cw, p0, p1 = reference
    a = answers()
    ratio = cw[1] / cw[0]
    odds = p1 / (1 - p1) / ratio  # the weights multiplied the learned odds by w1/w0: divide them back
    p_corr = odds / (1 + odds)
    assert a["mean_p_corrected"] == pytest.approx(p_corr.mean(), rel=1e-3)
    assert a["mean_p_corrected"] == pytest.approx(yte.mean(), rel=0.1)
    assert a["brier_corrected"] == pytest.approx(brier_score_loss(yte, p_corr), rel=1e-3)
    assert a["brier_corrected"] == pytest.approx(a["brier_plain"], rel=0.01)
    assert a["claim_preserves_calibration"].startswith("false")


def test_givens_drive_the_answers():
    g = copy.deepcopy(casebook.load(SID).givens)
    g["prevalence"] = 0.05
    g["seed"] = 3
    g["n_train"] = g["n_test"] = 10_000
    a = answers(g)
    d = logistic_rare_events(20_000, 0.05, g["n_features"], g["signal"], 3)
    ytr = d.y[:10_000]
    assert a["per_example_ratio"] == pytest.approx((ytr == 0).sum() / ytr.sum())
    assert a["mean_p_balanced"] > 0.2 and a["mean_p_corrected"] == pytest.approx(d.y[10_000:].mean(), rel=0.15)
