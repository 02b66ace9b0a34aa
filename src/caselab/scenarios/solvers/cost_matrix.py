"""The Bayes threshold from a full cost matrix (seed 000 Q4, seed 002 threshold tuning, seed 001 (1)).

For a calibrated probability p, flagging costs ``p·C_TP + (1 − p)·C_FP`` in expectation and passing
costs ``p·C_FN + (1 − p)·C_TN``. Flag when the first is no larger::

    p ≥ τ* = (C_FP − C_TN) / ((C_FP − C_TN) + (C_FN − C_TP))        (Elkan 2001)

With only error costs this is C_FP / (C_FP + C_FN). Read backwards, a threshold τ implies a cost
ratio C_FN/C_FP = (1 − τ)/τ — the positive-class weight that makes 0.5 equivalent to τ.

A cost paid on *every* flag (an analyst review) enters both C_FP and C_TP: it makes false alarms
dearer and shrinks the saving of a caught positive, so the threshold rises.
"""

from __future__ import annotations

from caselab.maths.curves import bayes_threshold
from caselab.maths.imbalance import weight_for_threshold
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    "cost_fp": Given("cost of blocking a legitimate transaction (customer friction), $", lo=0, lo_open=True),
    "cost_fn": Given("cost of letting a fraud through (average loss), $", lo=0, lo_open=True),
    "alt_cost_fp": Given("the second team's false-positive cost", lo=0, lo_open=True),
    "alt_cost_fn": Given("the second team's false-negative cost", lo=0, lo_open=True),
    "review_cost": Given("cost of an analyst review, paid on every flag, $", lo=0),
    "p_example": Given("calibrated fraud probability of one transaction", kind="rate"),
    "team_threshold": Given("the threshold the team deploys today", kind="rate", lo_open=True, hi_open=True),
}

ANSWERS = {"bayes_threshold", "bayes_threshold_alt", "cost_if_flagged", "cost_if_passed", "decision_example",
           "bayes_threshold_with_review", "implied_cost_ratio", "when_tau_applies"}

# the spec's tolerance of every number question (a mistake inside it is never offered: e.g. "the review cost
# ignored" when a $1 review barely moves a low threshold)
TOLERANCE = {"bayes_threshold": DEFAULT_TOLERANCE["probability"], "bayes_threshold_alt": DEFAULT_TOLERANCE["probability"],
             "cost_if_flagged": Tolerance(abs=0.01), "cost_if_passed": Tolerance(abs=0.01),
             "bayes_threshold_with_review": DEFAULT_TOLERANCE["probability"],
             "implied_cost_ratio": DEFAULT_TOLERANCE["ratio"]}


def solve(givens: dict) -> Solution:
    g = givens
    c_fp, c_fn, review = g["cost_fp"], g["cost_fn"], g["review_cost"]
    p = g["p_example"]
    a: dict[str, Answer] = {}

    tau = bayes_threshold(cost_fp=c_fp, cost_fn=c_fn)
    a["bayes_threshold"] = Answer(
        tau, formula="τ* = C_FP / (C_FP + C_FN)  (flag when calibrated p ≥ τ*)",
        work=f"{c_fp:g} / ({c_fp:g} + {c_fn:g}) = {tau:.5f}",
        code="bayes_threshold = caselab.curves.bayes_threshold(cost_fp=cost_fp, cost_fn=cost_fn)",
        mistakes={"the inverted formula C_FN / (C_FP + C_FN)": c_fn / (c_fp + c_fn),
                  "the default 0.5": 0.5})
    tau_alt = bayes_threshold(cost_fp=g["alt_cost_fp"], cost_fn=g["alt_cost_fn"])
    a["bayes_threshold_alt"] = Answer(
        tau_alt, formula="τ* = C_FP / (C_FP + C_FN)",
        work=f"{g['alt_cost_fp']:g} / ({g['alt_cost_fp']:g} + {g['alt_cost_fn']:g}) = {tau_alt:.4f}",
        code="bayes_threshold_alt = caselab.curves.bayes_threshold(cost_fp=alt_cost_fp, cost_fn=alt_cost_fn)",
        mistakes={"the ratio C_FP / C_FN instead of C_FP / (C_FP + C_FN)": g["alt_cost_fp"] / g["alt_cost_fn"],
                  "the inverted formula C_FN / (C_FP + C_FN)": g["alt_cost_fn"] / (g["alt_cost_fp"] + g["alt_cost_fn"])})

    flag = (1 - p) * c_fp
    pas = p * c_fn
    a["cost_if_flagged"] = Answer(
        flag, formula="E[cost | flag] = p·C_TP + (1 − p)·C_FP, with C_TP = 0",
        work=f"(1 − {p:g})·{c_fp:g} = {flag:.4f}",
        code="cost_if_flagged = (1 - p_example) * cost_fp",
        mistakes={"C_FP charged on every flag, even when it is fraud": c_fp,
                  "p·C_FP (the probability of fraud, not of a false alarm)": p * c_fp})
    a["cost_if_passed"] = Answer(
        pas, formula="E[cost | pass] = p·C_FN + (1 − p)·C_TN, with C_TN = 0",
        work=f"{p:g}·{c_fn:g} = {pas:.4f}",
        code="cost_if_passed = p_example * cost_fn",
        mistakes={"(1 − p)·C_FN": (1 - p) * c_fn, "the full loss C_FN, not its expectation": c_fn})
    decision = "flag" if flag <= pas else "pass"
    a["decision_example"] = Answer(
        decision, formula="choose the action with the lower expected cost ⇔ flag when p ≥ τ*",
        work=f"flag {flag:.3f} vs pass {pas:.3f} → {decision}  (p = {p:g} vs τ* = {tau:.4f})",
        code='decision_example = "flag" if cost_if_flagged <= cost_if_passed else "pass"',
        depends_on=("cost_if_flagged", "cost_if_passed"),
        recompute=lambda v: "flag" if v["cost_if_flagged"] <= v["cost_if_passed"] else "pass",
        mistakes={"flagging because a miss costs far more than a false alarm, without weighing it by p":
                  "flag"} if decision == "pass" else {"passing because p is small, without weighing the loss": "pass"})

    fp_r, tp_r = c_fp + review, review
    tau_r = bayes_threshold(cost_fp=fp_r, cost_fn=c_fn, cost_tp=tp_r)
    a["bayes_threshold_with_review"] = Answer(
        tau_r, formula="τ* = (C_FP − C_TN) / ((C_FP − C_TN) + (C_FN − C_TP)), with the review in C_FP and C_TP",
        work=f"C_FP = {c_fp:g} + {review:g} = {fp_r:g}, C_TP = {tp_r:g}: {fp_r:g} / ({fp_r:g} + {c_fn:g} − {tp_r:g}) "
             f"= {tau_r:.5f}",
        code="bayes_threshold_with_review = caselab.curves.bayes_threshold(\n"
             "    cost_fp=cost_fp + review_cost, cost_fn=cost_fn, cost_tp=review_cost)",
        mistakes={"the review cost ignored": tau,
                  "the review charged on caught fraud only (not on false alarms)":
                      bayes_threshold(cost_fp=c_fp, cost_fn=c_fn, cost_tp=tp_r) if tp_r < c_fn else tau,
                  "the inverted formula": 1 - tau_r})

    t = g["team_threshold"]
    ratio = weight_for_threshold(t)
    actual = c_fn / c_fp
    a["implied_cost_ratio"] = Answer(
        ratio, formula="τ = C_FP/(C_FP + C_FN) ⇔ C_FN/C_FP = (1 − τ)/τ",
        work=f"(1 − {t:g}) / {t:g} = {ratio:.4g} (the real ratio is {actual:g})",
        code="implied_cost_ratio = (1 - team_threshold) / team_threshold",
        mistakes={"1/τ instead of (1 − τ)/τ": 1 / t, "τ/(1 − τ), the inverse ratio": t / (1 - t)})

    a["when_tau_applies"] = Answer(
        "when the scores are calibrated probabilities",
        formula="τ* compares a probability with a cost ratio: it needs p to be a real probability",
        work="weights, resampling or a tree ensemble distort p; recalibrate on untouched data, or scan a "
             "validation set for the min-cost threshold instead",
        code='when_tau_applies = "when the scores are calibrated probabilities"',
        mistakes={"τ* depends on the costs only if p is calibrated; balance has nothing to do with it":
                  "when the classes are balanced"})
    explorers = {
        # the story has no labelled data: an illustrative set of *calibrated* scores, so that the empirical
        # min-cost threshold can be seen to track τ* as the ratio moves (try alt_cost_fn / alt_cost_fp and
        # the ratio (1 − team_threshold) / team_threshold)
        "cost": "from caselab.scenarios.data import binormal_scores\n"
                "y_demo, p_demo = binormal_scores(50_000, 0.01, 2.5, seed=0)  # illustrative, calibrated\n"
                "cost_explorer = caselab.widgets.cost_explorer(\n"
                "    cost_fp, cost_fn, y_true=y_demo, y_score=p_demo,\n"
                "    # at the story's ratio τ* and the min-cost threshold of these calibrated scores are both ≈ τ*\n"
                "    case=case, hide_until_answered={'bayes': 'bayes_threshold', 'min_threshold': 'bayes_threshold'})\n"
                "cost_explorer",
    }
    facts = {"review_threshold_factor": tau_r / tau, "cost_fp_with_review": fp_r,
             # the review read as the whole false-positive cost (no friction): C_FP = C_TP = review
             "threshold_review_only": bayes_threshold(cost_fp=review, cost_fn=c_fn, cost_tp=review)}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), explorers=explorers, facts=facts)
