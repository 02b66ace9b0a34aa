"""Every threshold, curve and percentile answer, reached by the routes a learner would take.

A learner does not call ``caselab.curves``: they call scikit-learn with its defaults, write a plain loop
over the distinct scores, or use ``np.percentile``. Each test below rebuilds the learner's data exactly as
the notebook does (the solver's ``data_code``, run with the givens as variables; the model fit of the
worked notebook where the story prescribes it), computes the answer by those routes, and puts the value
through the real grader (:func:`caselab.grading.check_answer`). A route must pass — or the prompt must
state the convention that rules it out (then the test checks the prompt says so).

Issue 12 found the kind: ``roc_curve``'s default route gave 20,533 flags where the key said 20,774.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    f1_score,
    fbeta_score,
    log_loss,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

import caselab
from caselab.practice.grading import check_answer
from caselab.scenarios import casebook


def workspace(sid: str, *, setup: bool = False):
    """The scenario, its solution and the notebook's namespace after the data cell (and the worked setup)."""
    scenario = casebook.load(sid)
    solution = casebook.solve(scenario)
    ns = {"caselab": caselab, "np": np, **copy.deepcopy(scenario.givens)}
    exec(solution.data_code, ns)  # noqa: S102 — the project's own generated notebook code
    if setup:
        exec(solution.setup_code, ns)  # noqa: S102
    return scenario, solution, ns


def accepted(scenario, solution, qid: str, value, route: str) -> None:
    feedback = check_answer(scenario.question(qid), solution.answers[qid], value)
    assert feedback.passed, (f"{scenario.id}/{qid}: the route '{route}' gives {value!r}, the key is "
                             f"{solution.answers[qid].value!r}: {feedback.message}")


# --- plain-loop and scikit-learn helpers, written the way a learner writes them ----------------------------
def literal_loop_costs(y, p, cost_fp, cost_fn):
    """A plain loop over the distinct scores (ascending, as np.unique returns them): total cost of flagging ≥ t."""
    thresholds = np.unique(p)
    costs = np.array([cost_fp * np.sum((p >= t) & (y == 0)) + cost_fn * np.sum((p < t) & (y == 1))
                      for t in thresholds])
    return thresholds, costs


def loop_costs(y, p, cost_fp, cost_fn):
    """The plain loop's exact result, counted with np.searchsorted so that 200k distinct scores take
    milliseconds, not minutes (the literal loop is O(n·u); test_loop_costs_is_the_literal_loop pins them equal)."""
    thresholds = np.unique(p)
    neg, pos = np.sort(p[y == 0]), np.sort(p[y == 1])
    fp = neg.size - np.searchsorted(neg, thresholds, side="left")  # negatives with p ≥ t
    fn = np.searchsorted(pos, thresholds, side="left")  # positives with p < t
    return thresholds, cost_fp * fp + cost_fn * fn


def loop_min_cost(y, p, cost_fp, cost_fn):
    """np.argmin on the ascending loop: among tied costs the *lowest* threshold (the learner's default)."""
    thresholds, costs = loop_costs(y, p, cost_fp, cost_fn)
    best = int(np.argmin(costs))
    return thresholds[best], costs[best]


def sk_ece(y, p, n_bins):
    """ECE from calibration_curve(strategy='quantile'), bins weighted by their counts on np.percentile edges."""
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy="quantile")
    edges = np.percentile(p, np.linspace(0, 100, n_bins + 1))
    counts = np.bincount(np.searchsorted(edges[1:-1], p), minlength=n_bins)
    counts = counts[counts > 0]
    return float(np.sum(counts / len(y) * np.abs(prob_true - prob_pred)))


def test_loop_costs_is_the_literal_loop():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    p = np.round(rng.random(400), 2)  # ties
    for got, want in zip(loop_costs(y, p, 1, 5), literal_loop_costs(y, p, 1, 5), strict=True):
        np.testing.assert_array_equal(got, want)


# --- fraud-recall-at-precision-vs-fpr ----------------------------------------------------------------------
def test_precision_sla_and_fpr_cap_by_sklearn_curves():
    s, sol, ns = workspace("fraud-recall-at-precision-vs-fpr")
    y, p = ns["y_day"], ns["p_day"]
    n_neg = int((y == 0).sum())
    # (A) precision_recall_curve (thresholds ascending): most recall with precision ≥ p*, then the prompt's
    # tie-break — the highest threshold with that recall
    prec, rec, thr = precision_recall_curve(y, p)
    ok = prec[:-1] >= ns["min_precision"]
    tied = np.flatnonzero(ok & (rec[:-1] == rec[:-1][ok].max()))
    t = thr[tied[-1]]
    accepted(s, sol, "recall_at_precision", rec[tied[-1]], "precision_recall_curve")
    accepted(s, sol, "flagged_at_precision", int(np.sum(p >= t)), "precision_recall_curve, highest tied threshold")
    fp = int(np.sum((p >= t) & (y == 0)))
    accepted(s, sol, "fpr_at_precision", fp / n_neg, "FP / negatives")
    accepted(s, sol, "legit_share_of_blocked_at_precision", fp / int(np.sum(p >= t)), "FP / flagged")
    # (B) roc_curve with its defaults (drop_intermediate=True): the last point within the cap
    fpr, tpr, rthr = roc_curve(y, p)
    i = np.flatnonzero(fpr <= ns["max_fpr"])[-1]
    flagged = int(np.sum(p >= rthr[i]))
    accepted(s, sol, "recall_at_fpr_limit", tpr[i], "roc_curve default")
    accepted(s, sol, "flagged_at_fpr_limit", flagged, "roc_curve default, last point within the cap")
    accepted(s, sol, "precision_at_fpr_limit", tpr[i] * y.sum() / flagged, "roc_curve default")
    # every point (drop_intermediate=False), last point within the cap: the dominated threshold, ruled out
    # by the tie-break the story states
    fpr, tpr, rthr = roc_curve(y, p, drop_intermediate=False)
    last = np.flatnonzero(fpr <= ns["max_fpr"])[-1]
    dominated = int(np.sum(p >= rthr[last]))
    if not check_answer(s.question("flagged_at_fpr_limit"), sol.answers["flagged_at_fpr_limit"], dominated).passed:
        assert "highest" in s.story and "same recall" in s.story  # the convention that rules this route out


# --- fbeta-vs-expected-cost -------------------------------------------------------------------------------
def test_fbeta_and_cost_scans_by_sklearn_and_a_loop():
    s, sol, ns = workspace("fbeta-vs-expected-cost")
    y, p = ns["y"], ns["p"]
    prec, rec, thr = precision_recall_curve(y, p)
    prec, rec = prec[:-1], rec[:-1]
    beta = sol.answers["beta_cost"].value
    for qid, max_qid, b in (("f1_opt_threshold", "f1_max", 1.0), ("fbeta_opt_threshold", "fbeta_max", beta)):
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.nan_to_num((1 + b**2) * prec * rec / (b**2 * prec + rec))
        best = int(np.argmax(f))  # np.argmax: the first maximum, i.e. the lowest threshold among ties
        accepted(s, sol, qid, thr[best], "precision_recall_curve + np.argmax")
        accepted(s, sol, max_qid, f[best], "precision_recall_curve + np.argmax")
        flagged = p >= thr[best]
        score = f1_score(y, flagged) if b == 1.0 else fbeta_score(y, flagged, beta=b)
        accepted(s, sol, max_qid, score, "sklearn f1_score / fbeta_score at that threshold")
    t, cost = loop_min_cost(y, p, ns["cost_fp"], ns["cost_fn"])
    accepted(s, sol, "cost_opt_threshold", t, "plain loop + np.argmin")
    accepted(s, sol, "min_cost", cost, "plain loop + np.argmin")


# --- tiktok-threshold-capacity (scan, top-k) ----------------------------------------------------------------
def test_threshold_capacity_by_a_loop_and_a_sort():
    s, sol, ns = workspace("tiktok-threshold-capacity")
    y, p = ns["y_val"], ns["p_val"]
    t, cost = loop_min_cost(y, p, ns["cost_fp"], ns["cost_fn"])
    accepted(s, sol, "min_cost_threshold", t, "plain loop + np.argmin")
    accepted(s, sol, "min_cost", cost, "plain loop + np.argmin")
    k = int(sol.answers["capacity_k"].value)
    top = np.argsort(p)[::-1][:k]  # the k highest scores
    accepted(s, sol, "capacity_threshold", np.sort(p)[-k], "np.sort(p)[-k]")
    accepted(s, sol, "precision_at_capacity", y[top].mean(), "top k by np.argsort")
    accepted(s, sol, "recall_at_capacity", y[top].sum() / y.sum(), "top k by np.argsort")


# --- fraud-precision-at-k-choosing-k (top-k by a sort) ----------------------------------------------------------
def test_precision_at_k_by_a_sort():
    s, sol, ns = workspace("fraud-precision-at-k-choosing-k")
    y, p = ns["y_day"], ns["p_day"]
    order = np.argsort(p)[::-1]
    cap, k_large = ns["capacity"], ns["k_large"]
    accepted(s, sol, "precision_at_capacity", y[order[:cap]].mean(), "top k by np.argsort")
    accepted(s, sol, "marginal_precision_beyond_capacity", y[order[cap:k_large]].mean(), "ranks k+1..k' by np.argsort")
    accepted(s, sol, "items_worth_reviewing", int(np.sum(p > sol.answers["breakeven_probability"].value)),
             "count of p above the break-even probability")


# --- fraud-threshold-scan-vs-bayes -----------------------------------------------------------------------
def test_threshold_scan_vs_bayes_by_a_loop():
    s, sol, ns = workspace("fraud-threshold-scan-vs-bayes")
    for qid, scores in (("scanned_threshold_calibrated", ns["p_val"]), ("scanned_threshold_weighted", ns["q_val"])):
        t, _ = loop_min_cost(ns["y_val"], scores, ns["cost_fp"], ns["cost_fn"])
        accepted(s, sol, qid, t, "plain loop + np.argmin on the validation split")
    _, cost = loop_min_cost(ns["y_test"], ns["p_test"], ns["cost_fp"], ns["cost_fn"])
    accepted(s, sol, "same_split_cost", cost / ns["y_test"].size, "plain loop on the test split")


# --- breast-cancer-threshold (a real model, a validation scan, a recall target) ------------------------------
def test_breast_cancer_thresholds_by_sklearn_and_a_loop():
    s, sol, ns = workspace("breast-cancer-threshold", setup=True)
    y_val, p_val, y_test, p_test = ns["y_val"], ns["p_val"], ns["y_test"], ns["p_test"]
    accepted(s, sol, "roc_auc_test", roc_auc_score(y_test, p_test), "roc_auc_score")
    accepted(s, sol, "ap_test", average_precision_score(y_test, p_test), "average_precision_score")
    # the prompt states the tie-break (highest threshold among equal costs): the loop applies it
    thresholds, costs = loop_costs(y_val, p_val, ns["cost_fp"], ns["cost_fn"])
    best = np.flatnonzero(costs == costs.min())[-1]
    accepted(s, sol, "min_cost_threshold_val", thresholds[best], "plain loop, highest tied threshold")
    accepted(s, sol, "min_cost_val", costs[best], "plain loop")
    lowest = thresholds[int(np.argmin(costs))]
    if not check_answer(s.question("min_cost_threshold_val"), sol.answers["min_cost_threshold_val"], lowest).passed:
        assert "on ties take the highest" in s.question("min_cost_threshold_val").prompt
    # highest threshold with recall ≥ target: precision_recall_curve (every threshold) …
    _, rec, thr = precision_recall_curve(y_val, p_val)
    t_pr = thr[np.flatnonzero(rec[:-1] >= ns["recall_target"])[-1]]
    accepted(s, sol, "recall_threshold_val", t_pr, "precision_recall_curve")
    # … and roc_curve with its defaults, the first point reaching the target
    fpr, tpr, rthr = roc_curve(y_val, p_val)
    t_roc = rthr[int(np.argmax(tpr >= ns["recall_target"]))]
    accepted(s, sol, "recall_threshold_val", t_roc, "roc_curve default, first point with recall ≥ target")
    flagged = p_test >= t_pr
    accepted(s, sol, "precision_test_at_recall_threshold", y_test[flagged].mean(), "mean label among the flagged")
    accepted(s, sol, "recall_test_at_recall_threshold", flagged[y_test == 1].mean(), "share of positives flagged")
    accepted(s, sol, "brier_test", brier_score_loss(y_test, p_test), "brier_score_loss")


# --- proper-scoring-rules --------------------------------------------------------------------------------
def test_scoring_rules_by_sklearn():
    s, sol, ns = workspace("proper-scoring-rules")
    y, pa, pb = ns["y"], ns["p_a"], ns["p_b"]
    for m, p in (("a", pa), ("b", pb)):
        accepted(s, sol, f"roc_auc_{m}", roc_auc_score(y, p), "roc_auc_score")
        accepted(s, sol, f"f1_half_{m}", f1_score(y, p >= 0.5), "f1_score at p ≥ 0.5")
        accepted(s, sol, f"log_loss_{m}", log_loss(y, p), "log_loss")
        accepted(s, sol, f"brier_{m}", brier_score_loss(y, p), "brier_score_loss")
        accepted(s, sol, f"ece_{m}", sk_ece(y, p, ns["n_bins"]), "calibration_curve(strategy='quantile')")
    _, cost = loop_min_cost(y, pb, ns["cost_fp"], ns["cost_fn"])
    accepted(s, sol, "cost_b_scanned", cost, "plain loop + np.argmin")


# --- undersampling-pozzolo-reliability (ECE by calibration_curve; Platt and isotonic by sklearn defaults) ----
def test_pozzolo_calibration_by_sklearn_defaults():
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    s, sol, ns = workspace("undersampling-pozzolo-reliability", setup=True)
    y, k = ns["y_test"], ns["n_bins"]
    accepted(s, sol, "ece_raw", sk_ece(y, ns["p_s"], k), "calibration_curve(strategy='quantile')")
    accepted(s, sol, "ece_resampled", sk_ece(ns["y_bal"], ns["p_bal"], k), "calibration_curve(strategy='quantile')")
    accepted(s, sol, "roc_auc_raw", roc_auc_score(y, ns["p_s"]), "roc_auc_score")
    beta = sol.answers["beta"].value
    p_c = beta * ns["p_s"] / (beta * ns["p_s"] - ns["p_s"] + 1)
    accepted(s, sol, "ece_corrected", sk_ece(y, p_c, k), "calibration_curve(strategy='quantile')")
    # Platt as LogisticRegression() with its default C = 1 on the 1-D logits (a learner's first try)
    platt = LogisticRegression().fit(ns["s_cal"][:, None], ns["y_cal"]).predict_proba(ns["s_test"][:, None])[:, 1]
    accepted(s, sol, "ece_platt", sk_ece(y, platt, k), "LogisticRegression() Platt + calibration_curve")
    accepted(s, sol, "brier_platt", brier_score_loss(y, platt), "LogisticRegression() Platt + brier_score_loss")
    iso = IsotonicRegression(out_of_bounds="clip").fit(ns["s_cal"], ns["y_cal"]).predict(ns["s_test"])
    accepted(s, sol, "ece_isotonic", sk_ece(y, iso, k), "IsotonicRegression + calibration_curve")


# --- balanced-weights-calibration -------------------------------------------------------------------------
def test_balanced_weights_by_sklearn():
    from sklearn.linear_model import LogisticRegression

    s, sol, ns = workspace("balanced-weights-calibration")
    X, y, Xt, yt = ns["X_train"], ns["y_train"], ns["X_test"], ns["y_test"]
    plain = LogisticRegression(max_iter=1000).fit(X, y).predict_proba(Xt)[:, 1]
    bal = LogisticRegression(max_iter=1000, class_weight="balanced").fit(X, y).predict_proba(Xt)[:, 1]
    accepted(s, sol, "ap_plain", average_precision_score(yt, plain), "average_precision_score")
    accepted(s, sol, "ap_balanced", average_precision_score(yt, bal), "average_precision_score")
    accepted(s, sol, "flagged_plain", np.mean(plain >= ns["threshold"]), "np.mean(p >= threshold)")
    accepted(s, sol, "flagged_balanced", np.mean(bal >= ns["threshold"]), "np.mean(p >= threshold)")
    accepted(s, sol, "brier_balanced", brier_score_loss(yt, bal), "brier_score_loss")


# --- fraud-roc-vs-pr-prevalence (the seeded sample) ----------------------------------------------------------
def test_roc_vs_pr_sample_by_sklearn():
    s, sol, ns = workspace("fraud-roc-vs-pr-prevalence")
    accepted(s, sol, "sample_roc_auc", roc_auc_score(ns["y_sample"], ns["s_sample"]), "roc_auc_score")
    accepted(s, sol, "sample_ap", average_precision_score(ns["y_sample"], ns["s_sample"]), "average_precision_score")


# --- anomaly-detection-reframe (flags by predict, scores by score_samples) ------------------------------------
def test_anomaly_forest_by_sklearn():
    from sklearn.ensemble import IsolationForest

    s, sol, ns = workspace("anomaly-detection-reframe")
    X, y = ns["X"], ns["y"]

    def forest(contamination):
        return IsolationForest(n_estimators=ns["n_estimators"], contamination=contamination,
                               random_state=ns["seed"]).fit(X)

    mid = forest(ns["contamination_mid"])
    accepted(s, sol, "ap_default", average_precision_score(y, -mid.score_samples(X)), "average_precision_score")
    accepted(s, sol, "roc_auc_default", roc_auc_score(y, -mid.score_samples(X)), "roc_auc_score")
    low = forest(ns["contamination_low"]).predict(X) == -1  # fit_predict's flags
    accepted(s, sol, "flagged_low", int(low.sum()), "predict(X) == -1")
    accepted(s, sol, "recall_low", low[y == 1].mean(), "share of anomalies flagged")
    accepted(s, sol, "precision_low", y[low].mean(), "share of flags that are anomalies")


# --- fraud-amount-cents-schema-guard (deciles by np.percentile) ------------------------------------------------
def test_schema_guard_psi_by_np_percentile():
    s, sol, ns = workspace("fraud-amount-cents-schema-guard")
    base, cur = ns["baseline"]["amount"], ns["current"]["amount"]
    inner = np.percentile(base, np.linspace(0, 100, ns["n_bins"] + 1)[1:-1])  # the baseline's inner decile edges
    e = np.bincount(np.searchsorted(inner, base, side="right"), minlength=ns["n_bins"]) / base.size
    a = np.bincount(np.searchsorted(inner, cur, side="right"), minlength=ns["n_bins"]) / cur.size
    e, a = np.maximum(e, ns["eps"]), np.maximum(a, ns["eps"])
    accepted(s, sol, "psi_amount", float(np.sum((a - e) * np.log(a / e))), "np.percentile deciles + the PSI formula")
    accepted(s, sol, "top_bin_share", float(np.mean(cur > np.percentile(base, 90))), "np.mean(current > np.percentile(baseline, 90))")
    # np.histogram on the same edges (open outer bins) is the other common spelling
    hist_edges = np.r_[-np.inf, inner, np.inf]
    a_hist = np.maximum(np.histogram(cur, hist_edges)[0] / cur.size, ns["eps"])
    e_hist = np.maximum(np.histogram(base, hist_edges)[0] / base.size, ns["eps"])
    accepted(s, sol, "psi_amount", float(np.sum((a_hist - e_hist) * np.log(a_hist / e_hist))),
             "np.histogram on np.percentile edges")


# --- fraud-accuracy-paradox (sklearn's metrics on the trivial models) ---------------------------------------
def test_accuracy_paradox_by_sklearn():
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, matthews_corrcoef, recall_score

    s, sol, ns = workspace("fraud-accuracy-paradox")
    y = ns["y_true"]
    nothing = np.zeros_like(y)
    accepted(s, sol, "accuracy_all_negative", accuracy_score(y, nothing), "accuracy_score")
    accepted(s, sol, "recall_all_negative", recall_score(y, nothing, zero_division=0), "recall_score")
    accepted(s, sol, "f1_all_negative", f1_score(y, nothing, zero_division=0), "f1_score(zero_division=0)")
    accepted(s, sol, "balanced_accuracy_all_negative", balanced_accuracy_score(y, nothing), "balanced_accuracy_score")
    accepted(s, sol, "mcc_all_negative", matthews_corrcoef(y, nothing), "matthews_corrcoef")
    accepted(s, sol, "ap_constant_score", average_precision_score(y, np.full(y.size, 0.37)),
             "average_precision_score on a constant score")
    accepted(s, sol, "f1_majority_positive", f1_score(1 - y, np.ones_like(y)), "f1_score with the classes swapped")


def test_every_threshold_curve_and_percentile_question_has_a_route_here():
    """The routes above cover each scenario whose number questions come from a sweep, a curve, a top-k or a
    quantile of data; a new scenario of that kind must add its routes here."""
    import inspect
    import re
    import sys

    source = inspect.getsource(sys.modules[__name__])
    covered = set(re.findall(r'workspace\("([a-z0-9-]+)"', source))
    data_kinds = re.compile(r"roc_curve|precision_recall_curve|min_cost_threshold|threshold_for_|average_precision|"
                            r"roc_auc|psi_from_samples|expected_calibration_error|threshold_for_capacity")
    missing = []
    for scenario in casebook.load_all():
        solution = casebook.solve(scenario)
        if not solution.data_code:
            continue  # answers from the givens alone: no route through data to differ
        if any(data_kinds.search(solution.answers[q.id].code or "") for q in scenario.questions
               if q.kind == "number"):
            missing.append(scenario.id)
    # these compute curve metrics too, but through model pipelines (cross-validation, learning curves) whose
    # routes are scenario tests of their own (tests/scenarios/test_smote_leakage.py, test_bias_variance.py,
    # test_ablation.py: the paired bootstrap over validation examples, with its own tolerance for the draw)
    elsewhere = {"smote-cv-leakage", "pinterest-bias-variance-depth", "pinterest-feature-group-ablation"}
    assert set(missing) - covered - elsewhere == set(), sorted(set(missing) - covered - elsewhere)


@pytest.mark.parametrize("value", [np.float32(0.5), np.int64(3)])
def test_numpy_scalars_are_graded_like_floats(value):
    # routes return numpy scalars (np.float64, np.int64 from np.sum): the grader takes them as numbers
    s, sol, _ = workspace("fraud-recall-at-precision-vs-fpr")
    fb = check_answer(s.question("flagged_at_fpr_limit"), sol.answers["flagged_at_fpr_limit"], value)
    assert fb.status == "failed" and "wrong type" not in fb.message
