"""Designing the online test of a new classifier: sample size, duration, SRM, segments, peeking.

Seed 001, part 6. The A/B test of a new model is an ordinary two-proportion experiment on a user-level
rate (here a "bad-experience" rate), with four things interviewers probe:

* **Sample size** per arm for a change p1 → p2 at level α and power 1 − β (Fleiss' pooled form, see
  :func:`caselab.experiments.two_proportion_sample_size`); it scales as 1/(p1 − p2)², so halving the
  detectable effect quadruples the test.
* **Duration** = n / (eligible users per day × share per arm) of enrolment, rounded *up to whole weeks*
  so that every weekday's arrivals count equally — and then the metric's own window: a first-week
  metric can be read only once the last enrolled user has had that week.
* **SRM**: a χ² goodness-of-fit test of the arm sizes against the design. A mismatch means assignment or
  logging is broken, and no treatment effect can be trusted.
* **Multiplicity and peeking**: m segment-level tests at α/m each (Bonferroni); and looking at a fixed-
  horizon test every day, stopping at the first p < α, inflates the false-positive rate far above α.
  The inflation is computed by simulating the z-statistic path under H0 (it is a scaled random walk:
  z_k = S_k/√k; :func:`caselab.experiments.peeking_false_positive_rate`).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2, norm

from caselab.maths.experiments import (
    bonferroni,
    peeking_false_positive_rate,
    power_two_proportions,
    round_up_to_weeks,
    srm_test,
    test_duration_days,
    two_proportion_sample_size,
)
from caselab.scenarios.solvers import Answer, Solution, distinct_mistakes, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    "baseline_rate": Given("bad-experience rate in control", kind="rate", lo_open=True, hi_open=True),
    "relative_mde": Given("smallest relative reduction worth detecting", kind="rate", lo_open=True, hi_open=True),
    "relative_mde_alternative": Given("a larger relative reduction, for comparison", kind="rate", lo_open=True,
                                      hi_open=True),
    "alpha": Given("two-sided significance level", kind="rate", lo_open=True, hi_open=True),
    "power": Given("power 1 − β", kind="rate", lo_open=True, hi_open=True),
    "eligible_per_day": Given("new eligible users per day", kind="integer", lo=1),
    "allocation_per_arm": Given("share of eligible users assigned to each arm", kind="rate", lo_open=True, hi=0.5),
    "observed_arm_sizes": Given("users in control and treatment at the end of the test", kind="list",
                                each=Given("users", kind="integer", lo=0), min_items=2),
    "srm_alarm": Given("p-value below which the SRM check stops the analysis", kind="rate", lo_open=True),
    "n_segments": Given("segments the team wants to test separately", kind="integer", lo=1),
    "peeking_paths": Given("simulated H0 paths for the peeking question", kind="integer", lo=1000),
    "seed": Given("seed of the peeking simulation", kind="integer", lo=0),
    "metric_window_days": Given("days after a user enters over which the primary metric is measured", kind="integer",
                                lo=0),
}

ANSWERS = {"n_per_arm", "duration_days", "run_days", "read_day", "n_per_arm_alternative", "srm_chi2", "srm_p", "srm_action",
           "alpha_per_segment", "segment_power", "peeking_false_positive_rate"}

# The tolerances casebook/pinterest-ab-test-design.toml grades with (mistakes inside them are not offered).
TOLERANCE = {"n_per_arm": Tolerance(abs=50), "duration_days": DEFAULT_TOLERANCE["days"],
             "run_days": DEFAULT_TOLERANCE["count"], "read_day": DEFAULT_TOLERANCE["count"],
             "n_per_arm_alternative": Tolerance(abs=50), "srm_chi2": DEFAULT_TOLERANCE["statistic"],
             "srm_p": Tolerance(rel=0.02), "alpha_per_segment": Tolerance(rel=0.005),
             "segment_power": Tolerance(abs=0.01), "peeking_false_positive_rate": Tolerance(abs=0.01)}

SRM_ACTIONS = ["analyse the results as planned", "stop: debug assignment and logging before reading any metric"]


def solve(givens: dict) -> Solution:
    g = givens
    p1 = g["baseline_rate"]
    p2 = p1 * (1 - g["relative_mde"])
    p2_alt = p1 * (1 - g["relative_mde_alternative"])
    alpha, power = g["alpha"], g["power"]
    a: dict[str, Answer] = {}

    n = two_proportion_sample_size(p1, p2, alpha=alpha, power=power)
    n_unpooled = two_proportion_sample_size(p1, p2, alpha=alpha, power=power, variance="unpooled")
    za, zb = norm.ppf(1 - alpha / 2), norm.ppf(power)
    p_bar = (p1 + p2) / 2
    no_power = int(np.ceil(za**2 * 2 * p_bar * (1 - p_bar) / (p1 - p2) ** 2))
    a["n_per_arm"] = Answer(
        float(n),
        formula="n = (z_{1−α/2}·√(2·p̄(1 − p̄)) + z_{1−β}·√(p1(1 − p1) + p2(1 − p2)))² / (p1 − p2)², rounded up",
        work=f"p1 = {p1:g}, p2 = {p1:g}·(1 − {g['relative_mde']:g}) = {p2:g}, p̄ = {p_bar:g}, z = {za:.4f} and "
             f"{zb:.4f} → n = {n:,} per arm (the unpooled simplification gives {n_unpooled:,})",
        code="p1 = baseline_rate\np2 = baseline_rate * (1 - relative_mde)\n"
             "n_per_arm = caselab.experiments.two_proportion_sample_size(p1, p2, alpha=alpha, power=power)",
        mistakes={"a one-sided test (z_{1−α} instead of z_{1−α/2})":
                  float(two_proportion_sample_size(p1, p2, alpha=alpha, power=power, two_sided=False)),
                  "both arms together instead of per arm": float(2 * n),
                  "the power term left out (power 50%)": float(no_power)})

    share = g["allocation_per_arm"]
    days = test_duration_days(n, g["eligible_per_day"], share)
    a["duration_days"] = Answer(
        days, formula="days = n per arm / (eligible users per day × share per arm)",
        work=f"{n:,} / ({g['eligible_per_day']:,} × {share:g}) = {days:.3f} days",
        code="duration_days = caselab.experiments.test_duration_days(n_per_arm, eligible_per_day, allocation_per_arm)",
        depends_on=("n_per_arm",),
        recompute=lambda v: test_duration_days(max(v["n_per_arm"], 1), g["eligible_per_day"], share),
        mistakes={"all eligible users counted for each arm (the split ignored)": n / g["eligible_per_day"],
                  "both arms' total divided by one arm's traffic": 2 * n / (g["eligible_per_day"] * share)})
    run = round_up_to_weeks(days)
    a["run_days"] = Answer(
        float(run), formula="7·⌈days / 7⌉: whole weeks, so every weekday is represented equally",
        work=f"⌈{days:.2f} / 7⌉ = {run // 7} week(s) → {run} days",
        code="run_days = caselab.experiments.round_up_to_weeks(duration_days)",
        depends_on=("duration_days",), recompute=lambda v: float(round_up_to_weeks(max(v["duration_days"], 0.0))),
        mistakes={"stopping as soon as the sample size is reached (no whole weeks)": float(np.ceil(days))})
    window = g["metric_window_days"]
    a["read_day"] = Answer(
        float(run + window), formula="read day = enrolment days + the metric's window (the last user's week must end)",
        work=f"{run} days of enrolment + {window} days for the last enrolled user's first week = day {run + window}",
        code="read_day = run_days + metric_window_days",
        depends_on=("run_days",), recompute=lambda v: v["run_days"] + window,
        mistakes={"read when enrolment ends (the last users' first week not over)": float(run),
                  "the unrounded enrolment plus the window (enrolment not in whole weeks)": days + window})

    n_alt = two_proportion_sample_size(p1, p2_alt, alpha=alpha, power=power)
    a["n_per_arm_alternative"] = Answer(
        float(n_alt), formula="the same formula with p2 = p1·(1 − larger MDE); n ∝ 1/(p1 − p2)²",
        work=f"p2 = {p2_alt:g} → n = {n_alt:,} per arm, {n / n_alt:.2f}× fewer than for the smaller effect",
        code="n_per_arm_alternative = caselab.experiments.two_proportion_sample_size(\n"
             "    p1, baseline_rate * (1 - relative_mde_alternative), alpha=alpha, power=power)",
        mistakes={"n scaled linearly with the effect (halved instead of quartered)":
                  float(n * g["relative_mde"] / g["relative_mde_alternative"])})

    obs = g["observed_arm_sizes"]
    srm = srm_test(obs)
    total = sum(obs)
    a["srm_chi2"] = Answer(
        srm.chi2, formula="χ² = Σ (O − E)² / E with E = total / arms (designed 50/50), df = arms − 1",
        work=" + ".join(f"({o:,} − {e:,.0f})²/{e:,.0f}" for o, e in zip(obs, srm.expected_counts, strict=False))
             + f" = {srm.chi2:.3f}",
        code="srm = caselab.experiments.srm_test(observed_arm_sizes)\nsrm_chi2 = srm.chi2",
        # ÷ O (Neyman's χ²) differs from ÷ E only by the split's imbalance: near 50/50 it is the key itself
        mistakes=distinct_mistakes(srm.chi2, {
            "(O − E)²/E for one arm only": float((obs[0] - total / len(obs)) ** 2 / (total / len(obs))),
            "Σ (O − E)² / O instead of / E": float(sum((o - total / len(obs)) ** 2 / o for o in obs if o))},
            TOLERANCE["srm_chi2"]))
    a["srm_p"] = Answer(
        srm.p_value, formula="upper tail of χ² with arms − 1 degrees of freedom",
        work=f"P(χ²₁ > {srm.chi2:.2f}) = {srm.p_value:.5f}",
        code="srm_p = srm.p_value",
        depends_on=("srm_chi2",),
        recompute=lambda v: float(chi2.sf(max(v["srm_chi2"], 0.0), len(obs) - 1)),
        mistakes={"a one-sided normal tail of √χ² (half the right p-value)": float(norm.sf(np.sqrt(srm.chi2)))})
    stop = srm.p_value < g["srm_alarm"]
    a["srm_action"] = Answer(
        SRM_ACTIONS[1] if stop else SRM_ACTIONS[0], formula="SRM p-value below the alarm level → stop and debug",
        work=f"p = {srm.p_value:.4f} {'<' if stop else '≥'} {g['srm_alarm']:g} → "
             f"{SRM_ACTIONS[1] if stop else SRM_ACTIONS[0]}; the split is {obs[0] / total:.2%} / {obs[1] / total:.2%}",
        code=f"srm_action = {SRM_ACTIONS[1]!r} if srm_p < srm_alarm else {SRM_ACTIONS[0]!r}",
        depends_on=("srm_p",),
        recompute=lambda v: SRM_ACTIONS[1] if v["srm_p"] < g["srm_alarm"] else SRM_ACTIONS[0])

    m = g["n_segments"]
    alpha_seg = bonferroni(alpha, m)
    a["alpha_per_segment"] = Answer(
        alpha_seg, formula="Bonferroni: α / m keeps P(any false positive among m tests) ≤ α",
        work=f"{alpha:g} / {m} = {alpha_seg:g}",
        code="alpha_per_segment = caselab.experiments.bonferroni(alpha, n_segments)",
        mistakes={"α · m": alpha * m, "Šidák's 1 − (1 − α)^(1/m) (close, but the question asks Bonferroni)":
                  1 - (1 - alpha) ** (1 / m)})
    n_seg = n / m
    seg_power = power_two_proportions(p1, p2, n_seg, alpha=alpha_seg)
    a["segment_power"] = Answer(
        seg_power, formula="power of the same z-test with n/m users per arm at level α/m",
        work=f"{n:,} / {m} = {n_seg:,.0f} per arm per segment, α = {alpha_seg:g} → power {seg_power:.3f}",
        code="segment_power = caselab.experiments.power_two_proportions(p1, p2, n_per_arm / n_segments, "
             "alpha=alpha_per_segment)",
        depends_on=("n_per_arm", "alpha_per_segment"),
        recompute=lambda v: power_two_proportions(p1, p2, max(v["n_per_arm"], 1) / m,
                                                  alpha=min(max(v["alpha_per_segment"], 1e-12), 0.999)),
        mistakes={"the segment's power at the unadjusted α": power_two_proportions(p1, p2, n_seg, alpha=alpha),
                  "the whole test's power": power})

    looks = run
    fpr = peeking_false_positive_rate(looks, alpha=alpha, paths=g["peeking_paths"], seed=g["seed"])
    a["peeking_false_positive_rate"] = Answer(
        fpr, formula="P(max over daily looks k of |S_k/√k| > z_{1−α/2}) under H0, by simulation",
        work=f"{looks} daily looks, {g['peeking_paths']:,} simulated A/A paths → {fpr:.3f}, "
             f"{fpr / alpha:.1f}× the nominal {alpha:g}",
        code="looks = int(run_days)  # one look a day\n"
             "# simulates peeking_paths A/A tests with np.random.default_rng(seed): z-paths z_k = S_k/√k over the\n"
             "# looks, counting those where some |z_k| > z_{1−α/2}\n"
             "peeking_false_positive_rate = caselab.experiments.peeking_false_positive_rate(\n"
             "    looks, alpha=alpha, paths=peeking_paths, seed=seed)",
        depends_on=("run_days",),
        recompute=lambda v: peeking_false_positive_rate(min(max(int(round(v["run_days"])), 1), 120), alpha=alpha,
                                                        paths=g["peeking_paths"], seed=g["seed"]),
        mistakes={"the nominal α (one look)": alpha,
                  "1 − (1 − α)^looks (as if the looks were independent)": 1 - (1 - alpha) ** looks})
    facts = {"n_per_arm": n, "n_unpooled": n_unpooled, "n_cohen_h": _cohen_h_n(p1, p2, alpha, power),
             "duration_days": days, "run_days": run, "read_day": run + window,
             "earliest_read_day": days + window, "peeking_fpr": fpr, "looks": looks,
             "independent_looks_fpr": 1 - (1 - alpha) ** looks, "srm_p": srm.p_value,
             "alpha_per_segment": alpha_seg, "arm_gap": abs(obs[0] - obs[1]), "arm_total": total,
             "srm_action": a["srm_action"].value}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), facts=facts)


def _cohen_h_n(p1: float, p2: float, alpha: float, power: float) -> float:
    """Per-arm n of the two-sided test on Cohen's h = 2·asin√p1 − 2·asin√p2 (statsmodels' NormalIndPower):
    n = 2·((z_{1−α/2} + z_{1−β}) / h)²."""
    h = 2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2))
    return float(2 * ((norm.ppf(1 - alpha / 2) + norm.ppf(power)) / h) ** 2)  # Var(ĥ₁ − ĥ₂) = 2/n
