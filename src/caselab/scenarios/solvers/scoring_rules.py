"""Proper scoring rules vs ranking and threshold metrics: two models that rank identically.

Model A outputs calibrated probabilities (the exact posterior of the binormal model,
:func:`caselab.data.binormal_scores`). Model B is A sharpened: logit(p_B) = k · logit(p_A) with k > 1 —
the over-confidence typical of boosted trees and deep nets. The map is strictly increasing, so ROC-AUC
and average precision are *identical*; it also happens to fix 0.5, so every metric at the 0.5 threshold
(F1, precision, recall) is identical too — but only there: a metric at a cut is invariant only to maps
that keep the cut in place, and at τ* the two models' F1 and cost differ. Only the proper scoring rules — log loss and the Brier score, minimised in expectation by
the true probability alone — see the difference; so does ECE, but ECE is not proper (a constant
forecast of the base rate scores ≈ 0). The miscalibration matters as soon as a probability is used as
one: at the Bayes threshold τ* = C_FP/(C_FP + C_FN) model B costs more — unless its threshold is
re-scanned on labelled data, which recovers A's cost because the ranking is the same.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

from caselab.maths.calibration import brier_score, expected_calibration_error, log_loss
from caselab.maths.curves import bayes_threshold, min_cost_threshold, roc_auc
from caselab.maths.metrics import confusion_at_threshold
from caselab.scenarios.data import binormal_scores
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import Given, Tolerance

GIVENS = {
    "n": Given("labelled evaluation examples", kind="integer", lo=1_000, hi=1_000_000),
    "prevalence": Given("share of positives", kind="rate", lo_open=True, hi_open=True),
    "separation": Given("d': distance between the classes' latent scores", lo=0, lo_open=True),
    "seed": Given("seed of the evaluation set", kind="integer", lo=0),
    "sharpness": Given("k: model B's logit = k × model A's logit (k > 1: over-confident)", lo=0, lo_open=True),
    "cost_fp": Given("cost of a false positive", lo=0, lo_open=True),
    "cost_fn": Given("cost of a false negative", lo=0, lo_open=True),
    "n_bins": Given("equal-frequency bins for ECE", kind="integer", lo=2, hi=50),
}

ANSWERS = {"roc_auc_a", "roc_auc_b", "f1_half_a", "f1_half_b", "log_loss_a", "log_loss_b", "brier_a", "brier_b",
           "ece_a", "ece_b", "which_notices", "ece_constant", "brier_constant", "cost_a_bayes", "cost_b_bayes",
           "cost_b_scanned"}

# The tolerances casebook/proper-scoring-rules.toml grades the questions with named mistakes.
TOLERANCE = {"log_loss_a": Tolerance(abs=0.002), "log_loss_b": Tolerance(abs=0.002), "brier_b": Tolerance(abs=0.001),
             "ece_a": Tolerance(abs=0.002), "ece_b": Tolerance(abs=0.002), "ece_constant": Tolerance(abs=0.001),
             "brier_constant": Tolerance(abs=0.001), "cost_b_bayes": Tolerance(rel=0.005),
             "cost_b_scanned": Tolerance(rel=0.005)}

NOTICES = ["ROC-AUC", "F1 at 0.5", "average precision", "log loss and Brier score"]

DATA_CODE = """\
import numpy as np
from scipy.special import expit, logit
from caselab.scenarios.data import binormal_scores

y, p_a = binormal_scores(n, prevalence, separation, seed)   # model A: calibrated probabilities
p_b = expit(sharpness * logit(p_a))                          # model B: the same ranking, over-confident
print(f"{len(y):,} examples, {y.sum():,} positive; mean p: A {p_a.mean():.3f}, B {p_b.mean():.3f}")"""

SETUP_CODE = """\
from caselab.maths.calibration import brier_score, expected_calibration_error, log_loss
from caselab.maths.curves import roc_auc
from caselab.maths.metrics import confusion_at_threshold

def cost(p, t):
    return confusion_at_threshold(y, p, t).expected_cost(cost_fp=cost_fp, cost_fn=cost_fn)

tau = caselab.curves.bayes_threshold(cost_fp=cost_fp, cost_fn=cost_fn)
p_const = np.full(len(y), y.mean())"""


def solve(givens: dict) -> Solution:
    g = givens
    y, p_a = binormal_scores(g["n"], g["prevalence"], g["separation"], g["seed"])
    p_b = expit(g["sharpness"] * logit(p_a))
    k, nb = g["sharpness"], g["n_bins"]
    a: dict[str, Answer] = {}

    def pair(metric: str, fa, fb, fmt: str, code_a: str, code_b: str, formula: str):
        va, vb = fa(p_a), fb(p_b)
        a[f"{metric}_a"] = Answer(va, formula=formula, work=f"A: {va:{fmt}}", code=code_a)
        a[f"{metric}_b"] = Answer(vb, formula=formula, work=f"B: {vb:{fmt}} (A: {va:{fmt}})", code=code_b)
        return va, vb

    r_a, r_b = pair("roc_auc", lambda p: roc_auc(y, p), lambda p: roc_auc(y, p), ".4f",
                    "roc_auc_a = roc_auc(y, p_a)", "roc_auc_b = roc_auc(y, p_b)",
                    "ROC-AUC: depends only on the order of the scores")
    f_a, f_b = pair("f1_half", lambda p: confusion_at_threshold(y, p, 0.5).f1,
                    lambda p: confusion_at_threshold(y, p, 0.5).f1, ".4f",
                    "f1_half_a = confusion_at_threshold(y, p_a, 0.5).f1",
                    "f1_half_b = confusion_at_threshold(y, p_b, 0.5).f1",
                    "F1 with flag ⇔ p ≥ 0.5; the sharpening fixes 0.5, so the flagged set is the same")
    ll_a, ll_b = pair("log_loss", lambda p: log_loss(y, p), lambda p: log_loss(y, p), ".4f",
                      "log_loss_a = log_loss(y, p_a)", "log_loss_b = log_loss(y, p_b)",
                      "log loss = −mean[y ln p + (1 − y) ln(1 − p)]")
    b_a, b_b = pair("brier", lambda p: brier_score(y, p), lambda p: brier_score(y, p), ".4f",
                    "brier_a = brier_score(y, p_a)", "brier_b = brier_score(y, p_b)", "Brier = mean (p − y)²")
    e_a, e_b = pair("ece", lambda p: expected_calibration_error(y, p, n_bins=nb),
                    lambda p: expected_calibration_error(y, p, n_bins=nb), ".4f",
                    "ece_a = expected_calibration_error(y, p_a, n_bins=n_bins)",
                    "ece_b = expected_calibration_error(y, p_b, n_bins=n_bins)",
                    f"ECE with {nb} equal-frequency bins")
    a["log_loss_b"].mistakes = {"model A's log loss (same ranking assumed to mean same score)": ll_a}
    a["brier_b"].mistakes = {"model A's Brier score": b_a}
    a["ece_b"].mistakes = {f"{nb} equal-width bins": expected_calibration_error(y, p_b, n_bins=nb,
                                                                               strategy="uniform")}
    a["ece_a"].mistakes = {f"{nb} equal-width bins": expected_calibration_error(y, p_a, n_bins=nb,
                                                                               strategy="uniform")}
    a["log_loss_a"].mistakes = {"log base 10": ll_a / np.log(10)}

    differ = [name for name, (u, v) in {"ROC-AUC": (r_a, r_b), "F1 at 0.5": (f_a, f_b),
                                         "log loss and Brier score": (ll_a, ll_b)}.items() if abs(u - v) > 1e-9]
    notices = "log loss and Brier score" if differ == ["log loss and Brier score"] else (differ[0] if differ else
                                                                                          NOTICES[0])
    a["which_notices"] = Answer(
        notices, formula="which of the metrics differ between A and B?",
        work=f"ROC-AUC {r_a:.4f} / {r_b:.4f}; F1@0.5 {f_a:.4f} / {f_b:.4f}; log loss {ll_a:.4f} / {ll_b:.4f}; "
             f"Brier {b_a:.4f} / {b_b:.4f}",
        code=f"which_notices = {notices!r}",
        mistakes={"AP depends only on the ranking too": "average precision",
                  "ROC-AUC depends only on the ranking": "ROC-AUC",
                  "the sharpening keeps p ≥ 0.5 exactly where it was": "F1 at 0.5"})

    p0 = np.full(y.size, y.mean())
    e0, b0 = expected_calibration_error(y, p0, n_bins=nb), brier_score(y, p0)
    a["ece_constant"] = Answer(
        e0, formula="ECE of forecasting the observed base rate for everyone",
        work=f"{e0:.4g}: one bin whose mean prediction equals its observed rate — 'perfectly calibrated' and useless",
        code="ece_constant = expected_calibration_error(y, p_const, n_bins=n_bins)",
        mistakes={"model A's ECE": e_a})
    a["brier_constant"] = Answer(
        b0, formula="Brier of the constant forecast π: π(1 − π)", work=f"{b0:.4f} vs A {b_a:.4f}, B {b_b:.4f}",
        code="brier_constant = brier_score(y, p_const)", mistakes={"0, as its ECE suggests": 0.0})

    tau = bayes_threshold(cost_fp=g["cost_fp"], cost_fn=g["cost_fn"])

    def cost(p, t):
        return confusion_at_threshold(y, p, t).expected_cost(cost_fp=g["cost_fp"], cost_fn=g["cost_fn"])

    c_a, c_b = cost(p_a, tau), cost(p_b, tau)
    tb, c_scan = min_cost_threshold(y, p_b, cost_fp=g["cost_fp"], cost_fn=g["cost_fn"])
    a["cost_a_bayes"] = Answer(
        c_a, formula="total cost C_FP·FP + C_FN·FN with flag ⇔ p_A ≥ τ* = C_FP/(C_FP + C_FN)",
        work=f"τ* = {tau:.4f}; cost {c_a:,.0f}", code="cost_a_bayes = cost(p_a, tau)")
    a["cost_b_bayes"] = Answer(
        c_b, formula="the same rule on model B's probabilities",
        work=f"cost {c_b:,.0f} ({c_b / c_a - 1:+.1%} vs A): B's over-confident p under-states risk below 0.5, "
             "so τ* flags too few",
        code="cost_b_bayes = cost(p_b, tau)", mistakes={"model A's cost (the ranking is the same)": c_a})
    a["cost_b_scanned"] = Answer(
        c_scan, formula="min over thresholds t of B's total cost on these labels (a scanned threshold)",
        work=f"t = {tb:.4f} on p_B (≈ σ(k·logit τ*) = {float(expit(k * logit(tau))):.4f}); cost {c_scan:,.0f} — "
             "at most A's Bayes cost, because the ranking is A's",
        code="_, cost_b_scanned = caselab.curves.min_cost_threshold(y, p_b, cost_fp=cost_fp, cost_fn=cost_fn)",
        mistakes={"B's cost at τ*": c_b})
    # F1 at a cut is invariant only to maps that keep the cut in place: σ(k·logit p) fixes 0.5, not τ*
    f1_tau_a, f1_tau_b = confusion_at_threshold(y, p_a, tau).f1, confusion_at_threshold(y, p_b, tau).f1
    facts = {"bayes_threshold": tau, "cost_a_bayes": c_a, "cost_b_bayes": c_b, "f1_at_tau_a": f1_tau_a,
             "f1_at_tau_b": f1_tau_b}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code=DATA_CODE, setup_code=SETUP_CODE, facts=facts)
