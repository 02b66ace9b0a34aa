"""Focal loss by the numbers: the modulating factor, what α really weights, and when it earns its keep.

Lin et al. (2017): FL = −α_t (1 − p_t)^γ ln p_t, with p_t the probability given to the true class and
α_t = α for positives, 1 − α for negatives. Three things an interviewer probes:

* the factor (1 − p_t)^γ at γ = 2: 1e-4 at p_t = 0.99, 0.01 at 0.9, **0.25 at 0.5** (a 4× cut, not
  "nearly full weight"), 0.81 at 0.1 — so a hard example weighs 2,500× an easy one relative to CE;
* α = 0.25 multiplies the *positives* by 0.25 and the negatives by 0.75: it does not up-weight the rare
  class (γ already removes the flood of easy negatives, and α partly gives some of it back);
* focal loss pays when a sea of easy negatives dominates the cross-entropy — dense one-stage detection
  (~100k anchors per image) — not on tabular gradient boosting, where weights and a tuned threshold do.
  In detection the alternative it replaced was sampling: hard-negative mining at 3 negatives per positive
  (SSD, OHEM), which throws most negatives away; focal loss keeps them all and lets γ fade the easy ones.

Two details make it train: the classifier's bias starts at b = −ln((1 − π)/π) so every anchor begins at
p = π (π = 0.01 in RetinaNet) instead of 0.5 — otherwise the flood of background anchors swamps the first
updates — and the image's loss is divided by the number of *positive* anchors, not by all anchors.
"""

from __future__ import annotations

import numpy as np

from caselab.maths.imbalance import focal_loss, modulating_factor
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import Given, Tolerance

_P = dict(kind="rate", lo_open=True, hi_open=True)
GIVENS = {
    "gamma": Given("focusing parameter γ", lo=0, hi=10),
    "alpha": Given("α: the weight focal loss puts on the positive class (negatives get 1 − α)", kind="rate"),
    "p_easy": Given("p_t of an easy, well-classified example", **_P),
    "p_moderate": Given("p_t of a fairly confident example", **_P),
    "p_hard": Given("p_t of a hard, ambiguous example", **_P),
    "p_wrong": Given("p_t of a confidently misclassified example", **_P),
    "n_easy_negatives": Given("background anchors in one image, each easy (p_t = p_easy)", kind="integer", lo=1),
    "n_hard_positives": Given("object anchors in the same image, each hard (p_t = p_hard)", kind="integer", lo=1),
    "prior_pi": Given("π: the probability every anchor starts at (RetinaNet's prior initialisation)", **_P),
}

ANSWERS = {"factor_easy", "factor_moderate", "factor_hard", "factor_wrong", "ce_easy", "fl_easy",
           "hard_easy_ratio", "alpha_weight_positive", "alpha_upweights_rare", "easy_share_ce", "easy_share_fl",
           "easy_share_fl_alpha", "detector_loss", "tabular_loss", "prior_bias", "normalised_image_loss"}

# The tolerances casebook/focal-loss-numerics.toml grades the questions with named mistakes.
TOLERANCE = {"factor_easy": Tolerance(rel=0.01), "factor_moderate": Tolerance(rel=0.01),
             "factor_hard": Tolerance(rel=0.01), "factor_wrong": Tolerance(rel=0.01),
             "ce_easy": Tolerance(rel=0.001), "fl_easy": Tolerance(rel=0.01), "hard_easy_ratio": Tolerance(rel=0.01),
             "alpha_weight_positive": Tolerance(abs=0.001), "easy_share_ce": Tolerance(abs=0.001),
             "easy_share_fl": Tolerance(abs=0.001), "easy_share_fl_alpha": Tolerance(abs=0.001),
             "prior_bias": Tolerance(abs=0.005), "normalised_image_loss": Tolerance(rel=0.01)}

UPWEIGHT = ["yes: each positive weighs more than each negative",
            "no: each positive weighs less than each negative"]
LOSSES = ["focal loss", "class weights and a tuned threshold"]
DETECTOR = ["focal loss", "hard-negative mining: keep the hardest negatives at 3 per positive (SSD, OHEM)",
            "class weights and a tuned threshold"]


def _loss(y: int, p_t: float, gamma: float, alpha: float | None) -> float:
    """Per-example focal loss of one example whose true class gets probability p_t."""
    p = p_t if y == 1 else 1.0 - p_t
    return float(focal_loss(np.array([y]), np.array([p]), gamma=gamma, alpha=alpha)[0])


def solve(givens: dict) -> Solution:
    g = givens
    gamma, alpha = g["gamma"], g["alpha"]
    a: dict[str, Answer] = {}

    for key, name in (("factor_easy", "p_easy"), ("factor_moderate", "p_moderate"), ("factor_hard", "p_hard"),
                      ("factor_wrong", "p_wrong")):
        pt = g[name]
        f = modulating_factor(pt, gamma)
        a[key] = Answer(
            f, formula="(1 − p_t)^γ", work=f"(1 − {pt:g})^{gamma:g} = {f:.4g} — the loss is cut {1 / f:,.4g}×",
            code=f"{key} = caselab.imbalance.modulating_factor({name}, gamma)",
            mistakes={"(1 − p_t)·γ instead of (1 − p_t)^γ": (1 - pt) * gamma, "1 − p_t without the exponent": 1 - pt,
                      # at p_t = 0.5, p_t and 1 − p_t coincide: the slip cannot be seen, so it is not named
                      **({"p_t^γ instead of (1 − p_t)^γ": pt**gamma} if pt != 0.5 else {})})
    # a half-weight example is where the blog post says "nearly full weight": record it in the work line
    a["factor_hard"].work += " (not 'nearly full weight')"

    ce = _loss(1, g["p_easy"], 0.0, None)
    fl = _loss(1, g["p_easy"], gamma, None)
    a["ce_easy"] = Answer(
        ce, formula="CE = −ln p_t", work=f"−ln {g['p_easy']:g} = {ce:.5f}",
        code="ce_easy = -np.log(p_easy)",
        mistakes={"log base 10 instead of the natural log": -np.log10(g["p_easy"]), "1 − p_t": 1 - g["p_easy"]})
    a["fl_easy"] = Answer(
        fl, formula="FL = −(1 − p_t)^γ ln p_t  (no α)", work=f"{a['factor_easy'].value:.4g} × {ce:.5f} = {fl:.4g}",
        code="fl_easy = factor_easy * ce_easy",
        depends_on=("factor_easy", "ce_easy"), recompute=lambda v: v["factor_easy"] * v["ce_easy"],
        mistakes={"the cross-entropy (factor left out)": ce})

    ratio = a["factor_hard"].value / a["factor_easy"].value
    loss_ratio = _loss(1, g["p_hard"], gamma, None) / fl
    a["hard_easy_ratio"] = Answer(
        ratio, formula="(1 − p_hard)^γ / (1 − p_easy)^γ: the hard example's weight relative to the easy one's, "
                       "compared with CE",
        work=f"{a['factor_hard'].value:.4g} / {a['factor_easy'].value:.4g} = {ratio:,.0f}",
        code="hard_easy_ratio = factor_hard / factor_easy",
        depends_on=("factor_hard", "factor_easy"),
        recompute=lambda v: v["factor_hard"] / v["factor_easy"],
        mistakes={"the ratio of the focal losses (that also counts CE's own ratio)": loss_ratio,
                  "(1 − p_t) ratio without the exponent": (1 - g["p_hard"]) / (1 - g["p_easy"])})

    a["alpha_weight_positive"] = Answer(
        alpha, formula="α_t = α·y + (1 − α)·(1 − y): a positive gets α", work=f"α_t(positive) = {alpha:g}, "
                                                                               f"α_t(negative) = {1 - alpha:g}",
        code="alpha_weight_positive = alpha",
        mistakes={"1 − α (α read as the weight of the negatives — or of the rare class by default)": 1 - alpha})
    if alpha == 0.5:
        raise ValueError("alpha = 0.5 weighs both classes alike: the question whether α up-weights the rare class "
                         "needs α ≠ 0.5.")
    upweights = alpha > 0.5
    a["alpha_upweights_rare"] = Answer(
        UPWEIGHT[0] if upweights else UPWEIGHT[1],
        formula="positives weigh α, negatives 1 − α: α > 0.5 up-weights the positives",
        work=f"α = {alpha:g}: positives × {alpha:g}, negatives × {1 - alpha:g}",
        code=f"alpha_upweights_rare = {UPWEIGHT[0] if upweights else UPWEIGHT[1]!r}",
        mistakes={"α is the positives' weight: above 0.5 it does up-weight them (the paper's 0.25 is what "
                  "down-weights them)": UPWEIGHT[1]} if upweights else
                 {"a common misreading of α: in the focal loss the positives are multiplied by α, so α < 0.5 "
                  "down-weights them relative to the negatives": UPWEIGHT[0]})

    n_e, n_h = g["n_easy_negatives"], g["n_hard_positives"]

    def share(gm: float, al: float | None) -> tuple[float, float, float]:
        easy = n_e * _loss(0, g["p_easy"], gm, al)
        hard = n_h * _loss(1, g["p_hard"], gm, al)
        return easy / (easy + hard), easy, hard

    s_ce, e_ce, h_ce = share(0.0, None)
    s_fl, e_fl, h_fl = share(gamma, None)
    s_fa, e_fa, h_fa = share(gamma, alpha)
    count_share = n_e / (n_e + n_h)
    a["easy_share_ce"] = Answer(
        s_ce, formula="N_easy·CE(p_easy) / (N_easy·CE(p_easy) + N_hard·CE(p_hard))",
        work=f"{n_e:,}·{e_ce / n_e:.5f} = {e_ce:,.1f} vs {n_h:,}·{h_ce / n_h:.4f} = {h_ce:,.2f} → {s_ce:.4f}",
        code="ce = lambda p_t: -np.log(p_t)\n"
             "easy_share_ce = n_easy_negatives * ce(p_easy) / (n_easy_negatives * ce(p_easy) + n_hard_positives * ce(p_hard))",
        mistakes={"the share of anchors, not of the loss": count_share})
    a["easy_share_fl"] = Answer(
        s_fl, formula="the same with FL = −(1 − p_t)^γ ln p_t (no α)",
        work=f"{e_fl:.4g} vs {h_fl:.4g} → {s_fl:.4f}",
        code="fl = lambda p_t: (1 - p_t) ** gamma * ce(p_t)\n"
             "easy_share_fl = n_easy_negatives * fl(p_easy) / (n_easy_negatives * fl(p_easy) + n_hard_positives * fl(p_hard))",
        mistakes={"cross-entropy (γ = 0)": s_ce, "the share of anchors, not of the loss": count_share})
    a["easy_share_fl_alpha"] = Answer(
        s_fa, formula="the same with α_t: negatives × (1 − α), positives × α",
        work=f"{1 - alpha:g}·{e_fl:.4g} = {e_fa:.4g} vs {alpha:g}·{h_fl:.4g} = {h_fa:.4g} → {s_fa:.4f} "
             f"(α {'raises' if s_fa > s_fl else 'lowers'} the easy negatives' share)",
        code="easy = n_easy_negatives * (1 - alpha) * fl(p_easy)\nhard = n_hard_positives * alpha * fl(p_hard)\n"
             "easy_share_fl_alpha = easy / (easy + hard)",
        mistakes={"α applied to the negatives and 1 − α to the positives": (
            n_e * alpha * _loss(0, g["p_easy"], gamma, None)) / (
            n_e * alpha * _loss(0, g["p_easy"], gamma, None) + n_h * (1 - alpha) * _loss(1, g["p_hard"], gamma, None)),
                  "no α": s_fl})

    focal_pays = s_ce > 0.5 and s_fl < s_ce
    detector = DETECTOR[0] if focal_pays else DETECTOR[2]
    a["detector_loss"] = Answer(
        detector, formula="focal loss pays when easy examples dominate the cross-entropy and γ removes them; the "
                          "detectors before it sampled instead (hard-negative mining at 3:1)",
        work=f"easy negatives carry {s_ce:.1%} of the CE loss but {s_fl:.1%} of the focal loss — without discarding "
             f"any anchor, where 3:1 hard-negative mining trains on {4 * n_h:,} of the {n_e + n_h:,} anchors",
        code=f"detector_loss = {detector!r}  # easy share of CE {s_ce:.3f} → FL {s_fl:.3f}",
        mistakes={DETECTOR[1].split(":")[0] + " was the standard before RetinaNet: it discards all but the hardest "
                  "negatives (and in Lin et al.'s comparison with online hard-example mining, focal loss did "
                  "better); focal loss keeps every anchor and lets γ fade the easy ones": DETECTOR[1],
                  "class weights re-weight all anchors of a class alike; they do not remove the easy negatives' "
                  "mass": DETECTOR[2]} if focal_pays else {})

    pi = g["prior_pi"]
    bias = -float(np.log((1 - pi) / pi))
    a["prior_bias"] = Answer(
        bias, formula="b = −ln((1 − π)/π), so that σ(b) = π for every anchor at the start",
        work=f"−ln((1 − {pi:g})/{pi:g}) = {bias:.4f}; σ({bias:.4f}) = {1 / (1 + np.exp(-bias)):.4f}",
        code="prior_bias = -np.log((1 - prior_pi) / prior_pi)",
        mistakes={"the sign flipped: ln((1 − π)/π) starts every anchor at 1 − π": -bias,
                  "−ln(1/π), the log of the odds' denominator only": float(np.log(pi)),
                  "b = π (a probability, not a logit)": pi})
    easy_fa, hard_fa = e_fa, h_fa  # total α-weighted focal loss of the easy negatives and of the hard positives
    normalised = (easy_fa + hard_fa) / n_h
    a["normalised_image_loss"] = Answer(
        normalised, formula="(Σ over all anchors of α_t·FL) / number of positive anchors",
        work=f"({easy_fa:.4g} + {hard_fa:.4g}) / {n_h:,} = {normalised:.4g}",
        code="normalised_image_loss = (easy + hard) / n_hard_positives",
        mistakes={"divided by all anchors (the easy ones would dilute every image's loss)":
                  (easy_fa + hard_fa) / (n_e + n_h),
                  "not normalised (the total)": easy_fa + hard_fa})
    a["tabular_loss"] = Answer(
        LOSSES[1], formula="tabular GBM: the trees' greedy splits already focus on informative regions; "
                           "focal loss needs a custom objective and re-tuning for little gain",
        work="scale_pos_weight (or no weight) + a cost-based threshold on calibrated scores",
        code=f"tabular_loss = {LOSSES[1]!r}",
        mistakes={"focal loss is a dense-detection fix; on tabular GBMs it rarely beats weights and a tuned "
                  "threshold": LOSSES[0]})
    facts = {"factor_hard_cut": 1 / a["factor_hard"].value, "alpha_negative": 1 - alpha,
             "alpha_verdict": ("α up-weights the positives" if upweights else "α down-weights the positives")}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), setup_code="import numpy as np", facts=facts)
