"""Two operating points given as precision and recall: expected counts, F1, cost, the decision.

The Pinterest computation (seed 001, part 4) and its follow-ups. From ``n``, the prevalence and an
operating point's precision P and recall R, the expected confusion counts are exact real numbers::

    positives = n·prevalence        TP = R·positives        FN = positives − TP
    FP = TP·(1 − P)/P               TN = n − positives − FP

(precision = TP/(TP + FP) solved for FP). Nothing is rounded: 154.29 false positives is an
*expected* count, and rounding is a presentation choice.
"""

from __future__ import annotations

from caselab.maths.curves import bayes_threshold
from caselab.maths.metrics import confusion_from_rates
from caselab.scenarios.solvers import Answer, Solution, distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given

_POINT = Given("an operating point", kind="table", fields={
    "threshold": Given("the score threshold of this operating point", kind="rate"),
    "precision": Given("precision at this threshold", kind="rate", lo=0, lo_open=True),
    "recall": Given("recall at this threshold", kind="rate"),
})

GIVENS = {
    "n": Given("validation examples", kind="integer", lo=1),
    "prevalence": Given("share of positives", kind="rate", lo_open=True, hi_open=True),
    "cost_fp": Given("cost of one false positive", lo=0, lo_open=True),
    "cost_fn": Given("cost of one false negative", lo=0, lo_open=True),
    "baseline": _POINT,
    "new": _POINT,
}

POINTS = ("baseline", "new")
ANSWERS = {f"{m}_{p}" for m in ("f1", "tp", "fp", "fn", "tn", "cost", "accuracy", "flagged") for p in POINTS} | {
    "deploy", "break_even_ratio", "flagged_change", "bayes_threshold", "new_threshold_optimal"}

# The tolerances casebook/pinterest-follow-ups.toml grades these with (mistakes inside them are not offered).
TOLERANCE = {"break_even_ratio": DEFAULT_TOLERANCE["ratio"], "flagged_change": DEFAULT_TOLERANCE["rate"]}


def solve(givens: dict) -> Solution:
    n, prevalence = givens["n"], givens["prevalence"]
    cost_fp, cost_fn = givens["cost_fp"], givens["cost_fn"]
    positives = n * prevalence
    cm = {p: confusion_from_rates(n, prevalence, givens[p]["precision"], givens[p]["recall"]) for p in POINTS}
    answers: dict[str, Answer] = {}

    for p in POINTS:
        c, prec, rec = cm[p], givens[p]["precision"], givens[p]["recall"]
        cost = c.expected_cost(cost_fp=cost_fp, cost_fn=cost_fn)
        answers[f"f1_{p}"] = Answer(
            c.f1, formula="F1 = 2·P·R / (P + R)  (the harmonic mean of precision and recall)",
            work=f"2·{prec:g}·{rec:g} / ({prec:g} + {rec:g}) = {c.f1:.4f}",
            code=f"f1_{p} = cm_{p}.f1",
            mistakes={"the arithmetic mean (P + R)/2 instead of the harmonic mean": (prec + rec) / 2,
                      "the geometric mean √(P·R) instead of the harmonic mean": (prec * rec) ** 0.5})
        answers[f"tp_{p}"] = Answer(
            c.tp, formula="TP = recall · positives = R · n · prevalence",
            work=f"{rec:g} · {n:,} · {prevalence:g} = {rec:g} · {positives:,.0f} = {c.tp:,.2f}",
            code=f"tp_{p} = cm_{p}.tp",
            mistakes={"recall applied to all n examples (prevalence ignored)": rec * n,
                      "precision and recall swapped (TP = precision · positives)": prec * positives})
        answers[f"fn_{p}"] = Answer(
            c.fn, formula="FN = positives − TP", work=f"{positives:,.0f} − {c.tp:,.2f} = {c.fn:,.2f}",
            code=f"fn_{p} = cm_{p}.fn", depends_on=(f"tp_{p}",),
            recompute=lambda v, p=p: positives - v[f"tp_{p}"],
            mistakes={"(1 − recall) applied to all n examples (prevalence ignored)": (1 - rec) * n,
                      "precision and recall swapped (FN = (1 − precision) · positives)": (1 - prec) * positives})
        answers[f"fp_{p}"] = Answer(
            c.fp, formula="precision = TP/(TP + FP)  ⇒  FP = TP · (1 − P) / P",
            work=f"{c.tp:,.2f} · (1 − {prec:g}) / {prec:g} = {c.fp:,.2f}",
            code=f"fp_{p} = cm_{p}.fp", depends_on=(f"tp_{p}",),
            recompute=lambda v, p=p, prec=prec: v[f"tp_{p}"] * (1 - prec) / prec,
            mistakes={"(1 − precision) · n: precision read as a rate over all examples": (1 - prec) * n,
                      "(1 − precision) · positives: precision read as a rate over the positives": (1 - prec) * positives,
                      "(1 − precision) · TP instead of TP · (1 − P)/P": (1 - prec) * c.tp,
                      # swapped from TP on: TP' = P·positives, then FP' = TP'·(1 − R)/R
                      "precision and recall swapped (TP = P · positives, then FP = TP · (1 − R)/R) — recall is "
                      "TP/positives, precision is TP/(TP + FP)":
                          prec * positives * (1 - rec) / rec if rec else float("inf"),
                      "recall used where precision belongs: TP · (1 − R)/R is the false negatives, not FP":
                          c.tp * (1 - rec) / rec if rec else float("inf")})
        answers[f"tn_{p}"] = Answer(
            c.tn, formula="TN = negatives − FP = n·(1 − prevalence) − FP",
            work=f"{n - positives:,.0f} − {c.fp:,.2f} = {c.tn:,.2f}",
            code=f"tn_{p} = cm_{p}.tn", depends_on=(f"fp_{p}",),
            recompute=lambda v, p=p: (n - positives) - v[f"fp_{p}"],
            mistakes={"all negatives (false positives not subtracted)": n - positives})
        answers[f"cost_{p}"] = Answer(
            cost, formula="expected cost = C_FP · FP + C_FN · FN",
            work=f"{cost_fp:g} · {c.fp:,.2f} + {cost_fn:g} · {c.fn:,.2f} = {cost:,.2f}",
            code=f"cost_{p} = cm_{p}.expected_cost(cost_fp=cost_fp, cost_fn=cost_fn)",
            depends_on=(f"fp_{p}", f"fn_{p}"),
            recompute=lambda v, p=p: cost_fp * v[f"fp_{p}"] + cost_fn * v[f"fn_{p}"],
            mistakes={"the two costs swapped (C_FN on false positives)": cost_fn * c.fp + cost_fp * c.fn,
                      "cost per example (divided by n) — the question asks for the total": cost / n,
                      "only the false negatives counted": cost_fn * c.fn})
        answers[f"accuracy_{p}"] = Answer(
            c.accuracy, formula="accuracy = (TP + TN) / n",
            work=f"({c.tp:,.2f} + {c.tn:,.2f}) / {n:,} = {c.accuracy:.4f}", code=f"accuracy_{p} = cm_{p}.accuracy")
        answers[f"flagged_{p}"] = Answer(
            c.flagged, formula="flagged = TP + FP = TP / precision",
            work=f"{c.tp:,.2f} / {prec:g} = {c.flagged:,.2f}", code=f"flagged_{p} = cm_{p}.flagged",
            mistakes={"only the true positives counted": c.tp})

    costs = {p: answers[f"cost_{p}"].value for p in POINTS}
    best = min(POINTS, key=lambda p: costs[p])
    other = "new" if best == "baseline" else "baseline"
    answers["deploy"] = Answer(
        best, formula="deploy the operating point with the lower expected cost",
        work=f"cost(baseline) = {costs['baseline']:,.2f}, cost(new) = {costs['new']:,.2f} → {best}",
        code='deploy = min(["baseline", "new"], key=lambda p: {"baseline": cost_baseline, "new": cost_new}[p])',
        depends_on=("cost_baseline", "cost_new"),
        recompute=lambda v: "baseline" if v["cost_baseline"] <= v["cost_new"] else "new",
        mistakes={f"{other}: chosen on a metric other than expected cost (precision, or accuracy)": other})

    b, m = cm["baseline"], cm["new"]
    # Both points cost the same when C_FP·FP_b + C_FN·FN_b = C_FP·FP_n + C_FN·FN_n; solve for C_FN/C_FP.
    if b.fn == m.fn:
        break_even = float("inf")
    else:
        break_even = (m.fp - b.fp) / (b.fn - m.fn)
    answers["break_even_ratio"] = Answer(
        break_even, formula="C_FN/C_FP at which both cost the same = (FP_new − FP_base) / (FN_base − FN_new)",
        work=f"({m.fp:,.2f} − {b.fp:,.2f}) / ({b.fn:,.2f} − {m.fn:,.2f}) = {break_even:.4f}",
        code="break_even_ratio = (cm_new.fp - cm_baseline.fp) / (cm_baseline.fn - cm_new.fn)",
        # near a break-even of 1 the inverse ratio is the key itself (graded as a "ratio", ±1 %)
        mistakes=distinct_mistakes(break_even, {"the inverse ratio (C_FP/C_FN)":
                                                1 / break_even if break_even else float("inf")},
                                   TOLERANCE["break_even_ratio"]))
    change = m.flagged / b.flagged - 1
    answers["flagged_change"] = Answer(
        change, formula="relative change in flagged volume = (TP + FP)_new / (TP + FP)_base − 1",
        work=f"{m.flagged:,.2f} / {b.flagged:,.2f} − 1 = {change:+.4f}",
        code="flagged_change = cm_new.flagged / cm_baseline.flagged - 1",
        # when the two points' precisions nearly agree, TP and TP + FP change by the same share (graded ±0.005)
        mistakes=distinct_mistakes(change, {"the change in true positives only": m.tp / b.tp - 1},
                                   TOLERANCE["flagged_change"]))
    tau = bayes_threshold(cost_fp=cost_fp, cost_fn=cost_fn)
    answers["bayes_threshold"] = Answer(
        tau, formula="τ* = C_FP / (C_FP + C_FN)  (flag when the calibrated p ≥ τ*)",
        work=f"{cost_fp:g} / ({cost_fp:g} + {cost_fn:g}) = {tau:.4f}",
        code="bayes_threshold = caselab.curves.bayes_threshold(cost_fp=cost_fp, cost_fn=cost_fn)",
        mistakes={"the inverted formula C_FN / (C_FP + C_FN)": cost_fn / (cost_fp + cost_fn)})
    new_t = givens["new"]["threshold"]
    verdict = "yes" if abs(new_t - tau) <= 0.02 else "no"
    answers["new_threshold_optimal"] = Answer(
        verdict, formula="for calibrated scores the cost-optimal threshold is τ*",
        work=f"the new model runs at {new_t:g}; τ* = {tau:.4f} → {verdict}",
        code='new_threshold_optimal = "yes" if abs(new["threshold"] - bayes_threshold) <= 0.02 else "no"')

    # A precision given to two decimals is any value within ±0.005 of it: FP falls as precision rises (TP fixed),
    # so the ends of that band bound FP, and the cost comparison only needs checking at the bands' corners.
    half = 0.005
    bp = givens["baseline"]["precision"]

    def fp_at(point, prec):
        return confusion_from_rates(n, prevalence, min(max(prec, 1e-9), 1.0), givens[point]["recall"]).fp

    def cost_at(point, prec):
        return cost_fp * fp_at(point, prec) + cost_fn * cm[point].fn

    new_p = givens["new"]["precision"]
    corners = {"baseline" if cost_at("baseline", pb) <= cost_at("new", pn) else "new"
               for pb in (bp - half, bp + half) for pn in (new_p - half, new_p + half)}
    ratio = cost_fn / cost_fp
    facts = {
        "baseline_precision_low": bp - half, "baseline_precision_high": bp + half,
        "fp_baseline_low": fp_at("baseline", bp + half), "fp_baseline_high": fp_at("baseline", bp - half),
        "rounding_verdict": "the deployment decision below holds anywhere in that range (and for any new-model "
                            "precision that rounds to the stated one)" if corners == {best} else
                            "the deployment decision below is close enough that precisions rounding to the stated "
                            "ones could reverse it: at two decimals the data cannot settle it",
        "deploy_verdict": (f"Here the misses it saves are worth more than the false alarms it adds: it wins whenever a "
                           f"miss costs more than {break_even:.2f} false alarms, and here one costs {ratio:g}."
                           if best == "new" else
                           f"Here the false alarms it adds outweigh the misses it saves: it would only win if a miss "
                           f"cost more than {break_even:.2f} false alarms, and here one costs {ratio:g}."),
    }
    setup = "\n".join(
        [f"cm_{p} = confusion_from_rates(n, prevalence, {p}['precision'], {p}['recall'])" for p in POINTS]
        + ["print(cm_baseline)", "print(cm_new)"])
    explorers = {
        "cost": "cost_explorer = caselab.widgets.cost_explorer(\n"
                "    cost_fp, cost_fn,\n"
                "    points={name: caselab.metrics.confusion_from_rates(n, prevalence, p['precision'], p['recall'])\n"
                "            for name, p in [('baseline', baseline), ('new', new)]},\n"
                "    point_thresholds={'baseline': baseline['threshold'], 'new': new['threshold']},\n"
                "    case=case, hide_until_answered={'costs': ['cost_baseline', 'cost_new'], 'cheaper': 'deploy',\n"
                "                                    'break_even': 'break_even_ratio', 'bayes': 'bayes_threshold'})\n"
                "cost_explorer",
    }
    return Solution(answers, setup_code="from caselab.maths.metrics import confusion_from_rates\n" + setup,
                    explorers=explorers, facts=facts)
