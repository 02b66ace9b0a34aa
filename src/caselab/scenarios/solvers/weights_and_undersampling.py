"""Class weights, the scale_pos_weight trap, and the undersampling correction (seed 002).

Three facts an interviewer probes, each with a wrong version in circulation:

* ``class_weight='balanced'`` gives class c the weight n / (2·n_c). At 99:1 that is {0: 0.505, 1: 50}:
  a positive counts 99× a negative (not 100×), and the two classes' totals are equal.
* A positive-class weight w turns the weighted model's 0.5 into the true-probability cut 1/(1 + w).
  So w = C_FN/C_FP already encodes the costs; ``scale_pos_weight = (C_FN/C_FP)·(N_neg/N_pos)`` counts
  the imbalance on top and flags p > 1/(1 + w), far below the cost-optimal C_FP/(C_FP + C_FN).
* Undersampling negatives with keep-rate β inflates the odds by 1/β. The correction is
  p = β·p_s / (β·p_s − p_s + 1) and its inverse p_s = p / (p + β·(1 − p)) — not p / (p + (1 − p)/β).
"""

from __future__ import annotations

from caselab.maths.calibration import beta_for_balance, undersampling_correction, undersampling_inverse
from caselab.maths.curves import bayes_threshold
from caselab.maths.imbalance import equivalent_threshold
from caselab.scenarios.solvers import Answer, Solution, distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    "n": Given("training examples", kind="integer", lo=2),
    "prevalence": Given("share of positives in the training data", kind="rate", lo_open=True, hi=0.5),
    "cost_fp": Given("cost of a false positive", lo=0, lo_open=True),
    "cost_fn": Given("cost of a false negative", lo=0, lo_open=True),
    "true_prior": Given("fraud rate in production (for the undersampling part)", kind="rate", lo_open=True,
                        hi=0.5),
    "p_s": Given("a score from the model trained on the balanced, undersampled data", kind="rate"),
}

ANSWERS = {"weight_negative", "weight_positive", "per_example_ratio", "scale_pos_weight_article",
           "threshold_implied_by_article_weight", "bayes_threshold", "encode_costs", "beta",
           "corrected_probability", "threshold_on_undersampled_scores"}


# The tolerances casebook/fraud-weights-undersampling.toml grades these questions with.
TOLERANCE = {"bayes_threshold": Tolerance(rel=0.005),
             "threshold_on_undersampled_scores": DEFAULT_TOLERANCE["probability"]}


def solve(givens: dict) -> Solution:
    n, prevalence = givens["n"], givens["prevalence"]
    cost_fp, cost_fn = givens["cost_fp"], givens["cost_fn"]
    n_pos = n * prevalence
    n_neg = n - n_pos
    a: dict[str, Answer] = {}

    w0, w1 = n / (2 * n_neg), n / (2 * n_pos)  # sklearn's 'balanced': n / (n_classes · n_c)
    a["weight_negative"] = Answer(
        w0, formula="w_c = n / (K · n_c) with K = 2 classes", work=f"{n:,} / (2 · {n_neg:,.0f}) = {w0:.5f}",
        code="weight_negative = n / (2 * n_neg)",
        mistakes={"the class share n_c/n instead of its inverse": n_neg / n})
    a["weight_positive"] = Answer(
        w1, formula="w_1 = n / (2 · n_pos)", work=f"{n:,} / (2 · {n_pos:,.0f}) = {w1:.4g}",
        code="weight_positive = n / (2 * n_pos)",
        mistakes={"n_neg/n_pos (that is the ratio of the weights, not the weight)": n_neg / n_pos})
    ratio = w1 / w0
    a["per_example_ratio"] = Answer(
        ratio, formula="w_1 / w_0 = n_neg / n_pos", work=f"{w1:.4g} / {w0:.5f} = {ratio:.4g}",
        code="per_example_ratio = weight_positive / weight_negative",
        depends_on=("weight_positive", "weight_negative"),
        recompute=lambda v: v["weight_positive"] / v["weight_negative"],
        mistakes={"n / n_pos (claim 1's count: all examples over the positives)": n / n_pos})

    spw = (cost_fn / cost_fp) * (n_neg / n_pos)
    a["scale_pos_weight_article"] = Answer(
        spw, formula="scale_pos_weight = (C_FN / C_FP) · (N_neg / N_pos)",
        work=f"({cost_fn:g} / {cost_fp:g}) · ({n_neg:,.0f} / {n_pos:,.0f}) = {spw:,.0f}",
        code="scale_pos_weight_article = (cost_fn / cost_fp) * (n_neg / n_pos)")
    t_article = equivalent_threshold(spw)
    a["threshold_implied_by_article_weight"] = Answer(
        t_article, formula="0.5 on a model trained with positive weight w ≡ true p > 1 / (1 + w)",
        work=f"1 / (1 + {spw:,.0f}) = {t_article:.3g}",
        code="threshold_implied_by_article_weight = caselab.imbalance.equivalent_threshold(scale_pos_weight_article)",
        depends_on=("scale_pos_weight_article",), recompute=lambda v: 1 / (1 + v["scale_pos_weight_article"]),
        # no "1/w instead of 1/(1 + w)": with w = cost ratio × class ratio in the hundreds or more, 1/w is
        # within a fraction of a percent of the key and no feedback could tell the two apart
        mistakes={"0.5 (the weighted model's cut read as a true probability)": 0.5})
    tau = bayes_threshold(cost_fp=cost_fp, cost_fn=cost_fn)
    a["bayes_threshold"] = Answer(
        tau, formula="τ* = C_FP / (C_FP + C_FN)", work=f"{cost_fp:g} / ({cost_fp:g} + {cost_fn:g}) = {tau:.4f}",
        code="bayes_threshold = caselab.curves.bayes_threshold(cost_fp=cost_fp, cost_fn=cost_fn)",
        # C_FP/C_FN is τ*·(1 + C_FP/C_FN): at a cost ratio of 200 and more it is inside the ±0.5 % band
        mistakes=distinct_mistakes(tau, {"the inverted formula C_FN / (C_FP + C_FN)": cost_fn / (cost_fp + cost_fn),
                                         "C_FP / C_FN": cost_fp / cost_fn}, TOLERANCE["bayes_threshold"]))
    factor = tau / t_article
    a["encode_costs"] = Answer(
        "once: in the weights or in the threshold",
        formula="w = C_FN/C_FP with a 0.5 cut, or no weight with the cut τ* — the same decision rule",
        work=f"claim 2's weight flags p > {t_article:.3g}, {factor:,.0f}× below τ* = {tau:.4f}",
        code='encode_costs = "once: in the weights or in the threshold"',
        mistakes={"weights and threshold both encode the costs: they count twice": "in the weights and the threshold"})

    beta = beta_for_balance(givens["true_prior"])
    a["beta"] = Answer(
        beta, formula="β = π / (1 − π): keep that share of negatives for a 50/50 sample",
        work=f"{givens['true_prior']:g} / (1 − {givens['true_prior']:g}) = {beta:.6f}",
        code="beta = caselab.calibration.beta_for_balance(true_prior)",
        mistakes={"β = π (close, but not exactly balanced)": givens["true_prior"]})
    p = undersampling_correction(givens["p_s"], beta)
    a["corrected_probability"] = Answer(
        p, formula="p = β·p_s / (β·p_s − p_s + 1)  (Dal Pozzolo et al. 2015)",
        work=f"{beta:.6f}·{givens['p_s']:g} / ({beta:.6f}·{givens['p_s']:g} − {givens['p_s']:g} + 1) = {p:.5f}",
        code="corrected_probability = caselab.calibration.undersampling_correction(p_s, beta)",
        depends_on=("beta",),
        recompute=lambda v: undersampling_correction(givens["p_s"], min(max(v["beta"], 1e-12), 1.0)),
        mistakes={"p_s used as is (no correction)": givens["p_s"]})
    t_s = undersampling_inverse(tau, beta)
    wrong_inverse = tau / (tau + (1 - tau) / beta)
    a["threshold_on_undersampled_scores"] = Answer(
        t_s, formula="p_s = p / (p + β·(1 − p)), applied to p = τ*",
        work=f"{tau:.4f} / ({tau:.4f} + {beta:.6f}·(1 − {tau:.4f})) = {t_s:.4f}",
        code="threshold_on_undersampled_scores = caselab.calibration.undersampling_inverse(bayes_threshold, beta)",
        depends_on=("bayes_threshold", "beta"),
        recompute=lambda v: undersampling_inverse(min(max(v["bayes_threshold"], 0.0), 1.0),
                                                  min(max(v["beta"], 1e-12), 1.0)),
        # when τ* is near the production prior the right cut is near 0.5 itself
        mistakes=distinct_mistakes(t_s, {
            "the write-up's inverse p / (p + (1 − p)/β), which multiplies the odds by β instead of dividing":
                wrong_inverse,
            "τ* applied directly to the undersampled scores": tau,
            "the default 0.5": 0.5}, TOLERANCE["threshold_on_undersampled_scores"]))
    setup = "n_pos = n * prevalence\nn_neg = n - n_pos"
    explorers = {
        "calibration": "calibration_explorer = caselab.widgets.calibration_explorer(\n"
                       "    true_prior, beta=1.0,  # start without undersampling; move β down to undersample\n"
                       "    betas=[0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0])\n"
                       "calibration_explorer",
    }
    facts = {"class_total_weight": n / 2, "per_example_ratio": ratio, "n_over_n_pos": n / n_pos,
             "wrong_inverse_cut": wrong_inverse, "bayes_threshold": tau, "threshold_on_undersampled_scores": t_s}
    return Solution(a, setup_code=setup, explorers=explorers, facts=facts)
