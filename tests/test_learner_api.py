"""case.check / hint / solution / progress: the feedback a learner sees."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import caselab

FP_BASELINE = 360 * 0.3 / 0.7  # from precision = TP/(TP+FP) with TP = 0.45·800


@pytest.fixture(scope="module")
def case():
    return caselab.case("pinterest-f1-cost")


def test_correct_answers_pass_for_python_and_numpy_scalars(case):
    for value in (FP_BASELINE, np.float64(FP_BASELINE), np.float32(FP_BASELINE), 154, np.int64(154),
                  np.array(FP_BASELINE), Fraction(1080, 7)):
        fb = case.check("fp_baseline", value)
        assert fb.status == "passed", (value, fb)
        assert "accepted within ±0.5" in fb.message


@pytest.mark.parametrize("value", [..., None])
def test_not_answered(case, value):
    fb = case.check("f1_baseline", value)
    assert fb.status == "not_answered" and "replace `...`" in fb.message


@pytest.mark.parametrize(("value", "expected"), [
    ("0.5478", "wrong type: expected a single number (int or float); got the string '0.5478'"),
    ([0.5, 0.6], "got a list of 2 item(s)"),
    (np.array([0.5, 0.6]), "got an array of shape (2,)"),
    (True, "got a boolean"),
    ({"f1": 0.5}, "got a dict of 1 item(s)"),
    (float("nan"), "NaN"),
    (math.inf, "inf"),
])
def test_wrong_types_and_non_finite_values_fail_with_a_reason(case, value, expected):
    fb = case.check("f1_baseline", value)
    assert fb.status == "failed"
    assert expected in fb.message


def test_tolerance_is_stated_and_direction_given(case):
    fb = case.check("f1_baseline", 0.56)
    assert fb.status == "failed"
    assert "too high" in fb.message and "±0.001" in fb.message
    assert "0.5478" not in fb.message, "a failed check does not give the answer away"


def test_misconceptions_are_named(case):
    assert "arithmetic mean" in case.check("f1_baseline", (0.70 + 0.45) / 2).message
    assert "(1 − precision) · n" in case.check("fp_baseline", 0.3 * 10_000).message
    assert "prevalence ignored" in case.check("tp_baseline", 0.45 * 10_000).message
    assert "swapped" in case.check("cost_baseline", 5 * FP_BASELINE + 1 * 440).message


def test_error_carried_forward_from_the_learners_own_values(case):
    # A learner with a wrong FP (the (1 − P)·positives mistake) but the right method for the cost:
    fp_baseline = 0.3 * 800  # noqa: F841 - read by case.check from this frame
    fn_baseline = 440  # noqa: F841
    fb = case.check("cost_baseline", 1 * 240 + 5 * 440)
    assert fb.status == "passed"
    assert "consistent with your own earlier answers" in fb.message and "fp_baseline = 240" in fb.message
    # the same value without those earlier answers in scope is simply wrong
    assert caselab.case("pinterest-f1-cost").check("cost_baseline", 2440.0).status in ("passed", "failed")


def test_choice_questions(case):
    assert case.check("deploy", "new").passed
    assert case.check("deploy", " New ").passed, "case and surrounding spaces do not matter"
    fb = case.check("deploy", "baseline")
    assert fb.status == "failed" and "expected cost" in fb.message
    assert "not one of the options" in case.check("deploy", "both").message
    assert "wrong type" in case.check("deploy", 1).message


def test_hint_and_solution(case):
    assert "harmonic mean" in case.hint("f1_baseline")
    sol = case.solution("fp_baseline")
    assert "154.286" in sol and "FP = TP · (1 − P) / P" in sol and "cm_baseline.fp" in sol


def test_unknown_question_suggests(case):
    with pytest.raises(KeyError, match="Did you mean 'f1_baseline'"):
        case.check("f1_basline", 0.5)


def test_progress_counts_passed(case):
    fresh = caselab.case("pinterest-f1-cost")
    fresh.check("f1_baseline", 2 * 0.7 * 0.45 / 1.15)
    fresh.check("f1_new", 0.1)
    text = fresh.progress()
    assert "1 / 13 passed" in text and "✘ failed" in text


def test_rubric_questions_show_the_rubric():
    case = caselab.case("tiktok-threshold-capacity")
    assert case.check("how_answer_changes", "short").status == "not_answered"
    fb = case.check("how_answer_changes", "Under imbalance I would use PR-AUC; with costs the Bayes threshold; "
                                          "with capacity the top k.")
    # an open answer is never passed by length: it is answered, not scored, with the coach's estimate
    assert fb.status == "answered" and not fb.passed
    assert "automatic estimate" in fb.message and "Severe imbalance" in fb.message
    assert "case.score('how_answer_changes'" in fb.message
