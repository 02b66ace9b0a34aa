"""Choosing k for a review queue: the marginal-precision rule vs capacity (seed 002 precision@k, seed 000 Q4).

Reviewing one more item costs ``c``; catching a positive is worth ``V``. With calibrated scores the
next item in the ranking is worth reviewing when its *own* probability clears the break-even::

    p·V − c ≥ 0   ⇔   p ≥ c / V

So k is set by the **marginal** precision (the probability of the k-th item), not by precision@k,
which is an average over all k items and stays above c/V long after the items being added are
worth less than they cost. The optimal queue is ``min(capacity, #items with p ≥ c/V)``: when more
items clear the bar than the team can review, capacity binds, and the value of the items it leaves
behind is the value of more reviewers.

Realised net value of reviewing the top k: ``V·TP@k − c·k`` (labels known after the fact).
"""

from __future__ import annotations

import numpy as np

from caselab.maths.curves import threshold_for_capacity
from caselab.maths.metrics import confusion_at_threshold
from caselab.scenarios.data import binormal_scores
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    "daily_volume": Given("transactions scored in the day", kind="integer", lo=100),
    "prevalence": Given("fraud rate", kind="rate", lo_open=True, hi_open=True),
    "separation": Given("d' of the binormal model behind the synthetic scores", lo=0),
    "seed": Given("seed of the synthetic day", kind="integer", lo=0),
    "review_cost": Given("cost of one analyst review, $", lo=0, lo_open=True),
    "value_per_catch": Given("value of catching one fraud in review, $", lo=0, lo_open=True),
    "capacity": Given("reviews the team can do per day", kind="integer", lo=1),
    "k_small": Given("a smaller queue to compare", kind="integer", lo=1),
    "k_large": Given("a larger queue to compare (more reviewers)", kind="integer", lo=1),
}

ANSWERS = {"breakeven_probability", "items_worth_reviewing", "optimal_k", "precision_at_capacity",
           "net_value_at_capacity", "net_value_small", "net_value_large", "marginal_value_more_reviews",
           "marginal_precision_beyond_capacity", "expand_capacity", "k_rule"}

DATA_CODE = """\
import numpy as np
from caselab.scenarios.data import binormal_scores
# one day of transactions: calibrated fraud probabilities, and the labels learned later
y_day, p_day = binormal_scores(n=daily_volume, prevalence=prevalence, separation=separation, seed=seed)
print(f"{y_day.size:,} transactions, {y_day.sum():,} fraudulent")
"""

SETUP_CODE = """\
from caselab.maths.curves import threshold_for_capacity
from caselab.maths.metrics import confusion_at_threshold

def top_k(k):
    \"\"\"Confusion matrix of reviewing the k highest-scored transactions.\"\"\"
    return confusion_at_threshold(y_day, p_day, threshold_for_capacity(p_day, k).threshold)

def net_value(k):
    cm = top_k(k)
    return value_per_catch * cm.tp - review_cost * cm.flagged
"""

# the specs' tolerances, for keep_distinct_mistakes (tests/test_solvers.py checks they match)
TOLERANCE = {"breakeven_probability": DEFAULT_TOLERANCE["probability"],
             "items_worth_reviewing": Tolerance(abs=1.0), "optimal_k": DEFAULT_TOLERANCE["count"],
             "precision_at_capacity": DEFAULT_TOLERANCE["rate"],
             "net_value_at_capacity": DEFAULT_TOLERANCE["money"], "net_value_small": Tolerance(rel=0.001),
             "net_value_large": Tolerance(rel=0.001), "marginal_value_more_reviews": DEFAULT_TOLERANCE["money"],
             "marginal_precision_beyond_capacity": DEFAULT_TOLERANCE["rate"]}


def solve(givens: dict) -> Solution:
    g = givens
    c, v = g["review_cost"], g["value_per_catch"]
    y, p = binormal_scores(n=g["daily_volume"], prevalence=g["prevalence"], separation=g["separation"],
                           seed=g["seed"])

    def top_k(k):
        return confusion_at_threshold(y, p, threshold_for_capacity(p, k).threshold)

    def net(k):
        cm = top_k(k)
        return v * cm.tp - c * cm.flagged

    a: dict[str, Answer] = {}
    be = c / v
    a["breakeven_probability"] = Answer(
        be, formula="review the next item when p·V ≥ c ⇔ p ≥ c / V",
        work=f"{c:g} / {v:g} = {be:.5f}", code="breakeven_probability = review_cost / value_per_catch",
        mistakes={"V / c, the inverse": v / c, "c / (c + V), the Bayes-threshold form": c / (c + v)})

    worth = int(np.count_nonzero(p >= be))
    order = np.argsort(-p, kind="stable")
    running_precision = np.cumsum(y[order]) / np.arange(1, y.size + 1)
    above = np.flatnonzero(running_precision >= be)
    k_average = int(above.max() + 1) if above.size else 0
    a["items_worth_reviewing"] = Answer(
        float(worth), formula="#transactions with calibrated p ≥ c/V (the marginal rule)",
        work=f"{worth:,} transactions have p ≥ {be:.5f}",
        code="items_worth_reviewing = int(np.sum(p_day >= breakeven_probability))",
        depends_on=("breakeven_probability",),
        recompute=lambda vals: float(np.count_nonzero(p >= vals["breakeven_probability"])),
        mistakes={"the largest k whose *average* precision@k is still ≥ c/V (the queue keeps adding items worth "
                  "less than they cost)": float(k_average)})

    k_opt = min(g["capacity"], worth)
    a["optimal_k"] = Answer(
        float(k_opt), formula="k* = min(capacity, #items with p ≥ c/V)",
        work=f"min({g['capacity']:,}, {worth:,}) = {k_opt:,}" + (" — capacity binds" if worth > g["capacity"] else ""),
        code="optimal_k = min(capacity, items_worth_reviewing)",
        depends_on=("items_worth_reviewing",),
        recompute=lambda vals: float(min(g["capacity"], vals["items_worth_reviewing"])),
        mistakes={"all items worth reviewing, ignoring the capacity": float(worth)} if worth > g["capacity"] else {})

    cm_cap = top_k(g["capacity"])
    a["precision_at_capacity"] = Answer(
        cm_cap.precision, formula="precision@k = frauds among the top k / k",
        work=f"{cm_cap.tp:.0f} / {cm_cap.flagged:.0f} = {cm_cap.precision:.4f}",
        code="precision_at_capacity = top_k(capacity).precision",
        mistakes={"recall@k instead of precision@k": cm_cap.recall})

    net_cap, net_small, net_large = net(g["capacity"]), net(g["k_small"]), net(g["k_large"])
    for qid, k, val in (("net_value_at_capacity", g["capacity"], net_cap), ("net_value_small", g["k_small"], net_small),
                        ("net_value_large", g["k_large"], net_large)):
        cm = top_k(k)
        a[qid] = Answer(
            val, formula="net value = V · TP@k − c · k",
            work=f"{v:g} · {cm.tp:.0f} − {c:g} · {cm.flagged:,.0f} = {val:,.0f} $/day",
            code=f"{qid} = net_value({'capacity' if qid == 'net_value_at_capacity' else qid.replace('net_value_', 'k_')})",
            mistakes={"V · TP only (the review cost forgotten)": v * cm.tp,
                      "the expected value Σ p·V − c·k from the scores, not the realised value from the labels":
                          v * float(np.sort(p)[::-1][:k].sum()) - c * k})

    marginal = net_large - net_cap
    a["marginal_value_more_reviews"] = Answer(
        marginal, formula="net value(k_large) − net value(capacity)",
        work=f"{net_large:,.0f} − {net_cap:,.0f} = {marginal:,.0f} $/day",
        code="marginal_value_more_reviews = net_value_large - net_value_at_capacity",
        depends_on=("net_value_large", "net_value_at_capacity"),
        recompute=lambda vals: vals["net_value_large"] - vals["net_value_at_capacity"],
        mistakes={"the whole net value at the larger k": net_large})

    cm_large = top_k(g["k_large"])
    extra = cm_large.flagged - cm_cap.flagged
    marg_prec = (cm_large.tp - cm_cap.tp) / extra if extra else 0.0
    a["marginal_precision_beyond_capacity"] = Answer(
        marg_prec, formula="(TP@k_large − TP@capacity) / (k_large − capacity): the hit rate of the extra reviews",
        work=f"({cm_large.tp:.0f} − {cm_cap.tp:.0f}) / {extra:,.0f} = {marg_prec:.4f} vs break-even {be:.4f}",
        code="marginal_precision_beyond_capacity = (top_k(k_large).tp - top_k(capacity).tp) / (k_large - capacity)",
        mistakes={"precision@k_large, the average over all the top k": cm_large.precision})

    expand = "expand review capacity" if marginal > 0 else "keep capacity"
    a["expand_capacity"] = Answer(
        expand, formula="more reviews pay when the extra items' value exceeds their review cost",
        work=f"marginal value {marginal:,.0f} $/day → {expand}",
        code='expand_capacity = "expand review capacity" if marginal_value_more_reviews > 0 else "keep capacity"',
        depends_on=("marginal_value_more_reviews",),
        recompute=lambda vals: "expand review capacity" if vals["marginal_value_more_reviews"] > 0 else "keep capacity")
    a["k_rule"] = Answer(
        "review while the next item's p ≥ c/V, up to capacity",
        formula="the last reviewed item must pay for itself: marginal, not average, precision",
        work=f"the average rule would stretch the queue to {k_average:,} items; the marginal rule stops at {worth:,}",
        code='k_rule = "review while the next item\'s p ≥ c/V, up to capacity"',
        mistakes={"precision@k is an average: it stays above c/V long after the added items stop paying":
                  "the largest k whose precision@k ≥ c/V",
                  "capacity is a ceiling, not a target: below it, stop when items stop paying": "k = capacity, always"})
    explorers = {"capacity": "capacity_explorer = caselab.widgets.capacity_explorer(\n"
                             "    y_day, p_day, items_per_day=daily_volume, reviews_per_day=capacity,\n"
                             "    case=case, hide_until_answered={'precision': 'precision_at_capacity'})\n"
                             "capacity_explorer"}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code=DATA_CODE, setup_code=SETUP_CODE, explorers=explorers)
