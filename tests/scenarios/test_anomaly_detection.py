"""anomaly-detection-reframe: Isolation Forest re-run with scikit-learn; the contamination cut checked
against the score percentile it is defined by."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, precision_score, recall_score, roc_auc_score

from caselab.scenarios import casebook, variants
from caselab.scenarios.data import normals_with_anomalies

SID = "anomaly-detection-reframe"


def answers(givens=None):
    scenario = casebook.load(SID)
    return {k: a.value for k, a in casebook.solve(scenario, givens).answers.items()}


@pytest.mark.parametrize("variant", [None, 3, 11])
def test_isolation_forest_answers(variant):
    """Each contamination's forest fitted by scikit-learn (the solver fits the trees once and places the cuts)."""
    scenario = casebook.load(SID)
    g = scenario.givens if variant is None else variants.draw(scenario, variant)
    a = answers(None if variant is None else g)
    d = normals_with_anomalies(g["n_normal"], g["n_anomaly"], g["n_features"], g["seed"],
                               radius=(g["radius_low"], g["radius_high"]))
    aps = {}
    for key, c in (("low", g["contamination_low"]), ("mid", g["contamination_mid"]),
                   ("high", g["contamination_high"])):
        m = IsolationForest(n_estimators=g["n_estimators"], contamination=c, random_state=g["seed"]).fit(d.X)
        raw = m.score_samples(d.X)
        # contamination only sets the offset: the c-th percentile of the training scores
        assert m.offset_ == pytest.approx(np.percentile(raw, 100 * c))
        flags = (raw < m.offset_).astype(int)  # predict() == -1 ⇔ score_samples − offset_ < 0
        assert np.array_equal(flags, (m.predict(d.X) == -1).astype(int))
        aps[key] = average_precision_score(d.y, -raw)
        assert a[f"recall_{key}"] == pytest.approx(recall_score(d.y, flags))
        if key != "mid":
            assert a[f"flagged_{key}"] == flags.sum()
            assert a[f"precision_{key}"] == pytest.approx(precision_score(d.y, flags))
        if key == "mid":
            assert a["ap_default"] == pytest.approx(aps[key])
            assert a["roc_auc_default"] == pytest.approx(roc_auc_score(d.y, -raw))
    assert aps["low"] == aps["mid"] == aps["high"]
    assert a["ap_changes_with_contamination"].startswith("no")
    assert a["recall_low"] <= a["recall_mid"] <= a["recall_high"]
    for key in ("small", "large"):
        m = IsolationForest(n_estimators=g["n_estimators"], max_samples=g[f"max_samples_{key}"],
                            random_state=g["seed"]).fit(d.X)
        assert a[f"ap_{key}_subsample"] == pytest.approx(average_precision_score(d.y, -m.score_samples(d.X)))
    assert a["tuning_claim"].startswith("false")
    assert a["framing"].startswith("anomaly detector")
    if variant is None:
        assert abs(a["ap_small_subsample"] - a["ap_default"]) > 0.01


def test_seed_spread_and_bootstrap_interval_by_hand():
    """Several forest seeds (sklearn directly) and a plain bootstrap loop over the rows."""
    g = casebook.load(SID).givens
    a = answers()
    d = normals_with_anomalies(g["n_normal"], g["n_anomaly"], g["n_features"], g["seed"],
                               radius=(g["radius_low"], g["radius_high"]))

    def aps(max_samples):
        return np.array([average_precision_score(d.y, -IsolationForest(
            n_estimators=g["n_estimators"], max_samples=max_samples, random_state=g["seed"] + r).fit(d.X)
            .score_samples(d.X)) for r in range(g["n_forest_seeds"])])

    small, large = aps(g["max_samples_small"]), aps(g["max_samples_large"])
    assert a["ap_small_seed_mean"] == pytest.approx(small.mean())
    assert a["ap_small_seed_sd"] == pytest.approx(small.std(ddof=1))
    assert a["ap_large_seed_mean"] == pytest.approx(large.mean())
    assert a["ap_small_subsample"] == pytest.approx(small[0])  # r = 0 is the single forest (random_state = seed)
    assert small.max() - small.min() > 0.15  # one forest at max_samples = 32 could report almost anything
    m = IsolationForest(n_estimators=g["n_estimators"], contamination=g["contamination_mid"],
                        random_state=g["seed"]).fit(d.X)
    score = -m.score_samples(d.X)
    rng = np.random.default_rng(g["bootstrap_seed"])
    reps = []
    for _ in range(g["n_boot"]):
        i = rng.integers(0, d.y.size, d.y.size)
        reps.append(average_precision_score(d.y[i], score[i]))
    lo, hi = np.percentile(reps, [2.5, 97.5])
    assert (a["ap_default_ci_low"], a["ap_default_ci_high"]) == pytest.approx((lo, hi))
    assert hi - lo > 0.3  # 10 positives: a very wide interval
    se = np.sqrt((small.var(ddof=1) + large.var(ddof=1)) / g["n_forest_seeds"])
    assert large.mean() - small.mean() > 2 * se
    assert a["subsample_lesson"].startswith("one sub-sample size won here")


def test_framing_follows_the_labels():
    g = copy.deepcopy(casebook.load(SID).givens)
    g.update(n_labelled_positives=50_000, positives_heterogeneous=False, n_normal=2_000, n_estimators=10)
    assert answers(g)["framing"] == "supervised classifier"
