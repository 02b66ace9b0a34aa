"""Degenerate feedback loops: a model that only learns the labels of what it flags.

Beyond the seeds, building on seed 000 part 5. Moderators label only the items the model flags, so
the review log is a sample selected *by the model*:

* precision is measured exactly (every flag gets a label), but every labelled positive is a flagged one:
  recall computed from the log is 1 by construction, and the log's positive share is the precision, not
  the prevalence. A model retrained on the log never sees the harm it misses — the loop closes.
* **Exploration**: send each unflagged item to review with probability ε (a random holdout of the
  decision). With X positives found among them, F̂N = X/ε is unbiased for the misses, and
  recall ≈ TP / (TP + F̂N). With X ~ Binomial(FN, ε): Var(F̂N) = FN(1 − ε)/ε, and by the delta method
  SE(recall) ≈ TP·√(FN(1 − ε)/ε) / (TP + FN)² (:func:`caselab.monitoring.exploration_recall`).
* Solving that for ε gives the exploration rate a target precision of the recall estimate costs:
  ε = 1 / (1 + s²(TP + FN)⁴ / (TP²·FN)), in extra reviews ε × unflagged items
  (:func:`caselab.monitoring.exploration_rate_for_recall_se`).
"""

from __future__ import annotations

import math

import numpy as np

from caselab.maths.monitoring import exploration_rate_for_recall_se, exploration_recall
from caselab.scenarios.data import review_log
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    "n_items": Given("items scored in the day", kind="integer", lo=100),
    "prevalence": Given("share of harmful items", kind="rate", lo_open=True, hi_open=True),
    "separation": Given("d' of the binormal scores", lo=0),
    "threshold": Given("flag (send to review) when score ≥ threshold", kind="rate", lo_open=True, hi_open=True),
    "exploration": Given("ε: chance that an unflagged item is reviewed anyway", kind="rate", lo_open=True,
                         hi_open=True),
    "seed": Given("seed of the day's traffic and of the exploration draws", kind="integer", lo=0),
    "target_se": Given("standard error wanted for the recall estimate", kind="rate", lo_open=True),
}

ANSWERS = {"observed_precision", "naive_recall", "true_recall", "explored_items", "explored_positives",
           "fn_estimate", "recall_estimate", "recall_se", "ips_prevalence", "epsilon_for_target_se",
           "measurement_design"}

DESIGNS = ["measure recall from the review log", "keep a random exploration stream and estimate recall from it",
           "measure recall on last year's offline test set"]

# the specs' tolerances, for keep_distinct_mistakes (tests/test_solvers.py checks they match)
TOLERANCE = {"observed_precision": DEFAULT_TOLERANCE["rate"], "naive_recall": DEFAULT_TOLERANCE["rate"],
             "true_recall": DEFAULT_TOLERANCE["rate"], "explored_items": DEFAULT_TOLERANCE["count"],
             "explored_positives": DEFAULT_TOLERANCE["count"], "fn_estimate": Tolerance(rel=0.005),
             "recall_estimate": DEFAULT_TOLERANCE["rate"], "recall_se": Tolerance(abs=0.002),
             "ips_prevalence": Tolerance(rel=0.01), "epsilon_for_target_se": Tolerance(rel=0.02)}


def solve(givens: dict) -> Solution:
    g = givens
    eps = g["exploration"]
    log = review_log(g["n_items"], g["prevalence"], g["separation"], g["threshold"], eps, g["seed"])
    y = log.y_true == 1
    flagged, explored = log.flagged, log.explored
    tp = int(np.sum(y & flagged))
    n_flag = int(flagged.sum())
    fn_true = int(np.sum(y & ~flagged))
    a: dict[str, Answer] = {}

    prec = tp / n_flag
    a["observed_precision"] = Answer(
        prec, formula="labelled positives among the flagged / flagged (every flag is reviewed, so this is exact)",
        work=f"{tp:,} / {n_flag:,} = {prec:.4f}",
        code="tp = int(np.sum((log.y_true == 1) & log.flagged))\n"
             "observed_precision = tp / log.flagged.sum()",
        mistakes={"the true prevalence": float(np.mean(y))})
    a["naive_recall"] = Answer(
        1.0, formula="labelled positives that were flagged / all labelled positives, from the flags' labels only",
        work=f"the log's only labelled positives are the {tp:,} flagged ones: {tp:,} / {tp:,} = 1",
        code="labelled_positives = np.sum((log.y_true == 1) & log.flagged)  # labels exist only for flags\n"
             "naive_recall = np.sum((log.y_true == 1) & log.flagged) / labelled_positives",
        mistakes={"the true recall (not computable from the flags' labels)": tp / (tp + fn_true)})
    true_recall = tp / (tp + fn_true)
    a["true_recall"] = Answer(
        true_recall, formula="TP / all harmful items — needs the ground truth, which production never has",
        work=f"{tp:,} / ({tp:,} + {fn_true:,}) = {true_recall:.4f}",
        code="true_recall = tp / np.sum(log.y_true == 1)",
        mistakes={"precision instead of recall": prec})

    n_exp = int(explored.sum())
    a["explored_items"] = Answer(
        float(n_exp), formula="unflagged items sent to review by the ε draw (the exploration's review cost)",
        work=f"{n_exp:,} of {int((~flagged).sum()):,} unflagged items (ε = {eps:g}), "
             f"{n_exp / n_flag:.1f}× the model's own flags",
        code="explored_items = log.explored.sum()")
    x = int(np.sum(y & explored))
    a["explored_positives"] = Answer(
        float(x), formula="harmful items among the explored ones", work=f"{x}",
        code="explored_positives = np.sum((log.y_true == 1) & log.explored)")
    est = exploration_recall(tp, x, eps)
    fn_hat = est.fn_estimate
    a["fn_estimate"] = Answer(
        fn_hat, formula="F̂N = X / ε (each miss had chance ε of being explored)",
        work=f"{x} / {eps:g} = {fn_hat:,.0f} (true misses: {fn_true:,})",
        code="est = caselab.monitoring.exploration_recall(tp, explored_positives, exploration)\n"
             "fn_estimate = est.fn_estimate  # explored_positives / exploration",
        depends_on=("explored_positives",), recompute=lambda v: v["explored_positives"] / eps,
        mistakes={"X itself, not scaled by 1/ε": float(x), "X × ε": x * eps})
    r_hat = est.recall
    a["recall_estimate"] = Answer(
        r_hat, formula="recall ≈ TP / (TP + F̂N)", work=f"{tp:,} / ({tp:,} + {fn_hat:,.0f}) = {r_hat:.4f}",
        code="recall_estimate = est.recall  # tp / (tp + fn_estimate)",
        depends_on=("fn_estimate",),
        recompute=lambda v: exploration_recall(tp, max(v["fn_estimate"], 0.0) * eps, eps).recall,
        mistakes={"flagged positives over flagged + explored positives (X not re-weighted)": tp / (tp + x)})
    se = est.se
    a["recall_se"] = Answer(
        se, formula="SE ≈ TP·√(F̂N(1 − ε)/ε) / (TP + F̂N)²  (delta method, X ~ Binomial(FN, ε))",
        work=f"{tp:,}·√({fn_hat:,.0f}·{1 - eps:g}/{eps:g}) / ({tp:,} + {fn_hat:,.0f})² = {se:.4f}",
        code="recall_se = est.se  # tp·√(fn_estimate·(1 − ε)/ε) / (tp + fn_estimate)²",
        depends_on=("fn_estimate",),
        recompute=lambda v: exploration_recall(tp, max(v["fn_estimate"], 0.0) * eps, eps).se,
        mistakes={"the binomial SE √(r(1 − r)/(TP + F̂N)), as if every item were labelled":
                  math.sqrt(r_hat * (1 - r_hat) / (tp + fn_hat))})
    ips = (tp + fn_hat) / g["n_items"]
    a["ips_prevalence"] = Answer(
        ips, formula="(TP + X/ε) / n: the log re-weighted by inverse inclusion probabilities (1 for flags, 1/ε "
                     "for explored items)",
        work=f"({tp:,} + {fn_hat:,.0f}) / {g['n_items']:,} = {ips:.5f} (true {np.mean(y):.5f}; the raw log's "
             f"positive share is {(tp + x) / (n_flag + n_exp):.3f})",
        code="ips_prevalence = (tp + fn_estimate) / n_items",
        depends_on=("fn_estimate",), recompute=lambda v: (tp + v["fn_estimate"]) / g["n_items"],
        mistakes={"the raw positive share of the labelled log": (tp + x) / (n_flag + n_exp),
                  "the positive share among the flags only": prec})
    eps_needed = exploration_rate_for_recall_se(tp, fn_hat, g["target_se"])
    a["epsilon_for_target_se"] = Answer(
        eps_needed, formula="solve SE(ε) = target: ε = 1 / (1 + s²(TP + F̂N)⁴ / (TP²·F̂N))",
        work=f"s = {g['target_se']:g}: ε = {eps_needed:.4f} → about {eps_needed * int((~flagged).sum()):,.0f} "
             "extra reviews a day",
        code="epsilon_for_target_se = caselab.monitoring.exploration_rate_for_recall_se(tp, fn_estimate, target_se)",
        depends_on=("fn_estimate",),
        recompute=lambda v: exploration_rate_for_recall_se(tp, max(v["fn_estimate"], 1e-9), g["target_se"]),
        mistakes={"scaling ε by (SE / target) instead of (SE / target)² (the SE falls like 1/√ε)":
                  min(1.0, eps * se / g["target_se"])})
    a["measurement_design"] = Answer(
        DESIGNS[1], formula="only a sample the model did not select measures what the model misses",
        work=f"the log alone gives recall 1.0; the exploration stream gives {r_hat:.3f} ± {se:.3f} "
             f"(true {true_recall:.3f})",
        code=f"measurement_design = {DESIGNS[1]!r}",
        mistakes={"the log's recall is 1 by construction": DESIGNS[0],
                  "an old test set misses today's traffic and today's attacks": DESIGNS[2]})

    data_code = ("from caselab.scenarios.data import review_log\n"
                 "log = review_log(n_items, prevalence, separation, threshold, exploration, seed)\n"
                 "# log.y_true is the ground truth for the exercise; production only sees it where\n"
                 "# log.flagged | log.explored (the reviewed items)\n"
                 "print(f'{log.flagged.sum():,} flagged by the model, of {len(log.y_true):,} '\n"
                 "      '(log.explored marks the random exploration stream)')")
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code="import numpy as np\n" + data_code)
