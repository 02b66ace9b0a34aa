"""The TikTok capstone: one comment-sentiment project carried through the five parts of seed 000.

The project: a binary classifier that flags strongly negative (hostile) comments for a human review
team that can take a fixed number a day. The numbers a strong candidate states:

* part 4 — the Bayes threshold for the error costs (:func:`caselab.curves.bayes_threshold`); the share
  of daily traffic the review team can take; how many comments a day the Bayes threshold would escalate
  (so whether capacity binds, which decides the primary metric); and how sure one can be of a precision
  measured on a small audit of the escalations (a Wilson interval,
  :func:`caselab.experiments.wilson_interval`);
* part 5 — a proposed first-week success metric counted from user reports, which keep arriving for
  weeks: the share of a comment's eventual reports that have arrived after 7 days, and the share a
  dashboard pooling the launch week's cohorts (ages 0 … 6 days) sees — the *maturation window*.
  F(age) is the maturation curve, linear between the given points.
"""

from __future__ import annotations

import numpy as np

from caselab.maths.curves import bayes_threshold
from caselab.maths.experiments import wald_interval, wilson_interval
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.solvers.delayed_labels import maturation
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    "cost_fp": Given("cost of escalating a comment that did not need review (a reviewer's time)", lo=0,
                     lo_open=True),
    "cost_fn": Given("cost of missing a hostile comment (harm, churn)", lo=0, lo_open=True),
    "daily_volume": Given("comments scored per day", kind="integer", lo=1),
    "capacity": Given("escalations the review team can handle per day", kind="integer", lo=1),
    "share_above_bayes": Given("share of validation comments scoring at or above the Bayes threshold",
                               kind="rate"),
    "audit": Given("a random audit of yesterday's escalations", kind="table", fields={
        "reviewed": Given("escalations audited", kind="integer", lo=1),
        "confirmed": Given("of those, confirmed hostile", kind="integer", lo=0),
    }),
    "maturation_ages": Given("days since a comment was posted (ascending, first 0)", kind="list", min_items=2,
                             each=Given("an age in days", kind="number", lo=0)),
    "maturation_shares": Given("share of a comment's eventual user reports arrived by each age (increasing, last 1)",
                               kind="list", min_items=2, each=Given("a share", kind="rate")),
    "metric_window_days": Given("the proposed metric counts reports within this many days", kind="integer", lo=1),
}

ANSWERS = {"bayes_threshold", "capacity_share", "flags_per_day_at_bayes", "primary_metric", "audit_precision",
           "audit_ci_low", "audit_ci_high", "first_week_share", "launch_week_share", "compare_how"}

METRICS = ["recall at capacity", "expected cost", "PR-AUC", "ROC-AUC", "accuracy"]
COMPARISONS = ["launch-week reports vs the previous, matured month", "cohorts of the same age (or wait for maturity)"]

# the specs' tolerances, for keep_distinct_mistakes (tests/test_solvers.py checks they match)
TOLERANCE = {"bayes_threshold": DEFAULT_TOLERANCE["probability"], "capacity_share": Tolerance(abs=0.0002),
             "flags_per_day_at_bayes": DEFAULT_TOLERANCE["number"], "audit_precision": DEFAULT_TOLERANCE["rate"],
             "audit_ci_low": Tolerance(abs=0.002), "audit_ci_high": Tolerance(abs=0.002),
             "first_week_share": DEFAULT_TOLERANCE["rate"], "launch_week_share": DEFAULT_TOLERANCE["rate"]}


def solve(givens: dict) -> Solution:
    g = givens
    a: dict[str, Answer] = {}
    tau = bayes_threshold(cost_fp=g["cost_fp"], cost_fn=g["cost_fn"])
    a["bayes_threshold"] = Answer(
        tau, formula="τ* = C_FP / (C_FP + C_FN): flag when the calibrated p ≥ τ*",
        work=f"{g['cost_fp']:g} / ({g['cost_fp']:g} + {g['cost_fn']:g}) = {tau:.4f}",
        code="bayes_threshold = caselab.curves.bayes_threshold(cost_fp=cost_fp, cost_fn=cost_fn)",
        mistakes={"the inverted formula C_FN / (C_FP + C_FN)": g["cost_fn"] / (g["cost_fp"] + g["cost_fn"]),
                  "the cost ratio C_FP / C_FN": g["cost_fp"] / g["cost_fn"]})
    share = g["capacity"] / g["daily_volume"]
    a["capacity_share"] = Answer(
        share, formula="share of traffic the team can review = capacity / daily volume",
        work=f"{g['capacity']:,} / {g['daily_volume']:,} = {share:.4f}",
        code="capacity_share = capacity / daily_volume",
        mistakes={"daily volume / capacity (inverted)": g["daily_volume"] / g["capacity"]})
    flags = g["share_above_bayes"] * g["daily_volume"]
    a["flags_per_day_at_bayes"] = Answer(
        flags, formula="escalations per day at τ* = share of scores ≥ τ* × daily volume",
        work=f"{g['share_above_bayes']:g} × {g['daily_volume']:,} = {flags:,.0f}",
        code="flags_per_day_at_bayes = share_above_bayes * daily_volume",
        mistakes={"the capacity itself": float(g["capacity"])} if g["capacity"] != flags else {})
    binds = flags > g["capacity"]
    primary = METRICS[0] if binds else METRICS[1]
    a["primary_metric"] = Answer(
        primary, formula="if the cost-optimal threshold would escalate more than the team can review, capacity "
                         "binds: rank and take the top k, and optimise recall (≡ precision) at k; otherwise "
                         "minimise expected cost",
        work=f"{flags:,.0f} escalations/day at τ* {'>' if binds else '≤'} capacity {g['capacity']:,} → {primary}",
        code=f"primary_metric = {METRICS[0]!r} if flags_per_day_at_bayes > capacity else {METRICS[1]!r}",
        depends_on=("flags_per_day_at_bayes",),
        recompute=lambda v: METRICS[0] if v["flags_per_day_at_bayes"] > g["capacity"] else METRICS[1],
        mistakes={"PR-AUC compares models; it is the diagnostic, not what the threshold optimises": "PR-AUC",
                  "expected cost at τ*: its threshold escalates more than the team can review": METRICS[1]}
        if binds else {"PR-AUC compares models; it is the diagnostic, not what the threshold optimises": "PR-AUC"})

    au = g["audit"]
    if au["confirmed"] > au["reviewed"]:
        raise ValueError("audit.confirmed exceeds audit.reviewed.")
    ci = wilson_interval(au["confirmed"], au["reviewed"])
    a["audit_precision"] = Answer(
        ci.estimate, formula="precision of the escalations = confirmed / audited",
        work=f"{au['confirmed']} / {au['reviewed']} = {ci.estimate:.4f}",
        code="audit_precision = audit['confirmed'] / audit['reviewed']")
    wald_low, wald_high = wald_interval(au["confirmed"], au["reviewed"])
    a["audit_ci_low"] = Answer(
        ci.low, formula="Wilson 95 % interval: (p̂ + z²/2n ± z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n)",
        work=f"{au['confirmed']} of {au['reviewed']}, z = 1.96 → [{ci.low:.4f}, {ci.high:.4f}]",
        code="audit_ci = caselab.experiments.wilson_interval(audit['confirmed'], audit['reviewed'])\n"
             "audit_ci_low = audit_ci.low",
        mistakes={"the Wald interval p̂ ± 1.96·√(p̂(1 − p̂)/n), too narrow with few items": wald_low})
    a["audit_ci_high"] = Answer(
        ci.high, formula="upper end of the same Wilson interval", work=f"[{ci.low:.4f}, {ci.high:.4f}]",
        code="audit_ci_high = audit_ci.high",
        mistakes={"the Wald interval p̂ ± 1.96·√(p̂(1 − p̂)/n), too narrow with few items": wald_high})

    ages, shares = maturation(g)
    w = g["metric_window_days"]
    f_w = float(np.interp(w, ages, shares))
    a["first_week_share"] = Answer(
        f_w, formula=f"F({w}): share of a comment's eventual reports that have arrived {w} days after posting "
                     "(linear between the curve's points)",
        work=f"F({w}) = {f_w:.4f}",
        code="first_week_share = np.interp(metric_window_days, maturation_ages, maturation_shares)",
        mistakes={"all reports counted (the maturation window ignored)": 1.0})
    launch = float(np.mean(np.interp(np.arange(w), ages, shares)))
    a["launch_week_share"] = Answer(
        launch, formula=f"a dashboard pooling the launch week's cohorts (ages 0 … {w - 1}, equal volume) sees "
                        "mean F(age) of their eventual reports",
        work=f"mean of F(0 … {w - 1}) = {launch:.4f}",
        code="launch_week_share = np.mean(np.interp(np.arange(metric_window_days), maturation_ages, maturation_shares))",
        mistakes={f"F({w}) for every cohort: the youngest cohorts have had less than {w} days": f_w})
    drop = 1 - launch
    a["compare_how"] = Answer(
        COMPARISONS[1], formula="compare like with like: cohorts of the same age, or only matured cohorts",
        work=f"the launch week shows only {launch:.0%} of its eventual reports: a {drop:.0%} 'drop' against a matured "
             "month is an artefact of maturation",
        code=f"compare_how = {COMPARISONS[1]!r}",
        mistakes={"the matured month has had all its reports; the launch week has not — the drop is an artefact":
                  COMPARISONS[0]})
    return Solution(keep_distinct_mistakes(a, TOLERANCE), setup_code="import numpy as np")
