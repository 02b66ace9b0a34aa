"""ROC-AUC vs PR-AUC when only the prevalence changes (seed 002 metrics and failure mode 4; seed 001 (1)).

The binormal model: a negative's score is N(0, 1), a positive's N(d', 1). Its ROC curve depends on
d' alone — ROC-AUC = Φ(d'/√2), so d' = √2·Φ⁻¹(AUC) — and not on the prevalence π. At the threshold
that catches a share r of the positives (recall r)::

    t = d' − Φ⁻¹(r)          FPR(r) = Φ(Φ⁻¹(r) − d')          (the same for every π)
    precision(r) = π·r / (π·r + (1 − π)·FPR(r))                  (falls with π)
    AP = ∫₀¹ precision(r) dr                                      (the population average precision)

So one ranking, with one ROC-AUC, has a PR-AUC that slides towards its no-skill baseline π as the
positives get rarer. The integral is computed numerically (scipy ``quad``); a seeded sample drawn with
:func:`caselab.data.binormal_scores` checks it with the library's step-wise AP.

The analytic functions live in :data:`ANALYTIC_CODE`, which is both executed here and shown in the
solution notebook, so the worked numbers are the solver's to the last digit.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from caselab.maths.curves import average_precision, roc_auc
from caselab.scenarios.data import binormal_scores
from caselab.scenarios.solvers import Answer, Solution
from caselab.scenarios.spec import Given

REGIMES = ("balanced", "mild", "moderate", "severe")

GIVENS = {
    "roc_auc": Given("ROC-AUC of the model (binormal: fixes d')", kind="rate", lo=0.5, lo_open=True, hi_open=True),
    "recall_target": Given("the recall at which precision is read off", kind="rate", lo_open=True, hi_open=True),
    "prevalences": Given("the positive rate in four settings", kind="table", fields={
        "balanced": Given("a balanced benchmark", kind="rate", lo_open=True, hi_open=True),
        "mild": Given("a mildly imbalanced setting", kind="rate", lo_open=True, hi_open=True),
        "moderate": Given("a moderately imbalanced setting (the fraud team's month)", kind="rate", lo_open=True,
                          hi_open=True),
        "severe": Given("a severely imbalanced setting", kind="rate", lo_open=True, hi_open=True),
    }),
    "sample_n": Given("rows in the seeded sample", kind="integer", lo=1000),
    "seed": Given("seed of the sample", kind="integer", lo=0),
    "dashboard_ap_after": Given("PR-AUC on the dashboard in the severe month", kind="rate"),
    "consistency_band": Given("|observed − predicted| PR-AUC within which a change counts as explained",
                              kind="rate", lo_open=True),
}

ANSWERS = {"fpr_at_recall", "pr_auc_baseline_severe", "sample_roc_auc", "sample_ap", "dashboard_verdict"} | {
    f"{m}_{r}" for m in ("precision_at_recall", "ap") for r in REGIMES}

ANALYTIC_CODE = '''\
from scipy.integrate import quad
from scipy.special import ndtr, ndtri  # Φ and Φ⁻¹ (scipy.stats.norm's cdf and ppf, without its overhead)

def binormal_separation(auc):
    """d' of the binormal model with this ROC-AUC: AUC = Φ(d'/√2)."""
    return float(np.sqrt(2) * ndtri(auc))

def binormal_fpr_at_recall(r, d):
    """FPR at the threshold that catches a share r of the positives (independent of prevalence)."""
    return float(ndtr(ndtri(r) - d))

def binormal_precision_at_recall(r, prevalence, d):
    tp, fp = prevalence * r, (1 - prevalence) * binormal_fpr_at_recall(r, d)
    return tp / (tp + fp)

def binormal_ap(prevalence, d):
    """Population average precision: the integral of precision over recall from 0 to 1."""
    area, _ = quad(lambda r: binormal_precision_at_recall(r, prevalence, d), 0, 1, limit=200, epsabs=1e-10)
    return area
'''

_ns: dict = {"np": np}
exec(ANALYTIC_CODE, _ns)  # one source of truth for the solver and the solution notebook
binormal_separation = _ns["binormal_separation"]
binormal_fpr_at_recall = _ns["binormal_fpr_at_recall"]
binormal_precision_at_recall = _ns["binormal_precision_at_recall"]
binormal_ap = _ns["binormal_ap"]


def _distinct(truth: float, mistakes: dict[str, float]) -> dict[str, float]:
    """The mistakes whose value is clearly apart from the answer (more than 2 % of it and 0.02 away).

    At 50/50 the "prevalence ignored" mistakes *are* the answer, and AP there is within 0.001 of the
    ROC-AUC: feedback naming such a mistake could not tell it from the right method, so it is left out.
    """
    return {m: v for m, v in mistakes.items() if abs(v - truth) > max(0.02, 0.02 * abs(truth))}


def solve(givens: dict) -> Solution:
    g = givens
    d = binormal_separation(g["roc_auc"])
    r = g["recall_target"]
    prev = g["prevalences"]
    a: dict[str, Answer] = {}

    fpr = binormal_fpr_at_recall(r, d)
    a["fpr_at_recall"] = Answer(
        fpr, formula="FPR(r) = Φ(Φ⁻¹(r) − d'), d' = √2·Φ⁻¹(AUC) — no prevalence in it",
        work=f"d' = √2·Φ⁻¹({g['roc_auc']:g}) = {d:.4f}; FPR = Φ(Φ⁻¹({r:g}) − {d:.4f}) = {fpr:.5f}",
        code="d = binormal_separation(roc_auc)\nfpr_at_recall = binormal_fpr_at_recall(recall_target, d)",
        mistakes={"1 − recall (the miss rate) instead of the false-positive rate": 1 - r,
                  "d' taken as Φ⁻¹(AUC), without the √2": binormal_fpr_at_recall(r, float(norm.ppf(g["roc_auc"])))})

    precisions = {k: binormal_precision_at_recall(r, prev[k], d) for k in REGIMES}
    aps = {k: binormal_ap(prev[k], d) for k in REGIMES}
    if g["dashboard_ap_after"] > aps["severe"] + g["consistency_band"]:
        raise ValueError(f"dashboard_ap_after = {g['dashboard_ap_after']:g} is above what the unchanged ranking gives "
                         f"at the severe prevalence ({aps['severe']:.3f}) plus the band: the dashboard did not drop "
                         "that far, and neither verdict fits. Give a value at most the prediction plus the band.")
    ap_balanced_50 = binormal_ap(0.5, d)  # the "prevalence ignored" mistake
    for k in REGIMES:
        pi = prev[k]
        p = precisions[k]
        a[f"precision_at_recall_{k}"] = Answer(
            p, formula="precision = π·r / (π·r + (1 − π)·FPR(r))",
            work=f"{pi:g}·{r:g} / ({pi:g}·{r:g} + {1 - pi:g}·{fpr:.5f}) = {p:.4f}",
            code=f"precision_at_recall_{k} = binormal_precision_at_recall(recall_target, prevalences['{k}'], d)",
            depends_on=("fpr_at_recall",),
            recompute=lambda v, pi=pi: pi * r / (pi * r + (1 - pi) * v["fpr_at_recall"]),
            mistakes=_distinct(p, {"1 − FPR (the specificity) read as precision": 1 - fpr,
                                   "precision at a balanced 50/50 prevalence (the prevalence ignored)":
                                       binormal_precision_at_recall(r, 0.5, d)}))
        a[f"ap_{k}"] = Answer(
            aps[k], formula="AP = ∫₀¹ precision(r) dr under the binormal model",
            work=f"numerical integral at π = {pi:g}, d' = {d:.4f}: AP = {aps[k]:.4f} (baseline π = {pi:g})",
            code=f"ap_{k} = binormal_ap(prevalences['{k}'], d)",
            mistakes=_distinct(aps[k], {"the ROC-AUC (PR-AUC assumed not to depend on the prevalence)": g["roc_auc"],
                                        "the AP at a balanced 50/50 prevalence": ap_balanced_50,
                                        "the precision at the target recall, not the area": precisions[k]}))

    a["pr_auc_baseline_severe"] = Answer(
        float(prev["severe"]), formula="a random ranking has precision π at every recall ⇒ PR-AUC baseline = π",
        work=f"π = {prev['severe']:g}; the model's AP is {aps['severe'] / prev['severe']:,.0f}× that",
        code="pr_auc_baseline_severe = prevalences['severe']",
        mistakes={"0.5, the ROC-AUC baseline": 0.5})

    y, s = binormal_scores(g["sample_n"], prev["moderate"], d, g["seed"], calibrated=False)
    auc_s, ap_s = roc_auc(y, s), average_precision(y, s)
    a["sample_roc_auc"] = Answer(
        auc_s, formula="ROC-AUC of the seeded sample (trapezoid rule)",
        work=f"{int(y.sum()):,} positives among {y.size:,}: ROC-AUC = {auc_s:.4f} (population {g['roc_auc']:g})",
        code="sample_roc_auc = caselab.curves.roc_auc(y_sample, s_sample)",
        mistakes={"the sample's average precision instead": ap_s})
    a["sample_ap"] = Answer(
        ap_s, formula="step-wise AP of the seeded sample",
        work=f"AP = {ap_s:.4f} vs the population value {aps['moderate']:.4f} (sampling noise from "
             f"{int(y.sum()):,} positives)",
        code="sample_ap = caselab.curves.average_precision(y_sample, s_sample)",
        mistakes={"the sample's ROC-AUC instead": auc_s})

    predicted = aps["severe"]
    observed = g["dashboard_ap_after"]
    explained = abs(observed - predicted) <= g["consistency_band"]
    verdict = "prevalence alone explains the drop" if explained else "the model got worse"
    a["dashboard_verdict"] = Answer(
        verdict, formula="compare the observed PR-AUC with what the same ranking (same ROC-AUC) gives at the new prevalence",
        work=f"same d' at π = {prev['severe']:g} predicts AP = {predicted:.3f}; observed {observed:g} "
             f"(band ±{g['consistency_band']:g}) → {verdict}",
        code='dashboard_verdict = ("prevalence alone explains the drop"\n'
             '                     if abs(dashboard_ap_after - ap_severe) <= consistency_band else "the model got worse")',
        depends_on=("ap_severe",),
        recompute=lambda v: ("prevalence alone explains the drop"
                             if abs(observed - v["ap_severe"]) <= g["consistency_band"] else "the model got worse"),
        mistakes={"a PR-AUC drop read as model decay without adjusting for the prevalence": "the model got worse"}
        if explained else {})

    data_code = ("import numpy as np\n"
                 "from scipy.stats import norm\n"
                 "from caselab.scenarios.data import binormal_scores\n"
                 "d = float(np.sqrt(2) * norm.ppf(roc_auc))  # binormal separation d' with this ROC-AUC\n"
                 "y_sample, s_sample = binormal_scores(n=sample_n, prevalence=prevalences['moderate'], separation=d,\n"
                 "                                     seed=seed, calibrated=False)\n"
                 "print(f\"d' = {d:.3f}; sample: {y_sample.size:,} rows, {y_sample.sum():,} positives\")")
    explorers = {"prevalence": "prevalence_explorer = caselab.widgets.prevalence_explorer(separation=d, "
                               "prevalence=prevalences['moderate'])\nprevalence_explorer"}
    facts = {"prevalence_fall": prev["moderate"] / prev["severe"], "fpr_at_recall": fpr,
             "dashboard_distance": abs(observed - predicted),
             "false_alarms_per_catch_severe": (1 - prev["severe"]) * fpr / (prev["severe"] * r),
             "sample_positives": int(y.sum())}
    return Solution(a, data_code=data_code, setup_code=ANALYTIC_CODE, explorers=explorers, facts=facts)
