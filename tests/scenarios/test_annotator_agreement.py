"""tiktok-labels-kappa-model-choice: agreement, κ and the label-noise figures, recomputed independently."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from scipy.stats import binom
from sklearn.metrics import cohen_kappa_score

from caselab.scenarios import casebook

SID = "tiktok-labels-kappa-model-choice"


def answers(givens: dict | None = None) -> dict:
    scenario = casebook.load(SID)
    return {k: a.value for k, a in casebook.solve(scenario, givens).answers.items()}


def label_pairs(table: dict) -> tuple[np.ndarray, np.ndarray]:
    """The item-level labels of annotators A and B that produce the 2×2 table."""
    cells = [((1, 1), table["pos_pos"]), ((1, 0), table["pos_neg"]), ((0, 1), table["neg_pos"]),
             ((0, 0), table["neg_neg"])]
    a = np.concatenate([np.full(n, la) for (la, _), n in cells])
    b = np.concatenate([np.full(n, lb) for (_, lb), n in cells])
    return a, b


def test_kappa_matches_sklearn_on_the_item_level_labels():
    g = casebook.load(SID).givens
    a_lab, b_lab = label_pairs(g["agreement"])
    ans = answers()
    assert ans["observed_agreement"] == pytest.approx(np.mean(a_lab == b_lab))  # 0.80
    # chance agreement: independent draws at each annotator's own positive rate
    pa, pb = a_lab.mean(), b_lab.mean()  # 0.53, 0.51
    assert ans["chance_agreement"] == pytest.approx(pa * pb + (1 - pa) * (1 - pb))  # 0.5006
    assert ans["kappa"] == pytest.approx(cohen_kappa_score(a_lab, b_lab))  # 0.5995
    assert ans["kappa"] == pytest.approx(0.5995, abs=1e-4)
    assert ans["kappa_band"] == "moderate"


def test_kappa_standard_error_and_interval_match_statsmodels():
    from statsmodels.stats.inter_rater import cohens_kappa

    g = casebook.load(SID).givens
    t = g["agreement"]
    ref = cohens_kappa(np.array([[t["pos_pos"], t["pos_neg"]], [t["neg_pos"], t["neg_neg"]]]))
    ans = answers()
    assert ans["kappa_se"] == pytest.approx(ref.std_kappa)  # 0.0253
    assert 0.024 < ans["kappa_se"] < 0.026
    assert ref.kappa_low < 0.6 < ref.kappa_upp  # [0.550, 0.649] straddles the moderate/substantial edge
    assert ans["kappa_band_supported"] == "the 95% CI spans more than one band"
    # a tenfold pilot with the same shares narrows the CI inside one band
    g10 = copy.deepcopy(g)
    g10["agreement"] = {k: 10 * v for k, v in t.items()}
    ref10 = cohens_kappa(10 * np.array([[t["pos_pos"], t["pos_neg"]], [t["neg_pos"], t["neg_neg"]]]))
    low = "moderate" if ref10.kappa_low <= 0.6 else "substantial"
    high = "moderate" if ref10.kappa_upp <= 0.6 else "substantial"
    assert answers(g10)["kappa_band_supported"] == (low if low == high else "the 95% CI spans more than one band")


def test_label_noise_figures_by_an_independent_route():
    ans = answers()
    d = 1 - 0.80
    # 2e(1 − e) = d  ⇔  2e² − 2e + d = 0: the root below 0.5
    roots = np.roots([2, -2, d])
    e = float(min(r.real for r in roots))
    assert ans["annotator_error_rate"] == pytest.approx(e)  # 0.1127
    assert ans["noise_ceiling_accuracy"] == pytest.approx(1 - e)
    # majority of three wrong ⇔ at least 2 of 3 independent Bernoulli(e) errors
    assert ans["majority_vote_error"] == pytest.approx(binom.sf(1, 3, e))  # 0.0352
    assert ans["adjudication_items"] == pytest.approx(40_000 * d)


def test_simulated_annotators_reproduce_the_error_model():
    """Annotators who flip a true label with probability e disagree 2e(1 − e) of the time."""
    e = answers()["annotator_error_rate"]
    rng = np.random.default_rng(0)
    truth = rng.random(400_000) < 0.5
    a = truth ^ (rng.random(truth.size) < e)
    b = truth ^ (rng.random(truth.size) < e)
    assert np.mean(a != b) == pytest.approx(0.20, abs=0.003)
    assert np.mean(a != truth) == pytest.approx(e, abs=0.003)


def test_model_choice_follows_the_latency_budget():
    g = copy.deepcopy(casebook.load(SID).givens)
    assert answers(g)["model_choice"] == "distilbert_int8"
    g["latency_budget_ms"] = 100  # the full transformer now fits
    assert answers(g)["model_choice"] == "roberta_base"
    g["latency_budget_ms"] = 10
    assert answers(g)["model_choice"] == "tfidf_lr"


def test_changing_the_table_changes_kappa():
    g = copy.deepcopy(casebook.load(SID).givens)
    g["agreement"] = {"pos_pos": 50, "pos_neg": 30, "neg_pos": 20, "neg_neg": 900}  # rare positives
    a_lab, b_lab = label_pairs(g["agreement"])
    ans = answers(g)
    assert ans["observed_agreement"] == pytest.approx(0.95)
    assert ans["kappa"] == pytest.approx(cohen_kappa_score(a_lab, b_lab))  # high p_o, much lower κ
    assert ans["kappa"] < 0.7
