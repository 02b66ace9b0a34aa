"""smote-cv-leakage: the four protocols rebuilt fold by fold with scikit-learn and imbalanced-learn."""

from __future__ import annotations

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier

from caselab.scenarios import casebook

SID = "smote-cv-leakage"


@pytest.fixture(scope="module")
def ref():
    g = casebook.load(SID).givens
    X, y = make_classification(n_samples=g["n_samples"], n_features=g["n_features"],
                               n_informative=g["n_informative"], n_redundant=g["n_redundant"],
                               weights=[1 - g["minority_share"]], flip_y=g["flip_y"], class_sep=g["class_sep"],
                               random_state=g["seed"])
    cv = StratifiedKFold(g["n_folds"], shuffle=True, random_state=g["seed"])
    smote = SMOTE(k_neighbors=g["smote_k"], random_state=g["seed"])
    lr, knn = LogisticRegression(max_iter=1000), KNeighborsClassifier(g["knn_k"])
    Xr, yr = smote.fit_resample(X, y)
    syn = np.arange(len(y), len(yr))

    def ap(model, Xtr, ytr, Xva, yva):
        return average_precision_score(yva, clone(model).fit(Xtr, ytr).predict_proba(Xva)[:, 1])

    out = {}
    # leaky: folds of the resampled data
    out["leaky"] = np.mean([ap(lr, Xr[t], yr[t], Xr[v], yr[v]) for t, v in cv.split(Xr, yr)])
    out["val_share"] = np.mean([yr[v].mean() for _, v in cv.split(Xr, yr)])
    folds = list(cv.split(X, y))
    out["none"] = np.mean([ap(lr, X[t], y[t], X[v], y[v]) for t, v in folds])
    for name, model in (("lr", lr), ("knn", knn)):
        # in fold: SMOTE fitted on the training fold only (what imblearn's Pipeline does in fit)
        scores = []
        for t, v in folds:
            Xt, yt = clone(smote).fit_resample(X[t], y[t])
            scores.append(ap(model, Xt, yt, X[v], y[v]))
        out[f"in_fold_{name}"] = np.mean(scores)
        rows = [np.concatenate([t, syn]) for t, _ in folds]
        out[f"leak_only_{name}"] = np.mean([ap(model, Xr[r], yr[r], X[v], y[v]) for r, (_, v) in zip(rows, folds, strict=True)])
    return out


def test_protocols(ref):
    a = {k: x.value for k, x in casebook.solve(casebook.load(SID)).answers.items()}
    assert a["val_positive_share_leaky"] == pytest.approx(ref["val_share"]) == pytest.approx(0.5, abs=0.01)
    assert a["ap_leaky"] == pytest.approx(ref["leaky"], abs=1e-9)
    assert a["ap_in_fold"] == pytest.approx(ref["in_fold_lr"], abs=1e-9)
    assert a["ap_no_smote"] == pytest.approx(ref["none"], abs=1e-9)
    assert a["ap_leak_only"] == pytest.approx(ref["leak_only_lr"], abs=1e-9)
    assert a["inflation"] == pytest.approx(ref["leaky"] - ref["in_fold_lr"])
    assert a["ap_in_fold_knn"] == pytest.approx(ref["in_fold_knn"], abs=1e-9)
    assert a["ap_leak_only_knn"] == pytest.approx(ref["leak_only_knn"], abs=1e-9)


def test_decisions_follow_the_numbers(ref):
    a = {k: x.value for k, x in casebook.solve(casebook.load(SID)).answers.items()}
    assert ref["in_fold_lr"] < ref["leaky"] and a["comment_direction"] == "the leak-free pipeline scores lower"
    keep = ref["in_fold_lr"] > ref["none"] + 0.01
    assert a["keep_smote"].startswith("yes" if keep else "no")
    # the second leak is model-dependent: small for LR, large for kNN
    assert abs(ref["leak_only_lr"] - ref["in_fold_lr"]) < 0.05 < ref["leak_only_knn"] - ref["in_fold_knn"]
    assert a["pipeline_class"] == "imblearn.pipeline.Pipeline"
