"""Error-analysis, metric-audit and feedback-loop scenarios: answers recomputed independently.

Hand derivations are written out here; scikit-learn, scipy and statsmodels provide reference values.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from scipy import stats

from caselab.scenarios import casebook


def answers(sid: str, givens: dict | None = None) -> dict:
    scenario = casebook.load(sid)
    return {k: a.value for k, a in casebook.solve(scenario, givens).answers.items()}


def givens_of(sid: str) -> dict:
    return copy.deepcopy(casebook.load(sid).givens)


# ------------------------------------------------------------------------------------------------
# tiktok-sentiment-postmortem-buckets
# ------------------------------------------------------------------------------------------------
POST = "tiktok-sentiment-postmortem-buckets"


def test_postmortem_bucket_arithmetic():
    from statsmodels.stats.proportion import proportions_ztest

    a = answers(POST)
    table = {"sarcasm": (500, 0.38, 0.3), "negation": (800, 0.22, 0.6), "emoji_only": (300, 0.15, 0.7),
             "code_mixed": (400, 0.41, 0.5), "other": (8_000, 0.08, 0.1)}
    errors = {k: n * r for k, (n, r, _) in table.items()}  # 190, 176, 45, 164, 640
    assert a["errors_sarcasm"] == pytest.approx(190) and a["errors_code_mixed"] == pytest.approx(164)
    assert a["total_errors"] == pytest.approx(1_215)
    assert a["error_rate"] == pytest.approx(0.1215)
    assert a["sarcasm_share_of_errors"] == pytest.approx(190 / 1_215)
    assert a["named_share_of_errors"] == pytest.approx((190 + 176 + 45 + 164) / 1_215)
    assert a["largest_by_volume"] == "sarcasm"  # code_mixed has the highest rate, sarcasm the most errors
    removed = {k: errors[k] * table[k][2] for k in table if k != "other"}
    assert removed == pytest.approx({"sarcasm": 57.0, "negation": 105.6, "emoji_only": 31.5, "code_mixed": 82.0})
    assert a["fix_first"] == "negation"
    assert a["error_rate_after_fix"] == pytest.approx((1_215 - 105.6) / 10_000)
    z, _ = proportions_ztest([4_050, 9_600], [30_000, 120_000])
    assert a["slice_z"] == pytest.approx(z)
    assert a["slice_failure_mode"].startswith("training–serving skew")


def test_postmortem_decisions_follow_the_numbers():
    g = givens_of(POST)
    g["buckets"]["sarcasm"]["fixability"] = 0.6  # 190 × 0.6 = 114 > negation's 105.6
    assert answers(POST, g)["fix_first"] == "sarcasm"
    g["buckets"]["code_mixed"]["count"] = 500  # 205 errors; take the items from the residual bucket
    g["buckets"]["other"]["count"] = 7_900
    a = answers(POST, g)
    assert a["largest_by_volume"] == "code_mixed" and a["total_errors"] == pytest.approx(1_215 + 41 - 8)
    g["buckets"]["other"]["count"] = 8_000  # the buckets no longer add up to the validation set
    with pytest.raises(ValueError, match="exactly one bucket"):
        answers(POST, g)


# ------------------------------------------------------------------------------------------------
# tiktok-moderation-metric-audit
# ------------------------------------------------------------------------------------------------
AUDIT = "tiktok-moderation-metric-audit"


def test_metric_audit_precision_recall_with_sklearn():
    from sklearn.metrics import precision_score, recall_score

    from caselab.scenarios.data import binormal_scores

    g, a = givens_of(AUDIT), answers(AUDIT)
    y, p = binormal_scores(g["n_items"], g["prevalence"], g["separation"], g["seed"])
    for key, t in (("now", g["threshold_now"]), ("raised", g["threshold_raised"])):
        flagged = (p >= t).astype(int)
        assert a[f"metric_{key}"] == pytest.approx(precision_score(y, flagged))
        assert a[f"recall_{key}"] == pytest.approx(recall_score(y, flagged))
    # the metric rises with the threshold while recall falls: gameable
    assert a["metric_raised"] > a["metric_now"] and a["recall_raised"] < a["recall_now"]
    assert a["metric_verdict"].startswith("reject")


def test_metric_audit_sample_sizes():
    from statsmodels.stats.proportion import samplesize_confint_proportion

    a = answers(AUDIT)
    n_pos = samplesize_confint_proportion(0.7, 0.05, alpha=0.05)  # z²·r(1 − r)/m² = 322.7
    assert a["positives_needed"] == math.ceil(n_pos) == 323
    assert a["audit_sample_size"] == pytest.approx(323 / 0.02)
    assert a["audit_days"] == pytest.approx(323 / 0.02 / 500)
    # the explanation's caveat: a sample of that size holds ≥ 323 positives only about half the time
    assert stats.binom.sf(322, 16_150, 0.02) == pytest.approx(0.5, abs=0.05)


def test_metric_audit_verdict_follows_the_thresholds():
    g = givens_of(AUDIT)
    g["threshold_raised"] = 0.1  # "raising" to a lower threshold: the metric falls, recall rises
    assert answers(AUDIT, g)["metric_verdict"] == "adopt it as the success metric"
    g = givens_of(AUDIT)
    g["prevalence"], g["planning_recall"] = 0.05, 0.5
    a = answers(AUDIT, g)
    assert a["positives_needed"] == math.ceil(stats.norm.ppf(0.975) ** 2 * 0.25 / 0.05**2)  # 385
    assert a["audit_sample_size"] == pytest.approx(385 / 0.05)


# ------------------------------------------------------------------------------------------------
# tiktok-feedback-loop-exploration
# ------------------------------------------------------------------------------------------------
LOOP = "tiktok-feedback-loop-exploration"


def test_feedback_loop_counts_with_sklearn():
    from sklearn.metrics import precision_score, recall_score

    from caselab.scenarios.data import review_log

    g, a = givens_of(LOOP), answers(LOOP)
    log = review_log(g["n_items"], g["prevalence"], g["separation"], g["threshold"], g["exploration"], g["seed"])
    y, flagged = log.y_true, log.flagged.astype(int)
    assert np.array_equal(log.flagged, log.y_score >= g["threshold"])
    assert not np.any(log.flagged & log.explored)  # exploration only draws unflagged comments
    assert a["observed_precision"] == pytest.approx(precision_score(y, flagged))
    assert a["true_recall"] == pytest.approx(recall_score(y, flagged))
    labelled = log.flagged  # without exploration, only flags have labels
    assert a["naive_recall"] == recall_score(y[labelled], flagged[labelled]) == 1.0
    x = int(np.sum((y == 1) & log.explored))
    tp = int(np.sum((y == 1) & log.flagged))
    assert a["explored_items"] == log.explored.sum() and a["explored_positives"] == x
    assert a["fn_estimate"] == pytest.approx(x / g["exploration"])
    assert a["recall_estimate"] == pytest.approx(tp / (tp + x / g["exploration"]))
    assert a["ips_prevalence"] == pytest.approx((tp + x / g["exploration"]) / g["n_items"])
    assert a["measurement_design"].startswith("keep a random exploration")


def test_feedback_loop_estimator_is_unbiased_and_the_se_is_right():
    """Redraw the exploration many times for the same day: F̂N is unbiased; the delta-method SE matches."""
    a = answers(LOOP)
    tp, fn, eps = 740, 1_179, 0.02  # today's flagged positives and true misses (asserted below)
    assert a["true_recall"] == pytest.approx(tp / (tp + fn))
    rng = np.random.default_rng(2024)
    x = rng.binomial(fn, eps, size=200_000)
    assert np.mean(x / eps) == pytest.approx(fn, rel=0.005)
    r = tp / (tp + x / eps)
    se_at_truth = tp * math.sqrt(fn * (1 - eps) / eps) / (tp + fn) ** 2
    assert np.std(r) == pytest.approx(se_at_truth, rel=0.1)  # delta method, good to ~10% at X ≈ 24
    # the solver plugs in today's F̂N: same formula, estimated count
    fn_hat = a["fn_estimate"]
    assert a["recall_se"] == pytest.approx(tp * math.sqrt(fn_hat * (1 - eps) / eps) / (tp + fn_hat) ** 2)
    # ε for the target SE: invert the formula, then check it gives the target
    e = a["epsilon_for_target_se"]
    assert tp * math.sqrt(fn_hat * (1 - e) / e) / (tp + fn_hat) ** 2 == pytest.approx(0.02)


def test_feedback_loop_follows_the_givens():
    g = givens_of(LOOP)
    g["exploration"] = 0.2
    a = answers(LOOP, g)
    assert a["explored_items"] == pytest.approx(0.2 * (200_000 - 1_327), rel=0.02)
    assert a["recall_se"] < 0.02  # ten times the exploration: SE below the target
    assert a["epsilon_for_target_se"] < 0.2
