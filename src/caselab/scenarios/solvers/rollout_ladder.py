"""Shadow → canary → A/B: what each stage of a model rollout can detect, and when to move on.

Beyond the seeds, building on seed 001 part 6. Each stage answers a different question, and its size
decides which effects it can see at all:

* **Shadow**: the new model scores all live traffic but the old one still decides. Nothing reaches users,
  so it measures the system (latency, errors), the score and flag-rate distribution, and agreement with
  the old model — never a user outcome.
* **Canary**: a small share of users gets the new model, against a control of the same size. With n users
  per arm its minimum detectable change (solve power(p, p + d, n) = target for d,
  :func:`caselab.experiments.minimum_detectable_effect`) is large: it catches breakage and catastrophic
  regressions only.
* **A/B**: a 50/50 split sized for the effect that matters (see the A/B design scenario), long enough to
  also power the guardrails.

The gates: shadow passes on the latency budget and a flag-rate ratio inside a band; the canary passes
unless it shows a significant regression; then the A/B decides the launch.
"""

from __future__ import annotations

from caselab.maths.experiments import (
    minimum_detectable_effect,
    round_up_to_weeks,
    test_duration_days,
    two_proportion_sample_size,
    two_proportion_ztest,
)
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    "eligible_per_day": Given("new eligible users per day", kind="integer", lo=1),
    "shadow_p99_latency_ms": Given("new model's p99 scoring latency in shadow", lo=0, unit="ms"),
    "latency_budget_ms": Given("p99 latency budget", lo=0, lo_open=True, unit="ms"),
    "shadow_flag_rate_old": Given("share of items the current model flags (shadow week)", kind="rate", lo_open=True),
    "shadow_flag_rate_new": Given("share of the same items the new model would flag", kind="rate"),
    "flag_ratio_band": Given("allowed [low, high] ratio of new to old flag rate", kind="list",
                             each=Given("ratio", lo=0), min_items=2),
    "canary_share_per_arm": Given("share of eligible users in the canary (and in its control)", kind="rate",
                                  lo_open=True, hi=0.5),
    "canary_days": Given("days the canary runs", kind="integer", lo=1),
    "baseline_rate": Given("bad-experience rate under the current model", kind="rate", lo_open=True, hi_open=True),
    "target_relative_effect": Given("relative reduction the launch is meant to achieve", kind="rate", lo_open=True,
                                    hi_open=True),
    "canary_control_events": Given("bad experiences among the canary's control users", kind="integer", lo=0),
    "canary_treatment_events": Given("bad experiences among the canary users", kind="integer", lo=0),
    "complaint_rate": Given("guardrail: creators' wrongful-removal complaint rate, per creator", kind="rate",
                            lo_open=True, hi_open=True),
    "complaint_harm_relative": Given("relative increase of the complaint rate that counts as harm", kind="rate",
                                     lo_open=True),
    "eligible_creators_per_day": Given("creators who become eligible per day (the complaint guardrail randomises "
                                       "creators)", kind="integer", lo=1),
    "metric_window_days": Given("days after a user enters over which the bad-experience rate is measured",
                                kind="integer", lo=0),
    "ab_share_per_arm": Given("share of eligible users per arm in the A/B test", kind="rate", lo_open=True, hi=0.5),
    "alpha": Given("two-sided significance level", kind="rate", lo_open=True, hi_open=True),
    "power": Given("power", kind="rate", lo_open=True, hi_open=True),
}

ANSWERS = {"shadow_flag_ratio", "shadow_gate", "canary_users_per_arm", "canary_mde", "canary_sees_target",
           "canary_p", "canary_gate", "guardrail_users_per_arm", "guardrail_days_in_canary",
           "guardrail_days_in_ab", "ab_run_days", "ab_read_day"}

# the spec's tolerances, for keep_distinct_mistakes (tests/test_solvers.py checks they match)
TOLERANCE = {"shadow_flag_ratio": DEFAULT_TOLERANCE["ratio"], "canary_users_per_arm": DEFAULT_TOLERANCE["count"],
             "canary_mde": Tolerance(abs=0.0005), "canary_p": Tolerance(abs=0.01),
             "guardrail_users_per_arm": Tolerance(abs=20), "guardrail_days_in_canary": Tolerance(abs=0.1),
             "guardrail_days_in_ab": DEFAULT_TOLERANCE["days"], "ab_run_days": DEFAULT_TOLERANCE["count"],
             "ab_read_day": DEFAULT_TOLERANCE["count"]}

CANARY_GATES = ["roll back and investigate", "ramp to the 50/50 A/B test"]


def solve(givens: dict) -> Solution:
    g = givens
    a: dict[str, Answer] = {}
    alpha, power = g["alpha"], g["power"]
    lo, hi = g["flag_ratio_band"][0], g["flag_ratio_band"][1]

    ratio = g["shadow_flag_rate_new"] / g["shadow_flag_rate_old"]
    a["shadow_flag_ratio"] = Answer(
        ratio, formula="flag rate of the new model / flag rate of the current model, on the same items",
        work=f"{g['shadow_flag_rate_new']:g} / {g['shadow_flag_rate_old']:g} = {ratio:.3f}",
        code="shadow_flag_ratio = shadow_flag_rate_new / shadow_flag_rate_old",
        mistakes={"the difference instead of the ratio": g["shadow_flag_rate_new"] - g["shadow_flag_rate_old"],
                  "old / new": g["shadow_flag_rate_old"] / g["shadow_flag_rate_new"]})
    latency_ok = g["shadow_p99_latency_ms"] <= g["latency_budget_ms"]
    shadow_ok = latency_ok and lo <= ratio <= hi
    a["shadow_gate"] = Answer(
        "pass" if shadow_ok else "fail",
        formula="pass when p99 latency ≤ budget and the flag-rate ratio lies inside the band",
        work=f"p99 {g['shadow_p99_latency_ms']:g} ms vs budget {g['latency_budget_ms']:g} ms; ratio {ratio:.3f} in "
             f"[{lo:g}, {hi:g}]: {lo <= ratio <= hi} → {'pass' if shadow_ok else 'fail'}",
        code="low, high = flag_ratio_band\n"
             "shadow_ok = shadow_p99_latency_ms <= latency_budget_ms and low <= shadow_flag_ratio <= high\n"
             "shadow_gate = 'pass' if shadow_ok else 'fail'",
        depends_on=("shadow_flag_ratio",),
        recompute=lambda v: "pass" if latency_ok and lo <= v["shadow_flag_ratio"] <= hi else "fail")

    n_canary = g["eligible_per_day"] * g["canary_share_per_arm"] * g["canary_days"]
    a["canary_users_per_arm"] = Answer(
        n_canary, formula="eligible users per day × share per arm × days",
        work=f"{g['eligible_per_day']:,} × {g['canary_share_per_arm']:g} × {g['canary_days']} = {n_canary:,.0f}",
        code="canary_users_per_arm = eligible_per_day * canary_share_per_arm * canary_days",
        mistakes={"both arms together": 2 * n_canary})
    p1 = g["baseline_rate"]
    mde = minimum_detectable_effect(p1, n_canary, alpha=alpha, power=power, direction="increase")
    target = p1 * g["target_relative_effect"]
    a["canary_mde"] = Answer(
        mde, formula="smallest d with power(p → p + d, n per arm, α) = target power",
        work=f"p = {p1:g}, n = {n_canary:,.0f} per arm → d = {mde:.4f} ({mde / p1:.0%} of the baseline; the launch "
             f"targets {target:.4f})",
        code="canary_mde = caselab.experiments.minimum_detectable_effect(\n"
             "    baseline_rate, canary_users_per_arm, alpha=alpha, power=power, direction='increase')",
        depends_on=("canary_users_per_arm",),
        recompute=lambda v: minimum_detectable_effect(p1, max(v["canary_users_per_arm"], 2), alpha=alpha, power=power,
                                                      direction="increase"),
        mistakes={"the relative MDE instead of the absolute one": mde / p1})
    sees = mde <= target
    a["canary_sees_target"] = Answer(
        "yes" if sees else "no", formula="can the canary detect a change as small as the launch's target effect?",
        work=f"MDE {mde:.4f} {'≤' if sees else '>'} target {target:.4f} → {'yes' if sees else 'no'} "
             f"({mde / target:.1f}× the target)",
        code="canary_sees_target = 'yes' if canary_mde <= baseline_rate * target_relative_effect else 'no'",
        depends_on=("canary_mde",), recompute=lambda v: "yes" if v["canary_mde"] <= target else "no")

    n_int = int(round(n_canary))
    t = two_proportion_ztest(g["canary_control_events"], n_int, g["canary_treatment_events"], n_int)
    a["canary_p"] = Answer(
        t.p_value, formula="two-sided pooled z-test, canary − control",
        work=f"{g['canary_treatment_events']}/{n_int:,} vs {g['canary_control_events']}/{n_int:,}: diff "
             f"{t.diff:+.4f}, z = {t.z:.2f}, p = {t.p_value:.3f}",
        code="canary = caselab.experiments.two_proportion_ztest(canary_control_events, round(canary_users_per_arm),\n"
             "    canary_treatment_events, round(canary_users_per_arm))\ncanary_p = canary.p_value",
        mistakes={"one-sided": t.p_value / 2})
    regressed = t.diff > 0 and t.p_value < alpha
    a["canary_gate"] = Answer(
        CANARY_GATES[0] if regressed else CANARY_GATES[1],
        formula="a significant regression in the canary → roll back; otherwise move on to the A/B test "
                "(the canary cannot show a small effect either way)",
        work=f"diff {t.diff:+.4f}, p = {t.p_value:.3f} → {CANARY_GATES[0] if regressed else CANARY_GATES[1]}",
        code=f"canary_gate = {CANARY_GATES[0]!r} if canary.diff > 0 and canary_p < alpha else {CANARY_GATES[1]!r}",
        depends_on=("canary_p",),
        recompute=lambda v: CANARY_GATES[0] if t.diff > 0 and v["canary_p"] < alpha else CANARY_GATES[1],
        mistakes={"a non-significant canary is not evidence of harm — nor of benefit: it has no power for the "
                  "target effect": CANARY_GATES[0]} if not regressed else {})

    c1 = g["complaint_rate"]
    c2 = c1 * (1 + g["complaint_harm_relative"])
    n_guard = two_proportion_sample_size(c1, c2, alpha=alpha, power=power)
    a["guardrail_users_per_arm"] = Answer(
        float(n_guard), formula="pooled two-proportion sample size for the complaint rate c → c·(1 + harm), in "
                                "creators (the unit randomised for this guardrail)",
        work=f"{c1:g} → {c2:g}: n = {n_guard:,} creators per arm",
        code="guardrail_users_per_arm = caselab.experiments.two_proportion_sample_size(\n"
             "    complaint_rate, complaint_rate * (1 + complaint_harm_relative), alpha=alpha, power=power)",
        mistakes={"both arms together": float(2 * n_guard)})
    creators = g["eligible_creators_per_day"]
    d_canary = test_duration_days(n_guard, creators, g["canary_share_per_arm"])
    a["guardrail_days_in_canary"] = Answer(
        d_canary, formula="guardrail n per arm / (eligible creators per day × canary share per arm)",
        work=f"{n_guard:,} / ({creators:,} × {g['canary_share_per_arm']:g}) = {d_canary:.1f} days "
             f"(the canary runs {g['canary_days']})",
        code="guardrail_days_in_canary = caselab.experiments.test_duration_days(\n"
             "    guardrail_users_per_arm, eligible_creators_per_day, canary_share_per_arm)",
        depends_on=("guardrail_users_per_arm",),
        recompute=lambda v: test_duration_days(max(v["guardrail_users_per_arm"], 1), creators,
                                               g["canary_share_per_arm"]),
        mistakes={"viewers' traffic used for a creator-side test": test_duration_days(
            n_guard, g["eligible_per_day"], g["canary_share_per_arm"])})
    d_ab = test_duration_days(n_guard, creators, g["ab_share_per_arm"])
    a["guardrail_days_in_ab"] = Answer(
        d_ab, formula="the same at the A/B test's share per arm",
        work=f"{n_guard:,} / ({creators:,} × {g['ab_share_per_arm']:g}) = {d_ab:.2f} days",
        code="guardrail_days_in_ab = caselab.experiments.test_duration_days(\n"
             "    guardrail_users_per_arm, eligible_creators_per_day, ab_share_per_arm)",
        depends_on=("guardrail_users_per_arm",),
        recompute=lambda v: test_duration_days(max(v["guardrail_users_per_arm"], 1), creators,
                                               g["ab_share_per_arm"]),
        mistakes={"viewers' traffic used for a creator-side test": test_duration_days(
            n_guard, g["eligible_per_day"], g["ab_share_per_arm"])})
    p2 = p1 * (1 - g["target_relative_effect"])
    n_ab = two_proportion_sample_size(p1, p2, alpha=alpha, power=power)
    days_ab = test_duration_days(n_ab, g["eligible_per_day"], g["ab_share_per_arm"])
    run = round_up_to_weeks(max(days_ab, d_ab))
    a["ab_run_days"] = Answer(
        float(run), formula="whole weeks covering the larger of the primary's and the guardrail's durations",
        work=f"primary: {n_ab:,} per arm = {days_ab:.2f} days; guardrail: {d_ab:.2f} days → {run} days",
        code="n_ab = caselab.experiments.two_proportion_sample_size(\n"
             "    baseline_rate, baseline_rate * (1 - target_relative_effect), alpha=alpha, power=power)\n"
             "days_ab = caselab.experiments.test_duration_days(n_ab, eligible_per_day, ab_share_per_arm)\n"
             "ab_run_days = caselab.experiments.round_up_to_weeks(max(days_ab, guardrail_days_in_ab))",
        mistakes={"the unrounded primary duration": days_ab})
    window = g["metric_window_days"]
    a["ab_read_day"] = Answer(
        float(run + window), formula="enrolment days + the metric's window: the last enrolled users' week must end",
        work=f"{run} + {window} = day {run + window}",
        code="ab_read_day = ab_run_days + metric_window_days",
        depends_on=("ab_run_days",), recompute=lambda v: v["ab_run_days"] + window,
        mistakes={"read when enrolment ends": float(run)})
    # worked text reads the same whichever way the gates went
    shadow_problems = ([f"p99 latency over the {g['latency_budget_ms']:g} ms budget"] if not latency_ok else []) + \
        ([f"flag-rate ratio {ratio:.2f} outside [{lo:g}, {hi:g}]"] if not lo <= ratio <= hi else [])
    change = ratio - 1
    facts = {"shadow_flag_ratio": ratio, "canary_users_per_arm": n_canary, "canary_mde": mde,
             "canary_mde_relative": mde / p1, "target_effect": target, "guardrail_days_in_canary": d_canary,
             "canary_treatment_rate": g["canary_treatment_events"] / n_canary,
             "canary_control_rate": g["canary_control_events"] / n_canary, "canary_p": t.p_value,
             "n_ab": n_ab, "days_ab": days_ab, "n_guard": n_guard, "guardrail_days_in_ab": d_ab, "ab_run_days": run,
             "ab_read_day": run + window,
             "latency_verdict": "within" if latency_ok else "over",
             "flag_volume_change": "about the same" if abs(change) < 0.005
             else f"about {abs(change):.0%} {'more' if change > 0 else 'less'}",
             "shadow_verdict": "Its gate passes." if shadow_ok else
             f"Its gate fails ({' and '.join(shadow_problems)}): we fix that and shadow again before anyone sees the "
             "model.",
             "canary_reading": "is a significant regression — a large one, at this size — so we roll back and "
                               "investigate before any A/B test" if regressed else "shows no catastrophe, so we ramp"}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), facts=facts)
