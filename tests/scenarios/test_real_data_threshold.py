"""breast-cancer-threshold: the real-data pipeline rebuilt with scikit-learn; the cost scan written as a loop."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from caselab.scenarios import casebook

SID = "breast-cancer-threshold"


def answers(givens=None):
    scenario = casebook.load(SID)
    return {k: a.value for k, a in casebook.solve(scenario, givens).answers.items()}


def cost(y, p, t, c_fp, c_fn):
    flag = p >= t
    return c_fp * np.sum(flag & (y == 0)) + c_fn * np.sum(~flag & (y == 1))


def bootstrap_saving_interval(g, y, p, t):
    """The 95 % percentile interval of cost(0.5) − cost(t) over test resamples, by a plain loop."""
    rng = np.random.default_rng(g["bootstrap_seed"])
    reps = []
    for _ in range(g["n_boot"]):
        i = rng.integers(0, y.size, y.size)
        reps.append(cost(y[i], p[i], 0.5, g["cost_fp"], g["cost_fn"]) - cost(y[i], p[i], t, g["cost_fp"], g["cost_fn"]))
    return np.percentile(reps, [2.5, 97.5])


@pytest.fixture(scope="module")
def ref():
    g = casebook.load(SID).givens
    X, y = load_breast_cancer(return_X_y=True)
    y = 1 - y  # malignant = 1
    assert y.sum() == 212
    Xtr, Xr, ytr, yr = train_test_split(X, y, test_size=0.4, stratify=y, random_state=g["seed"])
    Xva, Xte, yva, yte = train_test_split(Xr, yr, test_size=0.5, stratify=yr, random_state=g["seed"])
    m = make_pipeline(StandardScaler(), LogisticRegression(C=g["C"], max_iter=5000)).fit(Xtr, ytr)
    return g, ytr, yva, yte, m.predict_proba(Xva)[:, 1], m.predict_proba(Xte)[:, 1]


def test_split_and_ranking(ref):
    g, ytr, yva, yte, pva, pte = ref
    a = answers()
    assert a["n_test_positives"] == yte.sum()
    assert a["roc_auc_test"] == pytest.approx(roc_auc_score(yte, pte))
    assert a["ap_test"] == pytest.approx(average_precision_score(yte, pte))


def test_thresholds_and_costs(ref):
    g, ytr, yva, yte, pva, pte = ref
    c_fp, c_fn = g["cost_fp"], g["cost_fn"]
    a = answers()
    assert a["cost_test_default"] == cost(yte, pte, 0.5, c_fp, c_fn)
    # brute-force scan: every validation score and "flag nothing"; ties → the highest threshold
    cands = np.r_[np.unique(pva)[::-1], np.inf][::-1]  # inf first, then scores from high to low
    costs = np.array([cost(yva, pva, t, c_fp, c_fn) for t in cands])
    best = cands[np.flatnonzero(costs == costs.min())].max()
    assert a["min_cost_threshold_val"] == pytest.approx(best)
    assert a["min_cost_val"] == costs.min()
    assert a["cost_test_tuned"] == cost(yte, pte, best, c_fp, c_fn)
    assert a["cost_test_bayes"] == cost(yte, pte, c_fp / (c_fp + c_fn), c_fp, c_fn)
    # recall target: the highest threshold with validation recall ≥ target
    ok = [t for t in np.unique(pva) if recall_score(yva, (pva >= t).astype(int)) >= g["recall_target"]]
    t_r = max(ok)
    assert a["recall_threshold_val"] == pytest.approx(t_r)
    flags = (pte >= t_r).astype(int)
    assert a["precision_test_at_recall_threshold"] == pytest.approx(precision_score(yte, flags))
    assert a["recall_test_at_recall_threshold"] == pytest.approx(recall_score(yte, flags))
    assert a["deploy_threshold"] == ("the threshold tuned on validation"
                                     if a["cost_test_tuned"] < a["cost_test_default"] else "0.5 (the default)")


def test_bootstrap_interval_of_the_test_saving_by_hand(ref):
    """The stated draws as a plain loop, costs from sklearn's confusion matrix; the interval spans 0."""
    from sklearn.metrics import confusion_matrix

    g, ytr, yva, yte, pva, pte = ref
    c_fp, c_fn = g["cost_fp"], g["cost_fn"]
    a = answers()
    t = a["min_cost_threshold_val"]

    def sk_cost(y, p, thr):
        tn, fp, fn, tp = confusion_matrix(y, (p >= thr).astype(int), labels=[0, 1]).ravel()
        return c_fp * fp + c_fn * fn

    assert a["cost_saving_test"] == sk_cost(yte, pte, 0.5) - sk_cost(yte, pte, t) == 45
    lo, hi = bootstrap_saving_interval(g, yte, pte, t)
    assert (a["cost_saving_ci_low"], a["cost_saving_ci_high"]) == pytest.approx((lo, hi))
    assert -16 <= lo <= -13 and 120 <= hi <= 126  # the review's [−14, 125]
    assert a["saving_established"] == "not yet: the 95% interval of the saving includes 0"


def test_calibration_check(ref):
    g, ytr, yva, yte, pva, pte = ref
    a = answers()
    b = brier_score_loss(yte, pte)
    assert a["brier_test"] == pytest.approx(b)
    assert a["brier_skill_test"] == pytest.approx(1 - b / brier_score_loss(yte, np.full(len(yte), ytr.mean())))


def test_costs_follow_the_givens():
    g = copy.deepcopy(casebook.load(SID).givens)
    g["cost_fn"] = 1  # symmetric costs: the tuned threshold moves up towards 0.5
    a = answers(g)
    assert a["min_cost_threshold_val"] > 0.1
    assert math.isfinite(a["cost_test_tuned"])


@pytest.mark.parametrize("seed", [3, 11])
def test_a_drill_variant_rebuilt_with_sklearn_and_a_bootstrap_loop(seed):
    """A variant's split shares, C, costs and bootstrap seed: the pipeline and the stated draws by hand (the solver
    sums per-row savings over the resampled rows; the loop scores both rules on each resample)."""
    from caselab.scenarios import variants

    scenario = casebook.load(SID)
    g = variants.draw(scenario, seed)
    assert g != scenario.givens
    a = answers(g)
    X, y = load_breast_cancer(return_X_y=True)
    y = 1 - y
    rest = g["val_share"] + g["test_share"]
    Xtr, Xr, ytr, yr = train_test_split(X, y, test_size=rest, stratify=y, random_state=g["seed"])
    Xva, Xte, yva, yte = train_test_split(Xr, yr, test_size=g["test_share"] / rest, stratify=yr,
                                          random_state=g["seed"])
    m = make_pipeline(StandardScaler(), LogisticRegression(C=g["C"], max_iter=5000)).fit(Xtr, ytr)
    pte = m.predict_proba(Xte)[:, 1]
    c_fp, c_fn, t = g["cost_fp"], g["cost_fn"], a["min_cost_threshold_val"]
    assert a["n_test_positives"] == yte.sum() and a["roc_auc_test"] == pytest.approx(roc_auc_score(yte, pte))
    assert a["cost_test_default"] == cost(yte, pte, 0.5, c_fp, c_fn)
    assert a["cost_test_tuned"] == cost(yte, pte, t, c_fp, c_fn)
    lo, hi = bootstrap_saving_interval(g, yte, pte, t)
    assert (a["cost_saving_ci_low"], a["cost_saving_ci_high"]) == pytest.approx((lo, hi))
    verdict = "yes" if lo > 0 else ("no" if hi < 0 else "not yet")
    assert a["saving_established"].startswith(verdict + ":")
