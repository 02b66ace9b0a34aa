"""Ranking losses for retrieval: pairwise logistic loss, in-batch softmax, and the logQ correction.

A recommender's "imbalance" is one clicked item against a catalogue of millions, and it is handled by
the loss and the sampling, not by rebalancing:

* pairwise logistic loss −ln σ(s⁺ − s⁻) looks only at score differences;
* an in-batch softmax reuses the batch's other positives as negatives (B − 1 per query) — but they are
  drawn in proportion to popularity q_j, so popular items are pushed down far more often than a full
  softmax would;
* Yi et al. (2019) correct each logit by − ln q_j. Per appearance a popular negative then takes a
  *smaller* share of the softmax; times its more frequent appearances, the expected push-down on item j
  becomes proportional to e^{s_j} — popularity drops out. It is a correction of the in-batch softmax,
  not a pairwise loss, and it does not draw negatives by popularity (the seed article has both wrong).
"""

from __future__ import annotations

import math

import numpy as np

from caselab.maths.ranking import (
    in_batch_negatives,
    logq_correction,
    pairwise_logistic_loss,
    softmax,
    softmax_loss,
)
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

_ITEM = {
    "score": Given("the model's logit for this item and query"),
    "q": Given("its sampling probability: share of the training stream (popularity)", kind="rate", lo_open=True),
}

GIVENS = {
    "pair_ordered": Given("a (positive, negative) score pair in the right order", kind="table",
                          fields={"s_pos": Given("positive's score"), "s_neg": Given("negative's score")}),
    "pair_misordered": Given("a (positive, negative) score pair in the wrong order", kind="table",
                             fields={"s_pos": Given("positive's score"), "s_neg": Given("negative's score")}),
    "batch_size": Given("(query, clicked item) pairs per training batch", kind="integer", lo=2),
    "positive": Given("the clicked item", kind="table", fields=_ITEM),
    "popular": Given("a popular in-batch negative", kind="table", fields=_ITEM),
    "rare": Given("a rare in-batch negative", kind="table", fields=_ITEM),
}

ANSWERS = {"pairwise_ordered", "pairwise_misordered", "negatives_per_query", "softmax_popular", "loss_uncorrected",
           "corrected_logit_positive", "softmax_popular_corrected", "softmax_rare_corrected", "loss_corrected",
           "pushdown_ratio_uncorrected", "pushdown_ratio_corrected", "yi_method", "correction_direction",
           "serving_scores"}

YI = ["a pairwise loss with negatives drawn by popularity",
      "an in-batch softmax with a logQ correction from streamed item frequencies",
      "rebalancing the click data by oversampling rare items"]
DIRECTION = ["it up-weights popular negatives so they are pushed down harder",
             "it lowers each popular negative's share per appearance, cancelling its extra appearances"]
SERVING = ["the corrected logits s − ln q", "the raw scores s"]

SETUP_CODE = """\
import numpy as np
from caselab.maths.ranking import pairwise_logistic_loss, softmax, softmax_loss, logq_correction, in_batch_negatives

s = np.array([positive["score"], popular["score"], rare["score"]])   # positive first
q = np.array([positive["q"], popular["q"], rare["q"]])
p_raw = softmax(s)
s_corr = logq_correction(s, q)
p_corr = softmax(s_corr)"""

# the specs' tolerances, for keep_distinct_mistakes (tests/test_solvers.py checks they match)
TOLERANCE = {"pairwise_ordered": Tolerance(abs=0.001), "pairwise_misordered": Tolerance(abs=0.001),
             "negatives_per_query": DEFAULT_TOLERANCE["count"], "softmax_popular": Tolerance(abs=0.001),
             "loss_uncorrected": Tolerance(abs=0.001), "corrected_logit_positive": Tolerance(abs=0.001),
             "softmax_popular_corrected": Tolerance(abs=0.0005), "softmax_rare_corrected": Tolerance(abs=0.001),
             "loss_corrected": Tolerance(abs=0.001), "pushdown_ratio_uncorrected": DEFAULT_TOLERANCE["ratio"],
             "pushdown_ratio_corrected": DEFAULT_TOLERANCE["ratio"]}


def solve(givens: dict) -> Solution:
    g = givens
    a: dict[str, Answer] = {}
    for key, name in (("pairwise_ordered", "pair_ordered"), ("pairwise_misordered", "pair_misordered")):
        sp, sn = g[name]["s_pos"], g[name]["s_neg"]
        v = pairwise_logistic_loss(sp, sn)
        a[key] = Answer(
            v, formula="ℓ = −ln σ(s⁺ − s⁻) = ln(1 + e^{−(s⁺ − s⁻)})",
            work=f"ln(1 + e^{{−({sp:g} − {sn:g})}}) = {v:.4f}",
            code=f'{key} = pairwise_logistic_loss({name}["s_pos"], {name}["s_neg"])',
            mistakes={"positive and negative swapped": pairwise_logistic_loss(sn, sp),
                      "σ(s⁺ − s⁻) instead of −ln σ(s⁺ − s⁻)": 1 / (1 + math.exp(-(sp - sn))),
                      "log base 10": math.log10(1 + math.exp(-(sp - sn)))})
    b = g["batch_size"]
    a["negatives_per_query"] = Answer(
        float(in_batch_negatives(b)), formula="B − 1: every other clicked item in the batch",
        work=f"{b:,} − 1 = {b - 1:,}", code="negatives_per_query = in_batch_negatives(batch_size)",
        mistakes={"B (the query's own positive counted as a negative)": float(b)})

    s = np.array([g["positive"]["score"], g["popular"]["score"], g["rare"]["score"]], dtype=float)
    q = np.array([g["positive"]["q"], g["popular"]["q"], g["rare"]["q"]], dtype=float)
    p_raw = softmax(s)
    loss_raw = softmax_loss(s, 0)
    a["softmax_popular"] = Answer(
        float(p_raw[1]), formula="softmax: e^{s_j} / Σ_k e^{s_k} over the positive and the two negatives",
        work="softmax(" + ", ".join(f"{x:g}" for x in s) + ") = " + " / ".join(f"{x:.3f}" for x in p_raw),
        code="softmax_popular = p_raw[1]",
        mistakes={"the positive's probability": float(p_raw[0])})
    a["loss_uncorrected"] = Answer(
        loss_raw, formula="ℓ = −ln softmax(s)_positive = LSE(s) − s⁺",
        work=f"−ln {p_raw[0]:.4f} = {loss_raw:.4f}", code="loss_uncorrected = softmax_loss(s, 0)",
        mistakes={"log base 10": -math.log10(p_raw[0])})

    s_c = logq_correction(s, q)
    p_c = softmax(s_c)
    loss_c = softmax_loss(s_c, 0)
    a["corrected_logit_positive"] = Answer(
        float(s_c[0]), formula="s^c = s − ln q",
        work=f"{s[0]:g} − ln {q[0]:g} = {s[0]:g} + {-math.log(q[0]):.3f} = {s_c[0]:.3f}",
        code="corrected_logit_positive = s_corr[0]",
        mistakes={"s + ln q (the sign flipped)": float(s[0] + math.log(q[0])),
                  "log base 10": float(s[0] - math.log10(q[0]))})
    a["softmax_popular_corrected"] = Answer(
        float(p_c[1]), formula="softmax of the corrected logits",
        work="softmax(" + ", ".join(f"{x:.3f}" for x in s_c) + ") = " + " / ".join(f"{x:.3f}" for x in p_c),
        code="softmax_popular_corrected = p_corr[1]",
        mistakes={"the uncorrected share": float(p_raw[1]),
                  "logits corrected with + ln q": float(softmax(s + np.log(q))[1])})
    a["softmax_rare_corrected"] = Answer(
        float(p_c[2]), formula="softmax of the corrected logits", work=f"{p_c[2]:.4f} (uncorrected {p_raw[2]:.4f})",
        code="softmax_rare_corrected = p_corr[2]",
        mistakes={"the uncorrected share": float(p_raw[2])})
    a["loss_corrected"] = Answer(
        loss_c, formula="ℓ = LSE(s − ln q) − (s⁺ − ln q⁺)", work=f"−ln {p_c[0]:.4f} = {loss_c:.4f}",
        code="loss_corrected = softmax_loss(s_corr, 0)",
        mistakes={"the uncorrected loss": loss_raw,
                  "only the negatives corrected": softmax_loss(np.r_[s[0], s_c[1:]], 0)})

    # Expected push-down on a negative: how often it is sampled (∝ q) × its gradient per appearance (softmax share)
    r_raw = float(q[1] * p_raw[1] / (q[2] * p_raw[2]))
    r_c = float(q[1] * p_c[1] / (q[2] * p_c[2]))
    a["pushdown_ratio_uncorrected"] = Answer(
        r_raw, formula="(q_pop · softmax_pop) / (q_rare · softmax_rare): appearances × gradient per appearance",
        work=f"({q[1]:g}·{p_raw[1]:.4f}) / ({q[2]:g}·{p_raw[2]:.4f}) = {r_raw:,.0f}",
        code="pushdown_ratio_uncorrected = (q[1] * p_raw[1]) / (q[2] * p_raw[2])",
        depends_on=("softmax_popular",),
        recompute=lambda v: q[1] * v["softmax_popular"] / (q[2] * p_raw[2]),
        mistakes={"gradient per appearance only (sampling frequency ignored)": float(p_raw[1] / p_raw[2])})
    a["pushdown_ratio_corrected"] = Answer(
        r_c, formula="the same with the corrected softmax: q_j · e^{s_j}/q_j ∝ e^{s_j}, so the ratio is "
                     "e^{s_pop − s_rare}",
        work=f"({q[1]:g}·{p_c[1]:.5f}) / ({q[2]:g}·{p_c[2]:.4f}) = {r_c:.3f} = e^{{{s[1]:g} − {s[2]:g}}} "
             f"= {math.exp(s[1] - s[2]):.3f}",
        code="pushdown_ratio_corrected = (q[1] * p_corr[1]) / (q[2] * p_corr[2])",
        depends_on=("softmax_popular_corrected", "softmax_rare_corrected"),
        recompute=lambda v: q[1] * v["softmax_popular_corrected"] / (q[2] * v["softmax_rare_corrected"]),
        mistakes={"the uncorrected ratio": r_raw,
                  "gradient per appearance only (sampling frequency ignored)": float(p_c[1] / p_c[2])})

    a["yi_method"] = Answer(
        YI[1], formula="Yi et al. (2019), RecSys: sampling-bias-corrected two-tower retrieval",
        work="batch softmax over in-batch items, logits corrected by − ln q̂_j with q̂ estimated from streaming "
             "item frequencies",
        code=f"yi_method = {YI[1]!r}",
        mistakes={"a common description of the paper, but Yi et al. use an in-batch softmax and correct for popularity "
                  "sampling rather than sampling by popularity": YI[0]})
    a["correction_direction"] = Answer(
        DIRECTION[1], formula="corrected share ∝ e^{s_j}/q_j: small for large q_j",
        work=f"popular negative's share {p_raw[1]:.3f} → {p_c[1]:.4f}; rare negative's {p_raw[2]:.3f} → {p_c[2]:.3f}",
        code=f"correction_direction = {DIRECTION[1]!r}",
        mistakes={"the correction removes a popularity penalty; it does not add one": DIRECTION[0]})
    a["serving_scores"] = Answer(
        SERVING[1], formula="the correction fixes a training-time sampling bias; at serving time there is no "
                            "sampling",
        work="rank candidates by s = ⟨u, v⟩",
        code=f"serving_scores = {SERVING[1]!r}",
        mistakes={"ln q at serving would add a popularity boost the model never learned to need": SERVING[0]})
    return Solution(keep_distinct_mistakes(a, TOLERANCE), setup_code=SETUP_CODE)
