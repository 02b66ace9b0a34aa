"""ranking-losses-logq: the losses by hand and with scipy.special (softmax, logsumexp)."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from scipy.special import expit, logsumexp, softmax

from caselab.scenarios import casebook

SID = "ranking-losses-logq"


def answers(givens=None):
    scenario = casebook.load(SID)
    return {k: a.value for k, a in casebook.solve(scenario, givens).answers.items()}


def test_pairwise_and_in_batch():
    a = answers()
    assert a["pairwise_ordered"] == pytest.approx(-math.log(expit(0.5))) == pytest.approx(0.4741, abs=1e-4)
    assert a["pairwise_misordered"] == pytest.approx(math.log(1 + math.e)) == pytest.approx(1.3133, abs=1e-4)
    assert a["negatives_per_query"] == 8_191


def test_softmax_and_logq_correction():
    a = answers()
    s = np.array([2.0, 2.5, 1.0])
    q = np.array([0.001, 0.05, 0.0001])
    p = softmax(s)
    assert a["softmax_popular"] == pytest.approx(p[1])
    assert a["loss_uncorrected"] == pytest.approx(logsumexp(s) - s[0]) == pytest.approx(1.104, abs=1e-3)
    sc = s - np.log(q)
    assert a["corrected_logit_positive"] == pytest.approx(2.0 + math.log(1000)) == pytest.approx(8.908, abs=1e-3)
    pc = softmax(sc)
    assert (a["softmax_popular_corrected"], a["softmax_rare_corrected"]) == pytest.approx((pc[1], pc[2]))
    assert a["loss_corrected"] == pytest.approx(logsumexp(sc) - sc[0]) == pytest.approx(1.550, abs=1e-3)
    # expected push-down: sampling frequency q × per-appearance gradient (the softmax share)
    assert a["pushdown_ratio_uncorrected"] == pytest.approx(q[1] * p[1] / (q[2] * p[2]))
    assert a["pushdown_ratio_corrected"] == pytest.approx(math.exp(2.5 - 1.0))  # popularity cancels
    assert a["yi_method"].startswith("an in-batch softmax")
    assert a["correction_direction"].startswith("it lowers")
    assert a["serving_scores"] == "the raw scores s"


def test_givens_drive_the_answers():
    g = copy.deepcopy(casebook.load(SID).givens)
    g["popular"]["q"] = 0.2
    g["batch_size"] = 1024
    a = answers(g)
    assert a["negatives_per_query"] == 1023
    assert a["pushdown_ratio_corrected"] == pytest.approx(math.exp(1.5))
    assert a["pushdown_ratio_uncorrected"] == pytest.approx(0.2 * math.exp(2.5) / (0.0001 * math.exp(1.0)))
