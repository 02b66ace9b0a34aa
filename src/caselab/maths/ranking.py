"""Ranking losses for retrieval and recommendation, where "imbalance" is 1 positive vs millions.

A recommender does not classify: for each query (user, context) it must put
the one clicked item above a huge catalogue of others.  Training therefore
compares the positive with a few *sampled* negatives:

* :func:`pairwise_logistic_loss` — one positive vs one negative (RankNet / BPR);
* :func:`softmax_loss` — one positive vs a list of candidates (sampled
  softmax cross-entropy), with a hand-written stable :func:`logsumexp`;
* :func:`in_batch_negatives`, :func:`in_batch_softmax_loss` — reuse the
  other positives of a batch as negatives;
* :func:`logq_correction` — remove the popularity bias that in-batch
  sampling introduces (Yi et al. 2019).

The tests cross-check against scipy and scikit-learn.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

__all__ = [
    "pairwise_logistic_loss",
    "logsumexp",
    "softmax",
    "softmax_loss",
    "in_batch_negatives",
    "logq_correction",
    "in_batch_softmax_loss",
]


def _as_float_array(x, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric; got {x!r}.") from None
    if arr.size == 0:
        raise ValueError(f"{name} is empty.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values; scores must be finite.")
    return arr


def pairwise_logistic_loss(s_pos, s_neg):
    """Logistic loss on a score difference: push the positive above the negative.

    .. math::

        \\ell(s^+, s^-) = -\\ln σ(s^+ - s^-) = \\ln\\big(1 + e^{-(s^+ - s^-)}\\big)

    computed as ``np.logaddexp(0, −(s⁺ − s⁻))``, which never overflows.  It is
    the cross-entropy of "the positive ranks first" with
    ``P = σ(s⁺ − s⁻)``.

    Parameters
    ----------
    s_pos, s_neg : float or array-like (broadcastable)
        Scores of the positive and the negative item.

    Returns
    -------
    float or ndarray
        ``ln 2 = 0.693`` at a tie; → 0 as the margin grows; ≈ the margin's
        magnitude when the pair is badly mis-ordered.

    Examples
    --------
    ``(2.0, 1.5)``: ``ln(1 + e^{−0.5}) = 0.4741``; ``(2.0, 3.0)``:
    ``ln(1 + e^{1}) = 1.3133``.

    References
    ----------
    Burges et al. (2005), "Learning to rank using gradient descent", ICML (RankNet).
    Rendle et al. (2009), "BPR: Bayesian personalized ranking from implicit
    feedback", UAI.
    """
    a = _as_float_array(s_pos, "s_pos")
    b = _as_float_array(s_neg, "s_neg")
    try:
        out = np.logaddexp(0.0, -(a - b))
    except ValueError:
        raise ValueError(
            f"s_pos (shape {a.shape}) and s_neg (shape {b.shape}) cannot be broadcast together."
        ) from None
    return float(out) if out.ndim == 0 else out


def logsumexp(scores, axis: int = -1):
    """Stable ``ln Σ_j exp(s_j)`` along ``axis``.

    .. math::  \\mathrm{LSE}(s) = m + \\ln \\sum_j e^{s_j - m}, \\qquad m = \\max_j s_j

    Subtracting the maximum makes the largest exponent ``e⁰ = 1``: nothing
    overflows, and at least one term is not lost to underflow.  Same as
    ``scipy.special.logsumexp``.  Returns a float for 1-d input, an array
    (``axis`` removed) otherwise.
    """
    s = _as_float_array(scores, "scores")
    m = np.max(s, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(s - m), axis=axis, keepdims=True))
    out = np.squeeze(out, axis=axis)
    return float(out) if out.ndim == 0 else out


def softmax(scores, axis: int = -1) -> np.ndarray:
    """Stable softmax ``exp(s_j − LSE(s))`` along ``axis``; entries sum to 1."""
    s = _as_float_array(scores, "scores")
    return np.exp(s - np.expand_dims(logsumexp(s, axis=axis), axis))


def _check_index(positive_index, n_rows: int | None, n_cols: int):
    idx = np.asarray(positive_index)
    if not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"positive_index must be an integer (or integers); got {positive_index!r}.")
    if n_rows is None and idx.ndim != 0:
        raise ValueError("for 1-d scores, positive_index must be a single integer.")
    if n_rows is not None and idx.ndim == 1 and idx.size != n_rows:
        raise ValueError(
            f"positive_index has {idx.size} entries but scores has {n_rows} rows; give one per row."
        )
    if idx.ndim > 1:
        raise ValueError(f"positive_index must be an integer or a 1-d array; got shape {idx.shape}.")
    if np.any(idx < 0) or np.any(idx >= n_cols):
        raise ValueError(
            f"positive_index {idx.tolist()} is out of range for {n_cols} candidates (0 … {n_cols - 1})."
        )
    return idx


def softmax_loss(scores, positive_index=0):
    """Softmax cross-entropy of the positive among sampled candidates.

    .. math::

        \\ell = -\\ln \\frac{e^{s_+}}{\\sum_j e^{s_j}} = \\mathrm{LSE}(s) - s_+

    where the sum runs over the positive and the sampled negatives.

    Parameters
    ----------
    scores : array-like of shape (k,) or (B, k)
        Candidate scores (logits) for one query, or one row per query.
    positive_index : int or array-like of int, default=0
        Column of the positive (one per row for 2-d input).

    Returns
    -------
    float or ndarray of shape (B,)
        Per-query loss.  ``ln k`` when all ``k`` scores tie.

    Notes
    -----
    Sampling only a few negatives makes this a *biased* estimate of the full
    softmax over the catalogue unless the logits are corrected for how the
    negatives were sampled — see :func:`logq_correction`.

    References
    ----------
    Bengio & Senécal (2008), "Adaptive importance sampling to accelerate
    training of a neural probabilistic language model", IEEE TNN 19(4).
    Jean et al. (2015), "On using very large target vocabulary for neural
    machine translation", ACL.
    """
    s = _as_float_array(scores, "scores")
    if s.ndim == 1:
        idx = _check_index(positive_index, None, s.size)
        return float(logsumexp(s) - s[int(idx)])
    if s.ndim == 2:
        idx = _check_index(positive_index, s.shape[0], s.shape[1])
        idx = np.broadcast_to(idx, (s.shape[0],))
        return logsumexp(s, axis=1) - s[np.arange(s.shape[0]), idx]
    raise ValueError(f"scores must be 1-d (one query) or 2-d (queries × candidates); got shape {s.shape}.")


def in_batch_negatives(batch_size: int) -> int:
    """Negatives per positive when the batch's other items serve as negatives: ``B − 1``.

    A batch of ``B`` (query, clicked item) pairs gives each query the other
    ``B − 1`` clicked items as free negatives — 8,192 → 8,191 — with no extra
    item-tower computation.  The price: those negatives are drawn in
    proportion to popularity, not uniformly (see :func:`logq_correction`).
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, Integral):
        raise TypeError(
            f"batch_size must be an integer; got {batch_size!r} of type {type(batch_size).__name__}."
        )
    if batch_size < 2:
        raise ValueError(f"batch_size = {batch_size} must be at least 2 to have any in-batch negative.")
    return int(batch_size) - 1


def logq_correction(scores, sampling_probs):
    """Sampling-bias ("logQ") correction of logits: ``s_j^c = s_j − ln q_j``.

    ``q_j`` is the probability that item ``j`` is drawn as a candidate —
    for in-batch negatives, its share of the training stream (its
    popularity), which Yi et al. estimate online from streamed item
    frequencies.

    **Why.**  With in-batch negatives a popular item shows up as a negative
    far more often than a rare one (in proportion to ``q_j``), so the
    uncorrected sampled softmax pushes popular items' scores down too often
    and the model learns a popularity penalty.  Subtracting ``ln q_j`` (an
    importance-sampling correction) lowers a popular item's corrected logit
    by little and a rare item's by a lot, so each appearance of a
    popular negative takes a smaller share of the softmax denominator and
    gets a smaller push-down gradient, offsetting its more frequent
    appearances; in expectation the sampled loss then tracks the full
    softmax.  The correction applies to every logit in the training loss,
    the positive's included, and **only at training time**: serve with the
    raw scores ``s``.

    Parameters
    ----------
    scores : array-like
        Logits.
    sampling_probs : array-like (same shape, or broadcastable)
        ``q_j`` in (0, 1].

    Returns
    -------
    ndarray or float
        Corrected logits.

    Examples
    --------
    Scores ``[2.0, 2.5, 1.0]`` for (positive q = 0.001, popular negative
    q = 0.05, rare negative q = 0.0001): softmax 0.332 / 0.547 / 0.122, loss
    1.104.  Corrected logits ``s − ln q = 8.908 / 5.496 / 10.210``: softmax
    0.212 / 0.007 / 0.781, loss 1.550 — the popular negative, which will be
    sampled again and again, now receives almost no push-down from this
    example, while the rare negative takes most of it.

    References
    ----------
    Yi et al. (2019), "Sampling-bias-corrected neural modeling for large
    corpus item recommendations", RecSys.
    Bengio & Senécal (2008), see :func:`softmax_loss`.
    """
    s = _as_float_array(scores, "scores")
    q = _as_float_array(sampling_probs, "sampling_probs")
    if np.any(q <= 0) or np.any(q > 1):
        raise ValueError(
            f"sampling_probs must be probabilities in (0, 1]; got min {q.min()}, max {q.max()}. "
            "An item with q = 0 is never sampled and needs no correction."
        )
    try:
        out = s - np.log(q)
    except ValueError:
        raise ValueError(
            f"scores (shape {s.shape}) and sampling_probs (shape {q.shape}) cannot be broadcast together."
        ) from None
    return float(out) if out.ndim == 0 else out


def in_batch_softmax_loss(logits, sampling_probs=None) -> np.ndarray:
    """In-batch softmax loss: row ``i``'s positive is column ``i``; other columns are its negatives.

    With ``S_ij = ⟨u_i, v_j⟩`` (query ``i``, item ``j`` of the batch) and,
    optionally, the logQ correction ``S_ij − ln q_j``:

    .. math::  \\ell_i = \\mathrm{LSE}_j(S_{ij} - \\ln q_j) - (S_{ii} - \\ln q_i)

    Parameters
    ----------
    logits : array-like of shape (B, B)
        Query-by-item score matrix of a batch.
    sampling_probs : array-like of shape (B,), optional
        ``q_j`` of each batch item; ``None`` for no correction.

    Returns
    -------
    ndarray of shape (B,)
        Per-query loss; average it for the batch loss.
    """
    s = _as_float_array(logits, "logits")
    if s.ndim != 2 or s.shape[0] != s.shape[1]:
        raise ValueError(
            f"logits must be a square (B, B) matrix of query × item scores; got shape {s.shape}."
        )
    if sampling_probs is not None:
        q = _as_float_array(sampling_probs, "sampling_probs")
        if q.shape != (s.shape[1],):
            raise ValueError(
                f"sampling_probs must have one entry per item ({s.shape[1]}); got shape {q.shape}."
            )
        s = logq_correction(s, q[None, :])
    return softmax_loss(s, np.arange(s.shape[0]))
