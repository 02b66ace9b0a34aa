"""Recall under a precision SLA vs under a false-positive-rate limit (seed 002 metrics, failure modes).

Two constraints that sound alike and are not:

* **precision ≥ p\\*** — of the transactions *blocked*, at most 1 − p\\* are legitimate;
* **FPR ≤ f** — of the *legitimate* transactions, at most f are blocked.

"Recall at precision 0.9 … without blocking more than 10% of legitimate transactions" (the seed
article) mixes them up: precision 0.9 bounds the legitimate share *of the blocked*, not the blocked
share *of the legitimate*. Under heavy imbalance the two give wildly different operating points: a
precision SLA is strict (tiny FPR, low recall), an FPR limit of 10% is loose (high recall, precision of
a few percent, tens of thousands of blocks).

Each constraint picks, among the thresholds that satisfy it, the one with the highest recall.
``caselab.curves`` has both selectors: ``threshold_for_precision`` and ``threshold_for_fpr``.
"""

from __future__ import annotations

import numpy as np

from caselab.maths.curves import confusion_matrix_at_thresholds, threshold_for_fpr, threshold_for_precision
from caselab.maths.metrics import confusion_at_threshold
from caselab.scenarios.data import binormal_scores
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    "n": Given("transactions in the evaluation day", kind="integer", lo=100),
    "prevalence": Given("fraud rate", kind="rate", lo_open=True, hi_open=True),
    "separation": Given("d' of the binormal model behind the synthetic scores", lo=0),
    "seed": Given("seed of the synthetic day", kind="integer", lo=0),
    "min_precision": Given("the precision SLA", kind="rate", lo_open=True),
    "max_fpr": Given("the cap on the share of legitimate transactions blocked", kind="rate", lo_open=True),
}

# the tolerances the spec grades with: a mistake inside one is not offered (keep_distinct_mistakes)
_RATE, _COUNT = DEFAULT_TOLERANCE["rate"], DEFAULT_TOLERANCE["count"]
TOLERANCE = {"recall_at_precision": _RATE, "flagged_at_precision": _COUNT, "fpr_at_precision": Tolerance(rel=0.02),
             "legit_share_of_blocked_at_precision": _RATE, "recall_at_fpr_limit": _RATE,
             "precision_at_fpr_limit": _RATE, "flagged_at_fpr_limit": _COUNT}

ANSWERS = {"recall_at_precision", "flagged_at_precision", "fpr_at_precision", "legit_share_of_blocked_at_precision",
           "recall_at_fpr_limit", "precision_at_fpr_limit", "flagged_at_fpr_limit", "constraint_for_sla"}


def solve(givens: dict) -> Solution:
    g = givens
    y, s = binormal_scores(n=g["n"], prevalence=g["prevalence"], separation=g["separation"], seed=g["seed"])
    a: dict[str, Answer] = {}

    pt = threshold_for_precision(y, s, g["min_precision"])
    if pt.recall == 0:
        raise ValueError(f"no threshold reaches precision {g['min_precision']:g} on this day: (A) blocks nothing; "
                         "lower min_precision or raise separation.")
    cm_p = confusion_at_threshold(y, s, pt.threshold)
    ft = threshold_for_fpr(y, s, g["max_fpr"])
    cm_f = confusion_at_threshold(y, s, ft.threshold)
    # the dominated alternative the tie-break rules out: the lowest in-cap threshold with the same recall
    sweep = confusion_matrix_at_thresholds(y, s)
    tied = np.flatnonzero((sweep.tps == cm_f.tp) & (sweep.fps <= g["max_fpr"] * sweep.fps[-1]))
    flagged_lowest_tied = int(sweep.tps[tied[-1]] + sweep.fps[tied[-1]])

    a["recall_at_precision"] = Answer(
        cm_p.recall, formula="max recall over thresholds with precision ≥ p*",
        work=f"threshold {pt.threshold:.4f}: precision {cm_p.precision:.4f}, recall {cm_p.tp:.0f}/{cm_p.positives:.0f} "
             f"= {cm_p.recall:.4f}",
        code="pt = caselab.curves.threshold_for_precision(y_day, p_day, min_precision)\n"
             "cm_precision = caselab.metrics.confusion_at_threshold(y_day, p_day, pt.threshold)\n"
             "recall_at_precision = cm_precision.recall",
        mistakes={"the precision itself": cm_p.precision,
                  "recall at the FPR limit (the other constraint)": cm_f.recall})
    a["flagged_at_precision"] = Answer(
        cm_p.flagged, formula="TP + FP at that threshold", work=f"{cm_p.tp:.0f} + {cm_p.fp:.0f} = {cm_p.flagged:.0f}",
        code="flagged_at_precision = cm_precision.flagged",
        mistakes={"true positives only": cm_p.tp})
    a["fpr_at_precision"] = Answer(
        cm_p.fpr, formula="FPR = FP / (FP + TN): the share of legitimate transactions blocked",
        work=f"{cm_p.fp:.0f} / {cm_p.negatives:,.0f} = {cm_p.fpr:.3g}",
        code="fpr_at_precision = cm_precision.fpr",
        mistakes={"1 − precision (the legitimate share of the *blocked*)": 1 - cm_p.precision,
                  "1 − p* (the write-up's reading: precision p* taken to block at most 1 − p* of the legitimate)": 1 - g["min_precision"]})
    a["legit_share_of_blocked_at_precision"] = Answer(
        1 - cm_p.precision, formula="FP / (TP + FP) = 1 − precision",
        work=f"{cm_p.fp:.0f} / {cm_p.flagged:.0f} = {1 - cm_p.precision:.4f}",
        code="legit_share_of_blocked_at_precision = 1 - cm_precision.precision",
        mistakes={"the FPR (the blocked share of the legitimate)": cm_p.fpr})

    a["recall_at_fpr_limit"] = Answer(
        cm_f.recall, formula="max recall over thresholds with FPR ≤ f",
        work=f"threshold {ft.threshold:.5f}: FPR {cm_f.fpr:.4f}, recall {cm_f.tp:.0f}/{cm_f.positives:.0f} = "
             f"{cm_f.recall:.4f}",
        code="t_fpr = caselab.curves.threshold_for_fpr(y_day, p_day, max_fpr).threshold\n"
             "cm_fpr = caselab.metrics.confusion_at_threshold(y_day, p_day, t_fpr)\n"
             "recall_at_fpr_limit = cm_fpr.recall",
        mistakes={"recall at the precision SLA (the other constraint)": cm_p.recall})
    a["precision_at_fpr_limit"] = Answer(
        cm_f.precision, formula="TP / (TP + FP) at the FPR-limited threshold",
        work=f"{cm_f.tp:.0f} / {cm_f.flagged:,.0f} = {cm_f.precision:.4f}",
        code="precision_at_fpr_limit = cm_fpr.precision",
        mistakes={"1 − FPR (the specificity), as if it were precision": 1 - cm_f.fpr})
    a["flagged_at_fpr_limit"] = Answer(
        cm_f.flagged, formula="TP + FP at the FPR-limited threshold",
        work=f"{cm_f.tp:.0f} + {cm_f.fp:,.0f} = {cm_f.flagged:,.0f}",
        code="flagged_at_fpr_limit = cm_fpr.flagged",
        mistakes={"FPR × all transactions (the true positives forgotten)": g["max_fpr"] * y.size,
                  "the lowest threshold with the same recall (dominated: more blocks, no more fraud caught)":
                      flagged_lowest_tied})

    a["constraint_for_sla"] = Answer(
        "a false-positive-rate cap",
        formula="'of the legitimate users, at most x% blocked' is a rate over the negatives: the FPR",
        work=f"precision ≥ {g['min_precision']:g} bounds the legitimate share of the *blocked* "
             f"({1 - cm_p.precision:.3f}) and blocks only {cm_p.fpr:.2e} of the legitimate; FPR ≤ {g['max_fpr']:g} "
             "is the promise made to legitimate users",
        code='constraint_for_sla = "a false-positive-rate cap"',
        mistakes={"precision bounds the legitimate share of the *blocked*, not the blocked share of the legitimate":
                  "a precision floor"})

    facts = {"flagged_at_precision": int(cm_p.flagged), "recall_at_precision": cm_p.recall,
             "fpr_at_precision": cm_p.fpr, "flagged_at_fpr_limit": int(cm_f.flagged),
             "recall_at_fpr_limit": cm_f.recall, "legit_share_of_blocked_at_fpr_limit": 1 - cm_f.precision,
             "flagged_at_lowest_tied": flagged_lowest_tied,
             "extra_blocks_at_lowest_tied": flagged_lowest_tied - int(cm_f.flagged)}
    data_code = ("import numpy as np\n"
                 "from caselab.scenarios.data import binormal_scores\n"
                 "y_day, p_day = binormal_scores(n=n, prevalence=prevalence, separation=separation, seed=seed)\n"
                 "print(f'{y_day.size:,} transactions, {y_day.sum():,} fraudulent, {y_day.size - y_day.sum():,} legitimate')")
    explorers = {"threshold": "threshold_explorer = caselab.widgets.threshold_explorer(y_day, p_day)\nthreshold_explorer"}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code=data_code, explorers=explorers, facts=facts)
