"""Prevalence (label) shift at deployment: what moves, what stays, and how to re-aim the threshold.

Beyond the seeds; seed 002's "when imbalance is a problem" (the metric depends on the prior). At a
fixed threshold a classifier has a true-positive rate (TPR) and a false-positive rate (FPR); under pure
label shift — P(x | y) unchanged, only the prior π moves — both stay put, because each is computed
within one class. Everything that mixes the classes moves with π:

    precision = TPR·π / (TPR·π + FPR·(1 − π))
    flags per N = N·(TPR·π + FPR·(1 − π))
    expected cost per N = C_FP·FPR·N·(1 − π) + C_FN·(1 − TPR)·N·π

Calibrated probabilities move too: the posterior odds are multiplied by the ratio of prior odds
r = [π'/(1 − π')] / [π/(1 − π)] (:func:`caselab.calibration.prior_shift`). To act at the cost-optimal
τ* = C_FP/(C_FP + C_FN) on *production* probabilities while still serving the old scores, flag when
the old score ≥ the τ* mapped back, i.e. ``prior_shift(τ*, π', π)``.

Estimating π' without labels: the mean of the old calibrated scores over production traffic is biased
toward the training prior (each score put π into Bayes' rule), which is why Saerens et al.'s EM
iterates: shift the scores to the current estimate, average, repeat (:func:`caselab.calibration.em_prior`).
The scenario shows both on an unlabelled production sample drawn from the equal-variance binormal model
with this operating point (d' = Φ⁻¹(1 − FPR) + Φ⁻¹(TPR)), scored by a model calibrated at π.
"""

from __future__ import annotations

from scipy.stats import norm

from caselab.maths.calibration import em_prior, prior_shift, prior_shift_factor
from caselab.maths.curves import bayes_threshold
from caselab.maths.metrics import Confusion
from caselab.scenarios.data import binormal_scores
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    "tpr": Given("true-positive rate (recall) at the operating threshold", kind="rate", lo_open=True),
    "fpr": Given("false-positive rate at the operating threshold", kind="rate"),
    "train_prior": Given("share of positives in the training / validation data", kind="rate", lo_open=True,
                         hi_open=True),
    "prod_prior": Given("share of positives in production", kind="rate", lo_open=True, hi_open=True),
    "volume": Given("items scored (per period) for the counts", kind="integer", lo=1),
    "score": Given("a calibrated score (calibrated on the training prior)", kind="rate"),
    "cost_fp": Given("cost of a false positive", lo=0, lo_open=True),
    "cost_fn": Given("cost of a false negative", lo=0, lo_open=True),
    "seed": Given("seed of the unlabelled production sample (volume posts)", kind="integer", lo=0),
}

ANSWERS = {"precision_train", "precision_prod", "flags_train", "flags_prod", "odds_factor", "shifted_score",
           "bayes_threshold", "old_score_threshold", "cost_prod", "cost_flag_nothing", "run_or_not",
           "what_transfers", "mean_score_prod", "em_prior_prod"}

# the tolerance each number question is graded with (the spec's, else the unit's default)
TOLERANCE = {"precision_train": Tolerance(abs=0.001), "precision_prod": Tolerance(abs=0.001),
             "flags_train": Tolerance(abs=1), "flags_prod": Tolerance(abs=1),
             "odds_factor": DEFAULT_TOLERANCE["ratio"], "shifted_score": DEFAULT_TOLERANCE["probability"],
             "bayes_threshold": DEFAULT_TOLERANCE["probability"],
             "old_score_threshold": DEFAULT_TOLERANCE["probability"], "cost_prod": Tolerance(abs=1),
             "cost_flag_nothing": Tolerance(abs=1), "mean_score_prod": Tolerance(abs=0.0005),
             "em_prior_prod": Tolerance(abs=0.0005)}

TRANSFERS = ["precision and recall", "recall (TPR) and FPR", "precision and FPR", "F1 and accuracy"]


def expected_confusion(n: float, prior: float, tpr: float, fpr: float) -> Confusion:
    """Expected confusion counts of ``n`` items at a prior, from the class-conditional rates."""
    pos, neg = n * prior, n * (1 - prior)
    return Confusion(tp=tpr * pos, fp=fpr * neg, fn=(1 - tpr) * pos, tn=(1 - fpr) * neg)


def solve(givens: dict) -> Solution:
    g = givens
    tpr, fpr, pi, pi2, n = g["tpr"], g["fpr"], g["train_prior"], g["prod_prior"], g["volume"]
    c_fp, c_fn = g["cost_fp"], g["cost_fn"]
    tr, pr = expected_confusion(n, pi, tpr, fpr), expected_confusion(n, pi2, tpr, fpr)
    if tr.flagged == 0 or pr.flagged == 0:
        raise ValueError("the operating point flags nothing (TPR and FPR both 0): precision is undefined.")
    r = prior_shift_factor(pi, pi2)
    a: dict[str, Answer] = {}

    a["precision_train"] = Answer(
        tr.precision, formula="precision = TPR·π / (TPR·π + FPR·(1 − π))",
        work=f"{tpr:g}·{pi:g} / ({tpr:g}·{pi:g} + {fpr:g}·{1 - pi:g}) = {tr.precision:.4f}",
        code="cm_train = expected_confusion(volume, train_prior)\nprecision_train = cm_train.precision",
        mistakes={"1 − FPR (specificity) read as precision": 1 - fpr,
                  "TPR / (TPR + FPR): the prior ignored": tpr / (tpr + fpr)})
    a["precision_prod"] = Answer(
        pr.precision, formula="the same formula at the production prior π'",
        work=f"{tpr:g}·{pi2:g} / ({tpr:g}·{pi2:g} + {fpr:g}·{1 - pi2:g}) = {pr.precision:.4f}",
        code="cm_prod = expected_confusion(volume, prod_prior)\nprecision_prod = cm_prod.precision",
        mistakes={"the training precision: precision does not transfer across priors": tr.precision,
                  "TPR / (TPR + FPR): the prior ignored": tpr / (tpr + fpr)})
    a["flags_train"] = Answer(
        tr.flagged, formula="flags = N·(TPR·π + FPR·(1 − π))",
        work=f"{n:,}·({tpr:g}·{pi:g} + {fpr:g}·{1 - pi:g}) = {tr.tp:,.0f} + {tr.fp:,.0f} = {tr.flagged:,.0f}",
        code="flags_train = cm_train.flagged",
        mistakes={"only the true positives counted": tr.tp, "FPR applied to all N, not only the negatives":
                  tr.tp + fpr * n})
    a["flags_prod"] = Answer(
        pr.flagged, formula="flags = N·(TPR·π' + FPR·(1 − π'))",
        work=f"{n:,}·({tpr:g}·{pi2:g} + {fpr:g}·{1 - pi2:g}) = {pr.tp:,.0f} + {pr.fp:,.0f} = {pr.flagged:,.0f}",
        code="flags_prod = cm_prod.flagged",
        mistakes={"only the true positives counted": pr.tp, "the training volume of flags": tr.flagged})
    a["odds_factor"] = Answer(
        r, formula="r = [π'/(1 − π')] / [π/(1 − π)]  (the ratio of prior odds)",
        work=f"({pi2:g}/{1 - pi2:g}) / ({pi:g}/{1 - pi:g}) = {pi2 / (1 - pi2):.6f} / {pi / (1 - pi):.6f} = {r:.4f}",
        code="odds_factor = caselab.calibration.prior_shift_factor(train_prior, prod_prior)",
        mistakes={"the ratio of priors π'/π instead of the ratio of odds": pi2 / pi,
                  "the inverse ratio (old odds / new odds)": 1 / r})
    s = g["score"]
    s2 = float(prior_shift(s, pi, pi2))
    a["shifted_score"] = Answer(
        s2, formula="posterior odds × r: p' = r·p / (r·p + 1 − p)",
        work=f"odds {s:g}/{1 - s:g} = {s / (1 - s):.4f}; × {r:.4f} = {s / (1 - s) * r:.4f}; p' = {s2:.4f}",
        code="shifted_score = caselab.calibration.prior_shift(score, train_prior, prod_prior)",
        depends_on=("odds_factor",), recompute=lambda v: v["odds_factor"] * s / (v["odds_factor"] * s + 1 - s),
        mistakes={"the probability multiplied by π'/π instead of the odds by r": s * pi2 / pi,
                  "unchanged: a calibrated score is calibrated only for the prior it was fitted on": s})
    tau = bayes_threshold(cost_fp=c_fp, cost_fn=c_fn)
    a["bayes_threshold"] = Answer(
        tau, formula="τ* = C_FP / (C_FP + C_FN), applied to probabilities calibrated for production",
        work=f"{c_fp:g} / ({c_fp:g} + {c_fn:g}) = {tau:.4f}",
        code="bayes_threshold = caselab.curves.bayes_threshold(cost_fp=cost_fp, cost_fn=cost_fn)",
        mistakes={"the inverted formula C_FN / (C_FP + C_FN)": c_fn / (c_fp + c_fn)})
    t_old = float(prior_shift(tau, pi2, pi))
    a["old_score_threshold"] = Answer(
        t_old, formula="flag when the production probability ≥ τ*  ⇔  old score ≥ τ* shifted back by 1/r",
        work=f"odds(τ*) = {tau / (1 - tau):.4f}; ÷ {r:.4f} = {tau / (1 - tau) / r:.4f}; threshold = {t_old:.4f}",
        code="old_score_threshold = caselab.calibration.prior_shift(bayes_threshold, prod_prior, train_prior)",
        depends_on=("bayes_threshold", "odds_factor"),
        recompute=lambda v: (v["bayes_threshold"] / v["odds_factor"])
        / (v["bayes_threshold"] / v["odds_factor"] + 1 - v["bayes_threshold"]),
        mistakes={"τ* applied to the old scores unchanged": tau,
                  "shifted the wrong way (odds × r instead of ÷ r)": float(prior_shift(tau, pi, pi2))})
    cost = pr.expected_cost(cost_fp=c_fp, cost_fn=c_fn)
    a["cost_prod"] = Answer(
        cost, formula="C_FP·FPR·N(1 − π') + C_FN·(1 − TPR)·N·π'",
        work=f"{c_fp:g}·{pr.fp:,.0f} + {c_fn:g}·{pr.fn:,.0f} = {cost:,.0f}",
        code="cost_prod = cm_prod.expected_cost(cost_fp=cost_fp, cost_fn=cost_fn)",
        mistakes={"the cost at the training prior": tr.expected_cost(cost_fp=c_fp, cost_fn=c_fn),
                  "costs swapped": c_fn * pr.fp + c_fp * pr.fn})
    nothing = c_fn * n * pi2
    a["cost_flag_nothing"] = Answer(
        nothing, formula="flag nothing: every positive is a false negative, C_FN·N·π'",
        work=f"{c_fn:g}·{n * pi2:,.0f} = {nothing:,.0f}",
        code="cost_flag_nothing = cost_fn * volume * prod_prior",
        mistakes={"at the training prior": c_fn * n * pi})
    run = "run it" if cost < nothing else "flag nothing"
    a["run_or_not"] = Answer(
        run, formula="run the operating point only if its expected cost is below flagging nothing",
        work=f"{cost:,.0f} vs {nothing:,.0f} → {run} (margin {nothing - cost:,.0f} per {n:,})",
        code="run_or_not = 'run it' if cost_prod < cost_flag_nothing else 'flag nothing'",
        depends_on=("cost_prod", "cost_flag_nothing"),
        recompute=lambda v: "run it" if v["cost_prod"] < v["cost_flag_nothing"] else "flag nothing")
    a["what_transfers"] = Answer(
        "recall (TPR) and FPR", formula="TPR and FPR are computed within one class each: a change of prior "
                                        "does not move them; every metric that mixes the classes moves",
        work=f"precision {tr.precision:.3f} → {pr.precision:.3f} while TPR stays {tpr:g} and FPR {fpr:g}",
        code='what_transfers = "recall (TPR) and FPR"',
        mistakes={"precision mixes the classes: it falls with the prior": "precision and recall",
                  "F1 contains precision, accuracy is dominated by the prior": "F1 and accuracy"})

    separation = float(norm.ppf(1 - fpr) + norm.ppf(tpr))
    _, s_prod = binormal_scores(n, pi2, separation, g["seed"], calibrated_prior=pi)
    naive = float(s_prod.mean())
    em = em_prior(s_prod, pi)
    a["mean_score_prod"] = Answer(
        naive, formula="mean of the (training-calibrated) scores over the unlabelled production sample",
        work=f"{naive:.5f}: between π' = {pi2:g} and π = {pi:g} — each score used π in Bayes' rule, so the "
             "average leans toward it",
        code="mean_score_prod = s_prod.mean()",
        mistakes={"the production prior itself (the mean is biased toward the training prior)": pi2,
                  "the training prior": pi} if abs(naive - pi2) > 0.001 else {"the training prior": pi})
    a["em_prior_prod"] = Answer(
        em.prior, formula="EM (Saerens et al. 2002): π_{k+1} = mean of prior_shift(s, π, π_k), from π_0 = the mean",
        work=f"{naive:.5f} → " + " → ".join(f"{x:.5f}" for x in em.history[1:4]) + f" → … → {em.prior:.5f} after "
             f"{em.n_iter} steps (true production rate {pi2:g})",
        code="estimate = s_prod.mean()\n"
             "for _ in range(1000):\n"
             "    new = caselab.calibration.prior_shift(s_prod, train_prior, estimate).mean()\n"
             "    if abs(new - estimate) < 1e-10:\n"
             "        break\n"
             "    estimate = new\n"
             "em_prior_prod = new  # or caselab.calibration.em_prior(s_prod, train_prior).prior",
        mistakes={"the naive mean of the scores (one step short of EM's first)": naive,
                  "a single EM step": float(em.history[1])} if em.n_iter > 1 else {})

    setup = ("def expected_confusion(n, prior):\n"
             "    # expected counts from the class-conditional rates, which do not move with the prior\n"
             "    pos, neg = n * prior, n * (1 - prior)\n"
             "    return caselab.metrics.Confusion(tp=tpr * pos, fp=fpr * neg, fn=(1 - tpr) * pos, tn=(1 - fpr) * neg)")
    explorers = {
        # equal-variance binormal scores with the given operating point: d' = Φ⁻¹(TPR) − Φ⁻¹(FPR); the
        # explorer's fixed threshold sits at recall 0.80, where FPR = 1 − Φ(d' − Φ⁻¹(0.80))
        "prevalence": "from scipy.stats import norm\n"
                      "prevalence_explorer = caselab.widgets.prevalence_explorer(\n"
                      "    separation=float(norm.ppf(tpr) - norm.ppf(fpr)), prevalence=prod_prior)\n"
                      "prevalence_explorer",
    }
    data_code = ("from scipy.stats import norm\n"
                 "from caselab.scenarios.data import binormal_scores\n\n"
                 "# an unlabelled production sample, scored by the model calibrated at the training prior\n"
                 "separation = norm.ppf(1 - fpr) + norm.ppf(tpr)   # the binormal d' of this operating point\n"
                 "_, s_prod = binormal_scores(volume, prod_prior, separation, seed, calibrated_prior=train_prior)\n"
                 "print(f'{len(s_prod):,} production scores (no labels)')")
    margin = nothing - cost
    facts = {"em_steps": em.n_iter, "em_first_step": float(em.history[1]),
             "tau_in_production": float(prior_shift(tau, pi, pi2)), "cost_margin": margin,
             "sample_positives": n * pi2,
             # what the comparison says, by its sign (the drawn numbers decide it)
             "run_reading": (f"Running it saves {margin:,.0f} per {n:,} posts over flagging nothing "
                             f"({nothing:,.0f})." if run == "run it" else
                             f"Running it costs {-margin:,.0f} more per {n:,} posts than flagging nothing "
                             f"({nothing:,.0f}): at this prior its false positives cost more than the scams it "
                             "catches save.")}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code=data_code, setup_code=setup,
                    explorers=explorers, facts=facts)
