"""A 2×2 ablation of two feature groups: marginal gains, interaction, Shapley values, and their noise.

Seed 001 part 3 ("an ablation plan that isolates the marginal value of two feature groups"). With the
mean metric m of four configurations — neither group (∅), A only, B only, both — over ``n_seeds`` runs:

    gain(A | ∅) = m_A − m_∅            gain(A | B) = m_AB − m_B
    gain(B | ∅) = m_B − m_∅            gain(B | A) = m_AB − m_A
    interaction = m_AB − m_A − m_B + m_∅  (= gain(A | B) − gain(A | ∅))
    Shapley(A)  = ½·(gain(A | ∅) + gain(A | B))      — the average over both orders of adding them
    Shapley(B)  = ½·(gain(B | ∅) + gain(B | A));     Shapley(A) + Shapley(B) = m_AB − m_∅

Noise: each configuration's mean over n independent seeds has standard error s/√n (s = the seed
standard deviation). A difference of two such means has SE √2·s/√n; the interaction, a ±1
combination of four means, has SE √4·s/√n = 2s/√n. The seed SD is itself estimated from the runs —
pooled over the four configurations it has 4·(n − 1) degrees of freedom (16 with 5 seeds) — so
t = estimate / SE is compared with Student's t on those degrees of freedom, not with the normal (whose
1.96 would overstate the evidence). (If the four configurations share seeds and splits, the runs are
paired and the SE should come from the per-seed differences instead — usually smaller.)

Seeds measure only the training noise on *one* validation set. Which examples happen to be in that
set is a second source of noise, and with a few hundred positives it is usually the larger one: a
paired bootstrap over the validation examples (:func:`caselab.experiments.paired_bootstrap_ci`, the same
resampled rows for both models) puts a number on it.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import norm
from scipy.stats import t as student_t

from caselab.maths.curves import average_precision
from caselab.maths.experiments import paired_bootstrap_ci
from caselab.scenarios.data import paired_model_scores
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    "mean_pr_auc": Given("mean validation PR-AUC over the seeds, per configuration", kind="table", fields={
        "base": Given("neither feature group", kind="rate"),
        "a": Given("with feature group A only", kind="rate"),
        "b": Given("with feature group B only", kind="rate"),
        "ab": Given("with both groups", kind="rate"),
    }),
    "seed_sd": Given("standard deviation of PR-AUC across seeds (same for every configuration)", lo=0, lo_open=True),
    "n_seeds": Given("independent seeds per configuration", kind="integer", lo=2),
    "alpha": Given("two-sided significance level", kind="rate", lo_open=True, hi=0.5),
    "validation": Given("one seed's A-only and A+B models scored on the validation set (seeded stand-in)",
                        kind="table", fields={
                            "n": Given("validation examples", kind="integer", lo=100),
                            "prevalence": Given("share of positives", kind="rate", lo_open=True, hi_open=True),
                            "separation_a": Given("d' of the A-only model", lo=0),
                            "separation_ab": Given("d' of the A+B model", lo=0),
                            "correlation": Given("correlation of the two models' errors", kind="rate"),
                            "seed": Given("seed of the validation set", kind="integer", lo=0),
                        }),
    "n_boot": Given("bootstrap replicates", kind="integer", lo=100, hi=20_000),
    "bootstrap_seed": Given("seed of numpy.random.default_rng for the bootstrap", kind="integer", lo=0),
}

ANSWERS = {"gain_a_alone", "gain_a_given_b", "gain_b_alone", "gain_b_given_a", "interaction", "shapley_a",
           "shapley_b", "se_difference", "z_b_given_a", "se_interaction", "z_interaction", "interaction_p_value",
           "keep_groups", "pooled_df", "ap_gain_examples", "bootstrap_sd", "bootstrap_ci_low", "bootstrap_ci_high",
           "gain_established"}

ESTABLISHED = ["yes: its z against seed noise is far above 2",
               "not on this evidence: over validation examples its 95% CI includes 0",
               "no: the gain is negative"]

KEEP = ["keep A and B", "keep A only", "keep B only", "keep neither"]

TOLERANCE = {**{q: Tolerance(abs=0.0005) for q in ("gain_a_alone", "gain_a_given_b", "gain_b_alone", "gain_b_given_a",
                                                   "interaction", "shapley_a", "shapley_b", "ap_gain_examples")},
             "se_difference": Tolerance(abs=0.00005), "se_interaction": Tolerance(abs=0.00005),
             "z_b_given_a": DEFAULT_TOLERANCE["statistic"], "z_interaction": DEFAULT_TOLERANCE["statistic"],
             "pooled_df": DEFAULT_TOLERANCE["count"], "interaction_p_value": DEFAULT_TOLERANCE["rate"],
             "bootstrap_sd": Tolerance(abs=0.002), "bootstrap_ci_low": Tolerance(abs=0.005),
             "bootstrap_ci_high": Tolerance(abs=0.005)}

# Replicates of the unpaired bootstrap, which only prices the mistake of losing the pairing (its SD is
# needed to two digits, not to the paired answer's precision).
UNPAIRED_REPLICATES = 100


def solve(givens: dict) -> Solution:
    m = givens["mean_pr_auc"]
    s, n, alpha = givens["seed_sd"], givens["n_seeds"], givens["alpha"]
    base, ma, mb, mab = m["base"], m["a"], m["b"], m["ab"]
    a_none, a_b = ma - base, mab - mb
    b_none, b_a = mb - base, mab - ma
    inter = mab - ma - mb + base
    sh_a, sh_b = (a_none + a_b) / 2, (b_none + b_a) / 2
    se_diff = math.sqrt(2) * s / math.sqrt(n)
    se_int = 2 * s / math.sqrt(n)
    df = 4 * (n - 1)  # the seed SD pooled over four configurations of n runs each
    z_crit = float(student_t.ppf(1 - alpha / 2, df))
    z_b_a, z_a_b, z_int = b_a / se_diff, a_b / se_diff, inter / se_int
    p_int = float(2 * student_t.sf(abs(z_int), df))
    p_int_normal = float(2 * norm.sf(abs(z_int)))
    a: dict[str, Answer] = {}

    def gain(key, value, formula, work, code, mistakes):
        a[key] = Answer(value, formula=formula, work=work, code=code, mistakes=mistakes)

    gain("gain_a_alone", a_none, "gain(A | ∅) = m_A − m_∅", f"{ma:.3f} − {base:.3f} = {a_none:+.4f}",
         "gain_a_alone = mean_pr_auc['a'] - mean_pr_auc['base']",
         {"the gain of both groups together": mab - base})
    gain("gain_a_given_b", a_b, "gain(A | B) = m_AB − m_B", f"{mab:.3f} − {mb:.3f} = {a_b:+.4f}",
         "gain_a_given_b = mean_pr_auc['ab'] - mean_pr_auc['b']",
         {"gain(A | ∅): the order A is added in matters": a_none, "m_AB − m_A (that is B's gain given A)": b_a})
    gain("gain_b_alone", b_none, "gain(B | ∅) = m_B − m_∅", f"{mb:.3f} − {base:.3f} = {b_none:+.4f}",
         "gain_b_alone = mean_pr_auc['b'] - mean_pr_auc['base']",
         {"gain(B | A): the add-order gain": b_a})
    gain("gain_b_given_a", b_a, "gain(B | A) = m_AB − m_A", f"{mab:.3f} − {ma:.3f} = {b_a:+.4f}",
         "gain_b_given_a = mean_pr_auc['ab'] - mean_pr_auc['a']",
         {"gain(B | ∅): B measured without A": b_none, "m_AB − m_B (that is A's gain given B)": a_b})
    a["interaction"] = Answer(
        inter, formula="interaction = m_AB − m_A − m_B + m_∅ = gain(B | A) − gain(B | ∅)",
        work=f"{mab:.3f} − {ma:.3f} − {mb:.3f} + {base:.3f} = {inter:+.4f}",
        code="interaction = gain_b_given_a - gain_b_alone",
        depends_on=("gain_b_given_a", "gain_b_alone"), recompute=lambda v: v["gain_b_given_a"] - v["gain_b_alone"],
        mistakes={"m_AB − m_A − m_B (m_∅ not added back)": mab - ma - mb,
                  "the sign flipped (gain alone minus gain given the other)": -inter})
    a["shapley_a"] = Answer(
        sh_a, formula="Shapley(A) = ½·(gain(A | ∅) + gain(A | B))",
        work=f"½·({a_none:.4f} + {a_b:.4f}) = {sh_a:.4f}",
        code="shapley_a = (gain_a_alone + gain_a_given_b) / 2",
        depends_on=("gain_a_alone", "gain_a_given_b"),
        recompute=lambda v: (v["gain_a_alone"] + v["gain_a_given_b"]) / 2,
        mistakes={"gain(A | ∅) only: A credited as if added first": a_none,
                  "gain(A | B) only: A credited as if added last": a_b})
    a["shapley_b"] = Answer(
        sh_b, formula="Shapley(B) = ½·(gain(B | ∅) + gain(B | A)); Shapley(A) + Shapley(B) = m_AB − m_∅",
        work=f"½·({b_none:.4f} + {b_a:.4f}) = {sh_b:.4f}; {sh_a:.4f} + {sh_b:.4f} = {sh_a + sh_b:.4f} = "
             f"{mab:.3f} − {base:.3f}",
        code="shapley_b = (gain_b_alone + gain_b_given_a) / 2",
        depends_on=("gain_b_alone", "gain_b_given_a"),
        recompute=lambda v: (v["gain_b_alone"] + v["gain_b_given_a"]) / 2,
        mistakes={"gain(B | ∅) only": b_none, "gain(B | A) only": b_a})
    a["se_difference"] = Answer(
        se_diff, formula="SE(m₁ − m₂) = √(s²/n + s²/n) = √2·s/√n (independent runs)",
        work=f"√2 · {s:g} / √{n} = {se_diff:.5f}",
        code="se_difference = (2 * seed_sd**2 / n_seeds) ** 0.5",
        mistakes={"the SE of one mean, s/√n (the second mean's noise forgotten)": s / math.sqrt(n),
                  "the seed SD itself (not divided by √n)": s,
                  "√2·s, not divided by √n": math.sqrt(2) * s,
                  "s/n instead of s/√n": math.sqrt(2) * s / n})
    a["z_b_given_a"] = Answer(
        z_b_a, formula="t = gain(B | A) / SE(difference)", work=f"{b_a:.4f} / {se_diff:.5f} = {z_b_a:.2f}",
        code="z_b_given_a = gain_b_given_a / se_difference",
        depends_on=("gain_b_given_a", "se_difference"),
        recompute=lambda v: v["gain_b_given_a"] / v["se_difference"],
        mistakes={"divided by the seed SD instead of the SE of the difference": b_a / s,
                  "divided by the SE of one mean": b_a / (s / math.sqrt(n))})
    a["se_interaction"] = Answer(
        se_int, formula="SE(m_AB − m_A − m_B + m_∅) = √(4·s²/n) = 2s/√n",
        work=f"2 · {s:g} / √{n} = {se_int:.5f}",
        code="se_interaction = (4 * seed_sd**2 / n_seeds) ** 0.5",
        mistakes={"the SE of a two-mean difference (the interaction combines four means)": se_diff,
                  "the SEs added instead of the variances: 4·s/√n": 4 * s / math.sqrt(n)})
    a["z_interaction"] = Answer(
        z_int, formula="t = interaction / SE(interaction)", work=f"{inter:+.4f} / {se_int:.5f} = {z_int:+.2f}",
        code="z_interaction = interaction / se_interaction",
        depends_on=("interaction", "se_interaction"), recompute=lambda v: v["interaction"] / v["se_interaction"],
        mistakes={"divided by the SE of a two-mean difference": inter / se_diff})
    a["pooled_df"] = Answer(
        float(df), formula="degrees of freedom of the seed SD pooled over 4 configurations: 4·(n − 1)",
        work=f"4·({n} − 1) = {df}",
        code="pooled_df = 4 * (n_seeds - 1)",
        mistakes={"n − 1 (one configuration's runs only)": float(n - 1), "4·n (no mean estimated)": float(4 * n),
                  "2·(n − 1) (two configurations)": float(2 * (n - 1))})
    a["interaction_p_value"] = Answer(
        p_int, formula="two-sided p = 2·P(T_df > |t|), Student's t with the pooled degrees of freedom",
        work=f"2·P(T_{df} > {abs(z_int):.2f}) = {p_int:.3f} (the normal approximation would give {p_int_normal:.3f})",
        code="from scipy.stats import t as student_t\n"
             "interaction_p_value = 2 * student_t.sf(abs(z_interaction), pooled_df)",
        depends_on=("z_interaction", "pooled_df"),
        recompute=lambda v: float(2 * student_t.sf(abs(v["z_interaction"]), v["pooled_df"])),
        mistakes={"one-sided p (half the two-sided value)": p_int / 2,
                  "the normal approximation 2·(1 − Φ(|t|)), which ignores that the SD is estimated": p_int_normal,
                  "Φ(z) for a negative z, not doubled": float(norm.cdf(-abs(z_int)))})

    keep_a, keep_b = z_a_b > z_crit, z_b_a > z_crit
    keep = {(True, True): KEEP[0], (True, False): KEEP[1], (False, True): KEEP[2], (False, False): KEEP[3]}[
        (keep_a, keep_b)]
    alone_a, alone_b = a_none / se_diff > z_crit, b_none / se_diff > z_crit
    wrong_keep = {(True, True): KEEP[0], (True, False): KEEP[1], (False, True): KEEP[2], (False, False): KEEP[3]}[
        (alone_a, alone_b)]
    a["keep_groups"] = Answer(
        keep, formula=f"keep a group if its gain *given the other* is significant: t > {z_crit:.2f} "
                      f"(two-sided α = {alpha:g}, {df} degrees of freedom)",
        work=f"t(A | B) = {a_b:.4f}/{se_diff:.5f} = {z_a_b:.2f}; t(B | A) = {z_b_a:.2f} → {keep}",
        code="from scipy.stats import t as student_t\n"
             "z_crit = student_t.ppf(1 - alpha / 2, pooled_df)\n"
             "z_a_given_b = gain_a_given_b / se_difference\n"
             "keep_groups = {(True, True): 'keep A and B', (True, False): 'keep A only', (False, True): 'keep B only',\n"
             "               (False, False): 'keep neither'}[(z_a_given_b > z_crit, z_b_given_a > z_crit)]",
        depends_on=("gain_a_given_b", "gain_b_given_a", "se_difference"),
        recompute=lambda v: {(True, True): KEEP[0], (True, False): KEEP[1], (False, True): KEEP[2],
                             (False, False): KEEP[3]}[(v["gain_a_given_b"] / v["se_difference"] > z_crit,
                                                       v["gain_b_given_a"] / v["se_difference"] > z_crit)],
        mistakes={f"{wrong_keep}: judged on the gains measured alone, not given the other group": wrong_keep}
        if wrong_keep != keep else {})
    # Evaluation-set noise: one seed's A-only and A+B models on the same validation examples.
    v = givens["validation"]
    data = paired_model_scores(v["n"], v["prevalence"], v["separation_a"], v["separation_ab"], v["correlation"],
                               v["seed"])
    ap_a, ap_ab = average_precision(data.y_true, data.score_a), average_precision(data.y_true, data.score_b)
    gain_ex = ap_ab - ap_a

    def ap_gain(y, s_a, s_ab):
        return average_precision(y, s_ab) - average_precision(y, s_a)

    lo, hi, reps = paired_bootstrap_ci(ap_gain, data, n_boot=givens["n_boot"], seed=givens["bootstrap_seed"])
    boot_sd = float(np.std(reps, ddof=1))
    # the same number of replicates resampling each model on its own indices (pairing lost)
    rng = np.random.default_rng(givens["bootstrap_seed"])
    y, s_a, s_ab = data
    unpaired = []
    for _ in range(UNPAIRED_REPLICATES):
        i, j = rng.integers(0, y.size, y.size), rng.integers(0, y.size, y.size)
        unpaired.append(average_precision(y[j], s_ab[j]) - average_precision(y[i], s_a[i]))
    unpaired_sd = float(np.std(unpaired, ddof=1))
    a["ap_gain_examples"] = Answer(
        gain_ex, formula="AP(A+B) − AP(A) on the validation examples (one seed's models)",
        work=f"{ap_ab:.4f} − {ap_a:.4f} = {gain_ex:+.4f}",
        code="ap_gain_examples = (caselab.curves.average_precision(y_val, score_ab)\n"
             "                    - caselab.curves.average_precision(y_val, score_a))",
        mistakes={"AP(A) − AP(A+B) (sign flipped)": -gain_ex})
    boot_code = ("def ap_gain(y, s_a, s_ab):\n"
                 "    return caselab.curves.average_precision(y, s_ab) - caselab.curves.average_precision(y, s_a)\n\n"
                 "ci_low, ci_high, replicates = caselab.experiments.paired_bootstrap_ci(\n"
                 "    ap_gain, (y_val, score_a, score_ab), n_boot=n_boot, seed=bootstrap_seed)\n")
    a["bootstrap_sd"] = Answer(
        boot_sd, formula="SD (ddof = 1) of the paired bootstrap replicates of AP(A+B) − AP(A): resample n rows with "
                         "replacement, the same rows for both models",
        work=f"{givens['n_boot']:,} replicates → SD {boot_sd:.4f}, against the seed SE of a difference "
             f"{se_diff:.4f}: the noise from the validation set's {int(data.y_true.sum())} positives is "
             f"{boot_sd / se_diff:.0f}× the seed noise (resampling the two models on separate rows, pairing "
             f"lost, would give about {unpaired_sd:.3f})",
        code=boot_code + "bootstrap_sd = float(np.std(replicates, ddof=1))",
        mistakes={"the seed-based SE of a difference (training noise only)": se_diff,
                  "the two models resampled on separate rows (pairing lost)": unpaired_sd})
    a["bootstrap_ci_low"] = Answer(
        lo, formula="2.5th percentile of the paired bootstrap replicates", work=f"95% CI [{lo:+.4f}, {hi:+.4f}]",
        code="bootstrap_ci_low = ci_low", mistakes={"the upper end": hi})
    a["bootstrap_ci_high"] = Answer(
        hi, formula="97.5th percentile of the paired bootstrap replicates", work=f"95% CI [{lo:+.4f}, {hi:+.4f}]",
        code="bootstrap_ci_high = ci_high", mistakes={"the lower end": lo})
    established = ESTABLISHED[0] if lo > 0 else (ESTABLISHED[2] if hi < 0 else ESTABLISHED[1])
    a["gain_established"] = Answer(
        established, formula="a gain is established on new data only if the interval over validation examples "
                             "excludes 0; seeds alone measure training noise on one validation set",
        work=f"t(B | A) = {z_b_a:.1f} against seed noise, but over examples the CI is [{lo:+.4f}, {hi:+.4f}]",
        code=f"gain_established = {established!r}",
        mistakes={"the seed z only measures training noise on this one validation set": ESTABLISHED[0]}
        if established != ESTABLISHED[0] else {})
    data_code = ("from caselab.scenarios.data import paired_model_scores\n"
                 "y_val, score_a, score_ab = paired_model_scores(\n"
                 "    validation['n'], validation['prevalence'], validation['separation_a'], validation['separation_ab'],\n"
                 "    validation['correlation'], validation['seed'])\n"
                 "print(f'{len(y_val):,} validation examples, {y_val.sum()} positive')")
    positives = int(data.y_true.sum())
    keep_reading = {
        KEEP[0]: "both are above it, so both groups stay",
        KEEP[1]: "B|A is above it and A|B is not, so A goes: what it adds on top of B is within the seed noise",
        KEEP[2]: "A|B is above it and B|A is not, so B goes: what it adds on top of A is within the seed noise",
        KEEP[3]: "neither is above it, so neither group earns its place on top of the other",
    }[keep]
    if p_int < alpha:
        interaction_verdict = (f"Significant at α = {alpha:g}: even with {n} seeds per cell the overlap stands out "
                               "from the noise")
        interaction_reading = f"stands out from the noise even with {n} seeds per cell"
    else:
        interaction_verdict = (f"Not significant at α = {alpha:g}: with {n} seeds per cell the design cannot tell "
                               "this overlap from noise")
        interaction_reading = f"is not distinguishable from noise with {n} seeds per cell"
    established_reading = {
        ESTABLISHED[0]: "it excludes 0, so here B's gain holds over validation examples too — but that interval, "
                        "not the seed t, is what showed it",
        ESTABLISHED[1]: f"it includes 0, so with {positives} positives B's gain on new data is not yet established, "
                        "whatever the seed t says",
        ESTABLISHED[2]: "it lies below 0: on new data the A+B model ranks worse than A alone, whatever the seed t says",
    }[established]
    facts = {"val_positives": positives, "p_int_normal": p_int_normal, "t_crit": z_crit,
             "noise_ratio": boot_sd / se_diff, "t_a_given_b": z_a_b, "keep_reading": keep_reading,
             "interaction_verdict": interaction_verdict, "interaction_reading": interaction_reading,
             "established_reading": established_reading}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code=data_code, setup_code="import numpy as np",
                    facts=facts)
