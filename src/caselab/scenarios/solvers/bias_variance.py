"""A bias–variance decision with evidence: tree depth of a gradient-boosted model, and a learning curve.

Seed 001 part 3 ("explain one bias–variance trade-off decision with evidence"). A seeded
``make_classification`` data set is split once (stratified) into train and validation; scikit-learn's
``HistGradientBoostingClassifier`` is fitted at several ``max_depth`` values with everything else fixed,
and scored by average precision (PR-AUC) on both splits:

* **high bias**: the model cannot even fit the training data — train AP low, validation AP close to it
  and well below the best;
* **high variance**: train AP far above validation AP (a large generalisation gap).

The decision rule is stated in the givens: take the best validation AP, then the *shallowest* depth
whose validation AP is within ``tie_tolerance`` of it (the simplest model that is as good). A learning
curve at that depth (validation AP when training on growing shares of the training set) says whether
more data is likely to help. One split's curve is one draw: with under a hundred validation positives
its last step can move by several hundredths of AP from split to split. So the rule is read off
``lc_repeats`` *repeated* stratified splits (random_state = seed, seed + 1, …; the first is the sweep's
own split): the mean gain of the last doubling, its spread across splits, and its standard error
corrected for the overlap of the splits (Nadeau & Bengio 2003, :func:`caselab.experiments.resampled_se`). More data helps if the
mean gain minus two corrected standard errors still exceeds ``tie_tolerance``.

All fits run single-threaded (``threadpoolctl``) so results are reproducible and cheap on a shared
machine; early stopping is off so every fit uses exactly ``max_iter`` trees.
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split

from caselab.maths.curves import average_precision
from caselab.maths.experiments import resampled_se
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes, single_threaded
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given

GIVENS = {
    "seed": Given("random_state of the data, the split and the models", kind="integer", lo=0),
    "n_samples": Given("rows generated", kind="integer", lo=500, hi=20_000),
    "n_features": Given("features (of which n_informative carry signal, 4 more are redundant)", kind="integer",
                        lo=8, hi=100),
    "n_informative": Given("informative features", kind="integer", lo=2),
    "positive_share": Given("share of positives requested from make_classification", kind="rate", lo=0.01,
                            hi=0.5),
    "flip_y": Given("share of labels flipped at random (label noise)", kind="rate", hi=0.3),
    "class_sep": Given("make_classification's class separation", lo=0, lo_open=True),
    "val_share": Given("share of rows held out for validation (stratified)", kind="rate", lo=0.1, hi=0.5),
    "depths": Given("max_depth values compared (ascending)", kind="list", min_items=3,
                    each=Given("a max_depth", kind="integer", lo=1, hi=20)),
    "max_iter": Given("boosting iterations (trees)", kind="integer", lo=5, hi=300),
    "learning_rate": Given("learning rate", lo=0, lo_open=True, hi=1),
    "min_samples_leaf": Given("minimum rows per leaf", kind="integer", lo=1),
    "tie_tolerance": Given("validation-AP difference treated as a tie", kind="rate"),
    "gap_threshold": Given("train − validation AP gap above which a model is called high-variance", kind="rate"),
    "lc_fractions": Given("shares of the training set for the learning curve (ascending, last = 1)", kind="list",
                          min_items=2, each=Given("a share of the training set", kind="rate", lo_open=True)),
    "lc_repeats": Given("stratified splits (the first is the sweep's) for the learning curve's last step", kind="integer", lo=2,
                        hi=100),
}

ANSWERS = {"train_ap_shallow", "val_ap_shallow", "train_ap_deep", "val_ap_deep", "best_depth", "gap_at_best",
           "diagnosis_shallow", "diagnosis_best", "lc_val_ap_smallest", "lc_gain_last_doubling", "lc_gain_mean",
           "lc_gain_sd", "more_data_helps"}

DIAGNOSES = ["high bias", "high variance", "good fit"]

TOLERANCE = {qid: DEFAULT_TOLERANCE["rate"] for qid in (
    "train_ap_shallow", "val_ap_shallow", "train_ap_deep", "val_ap_deep", "gap_at_best", "lc_val_ap_smallest",
    "lc_gain_last_doubling", "lc_gain_mean", "lc_gain_sd")}

# What the evidence says to do next, by the chosen depth's diagnosis and whether more data helps (the model
# answer's last sentence). The chosen depth is within the tie tolerance of the best, so never "high bias".
NEXT_STEPS = {
    ("high variance", "yes"): "So the next steps are more data (especially more positives, e.g. a longer time window), "
                              "stronger regularisation (larger `min_samples_leaf`, `l2_regularization`) and cleaning "
                              "noisy labels — not a deeper model.",
    ("high variance", "no"): "So the gap calls for stronger regularisation (larger `min_samples_leaf`, "
                             "`l2_regularization`, feature subsampling) and cleaning noisy labels — not a deeper model; "
                             "more rows are not shown to pay off yet, so I would not wait for a longer data window "
                             "before regularising.",
    ("good fit", "yes"): "So the chosen model is not memorising its training set, and the curve says more rows still pay "
                         "off: collect more data (especially more positives) before adding capacity or regularisation.",
    ("good fit", "no"): "So neither more rows nor more regularisation is indicated: the next gains come from better "
                        "features or cleaner labels, compared on repeated splits.",
}


def make_dataset(g: dict):
    """The seeded data set ``(X, y)``: ``make_classification`` with 4 redundant features."""
    return make_classification(n_samples=g["n_samples"], n_features=g["n_features"],
                               n_informative=g["n_informative"], n_redundant=4,
                               weights=[1 - g["positive_share"]], flip_y=g["flip_y"], class_sep=g["class_sep"],
                               random_state=g["seed"])


def split(g: dict, X, y, split_seed: int):
    """A stratified train/validation split of ``(X, y)`` with ``random_state = split_seed``."""
    return train_test_split(X, y, test_size=g["val_share"], stratify=y, random_state=split_seed)


def last_step_gains(g: dict, depth: int, X, y, first_gain: float) -> tuple[list[float], int, int]:
    """Validation-AP gain from the second-largest share to all of the training rows, on repeated re-splits.

    Split r (r = 0 … lc_repeats − 1) uses ``random_state = seed + r``: split 0 is the split of the depth
    sweep, whose gain ``first_gain`` is already known. Returns the gains and the train/validation sizes of
    a split.
    """
    half = sorted(g["lc_fractions"])[-2]
    gains = [first_gain]
    for r in range(1, g["lc_repeats"]):
        X_tr, X_va, y_tr, y_va = split(g, X, y, g["seed"] + r)
        k = int(round(half * len(y_tr)))
        gains.append(ap(fit(g, depth, X_tr, y_tr), X_va, y_va) - ap(fit(g, depth, X_tr[:k], y_tr[:k]), X_va, y_va))
    return gains, len(y_tr), len(y_va)


def fit(g: dict, depth: int, X, y) -> HistGradientBoostingClassifier:
    """The model at ``max_depth = depth`` fitted on ``(X, y)``; call it inside ``single_threaded()``."""
    model = HistGradientBoostingClassifier(max_depth=depth, max_iter=g["max_iter"], learning_rate=g["learning_rate"],
                                           min_samples_leaf=g["min_samples_leaf"], early_stopping=False,
                                           random_state=g["seed"])
    return model.fit(X, y)


def ap(model, X, y) -> float:
    """Average precision of ``model`` on ``(X, y)`` (the library's, equal to scikit-learn's
    ``average_precision_score`` and a few dozen times faster on these small splits)."""
    return average_precision(y, model.predict_proba(X)[:, 1])


def pick_depth(val_ap: dict[int, float], tol: float) -> int:
    """The shallowest depth whose validation AP is within ``tol`` of the best."""
    best = max(val_ap.values())
    return min(d for d, v in val_ap.items() if v >= best - tol)


def diagnose(train: float, val: float, best_val: float, tol: float, gap_threshold: float) -> str:
    if train - val > gap_threshold:
        return "high variance"
    if val < best_val - tol:
        return "high bias"
    return "good fit"


def solve(givens: dict) -> Solution:
    # single-threaded throughout: reproducible, and one limit for the whole solve (entering one costs a few ms)
    with single_threaded():
        return _solve(givens)


def _solve(givens: dict) -> Solution:
    g = givens
    if g["n_informative"] + 4 > g["n_features"]:
        raise ValueError("n_features must be at least n_informative + 4 (4 redundant features are generated).")
    depths = sorted(g["depths"])
    fractions = sorted(g["lc_fractions"])
    if fractions[-1] != 1:
        raise ValueError("the learning curve's last share must be 1 (the whole training set).")
    X, y = make_dataset(g)
    X_train, X_val, y_train, y_val = split(g, X, y, g["seed"])
    train_ap, val_ap = {}, {}
    for d in depths:
        m = fit(g, d, X_train, y_train)
        train_ap[d], val_ap[d] = ap(m, X_train, y_train), ap(m, X_val, y_val)
    tol, gap_t = g["tie_tolerance"], g["gap_threshold"]
    best_val = max(val_ap.values())
    best = pick_depth(val_ap, tol)
    argmax = max(val_ap, key=val_ap.get)
    lo_d, hi_d = depths[0], depths[-1]
    lc = {1.0: val_ap[best]}  # the whole training set: the sweep's model at that depth (the fit is deterministic)
    for f in fractions[:-1]:
        k = int(round(f * len(y_train)))
        lc[f] = ap(fit(g, best, X_train[:k], y_train[:k]), X_val, y_val)
    lc = {f: lc[f] for f in fractions}
    a: dict[str, Answer] = {}

    a["train_ap_shallow"] = Answer(
        train_ap[lo_d], formula=f"average precision of the depth-{lo_d} model on its own training data",
        work=f"train AP at max_depth={lo_d}: {train_ap[lo_d]:.4f}", code=f"train_ap_shallow = train_ap[{lo_d}]",
        mistakes={"the validation AP": val_ap[lo_d]})
    a["val_ap_shallow"] = Answer(
        val_ap[lo_d], formula=f"average precision of the depth-{lo_d} model on the validation split",
        work=f"validation AP at max_depth={lo_d}: {val_ap[lo_d]:.4f}", code=f"val_ap_shallow = val_ap[{lo_d}]",
        mistakes={"the training AP": train_ap[lo_d]})
    a["train_ap_deep"] = Answer(
        train_ap[hi_d], formula=f"average precision of the depth-{hi_d} model on its training data",
        work=f"train AP at max_depth={hi_d}: {train_ap[hi_d]:.4f}", code=f"train_ap_deep = train_ap[{hi_d}]",
        mistakes={"the validation AP": val_ap[hi_d]})
    a["val_ap_deep"] = Answer(
        val_ap[hi_d], formula=f"average precision of the depth-{hi_d} model on the validation split",
        work=f"validation AP at max_depth={hi_d}: {val_ap[hi_d]:.4f}", code=f"val_ap_deep = val_ap[{hi_d}]",
        mistakes={"the training AP": train_ap[hi_d]})
    table = ", ".join(f"{d}: {train_ap[d]:.3f}/{val_ap[d]:.3f}" for d in depths)
    best_mistakes = {}
    if argmax != best:
        best_mistakes[f"{argmax}: the raw maximum, ignoring that the difference is within the tie tolerance"] = str(argmax)
    by_train = max(depths, key=lambda d: (train_ap[d], d))
    if by_train not in (best, argmax):
        best_mistakes[f"{by_train}: chosen by training AP"] = str(by_train)
    a["best_depth"] = Answer(
        str(best), formula=f"the shallowest depth with validation AP ≥ best − {tol:g}",
        work=f"train/validation AP by depth — {table}; best validation AP {best_val:.4f} (depth {argmax}) → "
             f"shallowest within {tol:g}: depth {best}",
        code="best_val = max(val_ap.values())\n"
             "best_depth = str(min(d for d in depths if val_ap[d] >= best_val - tie_tolerance))",
        mistakes=best_mistakes)
    gap = train_ap[best] - val_ap[best]
    a["gap_at_best"] = Answer(
        gap, formula="generalisation gap = train AP − validation AP at the chosen depth",
        work=f"{train_ap[best]:.4f} − {val_ap[best]:.4f} = {gap:.4f}",
        code="gap_at_best = train_ap[int(best_depth)] - val_ap[int(best_depth)]",
        mistakes={"validation − train (sign flipped)": -gap})
    diag_lo = diagnose(train_ap[lo_d], val_ap[lo_d], best_val, tol, gap_t)
    diag_best = diagnose(train_ap[best], val_ap[best], best_val, tol, gap_t)
    rule = (f"high variance if train − val AP > {gap_t:g}; else high bias if val AP < best − {tol:g}; "
            "else good fit")
    a["diagnosis_shallow"] = Answer(
        diag_lo, formula=rule,
        work=f"depth {lo_d}: gap {train_ap[lo_d] - val_ap[lo_d]:.3f}, val AP {val_ap[lo_d]:.3f} vs best "
             f"{best_val:.3f} → {diag_lo}",
        code=f"def diagnose(d):\n"
             f"    if train_ap[d] - val_ap[d] > gap_threshold:\n"
             f"        return 'high variance'\n"
             f"    return 'high bias' if val_ap[d] < best_val - tie_tolerance else 'good fit'\n\n"
             f"diagnosis_shallow = diagnose({lo_d})")
    a["diagnosis_best"] = Answer(
        diag_best, formula=rule,
        work=f"depth {best}: gap {gap:.3f} → {diag_best}",
        code="diagnosis_best = diagnose(int(best_depth))",
        mistakes={"good fit: it has the best validation AP, but the gap says it memorises the training set":
                  "good fit"} if diag_best == "high variance" else {})
    f0 = fractions[0]
    a["lc_val_ap_smallest"] = Answer(
        lc[f0], formula=f"validation AP of the chosen depth trained on the first {f0:.0%} of the training rows",
        work="learning curve: " + ", ".join(f"{f:.0%} → {v:.4f}" for f, v in lc.items()),
        code="learning_curve = {}\n"
             "for f in lc_fractions:\n"
             "    k = int(round(f * len(y_train)))\n"
             "    m = fit(int(best_depth), X_train[:k], y_train[:k])\n"
             "    learning_curve[f] = average_precision_score(y_val, m.predict_proba(X_val)[:, 1])\n"
             "print(learning_curve)\n"
             "lc_val_ap_smallest = learning_curve[min(lc_fractions)]",
        mistakes={"the validation AP on the full training set": lc[1.0]})
    half = fractions[-2]
    gain = lc[1.0] - lc[half]
    a["lc_gain_last_doubling"] = Answer(
        gain, formula=f"validation AP at 100% of the training data − at {half:.0%}",
        work=f"{lc[1.0]:.4f} − {lc[half]:.4f} = {gain:+.4f}",
        code=f"lc_gain_last_doubling = learning_curve[1.0] - learning_curve[{half!r}]",
        mistakes={"100% minus the smallest share (not the last step)": lc[1.0] - lc[f0]})
    gains, n_tr, n_va = last_step_gains(g, best, X, y, gain)
    gain_mean = float(np.mean(gains))
    gain_sd = float(np.std(gains, ddof=1))
    gain_se = resampled_se(gains, n_tr, n_va)
    lower = gain_mean - 2 * gain_se
    share_above = float(np.mean(np.array(gains) > tol))
    R = g["lc_repeats"]
    a["lc_gain_mean"] = Answer(
        gain_mean, formula=f"mean over {R} stratified splits (random_state = seed, seed + 1 … seed + {R - 1}) of "
                           f"validation AP at 100% − at {half:.0%} of that split's training rows",
        work="gains: " + ", ".join(f"{x:+.3f}" for x in gains) + f" → mean {gain_mean:+.4f} (the single split "
             f"above gave {gain:+.4f})",
        code=f"gains = []\n"
             f"for r in range(lc_repeats):  # r = 0: the split above\n"
             f"    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=val_share, stratify=y, random_state=seed + r)\n"
             f"    k = int(round({half!r} * len(y_tr)))\n"
             f"    full, part = fit(int(best_depth), X_tr, y_tr), fit(int(best_depth), X_tr[:k], y_tr[:k])\n"
             f"    gains.append(average_precision_score(y_va, full.predict_proba(X_va)[:, 1])\n"
             f"                 - average_precision_score(y_va, part.predict_proba(X_va)[:, 1]))\n"
             f"lc_gain_mean = float(np.mean(gains))",
        mistakes={"the single split's gain, not the mean over the splits": gain})
    a["lc_gain_sd"] = Answer(
        gain_sd, formula="sample standard deviation (ddof = 1) of the gains across the splits",
        work=f"SD = {gain_sd:.4f}: one split's gain is one draw from this spread",
        code="lc_gain_sd = float(np.std(gains, ddof=1))",
        mistakes={"the naive standard error SD/√R, not the spread of one split's gain": gain_sd / np.sqrt(R)})
    more = "yes" if lower > tol else "no"
    single = "yes" if gain > tol else "no"
    a["more_data_helps"] = Answer(
        more, formula=f"yes if mean gain − 2·SE > {tol:g}, SE = SD·√(1/R + n_val/n_train) (Nadeau–Bengio: the "
                      "splits overlap, so SD/√R is too small)",
        work=f"SE = {gain_sd:.4f}·√(1/{R} + {n_va}/{n_tr}) = {gain_se:.4f}; {gain_mean:+.4f} − 2·{gain_se:.4f} = "
             f"{lower:+.4f} → {more} ({share_above:.0%} of the splits gained more than {tol:g}; the single split "
             f"alone, {gain:+.4f}, would say {single})",
        code="lc_gain_se = caselab.experiments.resampled_se(gains, n_train=len(y_tr), n_test=len(y_va))\n"
             "more_data_helps = 'yes' if lc_gain_mean - 2 * lc_gain_se > tie_tolerance else 'no'",
        mistakes={"judged on the single split's gain alone": single},
        depends_on=("lc_gain_mean", "lc_gain_sd"),
        recompute=lambda v: "yes" if v["lc_gain_mean"] - 2 * v["lc_gain_sd"] * np.sqrt(1 / R + n_va / n_tr) > tol
        else "no")
    facts = {"val_positives": int(y_val.sum()), "best_val_ap": best_val, "argmax_depth": argmax,
             "train_ap_best": train_ap[best], "val_ap_best": val_ap[best], "single_split_says": single,
             "next_steps": NEXT_STEPS[diag_best, more], "lc_gain_se": gain_se, "lc_gain_lower": lower,
             "lc_share_above_tolerance": share_above, "lc_gain_min": float(min(gains)),
             "lc_gain_max": float(max(gains)), "n_train": n_tr, "n_val": n_va}

    data_code = (
        "from sklearn.datasets import make_classification\n"
        "from sklearn.model_selection import train_test_split\n\n"
        "X, y = make_classification(n_samples=n_samples, n_features=n_features, n_informative=n_informative,\n"
        "                           n_redundant=4, weights=[1 - positive_share], flip_y=flip_y,\n"
        "                           class_sep=class_sep, random_state=seed)\n"
        "X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=val_share, stratify=y, random_state=seed)\n"
        "print(f'{len(y_train):,} training rows ({y_train.mean():.1%} positive), {len(y_val):,} validation rows')")
    setup_code = (
        "import numpy as np\n"
        "from sklearn.ensemble import HistGradientBoostingClassifier\n"
        "from sklearn.metrics import average_precision_score\n"
        "from threadpoolctl import threadpool_limits\n\n"
        "threadpool_limits(1)  # single-threaded: reproducible, and polite on a shared machine\n\n"
        "def fit(depth, X, y):\n"
        "    model = HistGradientBoostingClassifier(max_depth=depth, max_iter=max_iter, learning_rate=learning_rate,\n"
        "                                           min_samples_leaf=min_samples_leaf, early_stopping=False,\n"
        "                                           random_state=seed)\n"
        "    return model.fit(X, y)\n\n"
        "train_ap, val_ap = {}, {}\n"
        "for d in depths:\n"
        "    m = fit(d, X_train, y_train)\n"
        "    train_ap[d] = average_precision_score(y_train, m.predict_proba(X_train)[:, 1])\n"
        "    val_ap[d] = average_precision_score(y_val, m.predict_proba(X_val)[:, 1])\n"
        "    print(f'max_depth={d}: train AP {train_ap[d]:.3f}, validation AP {val_ap[d]:.3f}')")
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code=data_code, setup_code=setup_code, facts=facts)
