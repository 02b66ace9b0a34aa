"""The casebook format: every malformed spec reports every problem, with file, field path and fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from caselab.scenarios import casebook
from caselab.scenarios.spec import DEFAULT_TOLERANCE, SpecError, Tolerance, load_spec

SPECS = Path(__file__).parent / "specs"
BAD = sorted((SPECS / "bad").glob("*.toml"))


def expectations(path: Path) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^# expect: (.*)$", path.read_text(encoding="utf-8"), re.M)]


def test_there_are_at_least_15_malformed_specs():
    assert len(BAD) >= 15
    assert all(expectations(p) for p in BAD), "every malformed spec states the message it expects"


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_malformed_spec_reports_file_field_and_fix(path):
    with pytest.raises(SpecError) as info:
        load_spec(path)
    message = str(info.value)
    assert message.startswith(str(path)), "the message names the file first"
    for expected in expectations(path):
        assert expected in message, f"expected {expected!r} in:\n{message}"


def test_every_problem_is_reported_at_once():
    with pytest.raises(SpecError) as info:
        load_spec(SPECS / "bad" / "many-problems.toml")
    paths = [p.path for p in info.value.problems]
    assert {"titel", "title", "source.difficulty", "questions[0].kind", "questions[2].options"} <= set(paths)
    assert f"{len(paths)} problem(s)" in str(info.value)


def test_good_spec_outside_the_casebook_loads_and_solves():
    scenario = casebook.load(SPECS / "good-minimal.toml")
    assert [q.id for q in scenario.questions] == ["f1_baseline", "cost_new", "deploy"]
    answers = casebook.solve(scenario).answers
    # by hand: n = 1000, 10% positive -> 100 positives. baseline P 0.8, R 0.4 -> F1 = 2·.8·.4/1.2
    assert answers["f1_baseline"].value == pytest.approx(2 * 0.8 * 0.4 / 1.2)
    # new: TP = 70, FN = 30, FP = 70·(1 − 0.5)/0.5 = 70 -> cost = 1·70 + 10·30 = 370
    assert answers["cost_new"].value == pytest.approx(370.0)
    # baseline: TP 40, FN 60, FP 10 -> cost 10 + 600 = 610 > 370
    assert answers["deploy"].value == "new"


def test_casebook_specs_are_all_valid_and_ids_unique():
    scenarios = casebook.load_all()
    assert len(scenarios) >= 3
    assert len({s.id for s in scenarios}) == len(scenarios)


def test_unknown_id_suggests_close_matches():
    with pytest.raises(casebook.UnknownScenario, match="Did you mean: pinterest-f1-cost"):
        casebook.load("pinterest-f1-cots")


def test_default_tolerances_follow_the_unit():
    assert DEFAULT_TOLERANCE["count"] == Tolerance(abs=0.5)
    assert DEFAULT_TOLERANCE["rate"] == Tolerance(abs=0.005)
    assert Tolerance(abs=0.5).accepts(154.7, 154.2857)
    assert not Tolerance(abs=0.5).accepts(155.0, 154.2857)
    assert Tolerance(rel=0.01).accepts(101.0, 100.0) and not Tolerance(rel=0.01).accepts(101.5, 100.0)


def test_rubric_points_as_tables_keep_text_as_the_point_and_the_rest_alongside():
    scenario = casebook.load("pinterest-capstone")
    q = scenario.question("part4_imbalance_threshold")
    assert q.points == tuple(p.text for p in q.rubric)  # everything that reads points as strings still works
    cost = next(p for p in q.rubric if p.number == "cost_new")
    assert cost.evidence == ("2,354 | 2354", "1,742 | 1742", "deploy | ship | choose the new")
    plain = casebook.load("tiktok-threshold-capacity").question("how_answer_changes")
    assert plain.rubric and all(p.evidence == () and p.text == t for p, t in zip(plain.rubric, plain.points,
                                                                                  strict=True))


def test_capstone_parts_group_consecutive_questions():
    scenario = casebook.load("tiktok-capstone")
    assert scenario.is_capstone and not casebook.load("pinterest-f1-cost").is_capstone
    parts = scenario.parts()
    assert [label for label, _ in parts] == ["Part 1", "Part 2", "Part 3", "Part 4", "Part 5"]
    assert [q.id for q in parts[3][1]][-1] == "part4_threshold"
    assert sum(len(qs) for _, qs in parts) == len(scenario.questions)
