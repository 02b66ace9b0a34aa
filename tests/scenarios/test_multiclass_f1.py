"""reviews-macro-micro-f1: every average cross-checked with sklearn.metrics.f1_score on expanded labels."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, recall_score

from caselab.scenarios import casebook

SID = "reviews-macro-micro-f1"


def answers(givens: dict | None = None) -> dict:
    scenario = casebook.load(SID)
    return {k: a.value for k, a in casebook.solve(scenario, givens).answers.items()}


def labels(cm) -> tuple[np.ndarray, np.ndarray]:
    """Item-level (true, predicted) pairs whose confusion matrix is ``cm``."""
    true, pred = [], []
    for i, row in enumerate(cm):
        for j, count in enumerate(row):
            true += [i] * count
            pred += [j] * count
    return np.array(true), np.array(pred)


def test_against_sklearn():
    g = casebook.load(SID).givens
    a = answers()
    ta, pa = labels(g["confusion_a"])
    tb, pb = labels(g["confusion_b"])
    assert a["f1_rare_a"] == pytest.approx(f1_score(ta, pa, average=None)[0])  # 110/190
    assert a["f1_rare_a"] == pytest.approx(110 / 190)
    assert a["macro_f1_a"] == pytest.approx(f1_score(ta, pa, average="macro"))
    assert a["micro_f1_a"] == pytest.approx(f1_score(ta, pa, average="micro"))
    assert a["micro_f1_a"] == pytest.approx(accuracy_score(ta, pa))  # micro F1 = accuracy
    assert a["weighted_f1_a"] == pytest.approx(f1_score(ta, pa, average="weighted"))
    assert a["macro_f1_b"] == pytest.approx(f1_score(tb, pb, average="macro"))
    assert a["micro_f1_b"] == pytest.approx(f1_score(tb, pb, average="micro"))
    assert a["micro_prefers"] == "model B" and a["ship"] == "model A"
    r = recall_score(ta, pa, average=None)[0]
    assert a["rare_recall_ci_halfwidth"] == pytest.approx(1.96 * np.sqrt(r * (1 - r) / 100), rel=1e-3)


def test_when_b_also_finds_the_negatives_it_wins_both():
    g = copy.deepcopy(casebook.load(SID).givens)
    g["confusion_b"] = [[70, 25, 5], [5, 1010, 85], [5, 75, 720]]  # B now routes 70 of 100 negatives
    a = answers(g)
    tb, pb = labels(g["confusion_b"])
    assert a["macro_f1_b"] == pytest.approx(f1_score(tb, pb, average="macro"))
    assert a["ship"] == "model B" and a["micro_prefers"] == "model B"
