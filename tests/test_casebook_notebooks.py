"""Every committed notebook, graded headless as a learner's would be.

Each solution notebook must grade full marks, each learner notebook (as rendered) zero with every question
`not_answered`. All of them are graded in one batch, two kernels at a time, like `caselab grade notebooks/
solutions/`. (A drill variant of every scenario with variants is graded in tests/test_variants_scale.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from caselab.practice import runner
from caselab.scenarios import casebook

ROOT = Path(__file__).resolve().parents[1]
IDS = casebook.scenario_ids()


@pytest.fixture(scope="module")
def reports():
    paths = [ROOT / "solutions" / f"{i}.ipynb" for i in IDS] + [ROOT / "notebooks" / f"{i}.ipynb" for i in IDS]
    return {p: r for p, r in zip(paths, runner.grade_many(paths, jobs=2, timeout=120), strict=True)}


def _by(reports, folder):
    return {p.stem: r for p, r in reports.items() if p.parent.name == folder}


@pytest.mark.parametrize("sid", IDS)
def test_solution_notebook_grades_full_marks(reports, sid):
    report = _by(reports, "solutions")[sid]
    assert report.error is None, report.error
    questions = casebook.load(sid).questions
    bad = {q.question: f"{q.status}: {q.message}" for q in report.feedback
           if q.status != ("answered" if casebook.load(sid).question(q.question).kind == "rubric" else "passed")}
    # open answers (the model answers) are answered, not scored: the grader scores the other questions
    assert report.score == report.max_score == sum(q.kind != "rubric" for q in questions), bad


@pytest.mark.parametrize("sid", IDS)
def test_learner_notebook_grades_zero_all_not_answered(reports, sid):
    report = _by(reports, "notebooks")[sid]
    assert report.score == 0 and report.max_score == len(casebook.load(sid).questions)
    assert {q.status for q in report.feedback} == {"not_answered"}, report.to_dict()
