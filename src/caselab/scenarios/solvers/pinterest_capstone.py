"""The Pinterest capstone: one checkout-fraud project carried through all seven parts of seed 001.

The computation of part 4 is the seed's own (F1, expected counts, expected cost, the decision) and is
answered by :mod:`caselab.solvers.operating_points` — this module asks it and passes its answers on.
Around it, the numbers a strong candidate states in the other parts:

* part 1 — which metric is primary when the error costs are known (expected cost);
* part 4 — the Bayes threshold for the cost ratio, and how sure one can be of a recall counted on the
  800 validation positives, and on the 25 positives of a long-tail segment (Wilson intervals,
  :func:`caselab.experiments.wilson_interval`): a segment's recall of 14/25 = 0.56 against 0.66
  overall is not evidence of a gap;
* part 6 — the A/B test's guardrail sample size (:func:`caselab.experiments.two_proportion_sample_size`),
  what CUPED on the buyers' pre-period decline rate saves (:func:`caselab.experiments.cuped_sample_size`),
  the run length in whole weeks, and the day the fraud outcome can be read once chargebacks have matured.
"""

from __future__ import annotations

import math

from caselab.maths.experiments import (
    cuped_sample_size,
    round_up_to_weeks,
    test_duration_days,
    two_proportion_sample_size,
    wald_interval,
    wilson_interval,
)
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes, operating_points
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    **operating_points.GIVENS,
    "segment": Given("a long-tail segment of the validation set (orders from merchants new to the platform)",
                     kind="table", fields={
                         "positives": Given("fraudulent orders in the segment", kind="integer", lo=1),
                         "caught": Given("of those, caught by the new model at its threshold", kind="integer", lo=0),
                     }),
    "experiment": Given("the online test", kind="table", fields={
        "guardrail_rate": Given("good-order decline rate in control (the guardrail)", kind="rate", lo_open=True,
                                hi_open=True),
        "guardrail_mde": Given("relative increase of the guardrail the test must detect", kind="rate",
                               lo_open=True, hi_open=True),
        "alpha": Given("two-sided significance level", kind="rate", lo_open=True, hi_open=True),
        "power": Given("power 1 − β", kind="rate", lo_open=True, hi_open=True),
        "eligible_per_day": Given("buyers entering the test per day (both arms)", kind="integer", lo=1),
        "cuped_correlation": Given("correlation of a buyer's pre-period decline rate with the in-test one",
                                   kind="number", lo=-1, hi=1),
        "chargeback_days": Given("days until (nearly) all chargebacks of an order have arrived", kind="integer",
                                 lo=0),
    }),
}

# the seed's computation, answered by operating_points
COMPUTATION = ("f1_baseline", "f1_new", "tp_baseline", "fp_baseline", "fn_baseline", "tn_baseline", "tp_new",
               "fp_new", "fn_new", "tn_new", "cost_baseline", "cost_new", "deploy", "bayes_threshold")
ANSWERS = set(COMPUTATION) | {"primary_metric", "recall_new_ci_low", "recall_new_ci_high", "segment_recall",
                              "segment_ci_low", "segment_ci_high", "segment_verdict", "guardrail_n_per_arm",
                              "cuped_n_per_arm", "run_days", "readout_day"}

METRICS = ["expected cost", "PR-AUC", "ROC-AUC", "accuracy", "F1"]
VERDICTS = ["the segment's recall is lower", "cannot tell: the interval holds the overall recall"]

# the specs' tolerances, for keep_distinct_mistakes (tests/test_solvers.py checks they match)
TOLERANCE = {"f1_baseline": Tolerance(abs=0.001), "f1_new": Tolerance(abs=0.001),
             "tp_baseline": DEFAULT_TOLERANCE["count"], "fp_baseline": DEFAULT_TOLERANCE["count"],
             "fn_baseline": DEFAULT_TOLERANCE["count"], "tn_baseline": DEFAULT_TOLERANCE["count"],
             "tp_new": DEFAULT_TOLERANCE["count"], "fp_new": DEFAULT_TOLERANCE["count"],
             "fn_new": DEFAULT_TOLERANCE["count"], "tn_new": DEFAULT_TOLERANCE["count"],
             "cost_baseline": Tolerance(abs=1.0), "cost_new": Tolerance(abs=1.0),
             "bayes_threshold": DEFAULT_TOLERANCE["probability"], "recall_new_ci_low": Tolerance(abs=0.002),
             "recall_new_ci_high": Tolerance(abs=0.002), "segment_recall": DEFAULT_TOLERANCE["rate"],
             "segment_ci_low": Tolerance(abs=0.002), "segment_ci_high": Tolerance(abs=0.002),
             "guardrail_n_per_arm": DEFAULT_TOLERANCE["count"], "cuped_n_per_arm": DEFAULT_TOLERANCE["count"],
             "run_days": DEFAULT_TOLERANCE["days"], "readout_day": DEFAULT_TOLERANCE["days"]}


def solve(givens: dict) -> Solution:
    g = givens
    base = operating_points.solve({k: g[k] for k in operating_points.GIVENS})
    a: dict[str, Answer] = {qid: base.answers[qid] for qid in COMPUTATION}

    a["primary_metric"] = Answer(
        "expected cost",
        formula="with known, unequal error costs the decision metric is expected cost C_FP·FP + C_FN·FN at the "
                "operating point; PR-AUC compares rankings (diagnostic), ROC-AUC and accuracy are flattered by "
                "the negatives",
        work=f"C_FP = {g['cost_fp']:g}, C_FN = {g['cost_fn']:g}: the costs are known → expected cost",
        code='primary_metric = "expected cost"',
        mistakes={"PR-AUC is the right *diagnostic* for ranking quality, but it ignores the costs and the threshold":
                  "PR-AUC",
                  "ROC-AUC is dominated by the many easy negatives": "ROC-AUC"})

    positives = g["n"] * g["prevalence"]
    tp_new = base.answers["tp_new"].value
    ci = wilson_interval(tp_new, positives)
    a["recall_new_ci_low"] = Answer(
        ci.low, formula="Wilson 95 % interval for recall = TP / positives: "
                        "(p̂ + z²/2n ± z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n)",
        work=f"TP = {tp_new:,.0f} of {positives:,.0f} positives, p̂ = {ci.estimate:.4f} → "
             f"[{ci.low:.4f}, {ci.high:.4f}]",
        code="recall_ci = caselab.experiments.wilson_interval(tp_new, n * prevalence)\n"
             "recall_new_ci_low = recall_ci.low",
        mistakes={"the interval over all n examples instead of the positives":
                  wilson_interval(tp_new, g["n"]).low})
    a["recall_new_ci_high"] = Answer(
        ci.high, formula="upper end of the same Wilson interval", work=f"[{ci.low:.4f}, {ci.high:.4f}]",
        code="recall_new_ci_high = recall_ci.high",
        mistakes={"the interval over all n examples instead of the positives":
                  wilson_interval(tp_new, g["n"]).high})

    seg = g["segment"]
    if seg["caught"] > seg["positives"]:
        raise ValueError("segment.caught exceeds segment.positives.")
    sci = wilson_interval(seg["caught"], seg["positives"])
    a["segment_recall"] = Answer(
        sci.estimate, formula="segment recall = caught / positives in the segment",
        work=f"{seg['caught']} / {seg['positives']} = {sci.estimate:.4f}",
        code="segment_recall = segment['caught'] / segment['positives']")
    wald_low, wald_high = wald_interval(seg["caught"], seg["positives"])
    a["segment_ci_low"] = Answer(
        sci.low, formula="Wilson 95 % interval on the segment's positives (few positives: not the Wald interval)",
        work=f"{seg['caught']} of {seg['positives']} → [{sci.low:.4f}, {sci.high:.4f}]",
        code="segment_ci = caselab.experiments.wilson_interval(segment['caught'], segment['positives'])\n"
             "segment_ci_low = segment_ci.low",
        mistakes={"the Wald interval p̂ ± 1.96·√(p̂(1 − p̂)/n), too narrow with few positives": wald_low})
    a["segment_ci_high"] = Answer(
        sci.high, formula="upper end of the same Wilson interval", work=f"[{sci.low:.4f}, {sci.high:.4f}]",
        code="segment_ci_high = segment_ci.high",
        mistakes={"the Wald interval p̂ ± 1.96·√(p̂(1 − p̂)/n), too narrow with few positives": wald_high})
    overall = ci.estimate
    verdict = VERDICTS[1] if sci.low <= overall <= sci.high else VERDICTS[0]
    a["segment_verdict"] = Answer(
        verdict, formula="a gap is shown only if the overall recall lies outside the segment's interval",
        work=f"overall recall {overall:.4f}; segment interval [{sci.low:.4f}, {sci.high:.4f}] → {verdict}",
        code=f"segment_verdict = {VERDICTS[1]!r} if segment_ci_low <= recall_ci.estimate <= segment_ci_high "
             f"else {VERDICTS[0]!r}",
        depends_on=("segment_ci_low", "segment_ci_high"),
        recompute=lambda v: VERDICTS[1] if v["segment_ci_low"] <= overall <= v["segment_ci_high"] else VERDICTS[0],
        mistakes={"reading the point estimates alone: 25 positives cannot tell these recalls apart": VERDICTS[0]}
        if verdict == VERDICTS[1] else {})

    e = g["experiment"]
    p1 = e["guardrail_rate"]
    p2 = p1 * (1 + e["guardrail_mde"])
    n_arm = two_proportion_sample_size(p1, p2, alpha=e["alpha"], power=e["power"])
    a["guardrail_n_per_arm"] = Answer(
        float(n_arm), formula="n = (z_{1−α/2}·√(2·p̄(1 − p̄)) + z_{1−β}·√(p1(1 − p1) + p2(1 − p2)))² / (p1 − p2)², "
                              "rounded up",
        work=f"p1 = {p1:g}, p2 = {p1:g}·(1 + {e['guardrail_mde']:g}) = {p2:g} → {n_arm:,} buyers per arm",
        code="p1 = experiment['guardrail_rate']\np2 = p1 * (1 + experiment['guardrail_mde'])\n"
             "guardrail_n_per_arm = caselab.experiments.two_proportion_sample_size(\n"
             "    p1, p2, alpha=experiment['alpha'], power=experiment['power'])",
        mistakes={"both arms together instead of per arm": float(2 * n_arm),
                  "a one-sided test": float(two_proportion_sample_size(p1, p2, alpha=e["alpha"], power=e["power"],
                                                                       two_sided=False))})
    rho = e["cuped_correlation"]
    n_cuped = cuped_sample_size(n_arm, rho)
    a["cuped_n_per_arm"] = Answer(
        float(n_cuped), formula="CUPED multiplies the variance by 1 − ρ², so n_CUPED = ⌈n·(1 − ρ²)⌉",
        work=f"{n_arm:,} · (1 − {rho:g}²) = {n_arm * (1 - rho**2):,.2f} → {n_cuped:,}",
        code="cuped_n_per_arm = caselab.experiments.cuped_sample_size(guardrail_n_per_arm, "
             "experiment['cuped_correlation'])",
        depends_on=("guardrail_n_per_arm",),
        recompute=lambda v: float(cuped_sample_size(max(v["guardrail_n_per_arm"], 1), rho)),
        mistakes={"n·(1 − ρ) instead of n·(1 − ρ²)": float(math.ceil(n_arm * (1 - abs(rho)))),
                  "CUPED left out": float(n_arm)})
    days = test_duration_days(n_cuped, e["eligible_per_day"], 0.5)
    run = round_up_to_weeks(days)
    a["run_days"] = Answer(
        float(run), formula="days = n per arm / (buyers per day × ½), rounded up to whole weeks",
        work=f"{n_cuped:,} / ({e['eligible_per_day']:,} × 0.5) = {days:.2f} days → {run} days",
        code="run_days = caselab.experiments.round_up_to_weeks(\n"
             "    caselab.experiments.test_duration_days(cuped_n_per_arm, experiment['eligible_per_day'], 0.5))",
        depends_on=("cuped_n_per_arm",),
        recompute=lambda v: float(round_up_to_weeks(test_duration_days(max(v["cuped_n_per_arm"], 1),
                                                                       e["eligible_per_day"], 0.5))),
        mistakes={"all buyers counted for each arm (the 50/50 split ignored)":
                  float(round_up_to_weeks(n_cuped / e["eligible_per_day"]))}
        if round_up_to_weeks(n_cuped / e["eligible_per_day"]) != run else {})
    readout = run + e["chargeback_days"]
    a["readout_day"] = Answer(
        float(readout), formula="the fraud outcome of the last day's orders is final only after the chargeback "
                                "window: readout day = run days + chargeback window",
        work=f"{run} + {e['chargeback_days']} = {readout}",
        code="readout_day = run_days + experiment['chargeback_days']",
        depends_on=("run_days",), recompute=lambda v: v["run_days"] + e["chargeback_days"],
        mistakes={"reading the fraud outcome on the last day of the test (chargebacks not yet arrived)": float(run)})

    return Solution(keep_distinct_mistakes(a, TOLERANCE), setup_code=base.setup_code, explorers=base.explorers)
