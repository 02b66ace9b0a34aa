"""forum-duplicate-leakage: duplicate share by simulation (random vs sklearn group split), accuracies by hand."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from sklearn.model_selection import GroupShuffleSplit

from caselab.scenarios import casebook

SID = "forum-duplicate-leakage"


def answers(givens: dict | None = None) -> dict:
    scenario = casebook.load(SID)
    return {k: a.value for k, a in casebook.solve(scenario, givens).answers.items()}


def corpus(n_posts=300_000, clustered=0.30, size=3):
    """Group ids: clusters of ``size`` reposts for a share ``clustered`` of posts, singletons for the rest."""
    n_clustered = int(n_posts * clustered) // size * size
    groups = np.r_[np.arange(n_clustered) // size, n_clustered + np.arange(n_posts - n_clustered)]
    return groups, np.r_[np.ones(n_clustered, bool), np.zeros(n_posts - n_clustered, bool)]


def twin_in_training(groups, in_test):
    """For each test post: does another post of its group sit in the training set?"""
    train_groups = np.unique(groups[~in_test])
    return np.isin(groups[in_test], train_groups) & np.r_[np.bincount(groups)[groups] > 1][in_test]


def test_duplicate_share_random_vs_group_split():
    a = answers()
    groups, _ = corpus()
    rng = np.random.default_rng(5)
    in_test = rng.random(groups.size) < 0.2
    assert twin_in_training(groups, in_test).mean() == pytest.approx(a["dup_share"], abs=0.004)
    # sklearn's group split: no test post has a twin in training
    train_idx, test_idx = next(GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0).split(groups,
                                                                                                  groups=groups))
    mask = np.zeros(groups.size, bool)
    mask[test_idx] = True
    assert twin_in_training(groups, mask).mean() == 0
    assert a["split_choice"] == "group split by repost cluster"


def test_accuracies_by_hand():
    a = answers()
    d = 0.30 * (1 - 0.2 ** 2)  # 0.288
    fresh = (0.868 - d * 0.97) / (1 - d)
    assert a["dup_share"] == pytest.approx(d)
    assert a["fresh_accuracy"] == pytest.approx(fresh)  # 0.8267
    assert d * 0.97 + (1 - d) * a["fresh_accuracy"] == pytest.approx(0.868)  # the mix reproduces the report
    assert a["inflation"] == pytest.approx(0.868 - fresh)
    assert a["production_accuracy"] == pytest.approx(0.05 * 0.97 + 0.95 * fresh)


def test_no_reposts_no_inflation():
    g = copy.deepcopy(casebook.load(SID).givens)
    g["clustered_share"] = 0.0
    a = answers(g)
    assert a["dup_share"] == 0 and a["inflation"] == pytest.approx(0)
    assert a["fresh_accuracy"] == pytest.approx(0.868)
