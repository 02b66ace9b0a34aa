"""Auditing a proposed success metric: "% of flagged items that moderators remove".

Seed 000, part 5 (and the beyond-seeds topic of sampling for labelling / random audits). The proposed
metric is the precision of the flags. It can be raised at will by raising the threshold — flagging
fewer, surer items — while recall, the share of all harmful items caught, falls. Moderators only see
flagged items, so recall cannot be computed from their decisions; it needs labels on a **random**
sample of all traffic:

* positives needed to estimate a recall r within ±m at confidence 1 − α (normal approximation):
  ``n₊ = ⌈z²·r(1 − r)/m²⌉`` (:func:`caselab.experiments.sample_size_for_margin`);
* a random audit finds positives at the prevalence π, so it must label about ``n₊/π`` items;
* at a fixed labelling budget per day, that takes ``(n₊/π)/budget`` days — before label delays.
"""

from __future__ import annotations

import math

from scipy.stats import norm

from caselab.maths.experiments import sample_size_for_margin
from caselab.maths.metrics import confusion_at_threshold
from caselab.scenarios.data import binormal_scores
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    "n_items": Given("items in the labelled evaluation set", kind="integer", lo=100),
    "prevalence": Given("share of harmful items", kind="rate", lo_open=True, hi_open=True),
    "separation": Given("d' of the binormal scores (ROC-AUC = Φ(d'/√2))", lo=0),
    "seed": Given("seed of the evaluation set", kind="integer", lo=0),
    "threshold_now": Given("the threshold in production", kind="rate", lo_open=True, hi_open=True),
    "threshold_raised": Given("a higher threshold a team could switch to", kind="rate", lo_open=True, hi_open=True),
    "planning_recall": Given("the recall you expect, for planning the audit", kind="rate", lo_open=True,
                             hi_open=True),
    "margin": Given("half-width of the recall estimate's confidence interval", kind="rate", lo_open=True),
    "confidence": Given("confidence level of that interval", kind="rate", lo_open=True, hi_open=True),
    "audit_per_day": Given("items the audit team can label per day", kind="integer", lo=1),
}

ANSWERS = {"metric_now", "recall_now", "metric_raised", "recall_raised", "metric_verdict", "positives_needed",
           "audit_sample_size", "audit_days"}

# the tolerances the spec grades with: a mistake inside one is not offered (keep_distinct_mistakes)
_RATE = DEFAULT_TOLERANCE["rate"]
TOLERANCE = {"metric_now": _RATE, "recall_now": _RATE, "metric_raised": _RATE, "recall_raised": _RATE,
             "positives_needed": DEFAULT_TOLERANCE["count"], "audit_sample_size": Tolerance(rel=0.005),
             "audit_days": Tolerance(abs=0.1)}

VERDICTS = ["adopt it as the success metric",
            "reject it as the sole success metric: pair it with recall from a random audit"]


def solve(givens: dict) -> Solution:
    g = givens
    y, p = binormal_scores(g["n_items"], g["prevalence"], g["separation"], g["seed"])
    c_now = confusion_at_threshold(y, p, g["threshold_now"])
    c_hi = confusion_at_threshold(y, p, g["threshold_raised"])
    if c_hi.tp == 0:
        raise ValueError(f"no harmful item scores {g['threshold_raised']:g} or more: the raised threshold flags "
                         "no harm; lower threshold_raised or raise separation.")
    a: dict[str, Answer] = {}

    for key, c, t, var in (("now", c_now, g["threshold_now"], "threshold_now"),
                           ("raised", c_hi, g["threshold_raised"], "threshold_raised")):
        a[f"metric_{key}"] = Answer(
            c.precision, formula="removed / flagged = TP / (TP + FP): the proposed metric is precision",
            work=f"flag score ≥ {t:g}: {c.tp:,.0f} of {c.flagged:,.0f} flagged are harmful → {c.precision:.4f}",
            code=f"cm_{key} = caselab.metrics.confusion_at_threshold(y_eval, p_eval, {var})\n"
                 f"metric_{key} = cm_{key}.precision",
            mistakes={"recall instead of the share of flags removed": c.recall,
                      "flagged share of all items": c.flagged / c.n})
        a[f"recall_{key}"] = Answer(
            c.recall, formula="TP / (TP + FN): harmful items caught / all harmful items",
            work=f"{c.tp:,.0f} / {c.positives:,.0f} = {c.recall:.4f}",
            code=f"recall_{key} = cm_{key}.recall",
            mistakes={"precision instead of recall": c.precision})

    gamed = c_hi.precision > c_now.precision and c_hi.recall < c_now.recall
    verdict = VERDICTS[1] if gamed else VERDICTS[0]
    a["metric_verdict"] = Answer(
        verdict, formula="a success metric that improves while the harm caught falls can be gamed by the threshold",
        work=f"threshold {g['threshold_now']:g} → {g['threshold_raised']:g}: metric {c_now.precision:.3f} → "
             f"{c_hi.precision:.3f}, recall {c_now.recall:.3f} → {c_hi.recall:.3f}, harmful items caught "
             f"{c_now.tp:,.0f} → {c_hi.tp:,.0f}",
        code=f"gamed = metric_raised > metric_now and recall_raised < recall_now\n"
             f"metric_verdict = {VERDICTS[1]!r} if gamed else {VERDICTS[0]!r}",
        depends_on=("metric_now", "metric_raised", "recall_now", "recall_raised"),
        recompute=lambda v: VERDICTS[1] if v["metric_raised"] > v["metric_now"] and v["recall_raised"] <
        v["recall_now"] else VERDICTS[0])

    r, m, conf = g["planning_recall"], g["margin"], g["confidence"]
    z = norm.ppf(1 - (1 - conf) / 2)
    n_pos = sample_size_for_margin(r, m, conf)
    a["positives_needed"] = Answer(
        float(n_pos), formula="n₊ = ⌈z²·r(1 − r) / m²⌉ (normal approximation to the binomial)",
        work=f"{z:.4f}² · {r:g}·{1 - r:g} / {m:g}² = {z**2 * r * (1 - r) / m**2:.1f} → {n_pos}",
        code="positives_needed = caselab.experiments.sample_size_for_margin(planning_recall, margin, confidence)",
        mistakes={f"z = 2 instead of {z:.3f}": float(math.ceil(4 * r * (1 - r) / m**2)),
                  "the worst case r = 0.5 instead of the planning recall": float(sample_size_for_margin(0.5, m, conf)),
                  f"the margin in percent points used as {100 * m:g} instead of {m:g}":
                      float(math.ceil(z**2 * r * (1 - r) / (100 * m) ** 2))})
    size = math.ceil(round(n_pos / g["prevalence"], 9))
    a["audit_sample_size"] = Answer(
        float(size), formula="random items to label = positives needed / prevalence",
        work=f"{n_pos} / {g['prevalence']:g} = {size:,}",
        code="audit_sample_size = math.ceil(round(positives_needed / prevalence, 9))  # round(): float noise",
        depends_on=("positives_needed",), recompute=lambda v: float(math.ceil(round(v["positives_needed"] / g["prevalence"], 9))),
        mistakes={"the positives needed, as if every audited item were harmful": float(n_pos),
                  "positives needed × prevalence": n_pos * g["prevalence"]})
    days = size / g["audit_per_day"]
    a["audit_days"] = Answer(
        days, formula="days = audit sample size / items labelled per day",
        work=f"{size:,} / {g['audit_per_day']:,} = {days:.1f} days",
        code="audit_days = audit_sample_size / audit_per_day",
        depends_on=("audit_sample_size",), recompute=lambda v: v["audit_sample_size"] / g["audit_per_day"])

    data_code = ("from caselab.scenarios.data import binormal_scores\n"
                 "y_eval, p_eval = binormal_scores(n_items, prevalence, separation, seed)  # calibrated scores\n"
                 "print(f'{len(y_eval):,} items, {y_eval.sum():,} harmful ({y_eval.mean():.2%})')")
    explorers = {"threshold": "threshold_explorer = caselab.widgets.threshold_explorer(\n"
                              "    y_eval, p_eval, threshold=threshold_now,  # try threshold_raised: precision up, recall down\n"
                              "    case=case, hide_until_answered={'precision': 'metric_now', 'recall': 'recall_now'})\n"
                              "threshold_explorer"}
    facts = {"positives_unrounded": z**2 * r * (1 - r) / m**2,
             "audit_size_unrounded": z**2 * r * (1 - r) / m**2 / g["prevalence"],
             "caught_share_raised": c_hi.tp / c_now.tp}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code=data_code, setup_code="import math",
                    explorers=explorers, facts=facts)
