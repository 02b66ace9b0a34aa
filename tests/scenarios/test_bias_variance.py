"""pinterest-bias-variance-depth: the depth sweep and learning curve, recomputed through sklearn's own
validation_curve / learning_curve on a predefined train/validation split."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import (
    PredefinedSplit,
    StratifiedShuffleSplit,
    learning_curve,
    train_test_split,
    validation_curve,
)
from threadpoolctl import threadpool_limits

from caselab.scenarios import casebook

SID = "pinterest-bias-variance-depth"


@pytest.fixture(scope="module")
def setup():
    scenario = casebook.load(SID)
    g = scenario.givens
    a = {k: v.value for k, v in casebook.solve(scenario).answers.items()}
    X, y = make_classification(n_samples=g["n_samples"], n_features=g["n_features"], n_informative=g["n_informative"],
                               n_redundant=4, weights=[1 - g["positive_share"]], flip_y=g["flip_y"],
                               class_sep=g["class_sep"], random_state=g["seed"])
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=g["val_share"], stratify=y, random_state=g["seed"])
    # one predefined fold: the training rows first (fold -1 = always train), then the validation rows
    X_all, y_all = np.vstack([X_tr, X_va]), np.concatenate([y_tr, y_va])
    fold = PredefinedSplit(np.r_[np.full(len(y_tr), -1), np.zeros(len(y_va), dtype=int)])
    model = HistGradientBoostingClassifier(max_iter=g["max_iter"], learning_rate=g["learning_rate"],
                                           min_samples_leaf=g["min_samples_leaf"], early_stopping=False,
                                           random_state=g["seed"])
    return g, a, X_all, y_all, fold, model


def test_depth_sweep_matches_validation_curve(setup):
    g, a, X, y, fold, model = setup
    depths = g["depths"]
    with threadpool_limits(1):
        train, val = validation_curve(model, X, y, param_name="max_depth", param_range=depths, cv=fold,
                                      scoring="average_precision")
    train, val = train[:, 0], val[:, 0]
    assert a["train_ap_shallow"] == pytest.approx(train[0], abs=1e-9)
    assert a["val_ap_shallow"] == pytest.approx(val[0], abs=1e-9)
    assert a["train_ap_deep"] == pytest.approx(train[-1], abs=1e-9)
    assert a["val_ap_deep"] == pytest.approx(val[-1], abs=1e-9)
    # the rule: shallowest depth within the tie tolerance of the best validation AP
    ok = [d for d, v in zip(depths, val, strict=True) if v >= val.max() - g["tie_tolerance"]]
    best = min(ok)
    assert a["best_depth"] == str(best)
    i = depths.index(best)
    assert a["gap_at_best"] == pytest.approx(train[i] - val[i], abs=1e-9)
    assert train[i] - val[i] > g["gap_threshold"] and a["diagnosis_best"] == "high variance"
    assert train[0] - val[0] <= g["gap_threshold"] and a["diagnosis_shallow"] == "high bias"


def test_learning_curve_matches_sklearn(setup):
    g, a, X, y, fold, model = setup
    model = model.set_params(max_depth=int(a["best_depth"]))
    with threadpool_limits(1):
        sizes, _, val = learning_curve(model, X, y, train_sizes=g["lc_fractions"], cv=fold,
                                       scoring="average_precision", shuffle=False)
    val = val[:, 0]
    assert a["lc_val_ap_smallest"] == pytest.approx(val[0], abs=1e-9)
    assert a["lc_gain_last_doubling"] == pytest.approx(val[-1] - val[-2], abs=1e-9)
    assert a["lc_gain_last_doubling"] > g["tie_tolerance"]  # one split alone says more data helps


def test_repeated_learning_curve_matches_sklearn(setup):
    """The rule on repeated re-splits: sklearn's learning_curve over StratifiedShuffleSplit folds
    (train_test_split's own splitter), the Nadeau–Bengio SE written out by hand."""
    g, a, _, _, _, model = setup
    X, y = make_classification(n_samples=g["n_samples"], n_features=g["n_features"], n_informative=g["n_informative"],
                               n_redundant=4, weights=[1 - g["positive_share"]], flip_y=g["flip_y"],
                               class_sep=g["class_sep"], random_state=g["seed"])
    folds = [next(StratifiedShuffleSplit(1, test_size=g["val_share"], random_state=g["seed"] + r).split(X, y))
             for r in range(g["lc_repeats"])]  # r = 0: the depth sweep's own split
    model = model.set_params(max_depth=int(a["best_depth"]))
    with threadpool_limits(1):
        _, _, val = learning_curve(model, X, y, train_sizes=g["lc_fractions"][-2:], cv=folds,
                                   scoring="average_precision", shuffle=False)
    gains = val[1] - val[0]
    assert a["lc_gain_mean"] == pytest.approx(gains.mean(), abs=1e-9)
    assert a["lc_gain_sd"] == pytest.approx(gains.std(ddof=1), abs=1e-9)
    n_val = len(folds[0][1])
    n_train = len(folds[0][0])
    se = gains.std(ddof=1) * np.sqrt(1 / len(gains) + n_val / n_train)  # Nadeau & Bengio (2003)
    lower = gains.mean() - 2 * se
    assert a["more_data_helps"] == ("yes" if lower > g["tie_tolerance"] else "no") == "no"
    # the first split sat high: its gain alone clears the rule, the mean over the splits does not by two SEs
    assert gains[0] == pytest.approx(a["lc_gain_last_doubling"], abs=1e-9) and gains[0] > gains.mean()
