"""Thresholding a real model on real data: the Wisconsin breast-cancer set bundled with scikit-learn.

569 fine-needle-aspirate samples, 212 malignant (37%). Positive = malignant (scikit-learn codes
malignant as 0, so y = 1 − target). A ``StandardScaler`` + ``LogisticRegression`` pipeline is trained on
a stratified 60% split; the threshold is chosen on a 20% validation split and its cost reported on the
remaining 20% test split — never chosen and reported on the same rows. Three rules are compared: the
default 0.5, the validation min-cost threshold, and the Bayes threshold C_FP/(C_FP + C_FN) (right only if
the probabilities are calibrated), plus a recall-target rule (the highest threshold whose validation
recall reaches the target) and a calibration check (Brier score, mean probability vs. observed rate).

With a few dozen malignant test samples, one miss more or less moves the cost by C_FN, so the test
saving of the tuned threshold over 0.5 is given with a paired bootstrap interval over the test rows
(:func:`caselab.experiments.paired_bootstrap_ci`: the same resampled rows for both rules).

Drill variants redraw the split seed and shares, the regularisation C, the costs, the recall target and the
bootstrap seed. The model is fitted single-threaded (``threadpoolctl``): a 30-feature logistic regression takes
milliseconds, while BLAS threads on a shared machine only spin.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from caselab.maths.calibration import brier_score
from caselab.maths.curves import (
    average_precision,
    bayes_threshold,
    min_cost_threshold,
    roc_auc,
    threshold_for_recall,
)
from caselab.maths.experiments import paired_bootstrap_ci
from caselab.maths.metrics import confusion_at_threshold
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes, single_threaded
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    "seed": Given("random_state of both stratified splits", kind="integer", lo=0),
    "val_share": Given("share of all rows used for validation", kind="rate", lo_open=True, hi=0.4),
    "test_share": Given("share of all rows used for the final test", kind="rate", lo_open=True, hi=0.4),
    "C": Given("inverse regularisation strength of the logistic regression", lo=0, lo_open=True),
    "cost_fp": Given("cost of a false positive (an unnecessary biopsy)", lo=0, lo_open=True),
    "cost_fn": Given("cost of a false negative (a missed malignancy)", lo=0, lo_open=True),
    "recall_target": Given("minimum recall the clinic asks for", kind="rate", lo_open=True),
    "n_boot": Given("bootstrap replicates for the interval of the test saving", kind="integer", lo=100,
                    hi=50_000),
    "bootstrap_seed": Given("seed of numpy.random.default_rng for the bootstrap", kind="integer", lo=0),
}

ANSWERS = {"n_test_positives", "roc_auc_test", "ap_test", "cost_test_default", "min_cost_threshold_val",
           "min_cost_val", "cost_test_tuned", "cost_test_bayes", "recall_threshold_val",
           "precision_test_at_recall_threshold", "recall_test_at_recall_threshold", "brier_test",
           "brier_skill_test", "deploy_threshold", "cost_saving_test", "cost_saving_ci_low", "cost_saving_ci_high",
           "saving_established"}

# the tolerance each number question is graded with (the spec's, else the unit's default): mistakes inside it are
# not offered
TOLERANCE = {"n_test_positives": DEFAULT_TOLERANCE["count"], "roc_auc_test": DEFAULT_TOLERANCE["rate"],
             "ap_test": Tolerance(abs=0.001), "cost_test_default": Tolerance(abs=0.5),
             "min_cost_threshold_val": DEFAULT_TOLERANCE["probability"], "min_cost_val": Tolerance(abs=0.5),
             "cost_test_tuned": Tolerance(abs=0.5), "cost_test_bayes": Tolerance(abs=0.5),
             "recall_threshold_val": DEFAULT_TOLERANCE["probability"],
             "precision_test_at_recall_threshold": DEFAULT_TOLERANCE["rate"],
             "recall_test_at_recall_threshold": DEFAULT_TOLERANCE["rate"], "brier_test": Tolerance(rel=0.02),
             "brier_skill_test": Tolerance(abs=0.01), "cost_saving_test": Tolerance(abs=0.5),
             "cost_saving_ci_low": Tolerance(abs=3), "cost_saving_ci_high": Tolerance(abs=15)}

DEPLOY = ["0.5 (the default)", "the threshold tuned on validation"]
ESTABLISHED = ["yes: the whole 95% interval is a saving",
               "not yet: the 95% interval of the saving includes 0",
               "no: the whole interval is a loss"]

DATA_CODE = """\
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

data = load_breast_cancer()
X, y = data.data, 1 - data.target          # positive (1) = malignant; scikit-learn codes malignant as 0
X_train, X_rest, y_train, y_rest = train_test_split(X, y, test_size=val_share + test_share, stratify=y,
                                                    random_state=seed)
X_val, X_test, y_val, y_test = train_test_split(X_rest, y_rest, test_size=test_share / (val_share + test_share),
                                                stratify=y_rest, random_state=seed)
print(f"{len(y)} samples, {y.sum()} malignant ({y.mean():.1%}); train {len(y_train)}, validation {len(y_val)}, "
      f"test {len(y_test)}")"""

SETUP_CODE = """\
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000)).fit(X_train, y_train)
p_val = model.predict_proba(X_val)[:, 1]
p_test = model.predict_proba(X_test)[:, 1]
cost = lambda y_true, p, t: caselab.metrics.confusion_at_threshold(y_true, p, t).expected_cost(cost_fp=cost_fp, cost_fn=cost_fn)"""


def fit(givens: dict) -> dict:
    """Splits, model and scores (shared with the tests)."""
    g = givens
    data = load_breast_cancer()
    X, y = data.data, 1 - data.target
    rest = g["val_share"] + g["test_share"]
    X_tr, X_rest, y_tr, y_rest = train_test_split(X, y, test_size=rest, stratify=y, random_state=g["seed"])
    X_va, X_te, y_va, y_te = train_test_split(X_rest, y_rest, test_size=g["test_share"] / rest, stratify=y_rest,
                                              random_state=g["seed"])
    with single_threaded():
        model = make_pipeline(StandardScaler(), LogisticRegression(C=g["C"], max_iter=5000)).fit(X_tr, y_tr)
        p_va, p_te = model.predict_proba(X_va)[:, 1], model.predict_proba(X_te)[:, 1]
    return dict(y_train=y_tr, y_val=y_va, y_test=y_te, p_val=p_va, p_test=p_te)


def solve(givens: dict) -> Solution:
    g = givens
    f = fit(g)
    y_va, y_te, p_va, p_te = f["y_val"], f["y_test"], f["p_val"], f["p_test"]
    c_fp, c_fn = g["cost_fp"], g["cost_fn"]

    def cost(y, p, t):
        return confusion_at_threshold(y, p, t).expected_cost(cost_fp=c_fp, cost_fn=c_fn)

    a: dict[str, Answer] = {}
    n_pos = float(y_te.sum())
    a["n_test_positives"] = Answer(
        n_pos, formula="malignant samples in the test split (stratified)", work=f"{n_pos:.0f} of {y_te.size}",
        code="n_test_positives = y_test.sum()",
        mistakes={"benign counted instead (scikit-learn's target 1 is benign)": float(y_te.size - n_pos)})
    r, ap = roc_auc(y_te, p_te), average_precision(y_te, p_te)
    a["roc_auc_test"] = Answer(r, formula="ROC-AUC on the test split", work=f"{r:.4f}",
                               code="roc_auc_test = caselab.curves.roc_auc(y_test, p_test)",
                               mistakes={"scores of the benign class (1 − ROC-AUC)": 1 - r})
    a["ap_test"] = Answer(ap, formula="average precision on the test split",
                          work=f"{ap:.4f} (baseline = prevalence {y_te.mean():.3f})",
                          code="ap_test = caselab.curves.average_precision(y_test, p_test)",
                          mistakes={"ROC-AUC instead of AP": r})

    c_half = cost(y_te, p_te, 0.5)
    cm_half = confusion_at_threshold(y_te, p_te, 0.5)
    a["cost_test_default"] = Answer(
        c_half, formula="C_FP·FP + C_FN·FN on the test split, flag ⇔ p ≥ 0.5",
        work=f"{c_fp:g}·{cm_half.fp:.0f} + {c_fn:g}·{cm_half.fn:.0f} = {c_half:g}",
        code="cost_test_default = cost(y_test, p_test, 0.5)",
        mistakes={"costs swapped (C_FN on false positives)": c_fn * cm_half.fp + c_fp * cm_half.fn})
    t, c_val = min_cost_threshold(y_va, p_va, cost_fp=c_fp, cost_fn=c_fn)
    a["min_cost_threshold_val"] = Answer(
        t, formula="argmin over validation scores t of C_FP·FP(t) + C_FN·FN(t) (ties → highest t)",
        work=f"t = {t:.4f}, validation cost {c_val:g}",
        code="min_cost_threshold_val, _ = caselab.curves.min_cost_threshold(y_val, p_val, cost_fp=cost_fp, "
             "cost_fn=cost_fn)",
        mistakes={"tuned on the test split": min_cost_threshold(y_te, p_te, cost_fp=c_fp, cost_fn=c_fn).threshold,
                  "the Bayes threshold (the question asks for the scan)": bayes_threshold(c_fp, c_fn)})
    a["min_cost_val"] = Answer(
        c_val, formula="validation cost at the tuned threshold", work=f"{c_val:g}",
        code="min_cost_val = cost(y_val, p_val, min_cost_threshold_val)",
        depends_on=("min_cost_threshold_val",), recompute=lambda v: cost(y_va, p_va, v["min_cost_threshold_val"]))
    c_tuned = cost(y_te, p_te, t)
    cm_t = confusion_at_threshold(y_te, p_te, t)
    a["cost_test_tuned"] = Answer(
        c_tuned, formula="test cost at the validation-tuned threshold",
        work=f"{c_fp:g}·{cm_t.fp:.0f} + {c_fn:g}·{cm_t.fn:.0f} = {c_tuned:g} (validation said {c_val:g})",
        code="cost_test_tuned = cost(y_test, p_test, min_cost_threshold_val)",
        depends_on=("min_cost_threshold_val",), recompute=lambda v: cost(y_te, p_te, v["min_cost_threshold_val"]),
        mistakes={"the validation cost reported as the estimate": c_val,
                  "threshold re-tuned on the test split": min_cost_threshold(y_te, p_te, cost_fp=c_fp,
                                                                           cost_fn=c_fn).cost})
    tb = bayes_threshold(c_fp, c_fn)
    c_bayes = cost(y_te, p_te, tb)
    a["cost_test_bayes"] = Answer(
        c_bayes, formula="test cost at τ* = C_FP / (C_FP + C_FN)",
        work=f"τ* = {tb:.4f}; cost {c_bayes:g}",
        code="cost_test_bayes = cost(y_test, p_test, caselab.curves.bayes_threshold(cost_fp, cost_fn))",
        mistakes={"τ* from the inverted formula C_FN/(C_FP + C_FN)": cost(y_te, p_te, c_fn / (c_fp + c_fn))})

    t_r = threshold_for_recall(y_va, p_va, g["recall_target"]).threshold
    cm_r = confusion_at_threshold(y_te, p_te, t_r)
    a["recall_threshold_val"] = Answer(
        t_r, formula="highest threshold whose validation recall ≥ target: the ⌈target·P⌉-th highest positive score",
        work=f"P = {int(y_va.sum())}, k = ⌈{g['recall_target']:g}·{int(y_va.sum())}⌉ = "
             f"{math.ceil(g['recall_target'] * y_va.sum() - 1e-9)} → t = {t_r:.4f}",
        code="recall_threshold_val = caselab.curves.threshold_for_recall(y_val, p_val, recall_target).threshold")
    a["precision_test_at_recall_threshold"] = Answer(
        cm_r.precision, formula="test precision with flag ⇔ p ≥ the recall-target threshold",
        work=f"{cm_r.tp:.0f} / {cm_r.flagged:.0f} = {cm_r.precision:.4f}",
        code="cm_r = caselab.metrics.confusion_at_threshold(y_test, p_test, recall_threshold_val)\n"
             "precision_test_at_recall_threshold = cm_r.precision",
        depends_on=("recall_threshold_val",),
        recompute=lambda v: confusion_at_threshold(y_te, p_te, v["recall_threshold_val"]).precision,
        mistakes={"recall instead of precision": cm_r.recall})
    a["recall_test_at_recall_threshold"] = Answer(
        cm_r.recall, formula="test recall at that threshold",
        work=f"{cm_r.tp:.0f} / {cm_r.positives:.0f} = {cm_r.recall:.4f} (target {g['recall_target']:g} on validation)",
        code="recall_test_at_recall_threshold = cm_r.recall",
        depends_on=("recall_threshold_val",),
        recompute=lambda v: confusion_at_threshold(y_te, p_te, v["recall_threshold_val"]).recall,
        mistakes={"the target itself (assumed to transfer exactly)": g["recall_target"]})

    b = brier_score(y_te, p_te)
    pi = float(f["y_train"].mean())
    b0 = brier_score(y_te, np.full(y_te.size, pi))
    a["brier_test"] = Answer(
        b, formula="Brier = mean (p − y)² on the test split",
        work=f"{b:.4f}; mean p {p_te.mean():.3f} vs observed rate {y_te.mean():.3f}",
        code="brier_test = caselab.calibration.brier_score(y_test, p_test)")
    bss = 1 - b / b0
    a["brier_skill_test"] = Answer(
        bss, formula="BSS = 1 − Brier / Brier(constant forecast of the training prevalence)",
        work=f"1 − {b:.4f} / {b0:.4f} = {bss:.3f}",
        code="brier_constant = caselab.calibration.brier_score(y_test, np.full(len(y_test), y_train.mean()))\n"
             "brier_skill_test = 1 - brier_test / brier_constant",
        depends_on=("brier_test",), recompute=lambda v: 1 - v["brier_test"] / b0,
        mistakes={"Brier / Brier(constant) (the ratio, not the skill)": b / b0})
    deploy = DEPLOY[1] if c_tuned < c_half else DEPLOY[0]
    a["deploy_threshold"] = Answer(
        deploy, formula="compare the two rules on the untouched test split (tuned on validation only)",
        work=f"test cost at 0.5: {c_half:g}; at the tuned threshold {t:.3f}: {c_tuned:g}",
        code=f"deploy_threshold = {deploy!r}",
        mistakes={f"0.5 minimises errors, not cost: with C_FN/C_FP = {c_fn / c_fp:.3g} it misses too many "
                  "malignancies": DEPLOY[0],
                  "the validation scan's threshold is not proof: on the untouched test rows it cost more than 0.5"
                  if c_tuned > c_half else
                  "the tuned threshold did no better than 0.5 on the untouched test rows: keep the simpler rule":
                  DEPLOY[1]})
    saving = c_half - c_tuned

    def row_costs(threshold):
        """Each test row's cost under a threshold: C_FP if a flagged benign, C_FN if a missed malignancy."""
        flag = p_te >= threshold
        return np.where(flag & (y_te == 0), c_fp, 0.0) + np.where(~flag & (y_te == 1), c_fn, 0.0)

    # A cost is a sum over rows, so a replicate's saving (cost at 0.5 − cost at t on the resampled rows, as the
    # learner's code computes it) is the sum of the resampled rows' savings: the same replicates, drawn with the
    # same indices, at a fraction of the time of two confusion matrices per replicate.
    row_saving = row_costs(0.5) - row_costs(t)
    lo, hi, reps = paired_bootstrap_ci(np.sum, (row_saving,), n_boot=g["n_boot"], seed=g["bootstrap_seed"])
    a["cost_saving_test"] = Answer(
        saving, formula="test cost at 0.5 − test cost at the validation-tuned threshold",
        work=f"{c_half:g} − {c_tuned:g} = {saving:g}",
        code="cost_saving_test = cost_test_default - cost_test_tuned",
        depends_on=("cost_test_default", "cost_test_tuned"),
        recompute=lambda v: v["cost_test_default"] - v["cost_test_tuned"],
        mistakes={"the validation saving (threshold tuned on those rows)": cost(y_va, p_va, 0.5) - c_val})
    boot = ("def test_saving(y, p):\n"
            "    return cost(y, p, 0.5) - cost(y, p, min_cost_threshold_val)\n\n"
            "saving_low, saving_high, saving_reps = caselab.experiments.paired_bootstrap_ci(\n"
            "    test_saving, (y_test, p_test), n_boot=n_boot, seed=bootstrap_seed)\n")
    a["cost_saving_ci_low"] = Answer(
        lo, formula="2.5th percentile of the bootstrap replicates of the saving (test rows resampled with "
                    "replacement, the same rows for both rules)",
        work=f"{g['n_boot']:,} replicates: 95% CI [{lo:g}, {hi:g}], SD {np.std(reps, ddof=1):.1f}; "
             f"{np.mean(reps <= 0):.1%} of the replicates show no saving",
        code=boot + "cost_saving_ci_low = saving_low",
        mistakes={"the upper end": hi, "the point estimate": saving})
    a["cost_saving_ci_high"] = Answer(
        hi, formula="97.5th percentile of the bootstrap replicates of the saving", work=f"95% CI [{lo:g}, {hi:g}]",
        code="cost_saving_ci_high = saving_high", mistakes={"the lower end": lo})
    established = ESTABLISHED[0] if lo > 0 else (ESTABLISHED[2] if hi < 0 else ESTABLISHED[1])
    a["saving_established"] = Answer(
        established, formula="a saving is established when the whole 95% interval is above 0",
        work=f"saving {saving:g}, 95% CI [{lo:g}, {hi:g}] on {int(n_pos)} malignant test samples",
        code=f"saving_established = {established!r}",
        mistakes={"the point estimate alone: one miss more moves the test cost by C_FN": ESTABLISHED[0],
                  "too cautious: when the whole interval lies above 0, the test split has established the saving":
                  ESTABLISHED[1]}
        if saving > 0 else {"the interval read the wrong way round": ESTABLISHED[0]})
    # what the worked text says about the interval, by where 0 lies (the drawn numbers decide it)
    reading = {
        ESTABLISHED[0]: ("lies wholly above 0", "Even the unlucky resamples of the test rows show a saving, so the "
                         "test split does establish it — quote it with its interval, not as one number: its size "
                         "is far less certain than its sign."),
        ESTABLISHED[1]: ("includes no saving at all", "That does not make 0.5 the better rule — the validation scan "
                         "chose the tuned threshold, and the costs say a miss is the expensive error — but the test "
                         "split alone cannot prove it. Say so, and collect more labelled cases before quoting the "
                         "saving."),
        ESTABLISHED[2]: ("lies wholly below 0", "The threshold the validation scan chose did worse on the untouched "
                         "test rows: it was fitted to a few dozen validation positives. Keep 0.5 for now and re-tune "
                         "on more labelled data."),
    }[established]
    facts = {"saving_sd": float(np.std(reps, ddof=1)), "share_no_saving": float(np.mean(reps <= 0)),
             "cohort_malignant_share": float(np.mean(np.concatenate([f["y_train"], y_va, y_te]))),
             "interval_reading": reading[0], "saving_reading": reading[1]}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code=DATA_CODE, setup_code=SETUP_CODE,
                    explorers=EXPLORERS, facts=facts)


EXPLORERS = {
    # self-contained: the learner notebook has no work cell, so the explorer fits the story's model itself
    "threshold": "from sklearn.linear_model import LogisticRegression\n"
                 "from sklearn.pipeline import make_pipeline\n"
                 "from sklearn.preprocessing import StandardScaler\n\n"
                 "explorer_model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000))"
                 ".fit(X_train, y_train)\n"
                 "threshold_explorer = caselab.widgets.threshold_explorer(\n"
                 "    y_val, explorer_model.predict_proba(X_val)[:, 1], cost_fp=cost_fp, cost_fn=cost_fn,  # validation\n"
                 "    case=case, hide_until_answered={'min_cost': 'min_cost_threshold_val'})\n"
                 "threshold_explorer",
}
