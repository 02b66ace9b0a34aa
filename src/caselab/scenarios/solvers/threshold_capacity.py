"""Choosing a deployment threshold three ways: Bayes rule, empirical cost scan, review capacity.

Seed 000, part 4 (TikTok). A calibrated classifier scores a validation set; errors have costs; the
team downstream can review only so many items a day. The three rules answer different questions:

* **Bayes threshold** τ* = C_FP / (C_FP + C_FN): the cost-optimal cut *if the scores are calibrated
  probabilities* (Elkan 2001). It needs no data at all.
* **Empirical min-cost threshold**: scan every distinct score of a labelled validation set and keep
  the one with the lowest total cost. It needs data, not calibration (and is optimistic when tuned
  and reported on the same split).
* **Capacity threshold**: when at most ``capacity`` items a day can be acted on, flag the top
  ``capacity / daily_volume`` share of the traffic — the k-th highest validation score with
  ``k = n_validation · capacity / daily_volume``.
"""

from __future__ import annotations

import numpy as np

from caselab.maths.curves import (
    average_precision,
    bayes_threshold,
    min_cost_threshold,
    threshold_for_capacity,
)
from caselab.maths.metrics import confusion_at_threshold
from caselab.scenarios.data import sentiment_scores
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    "n_validation": Given("labelled validation examples", kind="integer", lo=100),
    "prevalence": Given("share of positives (items that need action)", kind="rate", lo_open=True, hi_open=True),
    "separation": Given("d': how far apart the classes' latent scores are (ROC-AUC = Φ(d'/√2))", lo=0),
    "seed": Given("seed of the synthetic validation set", kind="integer", lo=0),
    "cost_fp": Given("cost of escalating an item that did not need it", lo=0, lo_open=True),
    "cost_fn": Given("cost of missing an item that needed action", lo=0, lo_open=True),
    "daily_volume": Given("items scored per day", kind="integer", lo=1),
    "capacity": Given("items the review team can handle per day", kind="integer", lo=1),
}

ANSWERS = {"bayes_threshold", "min_cost_threshold", "min_cost_threshold_slider", "min_cost", "flagged_per_day_at_bayes", "capacity_k",
           "capacity_threshold", "precision_at_capacity", "recall_at_capacity", "primary_metric",
           "diagnostic_metric", "guardrail_metric"}

METRICS = ["expected cost", "recall at capacity", "PR-AUC", "ROC-AUC", "accuracy", "false-positive rate"]
GUARDRAIL = "false escalations per user segment"

# The tolerances casebook/tiktok-threshold-capacity.toml grades these with: a variant can put a mistake inside
# one (the Bayes threshold next to the capacity cut when capacity barely binds; precision@k next to recall@k
# when k is close to the number of positives), and such a mistake is not offered.
TOLERANCE = {"bayes_threshold": DEFAULT_TOLERANCE["probability"], "min_cost_threshold": DEFAULT_TOLERANCE["probability"],
             "min_cost_threshold_slider": Tolerance(abs=0.005), "min_cost": DEFAULT_TOLERANCE["money"],
             "flagged_per_day_at_bayes": DEFAULT_TOLERANCE["number"], "capacity_k": DEFAULT_TOLERANCE["count"],
             "capacity_threshold": DEFAULT_TOLERANCE["probability"], "precision_at_capacity": DEFAULT_TOLERANCE["rate"],
             "recall_at_capacity": DEFAULT_TOLERANCE["rate"]}
# an overload at least this many times the capacity is no longer a thresholding problem (the model answer says so)
HEAVY_OVERLOAD = 3.0


def solve(givens: dict) -> Solution:
    g = givens
    y_val, p_val = sentiment_scores(n=g["n_validation"], prevalence=g["prevalence"], separation=g["separation"],
                                    seed=g["seed"])
    cost_fp, cost_fn = g["cost_fp"], g["cost_fn"]
    answers: dict[str, Answer] = {}

    tau = bayes_threshold(cost_fp=cost_fp, cost_fn=cost_fn)
    answers["bayes_threshold"] = Answer(
        tau, formula="τ* = C_FP / (C_FP + C_FN)", work=f"{cost_fp:g} / ({cost_fp:g} + {cost_fn:g}) = {tau:.4f}",
        code="bayes_threshold = caselab.curves.bayes_threshold(cost_fp=cost_fp, cost_fn=cost_fn)",
        mistakes={"the inverted formula C_FN / (C_FP + C_FN)": cost_fn / (cost_fp + cost_fn),
                  "the cost ratio C_FP / C_FN instead of C_FP / (C_FP + C_FN)": cost_fp / cost_fn,
                  "the default threshold 0.5": 0.5})

    t_min, cost_min = min_cost_threshold(y_val, p_val, cost_fp=cost_fp, cost_fn=cost_fn)
    cost_at_half = confusion_at_threshold(y_val, p_val, 0.5).expected_cost(cost_fp=cost_fp, cost_fn=cost_fn)
    answers["min_cost_threshold"] = Answer(
        t_min, formula="argmin over distinct scores t of C_FP·FP(t) + C_FN·FN(t), flagging score ≥ t",
        work=f"scan of {len(p_val):,} scores → t = {t_min:.4f} (Bayes τ* = {tau:.4f}: close, because these "
             "scores are calibrated)",
        # No "answered τ*" mistake: on calibrated scores the scan's minimum sits at τ* up to sampling noise,
        # so for some givens τ* is inside the tolerance — not a misconception feedback could name.
        code="min_cost_threshold, _ = caselab.curves.min_cost_threshold(y_val, p_val, cost_fp=cost_fp, cost_fn=cost_fn)")
    answers["min_cost_threshold_slider"] = Answer(
        t_min, formula="the slider position where the expected-cost readout is lowest",
        work=f"the cost curve's minimum sits at t = {t_min:.4f}; any slider stop within one step of it passes",
        code="min_cost_threshold_slider = min_cost_threshold",
        mistakes={"the default threshold 0.5 (the slider was not moved)": 0.5})
    answers["min_cost"] = Answer(
        cost_min, formula="C_FP·FP + C_FN·FN at the min-cost threshold, on the validation set",
        work=f"cost = {cost_min:,.2f} (at 0.5 it would be {cost_at_half:,.2f})",
        code="cm_min = caselab.metrics.confusion_at_threshold(y_val, p_val, min_cost_threshold)\n"
             "min_cost = cm_min.expected_cost(cost_fp=cost_fp, cost_fn=cost_fn)",
        depends_on=("min_cost_threshold",),
        recompute=lambda v: confusion_at_threshold(y_val, p_val, v["min_cost_threshold"]).expected_cost(
            cost_fp=cost_fp, cost_fn=cost_fn),
        mistakes={"the cost at the default threshold 0.5": cost_at_half,
                  "cost per example (divided by n) — the question asks for the total": cost_min / len(p_val)})

    share_at_tau = float(np.mean(p_val >= tau))
    per_day = share_at_tau * g["daily_volume"]
    answers["flagged_per_day_at_bayes"] = Answer(
        per_day, formula="daily volume × share of validation scores ≥ τ*",
        work=f"{g['daily_volume']:,} × {share_at_tau:.4f} = {per_day:,.0f} per day vs capacity {g['capacity']:,}",
        code="flagged_per_day_at_bayes = daily_volume * np.mean(p_val >= bayes_threshold)")

    k = max(1, round(g["n_validation"] * g["capacity"] / g["daily_volume"]))
    answers["capacity_k"] = Answer(
        float(k), formula="k = n_validation × capacity / daily_volume (the same share of traffic)",
        work=f"{g['n_validation']:,} × {g['capacity']:,} / {g['daily_volume']:,} = {k}",
        code="capacity_k = round(n_validation * capacity / daily_volume)",
        mistakes={"the daily capacity itself, not scaled to the validation set": float(g["capacity"])})
    t_cap = threshold_for_capacity(p_val, k).threshold
    cm_cap = confusion_at_threshold(y_val, p_val, t_cap)
    answers["capacity_threshold"] = Answer(
        t_cap, formula="the k-th highest validation score (flag score ≥ it)",
        work=f"k = {k} → threshold {t_cap:.4f}",
        code="capacity_threshold = caselab.curves.threshold_for_capacity(p_val, capacity_k).threshold",
        depends_on=("capacity_k",),
        recompute=lambda v: threshold_for_capacity(p_val, max(1, int(round(v["capacity_k"])))).threshold,
        mistakes={"the Bayes threshold (capacity ignored)": tau})
    answers["precision_at_capacity"] = Answer(
        cm_cap.precision, formula="precision@k = TP among the top k / k",
        work=f"{cm_cap.tp:.0f} / {cm_cap.flagged:.0f} = {cm_cap.precision:.4f}",
        code="cm_cap = caselab.metrics.confusion_at_threshold(y_val, p_val, capacity_threshold)\n"
             "precision_at_capacity = cm_cap.precision",
        mistakes={"recall@k given instead of precision@k": cm_cap.recall})
    answers["recall_at_capacity"] = Answer(
        cm_cap.recall, formula="recall@k = TP among the top k / all positives",
        work=f"{cm_cap.tp:.0f} / {cm_cap.positives:.0f} = {cm_cap.recall:.4f}",
        code="recall_at_capacity = cm_cap.recall",
        mistakes={"precision@k given instead of recall@k": cm_cap.precision})

    capacity_binds = per_day > g["capacity"]
    primary = "recall at capacity" if capacity_binds else "expected cost"
    answers["primary_metric"] = Answer(
        primary, formula="the metric the decision optimises: expected cost, unless a hard capacity binds",
        work=(f"at τ* the model would flag {per_day:,.0f}/day > capacity {g['capacity']:,}: the capacity binds, so "
              "the decision is *which* k items to review — maximise recall (equivalently precision) at k"
              if capacity_binds else
              f"at τ* the model flags {per_day:,.0f}/day ≤ capacity {g['capacity']:,}: minimise expected cost"),
        code=f'primary_metric = "{primary}"  # capacity binds: {capacity_binds}',
        mistakes={"the cost-optimal threshold flags more than the team can review: the capacity binds, so the "
                  "decision is which k items to review": "expected cost"} if capacity_binds else
                 {"the capacity does not bind at τ*: the queue has room, and the cost rule decides": "recall at capacity"})
    ap = average_precision(y_val, p_val)
    diagnostic = "PR-AUC" if g["prevalence"] < 0.2 else "ROC-AUC"
    answers["diagnostic_metric"] = Answer(
        diagnostic, formula="a threshold-free ranking summary to compare models; PR-AUC under imbalance",
        work=f"prevalence {g['prevalence']:g}; PR-AUC here = {ap:.3f} (its no-skill baseline is the prevalence)",
        code=f'diagnostic_metric = "{diagnostic}"')
    # Under a fixed top k, FP = k − TP: the false-positive rate is (k − TP)/negatives, a function of recall@k.
    negatives = cm_cap.fp + cm_cap.tn
    fpr_at_k = cm_cap.fp / negatives
    fpr_if_one_fewer_tp = (cm_cap.flagged - (cm_cap.tp - 1)) / negatives
    answers["guardrail_metric"] = Answer(
        GUARDRAIL, formula="a metric that can get worse while the primary improves, measuring a harm the primary "
                           "does not see",
        work=(f"at the top k, FPR = (k − TP)/negatives = ({cm_cap.flagged:.0f} − {cm_cap.tp:.0f})/{negatives:,.0f} "
              f"= {fpr_at_k:.5f}; one true positive fewer in the same k makes it {fpr_if_one_fewer_tp:.5f}. FPR moves "
              "in lockstep with recall@k, so it can never warn while the primary improves. What can: benign posts "
              "escalated per user segment (one dialect or community bearing the false escalations), the reviewers' "
              "overturn rate, and queue overflow"),
        code=f'guardrail_metric = "{GUARDRAIL}"',
        mistakes={"under a fixed top k the false-positive rate is (k − TP)/negatives: it moves in lockstep with "
                  "recall@k, so it cannot get worse while the primary improves": "false-positive rate",
                  "accuracy is dominated by the negatives and, at a fixed k, also moves with recall@k": "accuracy"})

    # Numbers the model answer quotes ({solved.name}): how hard capacity binds, and what the cut leaves unreviewed.
    n_val = len(p_val)
    band = (p_val >= tau) & (p_val < t_cap)  # would be flagged by the cost rule, not reviewed under capacity
    overload = per_day / g["capacity"]
    harmful = float(p_val[band].sum()) * g["daily_volume"] / n_val
    if capacity_binds:
        verdict = (f"So the decision becomes *which* {g['capacity']:,} to review: rank by score and take the top k "
                   "each day, with recall (equivalently precision) at k as the primary metric and PR-AUC as the "
                   f"diagnostic. The calibrated score at the cut is {t_cap:.2f}, so a post just below it needs action "
                   f"with probability about {t_cap:.0%} — {'far above' if t_cap >= 5 * tau else 'above'} the {tau:.4f} at which the costs say it is worth a "
                   f"review — and about {harmful:,.0f} harmful posts a day that the cost rule would escalate go "
                   "unreviewed. ")
        verdict += (f"A {overload:.1f}-fold overload is not a thresholding problem: auto-action the top band (remove "
                    "or down-rank without review, with an appeal path) and spend reviewers on the uncertain middle, "
                    "or add reviewers." if overload >= HEAVY_OVERLOAD else
                    "The overload is modest: price the reviewers who would close the gap against those misses "
                    "before anything cleverer.")
    else:
        verdict = (f"The capacity does not bind: expected cost stays the primary metric and τ* = {tau:.4f} the "
                   f"threshold, with PR-AUC as the diagnostic. The queue is {overload:.0%} full at τ*, and the "
                   "flag count rises with the prevalence: monitor it, and the day it would pass "
                   f"{g['capacity']:,}, rank and take the top k (recall@k becomes the primary metric).")
    facts = {
        "capacity_overload": overload,
        "capacity_verdict": verdict,
        "harmful_unreviewed_per_day": harmful,
        "accuracy_flag_nothing": float(np.mean(y_val == 0)),
        "fpr_at_k": fpr_at_k,
    }

    data_code = ("from caselab.scenarios.data import sentiment_scores\n"
                 "y_val, p_val = sentiment_scores(n=n_validation, prevalence=prevalence, separation=separation, "
                 "seed=seed)\n"
                 "print(f'{len(y_val):,} validation items, {y_val.sum():,} positive ({y_val.mean():.2%})')")
    explorers = {
        "threshold": "threshold_explorer = caselab.widgets.threshold_explorer(\n"
                     "    y_val, p_val, cost_fp=cost_fp, cost_fn=cost_fn, capacity=capacity, daily_volume=daily_volume,\n"
                     "    case=case, hide_until_answered={'min_cost': ['min_cost_threshold', 'min_cost_threshold_slider'],\n"
                     "                                    'bayes': 'bayes_threshold', 'capacity': 'capacity_threshold'})\n"
                     "threshold_explorer",
        "cost": "cost_explorer = caselab.widgets.cost_explorer(\n"
                "    cost_fp, cost_fn, y_true=y_val, y_score=p_val,\n"
                "    case=case, hide_until_answered={'bayes': 'bayes_threshold', 'min_cost': 'min_cost',\n"
                "                                    'cost_at_bayes': 'min_cost',  # within 0.5% of the minimum\n"
                "                                    'min_threshold': ['min_cost_threshold', 'min_cost_threshold_slider']})\n"
                "cost_explorer",
        "capacity": "capacity_explorer = caselab.widgets.capacity_explorer(\n"
                    "    y_val, p_val, items_per_day=daily_volume, reviews_per_day=capacity,\n"
                    "    case=case, hide_until_answered={'k': 'capacity_k', 'flagged': 'capacity_k',\n"
                    "                                    'threshold': 'capacity_threshold',\n"
                    "                                    'precision': 'precision_at_capacity', 'recall': 'recall_at_capacity'})\n"
                    "capacity_explorer",
        "prevalence": "prevalence_explorer = caselab.widgets.prevalence_explorer(separation, prevalence=prevalence)\n"
                      "prevalence_explorer",
    }
    return Solution(keep_distinct_mistakes(answers, TOLERANCE), data_code=data_code, setup_code="import numpy as np",
                    explorers=explorers, facts=facts)
