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
combination of four means, has SE √4·s/√n = 2s/√n. z = estimate / SE, compared with the two-sided
normal critical value. (If the four configurations share seeds and splits, the runs are paired and
the SE should come from the per-seed differences instead — usually smaller.)
"""

from __future__ import annotations

import math

from scipy.stats import norm

from caselab.scenarios.solvers import Answer, Solution
from caselab.scenarios.spec import Given

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
}

ANSWERS = {"gain_a_alone", "gain_a_given_b", "gain_b_alone", "gain_b_given_a", "interaction", "shapley_a",
           "shapley_b", "se_difference", "z_b_given_a", "se_interaction", "z_interaction", "interaction_p_value",
           "keep_groups"}

KEEP = ["keep A and B", "keep A only", "keep B only", "keep neither"]


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
    z_crit = float(norm.ppf(1 - alpha / 2))
    z_b_a, z_a_b, z_int = b_a / se_diff, a_b / se_diff, inter / se_int
    p_int = float(2 * norm.sf(abs(z_int)))
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
        z_b_a, formula="z = gain(B | A) / SE(difference)", work=f"{b_a:.4f} / {se_diff:.5f} = {z_b_a:.2f}",
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
        z_int, formula="z = interaction / SE(interaction)", work=f"{inter:+.4f} / {se_int:.5f} = {z_int:+.2f}",
        code="z_interaction = interaction / se_interaction",
        depends_on=("interaction", "se_interaction"), recompute=lambda v: v["interaction"] / v["se_interaction"],
        mistakes={"divided by the SE of a two-mean difference": inter / se_diff})
    a["interaction_p_value"] = Answer(
        p_int, formula="two-sided p = 2·(1 − Φ(|z|))", work=f"2·(1 − Φ({abs(z_int):.2f})) = {p_int:.3f}",
        code="from scipy.stats import norm\ninteraction_p_value = 2 * norm.sf(abs(z_interaction))",
        depends_on=("z_interaction",), recompute=lambda v: float(2 * norm.sf(abs(v["z_interaction"]))),
        mistakes={"one-sided p (half the two-sided value)": p_int / 2,
                  "Φ(z) for a negative z, not doubled": float(norm.cdf(-abs(z_int)))})

    keep_a, keep_b = z_a_b > z_crit, z_b_a > z_crit
    keep = {(True, True): KEEP[0], (True, False): KEEP[1], (False, True): KEEP[2], (False, False): KEEP[3]}[
        (keep_a, keep_b)]
    alone_a, alone_b = a_none / se_diff > z_crit, b_none / se_diff > z_crit
    wrong_keep = {(True, True): KEEP[0], (True, False): KEEP[1], (False, True): KEEP[2], (False, False): KEEP[3]}[
        (alone_a, alone_b)]
    a["keep_groups"] = Answer(
        keep, formula=f"keep a group if its gain *given the other* is significant: z > {z_crit:.2f} "
                      f"(two-sided α = {alpha:g})",
        work=f"z(A | B) = {a_b:.4f}/{se_diff:.5f} = {z_a_b:.2f}; z(B | A) = {z_b_a:.2f} → {keep}",
        code="from scipy.stats import norm\n"
             "z_crit = norm.ppf(1 - alpha / 2)\n"
             "z_a_given_b = gain_a_given_b / se_difference\n"
             "keep_groups = {(True, True): 'keep A and B', (True, False): 'keep A only', (False, True): 'keep B only',\n"
             "               (False, False): 'keep neither'}[(z_a_given_b > z_crit, z_b_given_a > z_crit)]",
        depends_on=("gain_a_given_b", "gain_b_given_a", "se_difference"),
        recompute=lambda v: {(True, True): KEEP[0], (True, False): KEEP[1], (False, True): KEEP[2],
                             (False, False): KEEP[3]}[(v["gain_a_given_b"] / v["se_difference"] > z_crit,
                                                       v["gain_b_given_a"] / v["se_difference"] > z_crit)],
        mistakes={f"{wrong_keep}: judged on the gains measured alone, not given the other group": wrong_keep}
        if wrong_keep != keep else {})
    return Solution(a)
