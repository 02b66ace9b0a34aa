"""A long-tail segment regresses while the overall metric improves: test it, size it, decide the ramp.

Seed 001, part 6 (rollback plan for long-tail regressions). The same two-proportion z-test as the main
analysis, applied to one segment (:func:`caselab.experiments.two_proportion_ztest`):

* the **test** uses the pooled SE (the arms' common rate under H0); the **interval** uses the unpooled
  SE at the observed rates;
* the segment is one of m pre-registered guardrail segments, so it is judged at α/m (Bonferroni);
* the segment's **minimum detectable regression** at the planned power
  (:func:`caselab.experiments.minimum_detectable_effect`) says which regressions the guardrail could see at all.

The decision combines the overall result and the segment's: an overall win with a confirmed segment
regression means holding the ramp and routing that segment back to the old model (segment fallback)
while the cause is found — not shipping on the average, and not throwing away the overall win.
"""

from __future__ import annotations

import math

from scipy.stats import norm

from caselab.maths.experiments import bonferroni, minimum_detectable_effect, two_proportion_ztest
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    "segment": Given("the long-tail segment", kind="text"),
    "control_users": Given("users of the segment in control", kind="integer", lo=1),
    "control_events": Given("of whom had a bad experience", kind="integer", lo=0),
    "treatment_users": Given("users of the segment in treatment", kind="integer", lo=1),
    "treatment_events": Given("of whom had a bad experience", kind="integer", lo=0),
    "overall_control_users": Given("all users in control", kind="integer", lo=1),
    "overall_control_events": Given("of whom had a bad experience", kind="integer", lo=0),
    "overall_treatment_users": Given("all users in treatment", kind="integer", lo=1),
    "overall_treatment_events": Given("of whom had a bad experience", kind="integer", lo=0),
    "alpha": Given("two-sided family-wise level", kind="rate", lo_open=True, hi_open=True),
    "n_segments": Given("pre-registered guardrail segments", kind="integer", lo=1),
    "power": Given("power used to size what the guardrail can detect", kind="rate", lo_open=True, hi_open=True),
}

ANSWERS = {"diff", "se_pooled", "z", "p_value", "ci_low", "ci_high", "overall_diff", "overall_p",
           "segment_alpha", "segment_regression_confirmed", "minimum_detectable_regression", "ramp_decision"}

# the tolerance each number question is graded with (the spec's, else the unit's default)
TOLERANCE = {"diff": Tolerance(abs=0.0005), "se_pooled": Tolerance(abs=0.0001), "z": DEFAULT_TOLERANCE["statistic"],
             "p_value": Tolerance(abs=0.0003), "ci_low": Tolerance(abs=0.0003), "ci_high": Tolerance(abs=0.0003),
             "overall_diff": Tolerance(abs=0.0001), "overall_p": Tolerance(abs=0.0003),
             "segment_alpha": DEFAULT_TOLERANCE["probability"],
             "minimum_detectable_regression": Tolerance(abs=0.0005)}

RAMP = ["continue the ramp to 100%", "hold the ramp and route the segment to the old model while investigating",
        "roll back the new model everywhere"]


def ramp_decision(overall_diff: float, overall_p: float, seg_confirmed: bool, alpha: float) -> str:
    """Overall not better (bad-experience rate not significantly lower) → roll back; better overall but a
    confirmed segment regression → hold and fall back for the segment; otherwise continue."""
    overall_win = overall_diff < 0 and overall_p < alpha
    if not overall_win:
        return RAMP[2]
    return RAMP[1] if seg_confirmed else RAMP[0]


def solve(givens: dict) -> Solution:
    g = givens
    t = two_proportion_ztest(g["control_events"], g["control_users"], g["treatment_events"], g["treatment_users"],
                             alpha=g["alpha"])
    p1 = g["control_events"] / g["control_users"]
    p2 = g["treatment_events"] / g["treatment_users"]
    a: dict[str, Answer] = {}
    seg = "caselab.maths.experiments.two_proportion_ztest(control_events, control_users, treatment_events, " \
          "treatment_users, alpha=alpha)"

    a["diff"] = Answer(
        t.diff, formula="p̂_treatment − p̂_control (positive = more bad experiences = a regression)",
        work=f"{g['treatment_events']}/{g['treatment_users']:,} − {g['control_events']}/{g['control_users']:,} = "
             f"{p2:.4f} − {p1:.4f} = {t.diff:+.4f}",
        code=f"seg = {seg}\ndiff = seg.diff",
        mistakes={"control minus treatment (sign flipped)": -t.diff, "relative change instead of the difference":
                  t.diff / p1})
    a["se_pooled"] = Answer(
        t.se_pooled, formula="SE₀ = √(p̄(1 − p̄)(1/n₁ + 1/n₂)), p̄ = pooled rate (the SE under H0)",
        work=f"p̄ = {(g['control_events'] + g['treatment_events']) / (g['control_users'] + g['treatment_users']):.4f}"
             f" → SE₀ = {t.se_pooled:.5f} (unpooled: {t.se_unpooled:.5f})",
        code="se_pooled = seg.se_pooled",
        mistakes={"one arm's SE √(p̄(1 − p̄)/n₁) instead of the difference's":
                  t.se_pooled / math.sqrt(1 + g["control_users"] / g["treatment_users"])})
    a["z"] = Answer(
        t.z, formula="z = diff / SE₀", work=f"{t.diff:.4f} / {t.se_pooled:.5f} = {t.z:.3f}",
        code="z = seg.z", depends_on=("diff", "se_pooled"),
        # no "unpooled SE" mistake: with equal arms the two SEs nearly coincide and the tolerance accepts both
        recompute=lambda v: v["diff"] / v["se_pooled"])
    a["p_value"] = Answer(
        t.p_value, formula="two-sided: 2·(1 − Φ(|z|))", work=f"2·(1 − Φ({abs(t.z):.3f})) = {t.p_value:.5f}",
        code="p_value = seg.p_value", depends_on=("z",), recompute=lambda v: float(2 * norm.sf(abs(v["z"]))),
        mistakes={"one-sided (half the two-sided p)": t.p_value / 2})
    zc = norm.ppf(1 - g["alpha"] / 2)
    a["ci_low"] = Answer(
        t.ci_low, formula="diff − z_{1−α/2}·SE₁, SE₁ = √(p̂₁q̂₁/n₁ + p̂₂q̂₂/n₂) (unpooled, at the observed rates)",
        work=f"{t.diff:.4f} − {zc:.3f}·{t.se_unpooled:.5f} = {t.ci_low:.4f}",
        code="ci_low = seg.ci_low")
    a["ci_high"] = Answer(
        t.ci_high, formula="diff + z_{1−α/2}·SE₁", work=f"{t.diff:.4f} + {zc:.3f}·{t.se_unpooled:.5f} = {t.ci_high:.4f}",
        code="ci_high = seg.ci_high")

    o = two_proportion_ztest(g["overall_control_events"], g["overall_control_users"], g["overall_treatment_events"],
                             g["overall_treatment_users"], alpha=g["alpha"])
    a["overall_diff"] = Answer(
        o.diff, formula="the same difference over all users",
        work=f"{g['overall_treatment_events']:,}/{g['overall_treatment_users']:,} − "
             f"{g['overall_control_events']:,}/{g['overall_control_users']:,} = {o.diff:+.5f}",
        code="overall = caselab.experiments.two_proportion_ztest(overall_control_events, overall_control_users,\n"
             "    overall_treatment_events, overall_treatment_users, alpha=alpha)\noverall_diff = overall.diff",
        mistakes={"control minus treatment (sign flipped)": -o.diff})
    a["overall_p"] = Answer(
        o.p_value, formula="two-sided p of the pooled z-test over all users",
        work=f"z = {o.z:.3f} → p = {o.p_value:.5f}", code="overall_p = overall.p_value",
        mistakes={"one-sided (half the two-sided p)": o.p_value / 2})

    m = g["n_segments"]
    alpha_seg = bonferroni(g["alpha"], m)
    a["segment_alpha"] = Answer(
        alpha_seg, formula="α / m over the pre-registered guardrail segments",
        work=f"{g['alpha']:g} / {m} = {alpha_seg:g}", code="segment_alpha = caselab.experiments.bonferroni(alpha, n_segments)",
        mistakes={"no correction": g["alpha"]})
    confirmed = t.diff > 0 and t.p_value < alpha_seg
    a["segment_regression_confirmed"] = Answer(
        "yes" if confirmed else "no",
        formula="a regression (diff > 0) with p below the Bonferroni level",
        work=f"diff {t.diff:+.4f}, p = {t.p_value:.4f} {'<' if t.p_value < alpha_seg else '≥'} {alpha_seg:g} → "
             f"{'confirmed' if confirmed else 'not confirmed'}",
        code="segment_regression_confirmed = 'yes' if diff > 0 and p_value < segment_alpha else 'no'",
        depends_on=("diff", "p_value", "segment_alpha"),
        recompute=lambda v: "yes" if v["diff"] > 0 and v["p_value"] < v["segment_alpha"] else "no")

    n_arm = min(g["control_users"], g["treatment_users"])
    mdr = minimum_detectable_effect(p1, n_arm, alpha=alpha_seg, power=g["power"], direction="increase")
    a["minimum_detectable_regression"] = Answer(
        mdr, formula="smallest d with power(p_control → p_control + d, n per arm, α/m) = target power",
        work=f"p_control = {p1:.4f}, n = {n_arm:,} per arm, α = {alpha_seg:g}, power {g['power']:g} → "
             f"d = {mdr:.4f} ({mdr / p1:.0%} relative)",
        code="p_control = control_events / control_users\n"
             "n_arm = min(control_users, treatment_users)\n"
             "minimum_detectable_regression = caselab.experiments.minimum_detectable_effect(\n"
             "    p_control, n_arm, alpha=segment_alpha, power=power, direction='increase')",
        mistakes={"at the unadjusted α": minimum_detectable_effect(p1, n_arm, alpha=g["alpha"], power=g["power"],
                                                                  direction="increase")})

    decision = ramp_decision(o.diff, o.p_value, confirmed, g["alpha"])
    a["ramp_decision"] = Answer(
        decision,
        formula="overall not significantly better → roll back; better overall and a confirmed segment regression → "
                "hold and route the segment to the old model; otherwise continue",
        work=f"overall {o.diff:+.4f} (p = {o.p_value:.4f}); segment {g['segment']}: {t.diff:+.4f} "
             f"(p = {t.p_value:.4f}, confirmed: {confirmed}) → {decision}",
        code="overall_win = overall_diff < 0 and overall_p < alpha\n"
             f"ramp_decision = ({RAMP[2]!r} if not overall_win else\n"
             f"                 {RAMP[1]!r} if segment_regression_confirmed == 'yes' else\n"
             f"                 {RAMP[0]!r})",
        depends_on=("overall_diff", "overall_p", "segment_regression_confirmed"),
        recompute=lambda v: ramp_decision(v["overall_diff"], v["overall_p"], v["segment_regression_confirmed"] == "yes",
                                          g["alpha"]),
        mistakes={"shipping on the overall average hides the segment's regression": RAMP[0]} if decision != RAMP[0]
        else {})
    facts = {"control_rate": p1, "n_arm": n_arm, "mdr_relative": mdr / p1,
             **_readings(g, t, o, alpha_seg, confirmed, decision, mdr)}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), facts=facts)


def _pp(x: float) -> str:
    """A difference of rates in percentage points, signed: +1.6 pp."""
    return f"{x * 100:+.1f} pp"


def _p(p: float) -> str:
    """A p-value as a sentence quotes it: p = 0.0045, or p < 0.0001."""
    return "p < 0.0001" if p < 0.0001 else f"p = {p:.4f}"


def _readings(g: dict, t, o, alpha_seg: float, confirmed: bool, decision: str, mdr: float) -> dict[str, str]:
    """What the worked text says about the interval, the segment's verdict and the ramp: the drawn numbers decide
    which sentence is true."""
    ci = f"[{t.ci_low:+.2%}, {t.ci_high:+.2%}]"
    p1 = g["control_events"] / g["control_users"]
    if t.ci_low > 0:
        interval = (f"The whole interval, {ci}, is above zero: even its lower end is a regression, for a segment "
                    f"whose control rate is {p1:.1%}.")
    else:
        interval = (f"The interval, {ci}, includes zero: the data allow anything from no change to a regression of "
                    f"{t.ci_high:.2%} on a control rate of {p1:.1%}.")
    if confirmed:
        narrowly = " — narrowly" if t.p_value > alpha_seg / 2 else ""
        verdict = (f"It clears the corrected bar{narrowly}: {_p(t.p_value)} < {alpha_seg:.4g}. Had the segment "
                   "been found by browsing dozens of slices after the test, the right move would be a confirmation "
                   "test on fresh traffic, not an immediate verdict; pre-registration is what lets you act on it now.")
    else:
        below = " It would pass an uncorrected 0.05, but" if t.p_value < g["alpha"] else " And"
        verdict = (f"{_p(t.p_value)} is not below the corrected level {alpha_seg:.4g}.{below} with "
                   f"{g['n_segments']} guardrail segments one of them crossing a threshold by chance is expected. "
                   f"Not confirmed is not 'no harm': the interval still allows a regression of {t.ci_high:.2%}, so "
                   "the segment stays under watch.")
    overall = f"{_pp(o.diff)}, {_p(o.p_value)}"
    segment = f"{_pp(t.diff)}, 95% CI {_pp(t.ci_low)} to {_pp(t.ci_high)}, {_p(t.p_value)}"
    if decision == RAMP[1]:
        ramp = (f"That is what I do now: the overall improvement is real ({overall}), and the segment's regression is "
                f"confirmed ({segment}, below {alpha_seg:.4g}). So I hold the ramp where it is and route the segment's "
                "traffic to the old model, keeping the win for everyone else.")
    elif decision == RAMP[0]:
        ramp = (f"Here the overall improvement is real ({overall}), and the segment's rise ({segment}) is not "
                f"confirmed at {alpha_seg:.4g}. So the ramp continues — with the segment on its own alert, because "
                f"with these users it could only see a regression of about {mdr:.1%}.")
    else:
        ramp = (f"Here the overall improvement is not established ({overall}, against α = {g['alpha']:g}): the "
                f"model has not earned its launch, and the segment got worse ({segment}). So I roll it back "
                "everywhere; the old model was never undeployed, so that is a config change.")
    return {"interval_reading": interval, "confirmed_reading": verdict, "ramp_reading": ramp}
