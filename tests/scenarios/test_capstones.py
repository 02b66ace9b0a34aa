"""The two capstones: every number recomputed independently, and the shape of a rehearsable interview.

Numbers: hand derivations written out here, scikit-learn for F1 from (expected) counts, statsmodels for the
Wilson intervals and the two-proportion sample size. Shape: every part of the seed question in order, each
with a timed spoken answer, an outline, follow-ups and drill links to scenarios that cover that part; every
rubric point carries evidence that its own model answer shows (checked with a plain reference matcher).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from sklearn.metrics import f1_score
from statsmodels.stats.proportion import proportion_confint, samplesize_proportions_2indep_onetail

from caselab.scenarios import casebook
from caselab.scenarios.coverage import SEED_PARTS, coverage
from caselab.scenarios.spec import fill

CAPSTONES = {"tiktok-capstone": "000", "pinterest-capstone": "001"}


def answers(sid: str) -> dict[str, float | str]:
    scenario = casebook.load(sid)
    solution = casebook.solve(scenario)
    return {q.id: solution.answers[q.id].value for q in scenario.questions if q.kind != "rubric"}


def f1_from_counts(tp: float, fp: float, fn: float) -> float:
    """scikit-learn's F1 on three weighted rows standing for the expected cells (TN does not enter F1)."""
    y_true, y_pred = [1, 0, 1], [1, 1, 0]
    return f1_score(y_true, y_pred, sample_weight=[tp, fp, fn])


# --------------------------------------------------------------------------------------------------
# Pinterest: the seed computation and the numbers around it
# --------------------------------------------------------------------------------------------------
def test_pinterest_computation_by_hand_and_sklearn():
    a = answers("pinterest-capstone")
    positives = 10_000 * 0.08  # 800
    for name, precision, recall in (("baseline", 0.70, 0.45), ("new", 0.58, 0.66)):
        tp = recall * positives  # 360 / 528
        fn = positives - tp  # 440 / 272
        fp = tp * (1 - precision) / precision  # 154.2857 / 382.3448
        tn = 10_000 - positives - fp
        assert a[f"tp_{name}"] == pytest.approx(tp)
        assert a[f"fn_{name}"] == pytest.approx(fn)
        assert a[f"fp_{name}"] == pytest.approx(fp)
        assert a[f"tn_{name}"] == pytest.approx(tn)
        assert a[f"f1_{name}"] == pytest.approx(f1_from_counts(tp, fp, fn), rel=1e-12)
        assert a[f"cost_{name}"] == pytest.approx(1 * fp + 5 * fn)
    # the errata's figures, to the precision it states them
    assert a["fp_baseline"] == pytest.approx(154.29, abs=0.005) and a["fp_new"] == pytest.approx(382.34, abs=0.005)
    assert a["f1_baseline"] == pytest.approx(0.5478, abs=5e-5) and a["f1_new"] == pytest.approx(0.6174, abs=5e-5)
    assert a["cost_baseline"] == pytest.approx(2354.29, abs=0.005)
    assert a["cost_new"] == pytest.approx(1742.34, abs=0.005)
    assert a["deploy"] == "new"
    assert a["bayes_threshold"] == pytest.approx(1 / 6)
    assert a["primary_metric"] == "expected cost"


def test_pinterest_intervals_against_statsmodels():
    a = answers("pinterest-capstone")
    low, high = proportion_confint(528, 800, alpha=0.05, method="wilson")
    assert (a["recall_new_ci_low"], a["recall_new_ci_high"]) == (pytest.approx(low), pytest.approx(high))
    low, high = proportion_confint(14, 25, alpha=0.05, method="wilson")
    assert a["segment_recall"] == pytest.approx(14 / 25)
    assert (a["segment_ci_low"], a["segment_ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert low < 0.66 < high  # the overall recall lies inside: 25 positives cannot show a gap
    assert a["segment_verdict"].startswith("cannot tell")


def test_pinterest_experiment_numbers():
    a = answers("pinterest-capstone")
    p1, p2 = 0.02, 0.022
    # statsmodels' pooled-variance two-sided formula (the same Fleiss form the library writes out)
    n = samplesize_proportions_2indep_onetail(p2 - p1, p1, power=0.8, alpha=0.05, alternative="two-sided")
    assert a["guardrail_n_per_arm"] == math.ceil(n)
    assert a["cuped_n_per_arm"] == math.ceil(a["guardrail_n_per_arm"] * (1 - 0.4**2))  # 80,682 · 0.84 → 67,773
    days = a["cuped_n_per_arm"] / (12_000 / 2)  # 11.3 days
    assert a["run_days"] == 7 * math.ceil(days / 7) == 14
    assert a["readout_day"] == 14 + 60


def test_cuped_variance_factor_on_simulated_buyers():
    """The 1 − ρ² the capstone uses, checked on data: CUPED's adjusted metric has that variance."""
    from caselab.maths.experiments import cuped_adjust

    rng = np.random.default_rng(0)
    pre = rng.normal(size=200_000)
    post = 0.4 * pre + math.sqrt(1 - 0.4**2) * rng.normal(size=200_000)  # corr(pre, post) = 0.4
    r = cuped_adjust(post, pre)
    assert r.correlation == pytest.approx(0.4, abs=0.005)
    assert np.var(r.adjusted) / np.var(post) == pytest.approx(1 - 0.4**2, abs=0.005)


# --------------------------------------------------------------------------------------------------
# TikTok
# --------------------------------------------------------------------------------------------------
def test_tiktok_numbers_by_hand_and_statsmodels():
    a = answers("tiktok-capstone")
    assert a["bayes_threshold"] == pytest.approx(2 / 32)
    assert a["capacity_share"] == pytest.approx(1_000 / 200_000)
    assert a["flags_per_day_at_bayes"] == pytest.approx(0.031 * 200_000)  # 6,200 > 1,000: capacity binds
    assert a["primary_metric"] == "recall at capacity"
    assert a["audit_precision"] == pytest.approx(26 / 40)
    low, high = proportion_confint(26, 40, alpha=0.05, method="wilson")
    assert (a["audit_ci_low"], a["audit_ci_high"]) == (pytest.approx(low), pytest.approx(high))
    # the maturation curve read by hand: F(7) is a point of the curve; F(2), F(4..6) interpolate
    assert a["first_week_share"] == pytest.approx(0.70)
    f = [0.0, 0.35, 0.45, 0.55, 0.55 + 0.15 / 4, 0.55 + 0.30 / 4, 0.55 + 0.45 / 4]  # ages 0 … 6
    assert a["launch_week_share"] == pytest.approx(sum(f) / 7)  # 3.225 / 7 = 0.4607
    assert a["compare_how"].startswith("cohorts of the same age")


# --------------------------------------------------------------------------------------------------
# The shape of a rehearsable interview
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sid", CAPSTONES)
def test_every_part_of_the_seed_in_order_with_a_timed_spoken_answer(sid):
    scenario = casebook.load(sid)
    seed = CAPSTONES[sid]
    parts = [k for k in SEED_PARTS if k.startswith(f"{seed}-") and k[4:].isdigit()]
    assert sorted(scenario.seed_parts) == sorted(parts)
    labels = [label for label, _ in scenario.parts()]
    assert labels == [f"Part {k}" for k in range(1, len(parts) + 1)], "every part, in the interviewer's order"
    ids = set(casebook.scenario_ids())
    seed_parts_of = {i: set(casebook.load(i, check_solver=False).seed_parts) for i in ids}
    for k, (label, qs) in enumerate(scenario.parts(), 1):
        spoken = [q for q in qs if q.kind == "rubric"]
        assert len(spoken) == 1, f"{label}: one spoken answer per part"
        q = spoken[0]
        assert q.speaking_time and 1.5 <= q.speaking_time <= 4
        assert 4 <= len(q.outline) <= 6, f"{label}: the 4–6 beats of a strong answer"
        assert len(q.follow_ups) >= 2
        # sayable in the time: at most ~150 spoken words a minute
        assert len(q.model_answer.split()) <= 150 * q.speaking_time
        assert all(x.speaking_time for x in qs), f"{label}: every question has a target time"
        drills = {d for x in qs for d in x.drills}
        assert drills and drills <= ids
        assert any(f"{seed}-{k}" in seed_parts_of[d] for d in drills), (
            f"{label}: at least one linked drill covers seed part {seed}-{k}")


def _shows(text: str, alternative: str) -> bool:
    """A reference reading of one evidence alternative: a phrase (case-insensitive) or ``re:<pattern>``."""
    if alternative.startswith("re:"):
        return re.search(alternative[3:], text, re.I) is not None
    return alternative.casefold() in text.casefold()


def _states(text: str, value: float) -> bool:
    """Does ``text`` state ``value`` in one of the ways a speaker rounds it?"""
    flat = text.replace(" %", "%")
    forms = {f"{value:,.0f}", f"{value:.1f}", f"{value:.2f}", f"{value:.3f}", f"{round(value, -2):,.0f}",
             f"{value:.0%}", f"{value:g}"}
    return any(f in flat for f in forms)


@pytest.mark.parametrize("sid", CAPSTONES)
def test_every_rubric_point_has_evidence_its_model_answer_shows(sid):
    """The coach (the same matcher a learner's answer meets) finds every point, and every number a point
    names, in the model answer as a learner reads it — placeholders filled."""
    from caselab.practice.coach import assess

    scenario = casebook.load(sid)
    solution = casebook.solve(scenario)
    values = answers(sid)
    for q in scenario.questions:
        if q.kind != "rubric":
            continue
        spoken = fill(q.model_answer, solution.prose_givens(scenario.givens))
        report = assess(q, spoken, scenario, solution)
        for point, result in zip(q.rubric, report.points, strict=True):
            assert point.evidence, f"{q.id}: {point.text!r} has no evidence"
            assert result.covered, f"{q.id}: the model answer does not make {point.text!r} ({result})"
            if point.number:
                assert _states(spoken, float(values[point.number])), (
                    f"{q.id}: the model answer does not state {point.number} = {values[point.number]}")


def test_capstones_are_in_the_coverage_table():
    table = coverage(casebook.load_all(check_solver=False))
    for sid, seed in CAPSTONES.items():
        for part in casebook.load(sid).seed_parts:
            assert sid in table[part] and part.startswith(seed)
