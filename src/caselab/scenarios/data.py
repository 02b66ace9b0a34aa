"""Seeded data for the scenarios: small, reproducible, shaped like the real thing.

Every generator takes a ``seed`` and uses its own :func:`numpy.random.default_rng`, so a scenario's
numbers are the same on every machine and every run, and a notebook runs in seconds.

The synthetic scores come from the *binormal* model: a latent score is N(0, 1) for negatives and
N(d', 1) for positives (d' is the separation; ROC-AUC = Φ(d'/√2)). Because the generating model is
known, we can also return the **exact posterior** P(y = 1 | score), i.e. perfectly calibrated
probabilities — handy for comparing the Bayes threshold with an empirical scan.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
from scipy.special import expit

from caselab.maths._validation import check_count, check_probability


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
                    calibrated: bool = True, calibrated_prior: float | None = None) -> LabelledScores:
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
    calibrated_prior : float in (0, 1), optional
        The prior the posterior is computed at (default: ``prevalence``). A different value gives scores
        calibrated for another population — e.g. a model calibrated at a training prior of 2 % scoring
        production traffic at 0.5 % (label shift: the class-conditional scores are the same).

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
    prior = prevalence if calibrated_prior is None else check_probability(
        calibrated_prior, "calibrated_prior", open_low=True, open_high=True)
    score = _binormal_posterior(latent, separation, prior) if calibrated else latent
    return LabelledScores(y, score)


def sentiment_scores(n: int = 20_000, prevalence: float = 0.05, separation: float = 2.5,
                     seed: int = 0) -> LabelledScores:
    """A validation set shaped like a sentiment classifier's probabilities.

    The positive class is the one the product acts on (e.g. strongly negative posts escalated to a
    human), typically a few percent of traffic. Scores are calibrated probabilities from the binormal
    model (see :func:`binormal_scores`): most mass near 0, a long right tail where positives live.
    """
    return binormal_scores(n, prevalence, separation, seed, calibrated=True)


# --- scenario data generators below: one function each, seeded, small enough to run in seconds ---


class PairedScores(NamedTuple):
    """Two models' scores on the same examples (for paired comparisons)."""

    y_true: np.ndarray
    score_a: np.ndarray
    score_b: np.ndarray


def paired_model_scores(n: int, prevalence: float, separation_a: float, separation_b: float, correlation: float,
                        seed: int) -> PairedScores:
    """Two binormal ranking scores of the same examples, with correlated errors.

    Labels ``y ~ Bernoulli(prevalence)``; model m scores ``d'_m·y + e_m`` with ``e_a, e_b`` standard
    normal and correlation ``ρ`` (``e_b = ρ·e_a + √(1 − ρ²)·ε``): two models trained on mostly the same
    features err on mostly the same examples, which is what makes a *paired* comparison tighter.

    Parameters
    ----------
    n : int
    prevalence : float in (0, 1)
    separation_a, separation_b : float ≥ 0
        Each model's d' (ROC-AUC = Φ(d'/√2)).
    correlation : float in [0, 1]
    seed : int

    Returns
    -------
    PairedScores(y_true, score_a, score_b)
    """
    n = int(check_count(n, "n"))
    prevalence = check_probability(prevalence, "prevalence", open_low=True, open_high=True)
    rho = check_probability(correlation, "correlation")
    if separation_a < 0 or separation_b < 0:
        raise ValueError("separations must be ≥ 0 (they are distances between class means).")
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < prevalence).astype(np.int8)
    e_a = rng.standard_normal(n)
    e_b = rho * e_a + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    return PairedScores(y, separation_a * y + e_a, separation_b * y + e_b)



class RareEventData(NamedTuple):
    """Tabular features, labels and the true probability of each row (see :func:`logistic_rare_events`)."""

    X: np.ndarray
    y: np.ndarray
    p_true: np.ndarray


@functools.cache
def _gauss_hermite_normal(n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights (summing to 1) of ``n_nodes``-point Gauss–Hermite quadrature for E[f(Z)], Z ~ N(0, 1);
    computed once (an eigenvalue problem: ~5 ms)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(n_nodes)
    weights = weights / weights.sum()
    nodes.flags.writeable = weights.flags.writeable = False  # shared by every call
    return nodes, weights


def logistic_rare_events(n: int, prevalence: float, n_features: int = 4, signal: float = 2.0,
                         seed: int = 0) -> RareEventData:
    """Rows whose label follows a known logistic model: a rare-event dataset with exact probabilities.

    ``X ~ N(0, I)`` with ``n_features`` columns; ``logit P(y = 1 | x) = b0 + w·x`` with the weight
    spread evenly over the columns (``w_j = signal / √n_features``, so ``‖w‖ = signal``) and the
    intercept ``b0`` solved so that the *average* probability equals ``prevalence``. The labels are drawn
    from those probabilities, so the realised share of positives varies around ``prevalence``.

    Because the model is logistic, an unweighted ``LogisticRegression`` is well specified here: its
    probabilities are calibrated up to sampling noise, and re-weighting or resampling moves only its
    intercept — a clean setting for seeing what weights and resampling do to calibration.

    Parameters
    ----------
    n : int
        Number of rows.
    prevalence : float
        Target average probability, in (0, 0.5].
    n_features : int, default 4
        Number of (standard normal) feature columns, ≥ 1.
    signal : float, default 2.0
        Length of the weight vector: how well the features separate the classes (≥ 0).
    seed : int
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    RareEventData
        ``X`` (float64, shape (n, n_features)), ``y`` (int8 0/1), ``p_true`` (float64).
    """
    from scipy.optimize import brentq

    n = int(check_count(n, "n"))
    prevalence = check_probability(prevalence, "prevalence", open_low=True, open_high=True)
    n_features = int(check_count(n_features, "n_features"))
    if signal < 0:
        raise ValueError(f"signal = {signal} must be ≥ 0 (it is the length of the weight vector).")
    # E[σ(b0 + signal·Z)], Z ~ N(0, 1), by Gauss–Hermite quadrature; increasing in b0, so bracket and solve.
    nodes, weights = _gauss_hermite_normal(80)

    def mean_probability(b0: float) -> float:
        return float(np.sum(weights * expit(b0 + signal * nodes))) - prevalence

    b0 = brentq(mean_probability, -60.0, 60.0, xtol=1e-12)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_features))
    p_true = expit(b0 + X @ np.full(n_features, signal / np.sqrt(n_features)))
    y = (rng.random(n) < p_true).astype(np.int8)
    return RareEventData(X, y, p_true)


def card_transactions(n: int, seed: int, median_amount: float = 40.0, amount_sigma: float = 1.1,
                      mean_account_age_days: float = 400.0,
                      device_shares: tuple[float, float, float] = (0.55, 0.40, 0.05)) -> dict[str, np.ndarray]:
    """A batch of raw card transactions, as a fraud model's scoring service receives them.

    Columns (a dict of equal-length arrays):

    * ``amount`` — dollars, log-normal with the given median and log-scale ``amount_sigma``, rounded to
      cents (a long right tail, as real purchase amounts have);
    * ``account_age_days`` — integer days since the account was opened, exponential with the given mean;
    * ``device`` — ``"ios"``, ``"android"`` or ``"web"`` with ``device_shares``.

    Used by the monitoring scenarios (PSI on a feature's deciles, schema checks on a batch).
    """
    n = int(check_count(n, "n"))
    if median_amount <= 0 or amount_sigma <= 0 or mean_account_age_days <= 0:
        raise ValueError("median_amount, amount_sigma and mean_account_age_days must be positive.")
    shares = np.asarray(device_shares, dtype=float)
    if shares.shape != (3,) or np.any(shares < 0) or not np.isclose(shares.sum(), 1.0):
        raise ValueError(f"device_shares must be three non-negative shares summing to 1; got {device_shares}.")
    rng = np.random.default_rng(seed)
    amount = np.round(median_amount * np.exp(amount_sigma * rng.standard_normal(n)), 2)
    amount = np.maximum(amount, 0.01)
    age = np.floor(rng.exponential(mean_account_age_days, n)).astype(np.int64)
    device = rng.choice(np.array(["ios", "android", "web"]), size=n, p=shares)
    return {"amount": amount, "account_age_days": age, "device": device}


def beta_calibrated_scores(n: int, a: float, b: float, seed: int) -> LabelledScores:
    """Calibrated probabilities drawn from a Beta(a, b) distribution, and labels drawn from them.

    Each example gets a probability ``p ~ Beta(a, b)`` and a label ``y ~ Bernoulli(p)``, so the scores
    are calibrated by construction (``P(y = 1 | p) = p``) and the expected prevalence is ``a / (a + b)``.
    A small ``a`` and a large ``b`` give the shape of a fraud model's output: nearly all mass close to 0,
    a thin tail of high-risk examples. Used by the threshold-scan and F-beta-vs-cost scenarios.

    Parameters
    ----------
    n : int
        Number of examples.
    a, b : float
        Shape parameters of the Beta distribution, both > 0.
    seed : int
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    LabelledScores
        ``y_true`` (int8 0/1) and ``y_score`` (float64 probabilities in [0, 1]).
    """
    n = int(check_count(n, "n"))
    if not (a > 0 and b > 0):
        raise ValueError(f"Beta shape parameters must be > 0; got a = {a}, b = {b}.")
    rng = np.random.default_rng(seed)
    p = rng.beta(a, b, size=n)
    y = (rng.random(n) < p).astype(np.int8)
    return LabelledScores(y, p)


class MixedTypeFraud(NamedTuple):
    """Mixed-type transactions (see :func:`mixed_type_fraud`)."""

    amount: np.ndarray  # float64, dollars
    card_type: np.ndarray  # int64 codes: 0 = credit, 1 = debit, 2 = prepaid
    y: np.ndarray  # int8, 1 = fraud


MIXED_TYPE_CARD_TYPES = ("credit", "debit", "prepaid")


def mixed_type_fraud(n: int, prevalence: float = 0.05, seed: int = 0) -> MixedTypeFraud:
    """Transactions with one numeric and one categorical feature, for SMOTE-on-categoricals exercises.

    ``amount`` is log-normal (median about $40 for legitimate, $150 for fraud); ``card_type`` is a
    category coded 0/1/2 (credit, debit, prepaid) with frauds leaning towards prepaid cards. Labels are
    drawn first (``prevalence``), then the features given the label, so the classes overlap.

    Parameters
    ----------
    n : int
        Number of transactions.
    prevalence : float, default 0.05
        Probability that a transaction is fraud, in (0, 1).
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    """
    n = int(check_count(n, "n"))
    prevalence = check_probability(prevalence, "prevalence", open_low=True, open_high=True)
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < prevalence).astype(np.int8)
    amount = np.round(np.exp(rng.normal(np.where(y == 1, np.log(150.0), np.log(40.0)), 1.0)), 2)
    legit_mix, fraud_mix = np.array([0.55, 0.35, 0.10]), np.array([0.35, 0.25, 0.40])
    u = rng.random(n)
    cum = np.where(y[:, None] == 1, np.cumsum(fraud_mix), np.cumsum(legit_mix))
    card_type = (u[:, None] > cum).sum(axis=1).astype(np.int64)
    return MixedTypeFraud(amount, card_type, y)


class ReviewLog(NamedTuple):
    """One day of a moderation system that only labels what it reviews.

    ``y_true`` and ``y_score`` are the ground truth and the model's calibrated scores for every item;
    ``flagged`` marks the items the model sends to review (score ≥ threshold); ``explored`` marks the
    unflagged items sent to review anyway by uniform random exploration. Only ``flagged | explored``
    items get a label in the log.
    """

    y_true: np.ndarray
    y_score: np.ndarray
    flagged: np.ndarray
    explored: np.ndarray


def review_log(n: int, prevalence: float, separation: float, threshold: float, exploration: float,
               seed: int) -> ReviewLog:
    """A day of traffic where labels exist only for reviewed items (flags plus ε-exploration).

    Scores come from :func:`binormal_scores` (calibrated) with ``seed``; each unflagged item is then sent
    to review independently with probability ``exploration`` (ε), drawn from a second generator seeded
    with ``[seed, 1]``. Used by the feedback-loop scenario: recall cannot be computed from the flagged
    items alone, but the explored ones give an unbiased estimate of the misses (count / ε).
    """
    exploration = check_probability(exploration, "exploration")
    threshold = check_probability(threshold, "threshold")
    y, p = binormal_scores(n, prevalence, separation, seed)
    flagged = p >= threshold
    explored = ~flagged & (np.random.default_rng([seed, 1]).random(y.size) < exploration)
    return ReviewLog(y, p, flagged, explored)


class AnomalyData(NamedTuple):
    """Unlabelled-looking traffic with a few planted anomalies (see :func:`normals_with_anomalies`)."""

    X: np.ndarray  # float64, shape (n_normal + n_anomaly, n_features), rows in random order
    y: np.ndarray  # int8, 1 = anomaly


def normals_with_anomalies(n_normal: int, n_anomaly: int, n_features: int = 6, seed: int = 0,
                           radius: tuple[float, float] = (3.5, 7.0)) -> AnomalyData:
    """Normal rows from N(0, I) and a handful of heterogeneous anomalies, shuffled together.

    Each anomaly sits in its own random direction (uniform on the sphere) at a distance drawn uniformly
    from ``radius`` — so the anomalies do not form one cluster (many schemes, not one), and the nearer ones
    overlap the tail of the normal cloud (the distance of a normal row follows a chi distribution with
    ``n_features`` degrees of freedom: mean ≈ 2.3 and 99.9th percentile ≈ 4.7 for 6 features).

    Parameters
    ----------
    n_normal, n_anomaly : int
        Rows of each kind (n_anomaly ≥ 1).
    n_features : int, default 6
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    radius : (float, float), default (3.5, 7.0)
        Range of the anomalies' distances from the centre.
    """
    n_normal = int(check_count(n_normal, "n_normal"))
    n_anomaly = int(check_count(n_anomaly, "n_anomaly"))
    n_features = int(check_count(n_features, "n_features"))
    lo, hi = radius
    if not 0 <= lo <= hi:
        raise ValueError(f"radius must be (low, high) with 0 ≤ low ≤ high; got {radius}.")
    rng = np.random.default_rng(seed)
    normal = rng.standard_normal((n_normal, n_features))
    direction = rng.standard_normal((n_anomaly, n_features))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    anomaly = direction * rng.uniform(lo, hi, size=(n_anomaly, 1))
    X = np.vstack([normal, anomaly])
    y = np.r_[np.zeros(n_normal, dtype=np.int8), np.ones(n_anomaly, dtype=np.int8)]
    order = rng.permutation(y.size)
    return AnomalyData(X[order], y[order])
