"""F-beta-optimal vs cost-optimal thresholds (seed 002 metrics: F-beta with β = √(C_FN/C_FP)).

The write-up suggests weighing recall by the costs with β = √(C_FN/C_FP). F-beta still is not the
expected cost: it ignores true negatives and is a ratio, so the threshold that maximises it is not the
threshold that minimises cost. For calibrated scores there is a clean characterisation (Lipton, Elkan
& Narayanaswamy 2014, for F1; the same argument for F-beta): at the F-beta-optimal threshold t*,

    F_β* = (1 + β²) · t*          i.e.   t* = F_β* / (1 + β²)

while the cost-optimal threshold is τ* = C_FP/(C_FP + C_FN), whatever the data. With β² = C_FN/C_FP
the two agree only by accident; typically the F-beta threshold is lower (it over-flags).

Costs here are totals over the whole (in-sample) set: the point is the comparison of rules, not a
held-out estimate.
"""

from __future__ import annotations

import math

from caselab.maths.curves import bayes_threshold, max_fbeta_threshold, min_cost_threshold
from caselab.maths.metrics import confusion_at_threshold
from caselab.scenarios.data import beta_calibrated_scores
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given

GIVENS = {
    "n": Given("scored cases", kind="integer", lo=100),
    "beta_a": Given("Beta(a, b) shape a of the calibrated probabilities", lo=0, lo_open=True),
    "beta_b": Given("Beta(a, b) shape b of the calibrated probabilities", lo=0, lo_open=True),
    "seed": Given("seed of the synthetic cases", kind="integer", lo=0),
    "cost_fp": Given("cost of a false positive", lo=0, lo_open=True),
    "cost_fn": Given("cost of a false negative", lo=0, lo_open=True),
}

ANSWERS = {"f1_opt_threshold", "f1_max", "cost_at_f1_opt", "beta_cost", "fbeta_opt_threshold", "fbeta_max",
           "fbeta_rule_threshold", "cost_at_fbeta_opt", "bayes_threshold", "cost_opt_threshold", "min_cost",
           "closer_to_cost_optimal"}

DATA_CODE = """\
import numpy as np
from caselab.scenarios.data import beta_calibrated_scores
y, p = beta_calibrated_scores(n=n, a=beta_a, b=beta_b, seed=seed)   # calibrated: labels drawn from p
print(f"{y.size:,} cases, {y.sum():,} positive ({y.mean():.2%})")
"""

# the specs' tolerances, for keep_distinct_mistakes (tests/test_solvers.py checks they match)
TOLERANCE = {"f1_opt_threshold": DEFAULT_TOLERANCE["probability"], "f1_max": DEFAULT_TOLERANCE["rate"],
             "cost_at_f1_opt": DEFAULT_TOLERANCE["money"], "beta_cost": DEFAULT_TOLERANCE["number"],
             "fbeta_opt_threshold": DEFAULT_TOLERANCE["probability"], "fbeta_max": DEFAULT_TOLERANCE["rate"],
             "fbeta_rule_threshold": DEFAULT_TOLERANCE["probability"],
             "cost_at_fbeta_opt": DEFAULT_TOLERANCE["money"], "bayes_threshold": DEFAULT_TOLERANCE["probability"],
             "cost_opt_threshold": DEFAULT_TOLERANCE["probability"], "min_cost": DEFAULT_TOLERANCE["money"]}


def solve(givens: dict) -> Solution:
    g = givens
    c_fp, c_fn = g["cost_fp"], g["cost_fn"]
    y, p = beta_calibrated_scores(n=g["n"], a=g["beta_a"], b=g["beta_b"], seed=g["seed"])

    def cost(t):
        return confusion_at_threshold(y, p, t).expected_cost(cost_fp=c_fp, cost_fn=c_fn)

    a: dict[str, Answer] = {}
    t1, f1 = max_fbeta_threshold(y, p, 1.0)
    a["f1_opt_threshold"] = Answer(
        t1, formula="argmax over thresholds of F1 = 2·TP / (2·TP + FP + FN)",
        work=f"scan of {y.size:,} scores → t = {t1:.4f} (F*/2 = {f1 / 2:.4f})",
        code="f1_opt_threshold, f1_max = caselab.curves.max_fbeta_threshold(y, p, beta=1.0)",
        mistakes={"the default 0.5": 0.5, "the Bayes threshold": bayes_threshold(c_fp, c_fn)})
    a["f1_max"] = Answer(
        f1, formula="F1 at its optimal threshold", work=f"F1* = {f1:.4f}",
        code="f1_max = caselab.metrics.confusion_at_threshold(y, p, f1_opt_threshold).f1",
        mistakes={"F1 at 0.5": confusion_at_threshold(y, p, 0.5).f1})
    c1 = cost(t1)
    cm1 = confusion_at_threshold(y, p, t1)
    a["cost_at_f1_opt"] = Answer(
        c1, formula="C_FP·FP + C_FN·FN at the F1-optimal threshold",
        work=f"{c_fp:g}·{cm1.fp:,.0f} + {c_fn:g}·{cm1.fn:,.0f} = {c1:,.0f}",
        code="cost_at_f1_opt = caselab.metrics.confusion_at_threshold(y, p, f1_opt_threshold).expected_cost(\n"
             "    cost_fp=cost_fp, cost_fn=cost_fn)",
        depends_on=("f1_opt_threshold",), recompute=lambda v: cost(v["f1_opt_threshold"]),
        mistakes={"the costs swapped": c_fn * cm1.fp + c_fp * cm1.fn})

    beta = math.sqrt(c_fn / c_fp)
    a["beta_cost"] = Answer(
        beta, formula="β = √(C_FN / C_FP): F-beta's recall weight β² set to the cost ratio",
        work=f"√({c_fn:g} / {c_fp:g}) = {beta:.4f}", code="beta_cost = (cost_fn / cost_fp) ** 0.5",
        mistakes={"the cost ratio itself (β² is the ratio, not β)": c_fn / c_fp,
                  "√(C_FP / C_FN), the inverse": math.sqrt(c_fp / c_fn)})
    tb, fb = max_fbeta_threshold(y, p, beta)
    a["fbeta_opt_threshold"] = Answer(
        tb, formula="argmax over thresholds of F_β = (1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP)",
        work=f"β = {beta:.4f} → t = {tb:.4f}",
        code="fbeta_opt_threshold, fbeta_max = caselab.curves.max_fbeta_threshold(y, p, beta=beta_cost)",
        depends_on=("beta_cost",),
        recompute=lambda v: max_fbeta_threshold(y, p, v["beta_cost"]).threshold if v["beta_cost"] > 0 else None,
        mistakes={"the F1-optimal threshold": t1, "the Bayes threshold": bayes_threshold(c_fp, c_fn)})
    a["fbeta_max"] = Answer(
        fb, formula="F_β at its optimal threshold", work=f"F_β* = {fb:.4f}",
        code="fbeta_max = caselab.metrics.confusion_at_threshold(y, p, fbeta_opt_threshold).f_beta(beta_cost)",
        depends_on=("beta_cost",),
        recompute=lambda v: max_fbeta_threshold(y, p, v["beta_cost"]).fbeta if v["beta_cost"] > 0 else None,
        mistakes={"F1 instead of F_β": f1})
    rule = fb / (1 + beta ** 2)
    a["fbeta_rule_threshold"] = Answer(
        rule, formula="for calibrated scores: t* = F_β* / (1 + β²)",
        work=f"{fb:.4f} / (1 + {beta ** 2:g}) = {rule:.4f} (scanned: {tb:.4f})",
        code="fbeta_rule_threshold = fbeta_max / (1 + beta_cost ** 2)",
        depends_on=("fbeta_max", "beta_cost"),
        recompute=lambda v: v["fbeta_max"] / (1 + v["beta_cost"] ** 2),
        mistakes={"F_β*/2, the F1 rule": fb / 2, "F_β*/(1 + β) without squaring β": fb / (1 + beta)})
    cb = cost(tb)
    cmb = confusion_at_threshold(y, p, tb)
    a["cost_at_fbeta_opt"] = Answer(
        cb, formula="C_FP·FP + C_FN·FN at the F_β-optimal threshold",
        work=f"{c_fp:g}·{cmb.fp:,.0f} + {c_fn:g}·{cmb.fn:,.0f} = {cb:,.0f}",
        code="cost_at_fbeta_opt = caselab.metrics.confusion_at_threshold(y, p, fbeta_opt_threshold).expected_cost(\n"
             "    cost_fp=cost_fp, cost_fn=cost_fn)",
        depends_on=("fbeta_opt_threshold",), recompute=lambda v: cost(v["fbeta_opt_threshold"]),
        mistakes={"the costs swapped": c_fn * cmb.fp + c_fp * cmb.fn})

    tau = bayes_threshold(cost_fp=c_fp, cost_fn=c_fn)
    a["bayes_threshold"] = Answer(
        tau, formula="τ* = C_FP / (C_FP + C_FN)", work=f"{c_fp:g} / ({c_fp:g} + {c_fn:g}) = {tau:.4f}",
        code="bayes_threshold = caselab.curves.bayes_threshold(cost_fp=cost_fp, cost_fn=cost_fn)",
        mistakes={"the inverted formula": c_fn / (c_fp + c_fn)})
    tc, cmin = min_cost_threshold(y, p, cost_fp=c_fp, cost_fn=c_fn)
    a["cost_opt_threshold"] = Answer(
        tc, formula="argmin over thresholds of C_FP·FP + C_FN·FN",
        work=f"t = {tc:.4f} (τ* = {tau:.4f}: close, the scores are calibrated)",
        code="cost_opt_threshold, min_cost = caselab.curves.min_cost_threshold(y, p, cost_fp=cost_fp, cost_fn=cost_fn)",
        mistakes={"the F_β-optimal threshold": tb, "the F1-optimal threshold": t1})
    a["min_cost"] = Answer(
        cmin, formula="the lowest total cost over thresholds", work=f"{cmin:,.0f} (at τ*: {cost(tau):,.0f})",
        code="min_cost = caselab.metrics.confusion_at_threshold(y, p, cost_opt_threshold).expected_cost(\n"
             "    cost_fp=cost_fp, cost_fn=cost_fn)",
        mistakes={"the cost at the F_β-optimal threshold": cb})

    closer = "the F1-optimal threshold" if c1 <= cb else "the F-beta-optimal threshold"
    other = "the F-beta-optimal threshold" if closer == "the F1-optimal threshold" else "the F1-optimal threshold"
    a["closer_to_cost_optimal"] = Answer(
        closer, formula="compare the cost of the two F-optimal thresholds",
        work=f"F1-opt costs {c1:,.0f}, F_β-opt {cb:,.0f}, the optimum {cmin:,.0f} → {closer}",
        code='closer_to_cost_optimal = ("the F1-optimal threshold" if cost_at_f1_opt <= cost_at_fbeta_opt\n'
             '                          else "the F-beta-optimal threshold")',
        depends_on=("cost_at_f1_opt", "cost_at_fbeta_opt"),
        recompute=lambda v: ("the F1-optimal threshold" if v["cost_at_f1_opt"] <= v["cost_at_fbeta_opt"]
                             else "the F-beta-optimal threshold"),
        mistakes={"assumed, not computed: a cost-weighted β does not make F_β the cost": other})
    explorers = {"cost": "cost_explorer = caselab.widgets.cost_explorer(\n"
                         "    cost_fp, cost_fn, y_true=y, y_score=p,\n"
                         "    case=case, hide_until_answered={'bayes': 'bayes_threshold', 'min_threshold': 'cost_opt_threshold',\n"
                         "                                    'min_cost': 'min_cost'})\n"
                         "cost_explorer"}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code=DATA_CODE, explorers=explorers)
