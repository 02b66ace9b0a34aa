"""Undersampling on real fits: the Dal Pozzolo correction, the reliability check, Platt and isotonic.

The workflow of seed 002, run end to end: keep every positive and a random β of the negatives (a 50/50
sample), fit scikit-learn's ``LogisticRegression`` on it, then

* ranking: ROC-AUC is the same before and after the correction (it is a monotone map of the score);
* probabilities: on held-out data at the production prior the raw scores are far too high; the
  correction p = β·p_s / (β·p_s − p_s + 1) brings the mean, ECE and Brier back;
* the trap: measured on the balanced sample itself, the raw model *looks* calibrated;
* what remains (the small-sample fit is not exactly the balanced posterior) is mopped up by Platt
  scaling or isotonic regression fitted on a separate, untouched calibration split.

ECE throughout: `n_bins` equal-frequency (quantile) bins, |mean p − observed rate| weighted by bin size.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from caselab.maths.calibration import (
    brier_score,
    expected_calibration_error,
    fit_platt,
    isotonic_fit,
    isotonic_predict,
    platt_scaling,
    undersampling_correction,
)
from caselab.maths.curves import roc_auc
from caselab.maths.imbalance import random_undersample
from caselab.scenarios.data import logistic_rare_events
from caselab.scenarios.solvers import (
    Answer,
    Solution,
    distinct_mistakes,
    keep_distinct_mistakes,
    single_threaded,
)
from caselab.scenarios.spec import Given, Tolerance

GIVENS = {
    "n_train": Given("rows available for training, before undersampling", kind="integer", lo=1_000),
    "n_calibration": Given("untouched held-out rows for fitting Platt / isotonic", kind="integer", lo=1_000),
    "n_test": Given("untouched held-out rows for measuring", kind="integer", lo=1_000),
    "prevalence": Given("production positive rate", kind="rate", lo_open=True, hi=0.2),
    "n_features": Given("number of standard-normal features", kind="integer", lo=1, hi=20),
    "signal": Given("length of the true logistic weight vector (class separation)", lo=0, hi=5),
    "seed": Given("seed of the synthetic data and of the undersampling", kind="integer", lo=0),
    "n_bins": Given("equal-frequency bins of the reliability diagram and ECE", kind="integer", lo=2, hi=50),
    "n_bootstrap": Given("bootstrap resamples of the test slice for the ECE's sampling spread", kind="integer",
                         lo=50, hi=5_000),
}

ANSWERS = {"beta", "ece_resampled", "mean_p_raw", "ece_raw", "brier_raw", "roc_auc_raw", "roc_auc_corrected",
           "mean_p_corrected", "ece_corrected", "brier_corrected", "ece_platt", "ece_isotonic", "brier_platt",
           "calibrators_differ", "where_to_measure"}

# The tolerances casebook/undersampling-pozzolo-reliability.toml grades the questions with named mistakes.
TOLERANCE = {"beta": Tolerance(rel=0.001), "ece_resampled": Tolerance(abs=0.002),
             "mean_p_raw": Tolerance(abs=0.0005, rel=0.02), "ece_raw": Tolerance(abs=0.002),
             "mean_p_corrected": Tolerance(abs=0.0005, rel=0.02), "ece_corrected": Tolerance(abs=0.0001),
             "brier_corrected": Tolerance(rel=0.02), "ece_platt": Tolerance(abs=0.0001),
             "ece_isotonic": Tolerance(abs=0.0001), "brier_platt": Tolerance(rel=0.02)}

DIFFER = ["Platt scaling", "isotonic regression", "no difference this test slice can detect"]

WHERE = ["the balanced training sample", "held-out data at the production prior"]

DATA_CODE = """\
from caselab.scenarios.data import logistic_rare_events
from caselab.maths.imbalance import random_undersample
from sklearn.linear_model import LogisticRegression

data = logistic_rare_events(n_train + n_calibration + n_test, prevalence=prevalence, n_features=n_features,
                            signal=signal, seed=seed)
a, b = n_train, n_train + n_calibration
X_train, y_train = data.X[:a], data.y[:a]
X_cal, y_cal = data.X[a:b], data.y[a:b]
X_test, y_test = data.X[b:], data.y[b:]

# the team's model: every positive, an equal number of random negatives
sample = random_undersample(y_train, ratio=1.0, rng=seed)
X_bal, y_bal = X_train[sample.indices], y_train[sample.indices]
model = LogisticRegression(max_iter=1000).fit(X_bal, y_bal)
print(f"training pool {len(y_train):,} rows ({y_train.mean():.3%} positive) -> balanced sample {len(y_bal):,} rows; "
      f"test {len(y_test):,} rows ({y_test.mean():.3%} positive)")"""

SETUP_CODE = """\
import numpy as np
from caselab.maths.calibration import (brier_score, expected_calibration_error, fit_platt, isotonic_fit,
                                 isotonic_predict, platt_scaling, undersampling_correction)

p_s = model.predict_proba(X_test)[:, 1]          # raw scores on untouched test data
p_bal = model.predict_proba(X_bal)[:, 1]         # raw scores on the balanced training sample
s_cal, s_test = model.decision_function(X_cal), model.decision_function(X_test)   # logits"""


def fit(givens: dict) -> dict:
    """Everything the answers need (shared with the tests)."""
    g = givens
    data = logistic_rare_events(g["n_train"] + g["n_calibration"] + g["n_test"], prevalence=g["prevalence"],
                                n_features=g["n_features"], signal=g["signal"], seed=g["seed"])
    a, b = g["n_train"], g["n_train"] + g["n_calibration"]
    y_train, y_cal, y_test = data.y[:a], data.y[a:b], data.y[b:]
    for name, y in (("training", y_train), ("calibration", y_cal), ("test", y_test)):
        if y.sum() < 5:
            raise ValueError(f"too few positives in the {name} split: raise its size or the prevalence.")
    sample = random_undersample(y_train, ratio=1.0, rng=g["seed"])
    X_bal, y_bal = data.X[:a][sample.indices], y_train[sample.indices]
    with single_threaded():  # a fit this small is quickest on one thread (and polite on a shared machine)
        model = LogisticRegression(max_iter=1000).fit(X_bal, y_bal)
    return dict(model=model, beta=sample.beta, y_bal=y_bal, p_bal=model.predict_proba(X_bal)[:, 1],
                y_cal=y_cal, s_cal=model.decision_function(data.X[a:b]), y_test=y_test,
                p_s=model.predict_proba(data.X[b:])[:, 1], s_test=model.decision_function(data.X[b:]),
                s_bal=model.decision_function(X_bal))


def solve(givens: dict) -> Solution:
    f = fit(givens)
    k = givens["n_bins"]
    y, p_s, beta = f["y_test"], f["p_s"], f["beta"]
    a: dict[str, Answer] = {}

    def ece(p, yy=y, strategy="quantile"):
        return expected_calibration_error(yy, p, n_bins=k, strategy=strategy)

    pi = givens["prevalence"]
    a["beta"] = Answer(
        beta, formula="β = kept negatives / all negatives (every positive kept)",
        work=f"{int(f['y_bal'].sum()):,} kept of {int((f['y_bal'] == 0).sum()) / beta:,.0f} negatives = {beta:.6f} "
             f"(≈ π/(1 − π) for a 50/50 sample)",
        code="beta = sample.beta",
        mistakes={"1/β: the odds inflation, not the keep-rate": 1 / beta, "0.5, the sample's positive share": 0.5})

    e_bal = ece(f["p_bal"], f["y_bal"])
    a["ece_resampled"] = Answer(
        e_bal, formula=f"ECE, {k} equal-frequency bins, on the balanced training sample",
        work=f"ECE = {e_bal:.4f} — the model looks calibrated where it was trained",
        code="ece_resampled = expected_calibration_error(y_bal, p_bal, n_bins=n_bins)",
        mistakes=distinct_mistakes(e_bal, {f"{k} equal-width bins instead of equal-frequency":
                                           ece(f["p_bal"], f["y_bal"], "uniform")}, TOLERANCE["ece_resampled"]))

    m_raw, e_raw, b_raw = float(p_s.mean()), ece(p_s), brier_score(y, p_s)
    base = float(y.mean())
    a["mean_p_raw"] = Answer(
        m_raw, formula="mean raw score on the test set", work=f"{m_raw:.4f} vs test positive rate {base:.5f}",
        code="mean_p_raw = p_s.mean()",
        mistakes={"the test positive rate (raw scores assumed calibrated)": base})
    a["ece_raw"] = Answer(
        e_raw, formula=f"ECE, {k} equal-frequency bins, on the test set",
        work=f"ECE = {e_raw:.4f} (on the balanced sample it was {e_bal:.4f})",
        code="ece_raw = expected_calibration_error(y_test, p_s, n_bins=n_bins)",
        # when every bin overstates the rate, any binning gives ECE = mean p − positive rate: the
        # equal-width ECE then *is* the key and is not offered as a mistake
        mistakes=distinct_mistakes(e_raw, {"measured on the balanced training sample": e_bal,
                                           f"{k} equal-width bins instead of equal-frequency": ece(p_s, strategy="uniform")},
                                   TOLERANCE["ece_raw"]))
    a["brier_raw"] = Answer(
        b_raw, formula="Brier = mean (p − y)² on the test set",
        work=f"{b_raw:.4f} (a constant forecast of π scores ≈ π(1 − π) = {pi * (1 - pi):.5f})",
        code="brier_raw = brier_score(y_test, p_s)")

    r_raw = roc_auc(y, p_s)
    p_c = undersampling_correction(p_s, beta)
    r_c = roc_auc(y, p_c)
    a["roc_auc_raw"] = Answer(r_raw, formula="ROC-AUC of the raw scores on the test set", work=f"{r_raw:.4f}",
                              code="roc_auc_raw = caselab.curves.roc_auc(y_test, p_s)")
    a["roc_auc_corrected"] = Answer(
        r_c, formula="ROC-AUC of the corrected probabilities: a strictly increasing map keeps every pair's order",
        work=f"{r_c:.4f} = {r_raw:.4f}",
        code="p_c = undersampling_correction(p_s, beta)\nroc_auc_corrected = caselab.curves.roc_auc(y_test, p_c)",
        depends_on=("roc_auc_raw",), recompute=lambda v: v["roc_auc_raw"])

    wrong_p = p_s / (p_s + beta * (1 - p_s))  # the inverse map applied by mistake: the odds divided by β again
    m_c, e_c, b_c = float(p_c.mean()), ece(p_c), brier_score(y, p_c)
    a["mean_p_corrected"] = Answer(
        m_c, formula="p = β·p_s / (β·p_s − p_s + 1), averaged over the test set",
        work=f"{m_c:.5f} vs test positive rate {base:.5f}",
        code="mean_p_corrected = p_c.mean()",
        depends_on=("beta",),
        recompute=lambda v: float(undersampling_correction(p_s, min(max(v["beta"], 1e-12), 1.0)).mean()),
        mistakes={"the inverse map p_s/(p_s + β(1 − p_s)) applied instead of the correction (it inflates the "
                  "odds by 1/β a second time)": float(wrong_p.mean()),
                  "no correction": m_raw})
    a["ece_corrected"] = Answer(
        e_c, formula=f"ECE of the corrected probabilities, {k} equal-frequency bins, test set",
        work=f"{e_raw:.4f} → {e_c:.5f}",
        code="ece_corrected = expected_calibration_error(y_test, p_c, n_bins=n_bins)",
        mistakes=distinct_mistakes(e_c, {f"{k} equal-width bins": ece(p_c, strategy="uniform"),
                                         "the raw scores' ECE": e_raw}, TOLERANCE["ece_corrected"]))
    a["brier_corrected"] = Answer(
        b_c, formula="Brier of the corrected probabilities on the test set", work=f"{b_raw:.4f} → {b_c:.5f}",
        code="brier_corrected = brier_score(y_test, p_c)",
        mistakes={"the raw scores' Brier": b_raw})

    platt = fit_platt(f["s_cal"], f["y_cal"])
    p_pl = platt_scaling(f["s_test"], *platt)
    iso = isotonic_fit(f["s_cal"], f["y_cal"])
    p_iso = isotonic_predict(iso, f["s_test"])
    # the mistake: fitting the calibrator on the balanced training sample reproduces the balanced prior
    platt_bal = fit_platt(f["s_bal"], f["y_bal"])
    iso_bal = isotonic_fit(f["s_bal"], f["y_bal"])
    e_pl, e_iso, b_pl = ece(p_pl), ece(p_iso), brier_score(y, p_pl)
    a["ece_platt"] = Answer(
        e_pl, formula="Platt: p = σ(a·s + b) fitted by maximum likelihood on the calibration split's logits",
        work=f"a = {platt.a:.4f}, b = {platt.b:.4f}; test ECE {e_pl:.5f} (corrected only: {e_c:.5f})",
        code="platt = fit_platt(s_cal, y_cal)\np_platt = platt_scaling(s_test, *platt)\n"
             "ece_platt = expected_calibration_error(y_test, p_platt, n_bins=n_bins)",
        mistakes=distinct_mistakes(e_pl, {"Platt fitted on the balanced training sample":
                                          ece(platt_scaling(f["s_test"], *platt_bal)),
                                          f"{k} equal-width bins": ece(p_pl, strategy="uniform")},
                                   TOLERANCE["ece_platt"]))
    a["ece_isotonic"] = Answer(
        e_iso, formula="isotonic regression (PAV) fitted on the calibration split, applied to the test scores",
        work=f"{iso.x.size:,} distinct calibration scores → {np.unique(iso.y).size} steps; test ECE {e_iso:.5f}",
        code="iso = isotonic_fit(s_cal, y_cal)\np_iso = isotonic_predict(iso, s_test)\n"
             "ece_isotonic = expected_calibration_error(y_test, p_iso, n_bins=n_bins)",
        mistakes=distinct_mistakes(e_iso, {"isotonic fitted on the balanced training sample":
                                           ece(isotonic_predict(iso_bal, f["s_test"])),
                                           f"{k} equal-width bins": ece(p_iso, strategy="uniform")},
                                   TOLERANCE["ece_isotonic"]))
    a["brier_platt"] = Answer(
        b_pl, formula="Brier of the Platt-calibrated probabilities on the test set",
        work=f"raw {b_raw:.4f} → corrected {b_c:.5f} → Platt {b_pl:.5f} (isotonic {brier_score(y, p_iso):.5f})",
        code="brier_platt = brier_score(y_test, p_platt)",
        mistakes={"the corrected-only Brier": b_c})

    # The ECEs above are exact on this slice, but the slice is a sample with few positives: a paired
    # bootstrap of the test rows gives each ECE's sampling spread and that of the Platt − isotonic gap.
    rng = np.random.default_rng(givens["seed"])
    # The same draws as the notebook's loop, read in the order of the test logits: all three probabilities
    # rise with the logit, so each resample arrives sorted and its quantile edges are cheap to find (an ECE
    # does not depend on the order of the rows).
    order = np.argsort(f["s_test"], kind="stable")
    boot = np.empty((givens["n_bootstrap"], 3))
    for r in range(boot.shape[0]):
        counts = np.bincount(rng.integers(0, y.size, y.size), minlength=y.size)
        i = np.repeat(order, counts[order])
        boot[r] = ece(p_c[i], y[i]), ece(p_pl[i], y[i]), ece(p_iso[i], y[i])
    sd_c, sd_pl, sd_iso = boot.std(axis=0, ddof=1)
    sd_gap = float(np.std(boot[:, 1] - boot[:, 2], ddof=1))
    gap = e_pl - e_iso
    winner = DIFFER[2] if abs(gap) <= 2 * sd_gap else (DIFFER[1] if gap > 0 else DIFFER[0])
    a["calibrators_differ"] = Answer(
        winner, formula="call a winner only if |ECE_Platt − ECE_isotonic| > 2 × its paired-bootstrap SD",
        work=f"gap {gap:+.5f}; paired bootstrap ({givens['n_bootstrap']} resamples of the test rows) SD of the gap "
             f"{sd_gap:.5f}; SD of each ECE: corrected {sd_c:.5f}, Platt {sd_pl:.5f}, isotonic {sd_iso:.5f}",
        code="rng = np.random.default_rng(seed)\ngaps = []\nfor _ in range(n_bootstrap):\n"
             "    i = rng.integers(0, len(y_test), len(y_test))\n"
             "    gaps.append(expected_calibration_error(y_test[i], p_platt[i], n_bins=n_bins)\n"
             "                - expected_calibration_error(y_test[i], p_iso[i], n_bins=n_bins))\n"
             f"calibrators_differ = ({DIFFER[2]!r} if abs(ece_platt - ece_isotonic) <= 2 * np.std(gaps, ddof=1)\n"
             f"                      else {DIFFER[1]!r} if ece_platt > ece_isotonic else {DIFFER[0]!r})",
        mistakes={"the smaller ECE read as the better calibrator without its sampling spread":
                  DIFFER[1] if gap > 0 else DIFFER[0]} if winner == DIFFER[2] else {})

    a["where_to_measure"] = Answer(
        WHERE[1], formula="calibration is relative to a prior: measure it where the model will be used",
        work=f"ECE {e_bal:.4f} on the balanced sample vs {e_raw:.4f} on held-out data at the production prior",
        code=f"where_to_measure = {WHERE[1]!r}",
        mistakes={"the balanced sample has the wrong prior: the raw model looks calibrated there": WHERE[0]})
    explorers = {
        # the team's 50/50 sample at this prevalence; synthetic binormal scores, not the fitted model
        "calibration": "calibration_explorer = caselab.widgets.calibration_explorer(\n"
                       "    prevalence, beta=caselab.calibration.beta_for_balance(prevalence), seed=seed)\n"
                       "calibration_explorer",
    }
    # what the worked text says about the calibrators, in words that hold for every variant's numbers
    if e_pl < e_c:
        platt_note = f"ECE drops to {e_pl:.4f} (from {e_c:.4f} after the correction alone)"
    else:
        platt_note = (f"ECE ends at {e_pl:.4f}, no better than the correction alone ({e_c:.4f}): this fit had "
                      "left little to fix, and both lie within the bootstrap spread")
    if winner == DIFFER[2]:
        differ_note = (f"the gap between the two is within twice its bootstrap spread ({sd_gap:.4f}), so I would "
                       "keep the two-parameter Platt map")
    elif winner == DIFFER[0]:
        differ_note = (f"the gap exceeds twice its bootstrap spread ({sd_gap:.4f}): Platt is better here, and it is "
                       "the simpler map")
    else:
        differ_note = (f"the gap exceeds twice its bootstrap spread ({sd_gap:.4f}), so isotonic is better on this "
                       "evidence; with so few positives behind its steps I would confirm it on a fresh slice")
    facts = {"platt_note": platt_note, "differ_note": differ_note, "overstatement": m_raw / base, "test_positive_rate": base, "mean_p_raw": m_raw, "ece_raw": e_raw,
             "beta": beta, "ece_corrected": e_c, "ece_platt": e_pl, "ece_isotonic": e_iso,
             "ece_sd_corrected": sd_c, "ece_sd_platt": sd_pl, "ece_sd_isotonic": sd_iso, "ece_gap_sd": sd_gap,
             "calibration_positives": int(f["y_cal"].sum()), "calibration_rows": int(f["y_cal"].size),
             "isotonic_steps": int(np.unique(iso.y).size), "test_positives": int(y.sum())}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code=DATA_CODE, setup_code=SETUP_CODE, explorers=explorers, facts=facts)
