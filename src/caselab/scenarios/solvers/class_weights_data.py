"""class_weight='balanced' on real fits: what it does to the ranking and what it does to the probabilities.

Seed 002 says class weights "preserve calibration because the data distribution is untouched". They do
not: weighting the positives by w multiplies the odds the model learns by w — exactly what keeping a
share 1/w of the negatives would do. On a well-specified logistic model the weighted fit keeps the
slopes (the ranking) and moves the intercept by about ln w, so

* the mean predicted probability jumps from about the base rate to a quarter or more,
* a 0.5 cut flags a large share of the traffic,
* the Brier score becomes worse than that of a constant forecast of the base rate,

while average precision and ROC-AUC hardly move. Dividing the odds back by the weight *ratio*
w_1/w_0 = n_neg/n_pos (:func:`caselab.imbalance.unweight_probability`) restores calibration.

Data: :func:`caselab.data.logistic_rare_events` (labels drawn from a known logistic model); models:
scikit-learn ``LogisticRegression(max_iter=1000)`` with and without ``class_weight="balanced"``.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from caselab.maths.calibration import brier_score
from caselab.maths.curves import average_precision, roc_auc
from caselab.maths.imbalance import balanced_class_weights, unweight_probability
from caselab.scenarios.data import logistic_rare_events
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes, single_threaded
from caselab.scenarios.spec import Given, Tolerance

GIVENS = {
    "n_train": Given("training rows", kind="integer", lo=1_000),
    "n_test": Given("test rows (drawn from the same distribution, never re-weighted)", kind="integer", lo=1_000),
    "prevalence": Given("average probability of a positive (the base rate)", kind="rate", lo_open=True, hi=0.2),
    "n_features": Given("number of standard-normal features", kind="integer", lo=1, hi=20),
    "signal": Given("length of the true logistic weight vector (class separation)", lo=0, hi=5),
    "seed": Given("seed of the synthetic data", kind="integer", lo=0),
    "threshold": Given("the default cut on the model's probability (flag ⇔ p ≥ threshold)", kind="rate",
                       lo_open=True, hi_open=True),
}

ANSWERS = {"weight_negative", "weight_positive", "per_example_ratio", "mean_p_plain", "mean_p_balanced",
           "ap_plain", "ap_balanced", "what_changed", "flagged_plain", "flagged_balanced", "brier_plain",
           "brier_balanced", "brier_constant", "mean_p_corrected", "brier_corrected", "claim_preserves_calibration"}

# The tolerances casebook/balanced-weights-calibration.toml grades the questions with named mistakes.
TOLERANCE = {"weight_negative": Tolerance(rel=0.01), "weight_positive": Tolerance(rel=0.01),
             "per_example_ratio": Tolerance(abs=0.5), "mean_p_balanced": Tolerance(abs=0.0005, rel=0.02),
             "ap_plain": Tolerance(abs=0.005), "ap_balanced": Tolerance(abs=0.005),
             "flagged_plain": Tolerance(abs=0.0005, rel=0.02), "flagged_balanced": Tolerance(abs=0.005),
             "brier_balanced": Tolerance(rel=0.02), "brier_constant": Tolerance(rel=0.02),
             "mean_p_corrected": Tolerance(abs=0.0005, rel=0.02), "brier_corrected": Tolerance(rel=0.02)}

CHANGED = ["the ranking", "the probabilities, hardly the ranking", "both", "neither"]
CLAIM = ["true: only the gradient is re-weighted, the data are untouched",
         "false: the weights shift the probabilities as resampling does; correct or recalibrate"]

DATA_CODE = """\
from caselab.scenarios.data import logistic_rare_events
from sklearn.linear_model import LogisticRegression

data = logistic_rare_events(n_train + n_test, prevalence=prevalence, n_features=n_features, signal=signal,
                            seed=seed)
X_train, y_train = data.X[:n_train], data.y[:n_train]
X_test, y_test = data.X[n_train:], data.y[n_train:]
print(f"train: {len(y_train):,} rows, {y_train.sum():,} positive; "
      f"test: {len(y_test):,} rows, {y_test.sum():,} positive")"""

SETUP_CODE = """\
import numpy as np

plain = LogisticRegression(max_iter=1000).fit(X_train, y_train)
balanced = LogisticRegression(max_iter=1000, class_weight="balanced").fit(X_train, y_train)
p_plain = plain.predict_proba(X_test)[:, 1]
p_bal = balanced.predict_proba(X_test)[:, 1]
weights = caselab.imbalance.balanced_class_weights(y_train)"""


def fit(givens: dict):
    """The data and both fitted models' test probabilities (shared with the tests)."""
    g = givens
    data = logistic_rare_events(g["n_train"] + g["n_test"], prevalence=g["prevalence"], n_features=g["n_features"],
                                signal=g["signal"], seed=g["seed"])
    n = g["n_train"]
    X_train, y_train, X_test, y_test = data.X[:n], data.y[:n], data.X[n:], data.y[n:]
    if y_train.sum() < 5 or y_test.sum() < 5:
        raise ValueError("too few positives drawn for this scenario: raise n_train/n_test or the prevalence.")
    with single_threaded():  # fits this small are quickest on one thread (and polite on a shared machine)
        plain = LogisticRegression(max_iter=1000).fit(X_train, y_train)
        balanced = LogisticRegression(max_iter=1000, class_weight="balanced").fit(X_train, y_train)
    return (y_train, y_test, plain.predict_proba(X_test)[:, 1], balanced.predict_proba(X_test)[:, 1])


def solve(givens: dict) -> Solution:
    t = givens["threshold"]
    y_train, y_test, p_plain, p_bal = fit(givens)
    n = y_train.size
    n_pos = int(y_train.sum())
    n_neg = n - n_pos
    a: dict[str, Answer] = {}

    w = balanced_class_weights(y_train)
    a["weight_negative"] = Answer(
        w[0], formula="w_c = n / (2 · n_c)  (scikit-learn's 'balanced')",
        work=f"{n:,} / (2 · {n_neg:,}) = {w[0]:.5f}",
        code="weight_negative = weights[0]",
        mistakes={"the class share n_neg / n instead of n / (2 · n_neg)": n_neg / n})
    a["weight_positive"] = Answer(
        w[1], formula="w_1 = n / (2 · n_pos)", work=f"{n:,} / (2 · {n_pos:,}) = {w[1]:.3f}",
        code="weight_positive = weights[1]",
        mistakes={"n_neg / n_pos (that is the ratio of the two weights, not the weight)": n_neg / n_pos,
                  "the nominal 1/(2·prevalence) instead of the realised count of positives":
                      1 / (2 * givens["prevalence"])})
    ratio = w[1] / w[0]
    a["per_example_ratio"] = Answer(
        ratio, formula="w_1 / w_0 = n_neg / n_pos (the classes' totals are equal: n/2 each)",
        work=f"{w[1]:.3f} / {w[0]:.5f} = {n_neg:,} / {n_pos:,} = {ratio:.2f}",
        code="per_example_ratio = weights[1] / weights[0]",
        depends_on=("weight_positive", "weight_negative"),
        recompute=lambda v: v["weight_positive"] / v["weight_negative"],
        mistakes={"n / n_pos, rows per positive (the often-quoted '100×' at 1 %): one more than n_neg / n_pos":
                  n / n_pos})

    base_rate = float(y_test.mean())
    m_plain, m_bal = float(p_plain.mean()), float(p_bal.mean())
    a["mean_p_plain"] = Answer(
        m_plain, formula="mean of the unweighted model's test probabilities",
        work=f"{m_plain:.5f} (test positive rate {base_rate:.5f}: the unweighted model is calibrated-in-the-large)",
        code="mean_p_plain = p_plain.mean()")
    a["mean_p_balanced"] = Answer(
        m_bal, formula="mean of the balanced model's test probabilities",
        work=f"{m_bal:.4f} — {m_bal / base_rate:.0f}× the test positive rate {base_rate:.4f}",
        code="mean_p_balanced = p_bal.mean()",
        mistakes={"the unweighted model's mean (weights assumed to preserve calibration)": m_plain,
                  "0.5 (the share of positives in the weighted training loss)": 0.5})

    ap_plain, ap_bal = average_precision(y_test, p_plain), average_precision(y_test, p_bal)
    roc_plain, roc_bal = roc_auc(y_test, p_plain), roc_auc(y_test, p_bal)
    a["ap_plain"] = Answer(
        ap_plain, formula="average precision on the test set", work=f"AP = {ap_plain:.4f} (ROC-AUC {roc_plain:.4f})",
        code="ap_plain = caselab.curves.average_precision(y_test, p_plain)",
        mistakes={"ROC-AUC instead of average precision": roc_plain})
    a["ap_balanced"] = Answer(
        ap_bal, formula="average precision on the test set", work=f"AP = {ap_bal:.4f} (ROC-AUC {roc_bal:.4f})",
        code="ap_balanced = caselab.curves.average_precision(y_test, p_bal)",
        mistakes={"ROC-AUC instead of average precision": roc_bal})
    ranking_moved = abs(ap_bal - ap_plain) > 0.01 or abs(roc_bal - roc_plain) > 0.005
    probs_moved = abs(m_bal - m_plain) > 0.5 * base_rate
    changed = {(True, True): "both", (False, True): "the probabilities, hardly the ranking",
               (True, False): "the ranking", (False, False): "neither"}[(ranking_moved, probs_moved)]
    a["what_changed"] = Answer(
        changed, formula="ranking: AP moved > 0.01 or ROC-AUC > 0.005; probabilities: mean p moved > half the "
                         "base rate",
        work=f"AP {ap_plain:.4f} → {ap_bal:.4f}, ROC-AUC {roc_plain:.4f} → {roc_bal:.4f}; "
             f"mean p {m_plain:.4f} → {m_bal:.4f}",
        code=f'what_changed = "{changed}"',
        mistakes={"the weights do not reorder a well-specified logistic model's scores: the slopes stay, "
                  "the intercept moves": "the ranking"} if changed != "the ranking" else {})

    f_plain, f_bal = float(np.mean(p_plain >= t)), float(np.mean(p_bal >= t))
    a["flagged_plain"] = Answer(
        f_plain, formula="share of test rows with p ≥ threshold", work=f"{np.sum(p_plain >= t):,} / {p_plain.size:,} "
                                                                       f"= {f_plain:.5f}",
        code="flagged_plain = np.mean(p_plain >= threshold)",
        mistakes={"the test positive rate": base_rate})
    a["flagged_balanced"] = Answer(
        f_bal, formula="share of test rows with p ≥ threshold",
        work=f"{np.sum(p_bal >= t):,} / {p_bal.size:,} = {f_bal:.4f} — {f_bal / base_rate:.0f}× the positive rate",
        code="flagged_balanced = np.mean(p_bal >= threshold)",
        mistakes={"the unweighted model's share": f_plain, "the test positive rate": base_rate})

    b_plain, b_bal = brier_score(y_test, p_plain), brier_score(y_test, p_bal)
    train_rate = n_pos / n
    b_const = brier_score(y_test, np.full(y_test.size, train_rate))
    a["brier_plain"] = Answer(
        b_plain, formula="Brier = mean (p − y)²", work=f"{b_plain:.5f}",
        code="brier_plain = caselab.calibration.brier_score(y_test, p_plain)")
    a["brier_balanced"] = Answer(
        b_bal, formula="Brier = mean (p − y)²", work=f"{b_bal:.4f} ({b_bal / b_plain:.0f}× the unweighted model's)",
        code="brier_balanced = caselab.calibration.brier_score(y_test, p_bal)",
        mistakes={"the unweighted model's Brier score": b_plain})
    a["brier_constant"] = Answer(
        b_const, formula="Brier of forecasting the training positive rate π for every test row",
        work=f"π = {train_rate:.5f}; mean (π − y)² on the test set = {b_const:.5f} "
             f"(≈ π(1 − π) = {train_rate * (1 - train_rate):.5f}); the balanced model's {b_bal:.4f} is worse",
        code="brier_constant = caselab.calibration.brier_score(y_test, np.full(len(y_test), y_train.mean()))",
        mistakes={"0: a constant forecast is not a perfect one": 0.0, "forecasting 0.5 for everyone": 0.25})

    p_corr = unweight_probability(p_bal, ratio)
    m_corr = float(p_corr.mean())
    a["mean_p_corrected"] = Answer(
        m_corr, formula="divide the balanced model's odds by w_1/w_0: p = q / (q + (w_1/w_0)(1 − q))",
        work=f"weight ratio {ratio:.2f}; mean corrected p = {m_corr:.5f} (test positive rate {base_rate:.5f})",
        code="p_corr = caselab.imbalance.unweight_probability(p_bal, per_example_ratio)\n"
             "mean_p_corrected = p_corr.mean()",
        depends_on=("per_example_ratio",),
        recompute=lambda v: float(unweight_probability(p_bal, max(v["per_example_ratio"], 1e-9)).mean()),
        mistakes={"odds divided by w_1 alone instead of the ratio w_1/w_0":
                      float(unweight_probability(p_bal, w[1]).mean()),
                  "no correction": m_bal})
    b_corr = brier_score(y_test, p_corr)
    a["brier_corrected"] = Answer(
        b_corr, formula="Brier of the prior-corrected probabilities",
        work=f"{b_corr:.5f} vs unweighted {b_plain:.5f} and constant {b_const:.5f}",
        code="brier_corrected = caselab.calibration.brier_score(y_test, p_corr)",
        depends_on=("per_example_ratio",),
        recompute=lambda v: brier_score(y_test, unweight_probability(p_bal, max(v["per_example_ratio"], 1e-9))),
        mistakes={"the uncorrected balanced model's Brier": b_bal,
                  "odds divided by w_1 alone": brier_score(y_test, unweight_probability(p_bal, w[1]))})

    preserved = abs(m_bal - m_plain) <= 0.5 * base_rate
    claim = CLAIM[0] if preserved else CLAIM[1]
    a["claim_preserves_calibration"] = Answer(
        claim, formula="compare mean p and Brier with and without the weights, on unweighted test data",
        work=f"mean p {m_plain:.4f} → {m_bal:.4f}, Brier {b_plain:.5f} → {b_bal:.4f}; after dividing the odds "
             f"by {ratio:.1f}: mean p {m_corr:.5f}, Brier {b_corr:.5f}",
        code=f'claim_preserves_calibration = "{claim}"',
        mistakes={"the design doc's claim — but re-weighting the gradient moves the odds by w_1/w_0 just as "
                  "keeping 1/w of the negatives would": CLAIM[0]} if claim == CLAIM[1] else {})
    explorers = {
        # class_weight="balanced" multiplies the learned odds by n_neg/n_pos, as keeping a share β = n_pos/n_neg
        # of the negatives would: the explorer's β at the 50/50 value is the balanced-weights model, and its
        # Dal Pozzolo correction is caselab.imbalance.unweight_probability (synthetic binormal scores)
        "calibration": "calibration_explorer = caselab.widgets.calibration_explorer(\n"
                       "    prevalence, beta=caselab.calibration.beta_for_balance(prevalence), seed=seed)\n"
                       "calibration_explorer",
    }
    pi = givens["prevalence"]
    facts = {"n_pos": n_pos, "n_neg": n_neg, "per_example_ratio": ratio, "nominal_ratio": (1 - pi) / pi,
             "nominal_weight_negative": 1 / (2 * (1 - pi)), "nominal_weight_positive": 1 / (2 * pi),
             "rows_per_positive_nominal": 1 / pi, "implied_cut": t / (t + ratio * (1 - t)), "flagged_balanced": f_bal}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code=DATA_CODE, setup_code=SETUP_CODE,
                    explorers=explorers, facts=facts)
