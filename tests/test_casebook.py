"""Whole-casebook checks: coverage of the seeds, well-formed answers, reachable misconceptions."""

from __future__ import annotations

import math
import re

import pytest

from caselab.scenarios import casebook
from caselab.scenarios.coverage import SEED_PARTS, coverage

SCENARIOS = casebook.load_all()


def test_at_least_30_scenarios():
    assert len(SCENARIOS) >= 30


def test_every_seed_part_has_a_scenario():
    table = coverage(SCENARIOS)
    missing = [part for part in SEED_PARTS if not table[part]]
    assert not missing, f"seed parts with no scenario: {missing}"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_answers_hints_and_misconceptions(scenario):
    solution = casebook.solve(scenario)
    kinds = {q.kind for q in scenario.questions}
    assert kinds & {"number", "decision", "choice"}, "every scenario has graded (not only rubric) questions"
    for q in scenario.questions:
        assert q.hint.strip(), f"{q.id} has no hint"
        if q.kind == "rubric":
            assert q.points and q.model_answer.strip()
            continue
        answer = solution.answers[q.id]
        if q.kind != "number":
            continue
        truth = float(answer.value)
        assert math.isfinite(truth), f"{q.id}: a number question needs a finite answer"
        assert answer.formula, f"{q.id}: state the formula"
        tol = q.accepted
        for mistake, wrong in answer.mistakes.items():
            if isinstance(wrong, int | float) and math.isfinite(wrong):
                # A mistake the tolerance accepts is a wrong method that passes, and its message never shows —
                # unless, for these givens, it lands on the answer itself (a coincidence, e.g. λ = 0.5 from
                # either end): then no tolerance could tell the two apart, and nothing is lost.
                coincides = abs(wrong - truth) <= 0.1 * tol.width(truth)
                assert coincides or not tol.accepts(wrong, truth), (
                    f"{q.id}: the mistake {mistake!r} gives {wrong:.6g}, inside the accepted band around "
                    f"{truth:.6g} ({tol.describe()}): tighten the tolerance or drop the mistake")


# A tolerance typed into a prompt drifts from the one grading applies ("within 2%" over a max(±0.0005, 2%)
# band); the renderer appends the applied one (Question.prompt_text), so a spec must never type it.
HAND_WRITTEN_TOLERANCE = re.compile(
    r"±\s*\d"  # "±0.005" (a placeholder such as ±{margin} is a given of the question, not a tolerance)
    r"|\bwithin\s+\d[\d.,]*\s*(?:%|days?\b|dollars?\b|users?\b)"  # "within 2%", "within 0.5 days"
    r"|\baccepted\b|\btolerance\b|\bwhichever is wider\b", re.IGNORECASE)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_no_prompt_types_its_own_tolerance(scenario):
    typed = {q.id: m.group(0) for q in scenario.questions if q.kind == "number"
             for m in [HAND_WRITTEN_TOLERANCE.search(q.prompt)] if m}
    assert not typed, (f"{scenario.path}: prompts with hand-written tolerance text {typed}: delete it — the "
                       "accepted band is appended from the question's tolerance when the prompt is shown")


def test_hand_written_tolerance_detector_catches_the_forms_seen():
    for typed in ["(±0.005)", "Within 2%.", "(within 2% or ±0.0005)", "(accepted within ±50 users)",
                  "within 0.5 days", "±0.5 is accepted"]:
        assert HAND_WRITTEN_TOLERANCE.search(f"Recall at that threshold {typed}"), typed
    for fine in ["near {planning_recall} within ±{margin} at 95% confidence", "within the first week",
                 "Flags per 100,000 posts at 2% prevalence", "(four decimals)"]:
        assert not HAND_WRITTEN_TOLERANCE.search(fine), fine


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_number_prompts_state_the_tolerance_grading_applies(scenario):
    for q in scenario.questions:
        text = q.prompt_text(scenario.givens)
        if q.kind == "number":
            assert text.endswith(f"(Accepted within {q.accepted.describe()}.)"), q.id
            assert text.count("ccepted within") == 1, q.id
        else:
            assert "ccepted within" not in text, q.id
