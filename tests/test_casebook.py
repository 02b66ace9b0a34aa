"""Whole-casebook checks: coverage of the seeds, well-formed answers, reachable misconceptions."""

from __future__ import annotations

import math

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
