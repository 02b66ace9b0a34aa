"""easy-ensemble-coverage: coverage algebra by hand, the empirical draw via RandomUnderSampler.sample_indices_."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from imblearn.under_sampling import RandomUnderSampler

from caselab.scenarios import casebook

SID = "easy-ensemble-coverage"


def answers(givens=None):
    scenario = casebook.load(SID)
    return {k: a.value for k, a in casebook.solve(scenario, givens).answers.items()}


def test_coverage_by_hand():
    a = answers()
    miss = 98 / 99  # one subset of 1,000 misses a given negative of 99,000 with probability 98,000/99,000
    assert a["coverage_one"] == pytest.approx(1 / 99)
    assert a["coverage_default"] == pytest.approx(1 - miss**10) == pytest.approx(0.0965, abs=1e-4)
    assert a["coverage_large"] == pytest.approx(1 - miss**99) == pytest.approx(0.634, abs=1e-3)
    assert a["expected_unseen_default"] == pytest.approx(99_000 * miss**10)
    k = math.ceil(math.log(0.05) / math.log(miss))
    assert 1 - miss ** (k - 1) < 0.95 <= 1 - miss**k
    assert a["subsets_needed"] == k == 296
    assert a["disjoint_needed"] == 99
    assert a["recovers_information"].startswith("no")
    assert a["full_coverage_design"].startswith("partition")


def test_empirical_draws():
    g = casebook.load(SID).givens
    a = answers()
    y = np.r_[np.ones(g["n_pos"], dtype=int), np.zeros(g["n_neg"], dtype=int)]
    X = np.zeros((y.size, 1))
    seen = set()
    for i in range(g["n_models"]):
        rus = RandomUnderSampler(sampling_strategy=1.0, random_state=g["seed"] + i).fit(X, y)
        rus.fit_resample(X, y)
        kept = rus.sample_indices_[y[rus.sample_indices_] == 0]
        assert kept.size == g["subset_size"]
        seen.update(kept.tolist())
    assert a["empirical_coverage_default"] == pytest.approx(len(seen) / g["n_neg"])
    assert a["empirical_coverage_default"] == pytest.approx(a["coverage_default"], abs=0.005)


def test_givens_drive_the_answers():
    g = copy.deepcopy(casebook.load(SID).givens)
    g["subset_size"] = 30_000  # bigger subsets: now the 10 learners clear the 95% bar
    a = answers(g)
    assert a["coverage_default"] == pytest.approx(1 - (69 / 99) ** 10)
    assert a["empirical_coverage_default"] == pytest.approx(a["coverage_default"], abs=0.01)
    assert a["recovers_information"].startswith("yes")
