"""Tests for caselab.ranking: hand arithmetic plus scipy / scikit-learn oracles."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import log_softmax as sp_log_softmax
from scipy.special import logsumexp as sp_logsumexp
from scipy.special import softmax as sp_softmax
from sklearn.metrics import log_loss

from caselab.maths.ranking import (
    in_batch_negatives,
    in_batch_softmax_loss,
    logq_correction,
    logsumexp,
    pairwise_logistic_loss,
    softmax,
    softmax_loss,
)

FAST = settings(max_examples=60, deadline=None)
finite = st.floats(-50, 50)


# --------------------------------------------------------------------------- pairwise
def test_pairwise_examples_by_hand():
    # ln(1 + e^{−0.5}) = ln(1 + 0.606531) = ln 1.606531 = 0.474077
    assert pairwise_logistic_loss(2.0, 1.5) == pytest.approx(math.log(1 + math.exp(-0.5)))
    assert round(pairwise_logistic_loss(2.0, 1.5), 4) == 0.4741
    # ln(1 + e^{1}) = ln 3.718282 = 1.313262
    assert pairwise_logistic_loss(2.0, 3.0) == pytest.approx(math.log(1 + math.e))
    assert round(pairwise_logistic_loss(2.0, 3.0), 4) == 1.3133
    assert pairwise_logistic_loss(1.0, 1.0) == pytest.approx(math.log(2))


def test_pairwise_is_log_loss_of_sigmoid_margin():
    margins = np.array([-3.0, -0.5, 0.0, 0.5, 2.0])
    p = 1 / (1 + np.exp(-margins))
    ours = pairwise_logistic_loss(margins, 0.0)
    for m, pi, o in zip(margins, p, ours, strict=True):
        assert o == pytest.approx(log_loss([1], [pi], labels=[0, 1])), m


def test_pairwise_is_stable_for_huge_margins():
    # naive log(1 + exp(1000)) overflows; the loss is ≈ the margin, 1000
    assert pairwise_logistic_loss(0.0, 1000.0) == pytest.approx(1000.0)
    assert pairwise_logistic_loss(1000.0, 0.0) == 0.0
    out = pairwise_logistic_loss([0.0, 5.0], [[1.0], [2.0]])  # broadcasting
    assert out.shape == (2, 2)


# --------------------------------------------------------------------------- softmax
@FAST
@given(st.lists(finite, min_size=1, max_size=20))
def test_logsumexp_and_softmax_match_scipy(s):
    s = np.array(s)
    assert logsumexp(s) == pytest.approx(sp_logsumexp(s), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(softmax(s), sp_softmax(s), rtol=1e-10, atol=1e-300)
    assert softmax(s).sum() == pytest.approx(1.0)


def test_logsumexp_stable_far_from_zero():
    s = np.array([1000.0, 1000.0])
    assert logsumexp(s) == pytest.approx(1000 + math.log(2))  # naive exp(1000) = inf
    assert logsumexp(-s) == pytest.approx(-1000 + math.log(2))  # naive exp(−1000) = 0 → −inf
    m = np.array([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_allclose(logsumexp(m, axis=0), sp_logsumexp(m, axis=0))


@FAST
@given(st.lists(finite, min_size=2, max_size=20), st.data())
def test_softmax_loss_equals_sklearn_multiclass_log_loss(s, data):
    s = np.array(s)
    k = data.draw(st.integers(0, len(s) - 1))
    ours = softmax_loss(s, k)
    assert ours == pytest.approx(-sp_log_softmax(s)[k], rel=1e-10, abs=1e-12)
    p = sp_softmax(s)
    if p[k] > 1e-12:  # sklearn clips at machine epsilon
        assert ours == pytest.approx(log_loss([k], [p], labels=list(range(len(s)))), rel=1e-7, abs=1e-12)


def test_softmax_loss_ties_and_batches():
    assert softmax_loss([0.0] * 4, 2) == pytest.approx(math.log(4))
    batch = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(
        softmax_loss(batch, [2, 0]),
        [sp_logsumexp(batch[0]) - 3.0, math.log(3)],
    )
    np.testing.assert_allclose(softmax_loss(batch, 0), sp_logsumexp(batch, axis=1) - batch[:, 0])


def test_in_batch_negatives():
    assert in_batch_negatives(8_192) == 8_191
    assert in_batch_negatives(2) == 1


# --------------------------------------------------------------------------- logQ correction
SCORES = np.array([2.0, 2.5, 1.0])  # positive, popular negative, rare negative
Q = np.array([0.001, 0.05, 0.0001])


def test_uncorrected_example():
    # e^2 = 7.389, e^2.5 = 12.182, e^1 = 2.718; total 22.290
    e = np.exp(SCORES)
    np.testing.assert_allclose(softmax(SCORES), e / e.sum())
    np.testing.assert_allclose(np.round(softmax(SCORES), 3), [0.331, 0.547, 0.122])
    # loss = −ln(7.389/22.290) = ln 3.0166 = 1.1041
    assert softmax_loss(SCORES, 0) == pytest.approx(-math.log(e[0] / e.sum()))
    assert round(softmax_loss(SCORES, 0), 3) == 1.104


def test_corrected_example():
    c = logq_correction(SCORES, Q)
    # 2 − ln 0.001 = 2 + 6.9078 = 8.9078 ; 2.5 − ln 0.05 = 2.5 + 2.9957 = 5.4957 ; 1 − ln 1e-4 = 1 + 9.2103
    np.testing.assert_allclose(c, [2 + 3 * math.log(10), 2.5 + math.log(20), 1 + 4 * math.log(10)])
    np.testing.assert_allclose(np.round(c, 3), [8.908, 5.496, 10.210])
    p = softmax(c)
    np.testing.assert_allclose(p, sp_softmax(c))
    np.testing.assert_allclose(np.round(p, 3), [0.212, 0.007, 0.781])
    assert softmax_loss(c, 0) == pytest.approx(-math.log(p[0]))
    assert round(softmax_loss(c, 0), 3) == 1.550
    # the popular negative's share of the denominator collapses, the rare one's grows
    assert p[1] < softmax(SCORES)[1] and p[2] > softmax(SCORES)[2]


def test_logq_with_uniform_sampling_changes_nothing():
    # equal q shifts every logit by the same constant; softmax is shift-invariant
    s = np.array([0.3, -1.2, 2.2, 0.0])
    assert softmax_loss(logq_correction(s, np.full(4, 0.01)), 1) == pytest.approx(softmax_loss(s, 1))


def test_logq_makes_sampled_softmax_track_full_softmax():
    # Full softmax over a 6-item catalogue vs a sampled softmax whose m negatives are drawn
    # in proportion to popularity q. Since E[e^{s_j}/(m q_j)] summed over m draws is Σ_j e^{s_j},
    # the corrected logits s_j − ln(m q_j) make the sampled denominator an unbiased estimate
    # of the full one; the uncorrected sampled loss is far off.
    rng = np.random.default_rng(0)
    s = np.array([1.0, 0.5, 2.0, -1.0, 0.0, 1.5])
    pos = 0
    items = np.arange(1, 6)  # negatives: every item but the positive
    q = np.array([0.45, 0.25, 0.15, 0.1, 0.05])  # popularity of items 1..5
    full = softmax_loss(s, pos)
    m = 100
    corrected, raw = [], []
    for _ in range(200):
        k = rng.choice(5, size=m, p=q)
        cand_c = np.r_[s[pos], logq_correction(s[items[k]], q[k]) - math.log(m)]
        corrected.append(softmax_loss(cand_c, 0))
        raw.append(softmax_loss(np.r_[s[pos], s[items[k]]], 0))
    assert np.mean(corrected) == pytest.approx(full, abs=0.05)
    assert abs(np.mean(raw) - full) > 1.0


def test_in_batch_softmax_loss_matches_row_by_row():
    rng = np.random.default_rng(3)
    S = rng.normal(size=(4, 4))
    q = np.array([0.05, 0.01, 0.2, 0.001])
    np.testing.assert_allclose(in_batch_softmax_loss(S), [sp_logsumexp(S[i]) - S[i, i] for i in range(4)])
    corrected = S - np.log(q)[None, :]
    np.testing.assert_allclose(
        in_batch_softmax_loss(S, q),
        [sp_logsumexp(corrected[i]) - corrected[i, i] for i in range(4)],
    )
    assert in_batch_negatives(S.shape[0]) == 3


# --------------------------------------------------------------------------- validation
def test_validation_messages():
    with pytest.raises(ValueError, match="s_pos contains NaN or infinite values"):
        pairwise_logistic_loss(float("nan"), 1.0)
    with pytest.raises(ValueError, match="cannot be broadcast together"):
        pairwise_logistic_loss([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="scores must be numeric"):
        softmax_loss(["a", "b"], 0)
    with pytest.raises(ValueError, match="scores is empty"):
        softmax_loss([], 0)
    with pytest.raises(
        ValueError,
        match=r"positive_index 3 is out of range for 3 candidates \(0 … 2\)",
    ):
        softmax_loss([1.0, 2.0, 3.0], 3)
    with pytest.raises(TypeError, match="positive_index must be an integer"):
        softmax_loss([1.0, 2.0], 0.5)
    with pytest.raises(ValueError, match="for 1-d scores, positive_index must be a single integer"):
        softmax_loss([1.0, 2.0], [0, 1])
    with pytest.raises(ValueError, match="positive_index has 3 entries but scores has 2 rows"):
        softmax_loss([[1.0, 2.0], [3.0, 4.0]], [0, 1, 0])
    with pytest.raises(ValueError, match=r"scores must be 1-d \(one query\) or 2-d"):
        softmax_loss(np.zeros((2, 2, 2)), 0)
    with pytest.raises(ValueError, match="batch_size = 1 must be at least 2"):
        in_batch_negatives(1)
    with pytest.raises(TypeError, match="batch_size must be an integer"):
        in_batch_negatives(8.0)
    with pytest.raises(ValueError, match=r"sampling_probs must be probabilities in \(0, 1\]"):
        logq_correction([1.0, 2.0], [0.0, 0.5])
    with pytest.raises(
        ValueError, match=r"scores \(shape \(2,\)\) and sampling_probs \(shape \(3,\)\) cannot be broadcast"
    ):
        logq_correction([1.0, 2.0], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"logits must be a square \(B, B\) matrix"):
        in_batch_softmax_loss(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"sampling_probs must have one entry per item \(2\)"):
        in_batch_softmax_loss(np.zeros((2, 2)), [0.1, 0.2, 0.3])
