"""Reframing extreme imbalance as anomaly detection: what Isolation Forest's contamination does, and doesn't.

scikit-learn's ``IsolationForest`` scores each row by how quickly random splits isolate it
(``score_samples``: lower = more anomalous). ``contamination`` is used only *after* the forest is built,
to set ``offset_`` — the score percentile below which ``predict`` says −1. So:

* average precision and ROC-AUC of the score are identical for every contamination value;
* contamination only moves the cut: how many rows are flagged, hence recall and precision;
* the model's own knobs — ``max_samples`` (the sub-sample each tree sees) and ``n_estimators`` — change
  the ranking itself. "No tuning beyond the contamination rate" (seed 002) is wrong.

With a handful of positives every AP is noisy: refitting the same forest with another ``random_state``
can move it by several hundredths, and which positives happen to be in the data moves it more. So the
scenario refits each sub-sample size with ``n_forest_seeds`` seeds (mean and SD of AP) and gives a
bootstrap interval over the rows (:func:`caselab.experiments.paired_bootstrap_ci`). Which sub-sample
size wins here (if either does, beyond the seed spread) is a fact about these data, not a rule: Liu, Ting
& Zhou (2008) sub-sample *small* on purpose, against swamping and masking.

The learner fits one forest per contamination value; the solver fits the trees once (same data, same
``random_state``: the same trees) and places each cut where scikit-learn's ``fit`` does,
``offset_ = np.percentile(score_samples(X), 100 · contamination)``, flagging ``score_samples(X) < offset_``
(``predict`` is −1 exactly there). ``tests/scenarios/test_anomaly_detection.py`` checks both against forests
fitted with each contamination. The forests are small (tens of trees on a few thousand rows) so a drill
variant solves in about a tenth of a second.

Data: :func:`caselab.data.normals_with_anomalies` — normal rows plus a few heterogeneous anomalies; the
forest is fitted on all rows without labels (as in production) and judged with the planted labels.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import IsolationForest

from caselab.maths.curves import average_precision, roc_auc
from caselab.maths.experiments import paired_bootstrap_ci
from caselab.maths.metrics import Confusion
from caselab.scenarios.data import normals_with_anomalies
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    "n_normal": Given("normal rows", kind="integer", lo=1_000, hi=200_000),
    "n_anomaly": Given("planted anomalies", kind="integer", lo=1, hi=1_000),
    "n_features": Given("features", kind="integer", lo=2, hi=50),
    "radius_low": Given("smallest distance of an anomaly from the centre", lo=0),
    "radius_high": Given("largest distance of an anomaly from the centre", lo=0),
    "seed": Given("seed of the data and random_state of the forests", kind="integer", lo=0),
    "n_estimators": Given("trees in the forest", kind="integer", lo=1, hi=1_000),
    "contamination_low": Given("smallest contamination tried", kind="rate", lo_open=True, hi=0.5),
    "contamination_mid": Given("middle contamination tried", kind="rate", lo_open=True, hi=0.5),
    "contamination_high": Given("largest contamination tried", kind="rate", lo_open=True, hi=0.5),
    "max_samples_small": Given("a smaller per-tree sub-sample than the default 256", kind="integer", lo=2),
    "max_samples_large": Given("a larger per-tree sub-sample than the default 256", kind="integer", lo=2),
    "n_labelled_positives": Given("confirmed positives the team has labels for", kind="integer", lo=0),
    "positives_heterogeneous": Given("do the known positives come from many different schemes?", kind="bool"),
    "needs_probabilities": Given("does the downstream decision need calibrated probabilities?", kind="bool"),
    "n_forest_seeds": Given("forests per sub-sample size, random_state = seed + r for r = 0 … n − 1", kind="integer",
                            lo=2, hi=50),
    "n_boot": Given("bootstrap replicates for the interval of AP", kind="integer", lo=100, hi=20_000),
    "bootstrap_seed": Given("seed of numpy.random.default_rng for the bootstrap", kind="integer", lo=0),
}

ANSWERS = {"ap_default", "roc_auc_default", "ap_changes_with_contamination", "flagged_low", "flagged_high",
           "recall_low", "recall_mid", "recall_high", "precision_low", "precision_high", "ap_small_subsample",
           "ap_large_subsample", "tuning_claim", "framing", "ap_small_seed_sd", "ap_large_seed_mean",
           "ap_small_seed_mean", "ap_default_ci_low", "ap_default_ci_high", "subsample_lesson"}

LESSON = ["bigger sub-samples are better: use as many rows per tree as possible",
          "one sub-sample size won here, beyond the seed spread; that is a fact about these data — tune max_samples "
          "on labels over several seeds",
          "no difference beyond the seed spread"]

AP_CHANGE = ["yes: a larger contamination gives a better ranking", "no: contamination only moves the cut"]
CLAIM = ["true: contamination is the only knob", "false: contamination sets the cut; max_samples and n_estimators "
                                                 "shape the scores"]
FRAMING = ["supervised classifier", "anomaly detector, or a hybrid that feeds a supervised model"]

# the tolerances the spec grades with: a mistake inside one is not offered (keep_distinct_mistakes)
_RATE = DEFAULT_TOLERANCE["rate"]
TOLERANCE = {"ap_default": Tolerance(abs=0.01), "roc_auc_default": _RATE, "flagged_low": DEFAULT_TOLERANCE["count"],
             "flagged_high": DEFAULT_TOLERANCE["count"], "recall_low": _RATE, "recall_mid": _RATE,
             "recall_high": _RATE, "precision_low": _RATE, "precision_high": _RATE,
             "ap_small_subsample": Tolerance(abs=0.01), "ap_large_subsample": Tolerance(abs=0.01),
             "ap_small_seed_mean": _RATE, "ap_small_seed_sd": _RATE, "ap_large_seed_mean": _RATE,
             "ap_default_ci_low": Tolerance(abs=0.05), "ap_default_ci_high": Tolerance(abs=0.05)}

DATA_CODE = """\
import numpy as np
from caselab.scenarios.data import normals_with_anomalies
from sklearn.ensemble import IsolationForest

d = normals_with_anomalies(n_normal, n_anomaly, n_features=n_features, seed=seed,
                           radius=(radius_low, radius_high))
X, y = d.X, d.y   # y is only for judging: the forest never sees it
print(f"{len(y):,} rows, {y.sum()} anomalies (1 in {len(y) // y.sum():,})")"""

SETUP_CODE = """\
from caselab.maths.curves import average_precision, roc_auc

def forest(contamination="auto", max_samples="auto"):
    return IsolationForest(n_estimators=n_estimators, contamination=contamination, max_samples=max_samples,
                           random_state=seed).fit(X)

def confusion(model):
    flagged = model.predict(X) == -1
    return caselab.metrics.Confusion(tp=np.sum(flagged & (y == 1)), fp=np.sum(flagged & (y == 0)),
                                     fn=np.sum(~flagged & (y == 1)), tn=np.sum(~flagged & (y == 0)))

models = {c: forest(contamination=c) for c in (contamination_low, contamination_mid, contamination_high)}
scores = {c: -m.score_samples(X) for c, m in models.items()}     # higher = more anomalous
cm = {c: confusion(m) for c, m in models.items()}"""


def _cm(y: np.ndarray, flagged: np.ndarray) -> Confusion:
    return Confusion(tp=float(np.sum(flagged & (y == 1))), fp=float(np.sum(flagged & (y == 0))),
                     fn=float(np.sum(~flagged & (y == 1))), tn=float(np.sum(~flagged & (y == 0))))


def fit(givens: dict) -> dict:
    """Scores and flags of every forest (shared with the tests).

    Returns ``{"y", "scores": {contamination: score}, "flags": {contamination: bool array}, "cm": {…: Confusion},
    "max_samples_small_seeds": [AP per random_state seed + r], "max_samples_small": the r = 0 forest's score,
    and the same for max_samples_large}``; scores are ``−score_samples`` (higher = more anomalous).
    """
    g = givens
    if not 0 <= g["radius_low"] <= g["radius_high"]:
        raise ValueError("radius_low must not exceed radius_high.")
    cs = (g["contamination_low"], g["contamination_mid"], g["contamination_high"])
    if not cs[0] < cs[1] < cs[2]:
        raise ValueError("the contamination values must increase: low < mid < high.")
    d = normals_with_anomalies(g["n_normal"], g["n_anomaly"], n_features=g["n_features"], seed=g["seed"],
                               radius=(g["radius_low"], g["radius_high"]))
    X, y = d.X, d.y

    def raw_score(max_samples="auto", random_state=g["seed"]):
        return IsolationForest(n_estimators=g["n_estimators"], max_samples=max_samples,
                               random_state=random_state).fit(X).score_samples(X)

    # contamination is not used to grow the trees: one fit gives every contamination's forest, and the cut
    # is where IsolationForest.fit puts offset_ (predict says −1 strictly below it)
    raw = raw_score()
    out = {"y": y, "scores": {}, "cm": {}, "flags": {}}
    for c in cs:
        out["scores"][c] = -raw
        out["flags"][c] = raw < np.percentile(raw, 100.0 * c)
        out["cm"][c] = _cm(y, out["flags"][c])
    for key in ("max_samples_small", "max_samples_large"):
        scores = [-raw_score(min(g[key], y.size), g["seed"] + r) for r in range(g["n_forest_seeds"])]
        out[key] = scores[0]  # random_state = seed: "the" forest of the single-fit question
        out[key + "_seeds"] = [average_precision(y, s) for s in scores]
    return out


def solve(givens: dict) -> Solution:
    g = givens
    f = fit(g)
    y = f["y"]
    lo, mid, hi = g["contamination_low"], g["contamination_mid"], g["contamination_high"]
    a: dict[str, Answer] = {}

    ap = {c: average_precision(y, s) for c, s in f["scores"].items()}
    roc = {c: roc_auc(y, s) for c, s in f["scores"].items()}
    a["ap_default"] = Answer(
        ap[mid], formula="average precision of −score_samples (higher = more anomalous)",
        work=f"AP = {ap[mid]:.4f} (the no-skill baseline is the anomaly rate {y.mean():.5f})",
        code="ap_default = average_precision(y, scores[contamination_mid])",
        mistakes={"ROC-AUC instead of AP": roc[mid],
                  "AP of predict()'s flags instead of the scores": average_precision(y, f["flags"][mid].astype(float))})
    a["roc_auc_default"] = Answer(
        roc[mid], formula="ROC-AUC of −score_samples", work=f"ROC-AUC = {roc[mid]:.4f} vs AP {ap[mid]:.4f}",
        code="roc_auc_default = roc_auc(y, scores[contamination_mid])",
        mistakes={"AP instead of ROC-AUC": ap[mid]})
    spread = max(ap.values()) - min(ap.values())
    changes = spread > 1e-9
    a["ap_changes_with_contamination"] = Answer(
        AP_CHANGE[0] if changes else AP_CHANGE[1],
        formula="contamination sets offset_ after the trees are grown; score_samples does not depend on it",
        work="AP for contamination " + ", ".join(f"{c:g}: {v:.4f}" for c, v in ap.items())
             + " (the trees are grown before contamination is used: the same score_samples for all three)",
        code=f"ap_changes_with_contamination = {(AP_CHANGE[0] if changes else AP_CHANGE[1])!r}  "
             "# compare average_precision(y, s) over scores.values()",
        mistakes={} if changes else {"contamination is not a quality knob": AP_CHANGE[0]})

    for key, c in (("flagged_low", lo), ("flagged_high", hi)):
        fl = f["cm"][c].flagged
        a[key] = Answer(
            fl, formula="rows with predict() == −1: those scoring beyond the contamination percentile",
            work=f"{fl:,.0f} of {y.size:,} flagged at contamination {c:g} (≈ {c:g}·{y.size:,} = {c * y.size:,.0f})",
            code=f"{key} = cm[{'contamination_low' if c == lo else 'contamination_high'}].flagged",
            mistakes={"the number of true anomalies": float(y.sum())})
    for key, c, name in (("recall_low", lo, "contamination_low"), ("recall_mid", mid, "contamination_mid"),
                         ("recall_high", hi, "contamination_high")):
        cmc = f["cm"][c]
        a[key] = Answer(
            cmc.recall, formula="anomalies flagged / all anomalies",
            work=f"{cmc.tp:.0f} / {cmc.positives:.0f} = {cmc.recall:.4f}",
            code=f"{key} = cm[{name}].recall", mistakes={"precision instead of recall": cmc.precision})
    for key, c, name in (("precision_low", lo, "contamination_low"), ("precision_high", hi, "contamination_high")):
        cmc = f["cm"][c]
        a[key] = Answer(
            cmc.precision, formula="anomalies flagged / rows flagged",
            work=f"{cmc.tp:.0f} / {cmc.flagged:.0f} = {cmc.precision:.4f}",
            code=f"{key} = cm[{name}].precision", mistakes={"recall instead of precision": cmc.recall})

    for key, gname in (("ap_small_subsample", "max_samples_small"), ("ap_large_subsample", "max_samples_large")):
        v = average_precision(y, f[gname])
        a[key] = Answer(
            v, formula=f"AP of a forest with max_samples = {g[gname]} (default 'auto' = min(256, n))",
            work=f"AP {ap[mid]:.4f} (default) → {v:.4f}",
            code=f"{key} = average_precision(y, -forest(max_samples={gname}).score_samples(X))",
            mistakes={"the default forest's AP (max_samples assumed not to matter)": ap[mid]})
    moved = max(abs(a["ap_small_subsample"].value - ap[mid]), abs(a["ap_large_subsample"].value - ap[mid]))
    claim = CLAIM[1] if moved > 0.01 or not changes else CLAIM[0]
    a["tuning_claim"] = Answer(
        claim, formula="which settings change the ranking (AP), and which only the cut?",
        work=f"contamination: AP spread {spread:.2g}; max_samples: AP moves by up to {moved:.4f}",
        code=f"tuning_claim = {claim!r}",
        mistakes={f"a common claim, but max_samples moved AP by up to {moved:.3f} here": CLAIM[0]} if claim == CLAIM[1] else {})

    R = g["n_forest_seeds"]
    small, large = np.array(f["max_samples_small_seeds"]), np.array(f["max_samples_large_seeds"])
    seeds_code = ("def seed_aps(max_samples):\n"
                  "    return [average_precision(y, -IsolationForest(n_estimators=n_estimators, max_samples=max_samples,\n"
                  "                                                  random_state=seed + r).fit(X).score_samples(X))\n"
                  "            for r in range(n_forest_seeds)]\n\n"
                  "aps_small, aps_large = seed_aps(max_samples_small), seed_aps(max_samples_large)\n")
    a["ap_small_seed_mean"] = Answer(
        float(small.mean()), formula=f"mean AP of forests with max_samples = {g['max_samples_small']}, "
                                     f"random_state = seed, seed + 1, …, seed + {R - 1}",
        work="APs: " + ", ".join(f"{v:.3f}" for v in small) + f" → mean {small.mean():.4f}",
        code=seeds_code + "ap_small_seed_mean = np.mean(aps_small)",
        mistakes={"the single forest's AP (random_state = seed)": a["ap_small_subsample"].value})
    a["ap_small_seed_sd"] = Answer(
        float(small.std(ddof=1)), formula="SD (ddof = 1) of those APs: how far one forest's AP strays",
        work=f"SD {small.std(ddof=1):.4f}; range {small.min():.3f}–{small.max():.3f}, from {int(y.sum())} positives",
        code="ap_small_seed_sd = np.std(aps_small, ddof=1)",
        mistakes={"the SD of the large-sub-sample forests": float(large.std(ddof=1)),
                  "the SD with ddof = 0": float(small.std(ddof=0))})
    a["ap_large_seed_mean"] = Answer(
        float(large.mean()), formula=f"mean AP of forests with max_samples = {g['max_samples_large']} over the "
                                     f"same {R} seeds",
        work="APs: " + ", ".join(f"{v:.3f}" for v in large) + f" → mean {large.mean():.4f}, SD "
             f"{large.std(ddof=1):.4f}",
        code="ap_large_seed_mean = np.mean(aps_large)",
        mistakes={"the single forest's AP (random_state = seed)": a["ap_large_subsample"].value,
                  "the small sub-sample's mean": float(small.mean())})
    lo_ci, hi_ci, _ = paired_bootstrap_ci(average_precision, (y, f["scores"][mid]), n_boot=g["n_boot"],
                                          seed=g["bootstrap_seed"])
    boot_code = ("ci_low, ci_high, _ = caselab.experiments.paired_bootstrap_ci(\n"
                 "    average_precision, (y, scores[contamination_mid]), n_boot=n_boot, seed=bootstrap_seed)\n")
    a["ap_default_ci_low"] = Answer(
        lo_ci, formula="2.5th percentile of AP over bootstrap resamples of the rows (labels and scores together)",
        work=f"95% CI [{lo_ci:.3f}, {hi_ci:.3f}] around AP {ap[mid]:.3f}, from {int(y.sum())} positives",
        code=boot_code + "ap_default_ci_low = ci_low", mistakes={"the upper end": hi_ci})
    a["ap_default_ci_high"] = Answer(
        hi_ci, formula="97.5th percentile of the bootstrap APs", work=f"95% CI [{lo_ci:.3f}, {hi_ci:.3f}]",
        code="ap_default_ci_high = ci_high", mistakes={"the lower end": lo_ci})
    gap = large.mean() - small.mean()
    spread = np.sqrt((small.var(ddof=1) + large.var(ddof=1)) / R)  # SE of the difference of the two means
    lesson = LESSON[1] if abs(gap) > 2 * spread else LESSON[2]
    winner = "larger" if gap > 0 else "smaller"
    finding = (f"the {winner} sub-sample won, by {abs(gap):.2f} in mean AP, more than twice the "
               f"{spread:.2f} standard error of the difference" if lesson == LESSON[1] else
               f"neither sub-sample size won beyond the seed spread: the means differ by "
               f"{abs(gap):.2f}, less than twice the {spread:.2f} standard error of the difference")
    a["subsample_lesson"] = Answer(
        lesson, formula="a difference counts if it exceeds twice its SE over the seeds; and a result on one "
                        "dataset is not a rule",
        work=f"mean AP {small.mean():.3f} (max_samples {g['max_samples_small']}) vs {large.mean():.3f} "
             f"({g['max_samples_large']}): difference {gap:+.3f}, SE {spread:.3f}: {finding}",
        code=f"subsample_lesson = {lesson!r}",
        mistakes={"Liu et al. sub-sample small on purpose: small sub-samples reduce swamping (normal points near "
                  "anomalies) and masking (clustered anomalies hiding each other); the best size depends on the "
                  "data": LESSON[0],
                  **({"the difference is within twice its standard error over the seeds": LESSON[1]}
                     if lesson == LESSON[2] else
                     {f"the {winner} sub-sample's mean AP is more than twice the SE of the difference away": LESSON[2]})})

    supervised = (g["n_labelled_positives"] >= 10_000 and not g["positives_heterogeneous"]) \
        or g["needs_probabilities"]
    framing = FRAMING[0] if supervised else FRAMING[1]
    a["framing"] = Answer(
        framing, formula="supervised when positives are plentiful (10k+) and homogeneous, or calibrated "
                         "probabilities are needed; otherwise anomaly detection or a hybrid",
        work=f"{g['n_labelled_positives']:,} labelled positives, heterogeneous: {g['positives_heterogeneous']}, "
             f"needs probabilities: {g['needs_probabilities']}",
        code=f"framing = {framing!r}",
        mistakes={"with few, heterogeneous positives and novel schemes a classifier has no boundary to learn":
                  FRAMING[0]} if framing == FRAMING[1] else
                 {"anomaly scores are not probabilities, and plenty of homogeneous labels favour a classifier":
                  FRAMING[1]})
    facts = {"n_positives": int(y.sum()), "ap_small_seed_min": float(small.min()),
             "ap_small_seed_max": float(small.max()), "ap_large_seed_sd": float(large.std(ddof=1)),
             "subsample_finding": finding, "flagged_mid": f["cm"][mid].flagged}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code=DATA_CODE, setup_code=SETUP_CODE, facts=facts)
