"""Seeded data for the scenarios: small, reproducible, shaped like the real thing.

Every generator takes a ``seed`` and uses its own :func:`numpy.random.default_rng`, so a scenario's
numbers are the same on every machine and every run, and a notebook runs in seconds.

The synthetic scores come from the *binormal* model: a latent score is N(0, 1) for negatives and
N(d', 1) for positives (d' is the separation; ROC-AUC = Φ(d'/√2)). Because the generating model is
known, we can also return the **exact posterior** P(y = 1 | score), i.e. perfectly calibrated
probabilities — handy for comparing the Bayes threshold with an empirical scan.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import expit

from caselab._validation import check_count, check_probability

__all__ = ["LabelledScores", "binormal_scores", "sentiment_scores"]


class LabelledScores(NamedTuple):
    """A validation set: labels (1 = positive) and the model's scores for each example."""

    y_true: np.ndarray
    y_score: np.ndarray


def _binormal_posterior(latent: np.ndarray, separation: float, prevalence: float) -> np.ndarray:
    """P(y=1 | latent) under the binormal model.

    The log-likelihood ratio of N(d', 1) to N(0, 1) at ``x`` is ``d'·x − d'²/2``; add the prior
    log-odds and apply the logistic function (Bayes' rule in log-odds form).
    """
    prior_log_odds = np.log(prevalence / (1 - prevalence))
    return expit(separation * latent - separation**2 / 2 + prior_log_odds)


def binormal_scores(n: int, prevalence: float, separation: float, seed: int, *,
                    calibrated: bool = True) -> LabelledScores:
    """Labels and scores from the binormal model.

    Parameters
    ----------
    n : int
        Number of examples.
    prevalence : float
        Probability that an example is positive, in (0, 1). The number of positives is drawn
        (binomial), as in a real sample.
    separation : float
        d' ≥ 0, the distance between the two classes' latent means in standard deviations.
        ROC-AUC = Φ(d'/√2): d' = 1 → 0.76, 2 → 0.92, 3.29 → 0.99.
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    calibrated : bool, default True
        If True the score is the exact posterior P(y=1 | latent), a perfectly calibrated probability;
        otherwise the latent score itself (a ranking score, not a probability).

    Returns
    -------
    LabelledScores
        ``y_true`` (int8 0/1) and ``y_score`` (float64).
    """
    n = int(check_count(n, "n"))
    prevalence = check_probability(prevalence, "prevalence", open_low=True, open_high=True)
    if separation < 0:
        raise ValueError(f"separation = {separation} must be ≥ 0 (it is a distance between class means).")
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < prevalence).astype(np.int8)
    latent = rng.standard_normal(n) + separation * y
    score = _binormal_posterior(latent, separation, prevalence) if calibrated else latent
    return LabelledScores(y, score)


def sentiment_scores(n: int = 20_000, prevalence: float = 0.05, separation: float = 2.5,
                     seed: int = 0) -> LabelledScores:
    """A validation set shaped like a sentiment classifier's probabilities.

    The positive class is the one the product acts on (e.g. strongly negative posts escalated to a
    human), typically a few percent of traffic. Scores are calibrated probabilities from the binormal
    model (see :func:`binormal_scores`): most mass near 0, a long right tail where positives live.
    """
    return binormal_scores(n, prevalence, separation, seed, calibrated=True)
