"""The seed material's parts, and which scenarios cover each.

The casebook was built from three source texts: two interview questions (000: choosing a threshold for
a sentiment classifier, TikTok; 001: an end-to-end ML project with a computation, Pinterest) and one
long article on imbalanced classification (002). Every part of them must be covered by at least one
scenario; ``tests/test_coverage.py`` fails if one is not. A scenario lists the parts it covers in its
``seed_parts``.
"""

from __future__ import annotations

SEED_SOURCES: dict[str, str] = {
    "000": "TikTok: choosing the decision threshold of a sentiment classifier (an interview question)",
    "001": "Pinterest: an end-to-end ML project, with an F1 / expected-cost computation (an interview question)",
    "002": "Imbalanced binary classification: when it matters, metrics, weights, focal loss, resampling, "
           "calibration (an article)",
}

SEED_PARTS: dict[str, str] = {
    "000-1": "pipeline end to end: data, labels, splits, model, training, evaluation, challenges",
    "000-2": "modelling choices: why X, assumptions, trade-offs (latency, interpretability, cost, robustness)",
    "000-3": "iterative refinement: error analysis, new data, learnings",
    "000-4": "threshold choice; primary / diagnostic / guardrail metrics; imbalance; FP/FN costs; capacity 1,000/day",
    "000-5": "judging a proposed success metric; leakage, delayed labels, sampling bias",
    "001-1": "business objective, target, constraints, primary success metric (PR-AUC vs ROC-AUC vs cost)",
    "001-2": "data, labels, temporal split, leakage checks",
    "001-3": "candidate models, hyperparameters, ablation of two feature groups, a bias-variance decision",
    "001-4": "imbalance handling, thresholds, and the F1 / expected-count / cost computation",
    "001-5": "monitoring: calibration, drift on three features, alert thresholds, retraining rule, schema guard",
    "001-6": "A/B test: guardrails, sample size and duration, rollback on long-tail regressions",
    "001-7": "post-mortem: failure modes, offline error buckets, online slices",
    "002-when-imbalance": "when imbalance is a problem (three conditions), regimes, clarifying questions",
    "002-metrics": "accuracy, ROC-AUC, PR-AUC, precision@k, recall@precision, F-beta, expected cost, MCC",
    "002-class-weights": "class weights; cost-sensitive weights; scale_pos_weight",
    "002-focal-loss": "focal loss: the modulating factor, alpha, when it beats class weights",
    "002-threshold-tuning": "threshold tuning with business cost; the Bayes threshold",
    "002-smote": "SMOTE, its variants, the leakage trap, categorical features",
    "002-undersampling": "random undersampling, EasyEnsemble",
    "002-calibration": "calibration after resampling: Dal Pozzolo, reliability diagram, Platt, isotonic",
    "002-anomaly-detection": "reframing as anomaly detection (Isolation Forest, one-class SVM, autoencoder)",
    "002-ranking": "ranking losses, in-batch negatives, hard negatives, sampling-bias correction",
    "002-failure-modes": "the production failure modes: SMOTE before the split, no recalibration, 0.5 threshold, "
                         "ROC-AUC as primary, SMOTE on categoricals",
}


def coverage(scenarios) -> dict[str, list[str]]:
    """``{seed part: [scenario ids covering it]}`` for every known part (empty list = uncovered)."""
    table: dict[str, list[str]] = {part: [] for part in SEED_PARTS}
    for s in scenarios:
        for part in s.seed_parts:
            table.setdefault(part, []).append(s.id)
    return table
