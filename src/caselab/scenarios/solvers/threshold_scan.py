"""Threshold scan vs the Bayes threshold, on calibrated and on re-weighted scores (seed 002).

Two versions of one fraud model score the same transactions:

* **calibrated** — ``p``, a true probability (here by construction: labels are drawn from it);
* **re-weighted** — the model trained with every positive weighted ``w``. Its odds are ``w`` times the
  calibrated odds, ``q/(1 − q) = w·p/(1 − p)``: the same ranking, shifted probabilities.

The Bayes threshold τ* = C_FP/(C_FP + C_FN) is right for ``p`` and wrong for ``q``: on ``q`` it means
``p > τ*/(τ* + w(1 − τ*))``, far too low. Cutting ``q`` at 0.5 means ``p > 1/(1 + w)`` — close to τ*
when ``w ≈ C_FN/C_FP`` (the costs were encoded in the weights). An empirical scan for the min-cost
threshold needs no calibration and finds the right cut on either scale — but it must be tuned on a
validation split and *reported* on a separate test split: the minimum over thresholds of a cost
measured on the same data is biased low (the seed article's code tunes and reports on one split).

Costs are reported per transaction, like the article's ``find_optimal_threshold``.
"""

from __future__ import annotations

import numpy as np

from caselab.maths.curves import bayes_threshold, min_cost_threshold
from caselab.maths.imbalance import equivalent_threshold
from caselab.maths.metrics import confusion_at_threshold
from caselab.scenarios.data import beta_calibrated_scores
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given

GIVENS = {
    "n_validation": Given("transactions in the validation split (threshold tuning)", kind="integer", lo=100),
    "n_test": Given("transactions in the test split (reporting)", kind="integer", lo=100),
    "beta_a": Given("Beta(a, b) shape a of the calibrated fraud probabilities", lo=0, lo_open=True),
    "beta_b": Given("Beta(a, b) shape b of the calibrated fraud probabilities", lo=0, lo_open=True),
    "seed": Given("seed of the synthetic transactions", kind="integer", lo=0),
    "cost_fp": Given("cost of blocking a legitimate transaction, $", lo=0, lo_open=True),
    "cost_fn": Given("cost of a missed fraud, $", lo=0, lo_open=True),
    "weight": Given("positive-class weight the second model was trained with", lo=0, lo_open=True),
}

ANSWERS = {"bayes_threshold", "cost_flag_nothing", "cost_at_half_calibrated", "cost_at_bayes_calibrated",
           "scanned_threshold_calibrated", "cost_at_scanned_calibrated", "same_split_cost",
           "equivalent_threshold_weighted", "cost_at_half_weighted", "cost_at_bayes_weighted",
           "tau_on_weighted_vs_nothing", "scanned_threshold_weighted", "cost_at_scanned_weighted",
           "why_same_cost"}

TOLERANCE = {**{qid: DEFAULT_TOLERANCE["probability"] for qid in (
    "bayes_threshold", "scanned_threshold_calibrated", "equivalent_threshold_weighted", "scanned_threshold_weighted")},
    **{qid: DEFAULT_TOLERANCE["money"] for qid in (
        "cost_flag_nothing", "cost_at_half_calibrated", "cost_at_bayes_calibrated", "cost_at_scanned_calibrated",
        "same_split_cost", "cost_at_half_weighted", "cost_at_bayes_weighted", "cost_at_scanned_weighted")}}

DATA_CODE = """\
import numpy as np
from caselab.scenarios.data import beta_calibrated_scores
y, p = beta_calibrated_scores(n=n_validation + n_test, a=beta_a, b=beta_b, seed=seed)
y_val, p_val = y[:n_validation], p[:n_validation]      # tune thresholds here
y_test, p_test = y[n_validation:], p[n_validation:]    # report costs here
# the same model trained with positive weight `weight`: odds multiplied by the weight
q_val = weight * p_val / (weight * p_val + 1 - p_val)
q_test = weight * p_test / (weight * p_test + 1 - p_test)
print(f"validation: {y_val.size:,} rows, {y_val.mean():.3%} fraud;  test: {y_test.size:,} rows, {y_test.mean():.3%} fraud")
"""

SETUP_CODE = """\
from caselab.maths.metrics import confusion_at_threshold

def cost_per_tx(y, scores, threshold):
    \"\"\"Expected cost per transaction when flagging score >= threshold.\"\"\"
    cm = confusion_at_threshold(y, scores, threshold)
    return cm.expected_cost(cost_fp=cost_fp, cost_fn=cost_fn) / cm.n
"""


def solve(givens: dict) -> Solution:
    g = givens
    c_fp, c_fn, w = g["cost_fp"], g["cost_fn"], g["weight"]
    y, p = beta_calibrated_scores(n=g["n_validation"] + g["n_test"], a=g["beta_a"], b=g["beta_b"], seed=g["seed"])
    n_val = g["n_validation"]
    y_val, p_val, y_test, p_test = y[:n_val], p[:n_val], y[n_val:], p[n_val:]
    q_val = w * p_val / (w * p_val + 1 - p_val)  # as in DATA_CODE: the odds multiplied by w
    q_test = w * p_test / (w * p_test + 1 - p_test)

    def cost(y, s, t):
        cm = confusion_at_threshold(y, s, t)
        return cm.expected_cost(cost_fp=c_fp, cost_fn=c_fn) / cm.n

    n_test = y_test.size
    a: dict[str, Answer] = {}
    tau = bayes_threshold(cost_fp=c_fp, cost_fn=c_fn)
    a["bayes_threshold"] = Answer(
        tau, formula="τ* = C_FP / (C_FP + C_FN)", work=f"{c_fp:g} / ({c_fp:g} + {c_fn:g}) = {tau:.5f}",
        code="bayes_threshold = caselab.curves.bayes_threshold(cost_fp=cost_fp, cost_fn=cost_fn)",
        mistakes={"the inverted formula C_FN / (C_FP + C_FN)": c_fn / (c_fp + c_fn), "the default 0.5": 0.5})

    nothing = cost(y_test, p_test, np.inf)
    a["cost_flag_nothing"] = Answer(
        nothing, formula="flag nothing: every fraud is missed ⇒ cost/tx = C_FN · (fraud rate)",
        work=f"{c_fn:g} · {y_test.mean():.5f} = {nothing:.4f} $/tx",
        code="cost_flag_nothing = cost_per_tx(y_test, p_test, np.inf)",
        mistakes={"the total over the test split, not per transaction": nothing * n_test,
                  "measured on the validation split": cost(y_val, p_val, np.inf)})

    half_cal = cost(y_test, p_test, 0.5)
    flagged_half = int(np.count_nonzero(p_test >= 0.5))
    a["cost_at_half_calibrated"] = Answer(
        half_cal, formula="cost/tx on the test split, flagging calibrated p ≥ 0.5",
        work=f"{flagged_half} test transactions have p ≥ 0.5 → {half_cal:.4f} $/tx (flag nothing: {nothing:.4f})",
        code="cost_at_half_calibrated = cost_per_tx(y_test, p_test, 0.5)",
        mistakes={"measured on the validation split": cost(y_val, p_val, 0.5),
                  "the total over the test split, not per transaction": half_cal * n_test})

    bayes_cal = cost(y_test, p_test, tau)
    a["cost_at_bayes_calibrated"] = Answer(
        bayes_cal, formula="cost/tx on the test split, flagging calibrated p ≥ τ*",
        work=f"{int(np.count_nonzero(p_test >= tau)):,} flagged → {bayes_cal:.4f} $/tx",
        code="cost_at_bayes_calibrated = cost_per_tx(y_test, p_test, bayes_threshold)",
        depends_on=("bayes_threshold",),
        recompute=lambda v: cost(y_test, p_test, v["bayes_threshold"]),
        mistakes={"measured on the validation split": cost(y_val, p_val, tau),
                  "the total over the test split, not per transaction": bayes_cal * n_test})

    t_cal, val_cost_cal = min_cost_threshold(y_val, p_val, cost_fp=c_fp, cost_fn=c_fn)
    t_cal_test, test_min = min_cost_threshold(y_test, p_test, cost_fp=c_fp, cost_fn=c_fn)
    a["scanned_threshold_calibrated"] = Answer(
        t_cal, formula="argmin over validation scores t of C_FP·FP(t) + C_FN·FN(t) (flag score ≥ t)",
        work=f"scan of {y_val.size:,} validation scores → t = {t_cal:.5f} (τ* = {tau:.5f})",
        code="scanned_threshold_calibrated, _ = caselab.curves.min_cost_threshold(y_val, p_val, cost_fp=cost_fp,\n"
             "                                                                   cost_fn=cost_fn)",
        mistakes={"the Bayes threshold (the question asks for the empirical scan)": tau,
                  "scanned on the test split instead of the validation split": t_cal_test})
    scanned_cal = cost(y_test, p_test, t_cal)
    a["cost_at_scanned_calibrated"] = Answer(
        scanned_cal, formula="cost/tx on the *test* split at the threshold tuned on validation",
        work=f"{scanned_cal:.4f} $/tx (on validation, where it was tuned: {val_cost_cal / y_val.size:.4f})",
        code="cost_at_scanned_calibrated = cost_per_tx(y_test, p_test, scanned_threshold_calibrated)",
        depends_on=("scanned_threshold_calibrated",),
        recompute=lambda v: cost(y_test, p_test, v["scanned_threshold_calibrated"]),
        mistakes={"reported on the validation split, where the threshold was tuned": val_cost_cal / y_val.size,
                  "the test split's own minimum (tuned and reported on the test split)": test_min / n_test})
    same = test_min / n_test
    a["same_split_cost"] = Answer(
        same, formula="min over thresholds of the test cost: tuned and reported on the same split",
        work=f"best test threshold {t_cal_test:.5f} → {same:.4f} $/tx, below the honest {scanned_cal:.4f} "
             f"({(scanned_cal - same) / scanned_cal:.1%} optimistic)",
        code="_, test_min = caselab.curves.min_cost_threshold(y_test, p_test, cost_fp=cost_fp, cost_fn=cost_fn)\n"
             "same_split_cost = test_min / y_test.size",
        mistakes={"the honest figure (threshold tuned on validation)": scanned_cal,
                  "the total, not per transaction": test_min})

    t_eq = equivalent_threshold(w)
    a["equivalent_threshold_weighted"] = Answer(
        t_eq, formula="q ≥ 0.5 ⇔ w·p/(1 − p) ≥ 1 ⇔ p ≥ 1/(1 + w)",
        work=f"1 / (1 + {w:g}) = {t_eq:.5f} (τ* = {tau:.5f})",
        code="equivalent_threshold_weighted = caselab.imbalance.equivalent_threshold(weight)",
        mistakes={"0.5 (a weighted score read as a probability)": 0.5, "τ*": tau} if abs(t_eq - tau) > 0.0005
        else {"0.5 (a weighted score read as a probability)": 0.5})

    half_w = cost(y_test, q_test, 0.5)
    a["cost_at_half_weighted"] = Answer(
        half_w, formula="cost/tx on the test split, flagging the weighted score q ≥ 0.5",
        work=f"{int(np.count_nonzero(q_test >= 0.5)):,} flagged → {half_w:.4f} $/tx",
        code="cost_at_half_weighted = cost_per_tx(y_test, q_test, 0.5)",
        mistakes={"the calibrated model at 0.5": half_cal, "measured on the validation split": cost(y_val, q_val, 0.5)})

    bayes_w = cost(y_test, q_test, tau)
    p_equiv = tau / (tau + w * (1 - tau))
    a["cost_at_bayes_weighted"] = Answer(
        bayes_w, formula="cost/tx flagging q ≥ τ* — i.e. p ≥ τ*/(τ* + w(1 − τ*)): the costs counted twice",
        work=f"q ≥ {tau:.5f} ⇔ p ≥ {p_equiv:.2e}: {int(np.count_nonzero(q_test >= tau)):,} flagged → {bayes_w:.4f} $/tx",
        code="cost_at_bayes_weighted = cost_per_tx(y_test, q_test, bayes_threshold)",
        mistakes={"τ* applied to the calibrated scores instead": bayes_cal,
                  "measured on the validation split": cost(y_val, q_val, tau)})
    verdict = "worse than flagging nothing" if bayes_w > nothing else "better than flagging nothing"
    a["tau_on_weighted_vs_nothing"] = Answer(
        verdict, formula="compare cost/tx of τ* on the weighted scores with flagging nothing",
        work=f"{bayes_w:.4f} vs {nothing:.4f} → {verdict}",
        code='tau_on_weighted_vs_nothing = ("worse than flagging nothing" if cost_at_bayes_weighted > cost_flag_nothing\n'
             '                              else "better than flagging nothing")',
        depends_on=("cost_at_bayes_weighted", "cost_flag_nothing"),
        recompute=lambda v: ("worse than flagging nothing" if v["cost_at_bayes_weighted"] > v["cost_flag_nothing"]
                             else "better than flagging nothing"))

    t_w, val_cost_w = min_cost_threshold(y_val, q_val, cost_fp=c_fp, cost_fn=c_fn)
    a["scanned_threshold_weighted"] = Answer(
        t_w, formula="the same scan on the weighted validation scores",
        work=f"t = {t_w:.4f} on the q scale ⇔ p ≥ {t_w / (t_w + w * (1 - t_w)):.5f}",
        code="scanned_threshold_weighted, _ = caselab.curves.min_cost_threshold(y_val, q_val, cost_fp=cost_fp,\n"
             "                                                                 cost_fn=cost_fn)",
        mistakes={"the Bayes threshold τ*": tau, "the calibrated model's scanned threshold": t_cal})
    scanned_w = cost(y_test, q_test, t_w)
    a["cost_at_scanned_weighted"] = Answer(
        scanned_w, formula="cost/tx on the test split at the weighted model's scanned threshold",
        work=f"{scanned_w:.4f} $/tx (calibrated model, scanned: {scanned_cal:.4f})",
        code="cost_at_scanned_weighted = cost_per_tx(y_test, q_test, scanned_threshold_weighted)",
        depends_on=("scanned_threshold_weighted",),
        recompute=lambda v: cost(y_test, q_test, v["scanned_threshold_weighted"]),
        mistakes={"reported on the validation split, where it was tuned": val_cost_w / y_val.size})
    a["why_same_cost"] = Answer(
        "re-weighting is a monotone transform: same ranking, same decisions at matching thresholds",
        formula="q = w·p/(w·p + 1 − p) is increasing in p",
        work="every threshold on p has a twin on q that flags exactly the same transactions, so the scan finds the "
             "same operating point on either scale",
        code='why_same_cost = "re-weighting is a monotone transform: same ranking, same decisions at matching thresholds"',
        mistakes={"it is no coincidence: the two scans pick the same set of flagged transactions":
                  "a coincidence of this seed"})
    explorers = {"cost": "cost_explorer = caselab.widgets.cost_explorer(\n"
                         "    cost_fp, cost_fn, y_true=y_val, y_score=p_val,\n"
                         "    case=case, hide_until_answered={'bayes': ['bayes_threshold', 'equivalent_threshold_weighted'],\n"
                         "                                    'min_threshold': 'scanned_threshold_calibrated',\n"
                         "                                    'min_cost': 'cost_at_scanned_calibrated',\n"
                         "                                    'cost_at_bayes': 'cost_at_bayes_calibrated',\n"
                         "                                    'trivial': 'cost_flag_nothing'})\n"
                         "cost_explorer"}
    facts = {"flagged_half_calibrated": flagged_half, "p_equivalent_bayes_weighted": p_equiv,
             "flagged_bayes_weighted": int(np.count_nonzero(q_test >= tau))}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code=DATA_CODE, setup_code=SETUP_CODE,
                    explorers=explorers, facts=facts)
