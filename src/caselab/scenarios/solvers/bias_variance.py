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
more data is likely to help: it is if the last doubling still gained more than ``tie_tolerance``.

All fits run single-threaded (``threadpoolctl``) so results are reproducible and cheap on a shared
machine; early stopping is off so every fit uses exactly ``max_iter`` trees.
"""

from __future__ import annotations

from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from caselab.scenarios.solvers import Answer, Solution
from caselab.scenarios.spec import Given

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
}

ANSWERS = {"train_ap_shallow", "val_ap_shallow", "train_ap_deep", "val_ap_deep", "best_depth", "gap_at_best",
           "diagnosis_shallow", "diagnosis_best", "lc_val_ap_smallest", "lc_gain_last_doubling", "more_data_helps"}

DIAGNOSES = ["high bias", "high variance", "good fit"]


def make_data(g: dict):
    """The data set and its stratified train/validation split."""
    X, y = make_classification(n_samples=g["n_samples"], n_features=g["n_features"],
                               n_informative=g["n_informative"], n_redundant=4,
                               weights=[1 - g["positive_share"]], flip_y=g["flip_y"], class_sep=g["class_sep"],
                               random_state=g["seed"])
    return train_test_split(X, y, test_size=g["val_share"], stratify=y, random_state=g["seed"])


def fit(g: dict, depth: int, X, y) -> HistGradientBoostingClassifier:
    model = HistGradientBoostingClassifier(max_depth=depth, max_iter=g["max_iter"], learning_rate=g["learning_rate"],
                                           min_samples_leaf=g["min_samples_leaf"], early_stopping=False,
                                           random_state=g["seed"])
    with threadpool_limits(1):
        return model.fit(X, y)


def ap(model, X, y) -> float:
    with threadpool_limits(1):
        return float(average_precision_score(y, model.predict_proba(X)[:, 1]))


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
    g = givens
    if g["n_informative"] + 4 > g["n_features"]:
        raise ValueError("n_features must be at least n_informative + 4 (4 redundant features are generated).")
    depths = sorted(g["depths"])
    fractions = sorted(g["lc_fractions"])
    if fractions[-1] != 1:
        raise ValueError("the learning curve's last share must be 1 (the whole training set).")
    X_train, X_val, y_train, y_val = make_data(g)
    train_ap, val_ap = {}, {}
    for d in depths:
        m = fit(g, d, X_train, y_train)
        train_ap[d], val_ap[d] = ap(m, X_train, y_train), ap(m, X_val, y_val)
    tol, gap_t = g["tie_tolerance"], g["gap_threshold"]
    best_val = max(val_ap.values())
    best = pick_depth(val_ap, tol)
    argmax = max(val_ap, key=val_ap.get)
    lo_d, hi_d = depths[0], depths[-1]
    lc = {}
    for f in fractions:
        k = int(round(f * len(y_train)))
        lc[f] = ap(fit(g, best, X_train[:k], y_train[:k]), X_val, y_val)
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
    more = "yes" if gain > tol else "no"
    a["more_data_helps"] = Answer(
        more, formula=f"the curve is still rising if the last step gained more than {tol:g}",
        work=f"last step gained {gain:+.4f} → {more}",
        code="more_data_helps = 'yes' if lc_gain_last_doubling > tie_tolerance else 'no'",
        depends_on=("lc_gain_last_doubling",),
        recompute=lambda v: "yes" if v["lc_gain_last_doubling"] > tol else "no")

    data_code = (
        "from sklearn.datasets import make_classification\n"
        "from sklearn.model_selection import train_test_split\n\n"
        "X, y = make_classification(n_samples=n_samples, n_features=n_features, n_informative=n_informative,\n"
        "                           n_redundant=4, weights=[1 - positive_share], flip_y=flip_y,\n"
        "                           class_sep=class_sep, random_state=seed)\n"
        "X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=val_share, stratify=y, random_state=seed)\n"
        "print(f'{len(y_train):,} training rows ({y_train.mean():.1%} positive), {len(y_val):,} validation rows')")
    setup_code = (
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
    return Solution(a, data_code=data_code, setup_code=setup_code)
