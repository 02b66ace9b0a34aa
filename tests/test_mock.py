"""The mock interview, driven through a pseudo-terminal as a user would type."""

from __future__ import annotations

import json
import os
import re
import sys

import pexpect
import pytest

from caselab.practice.mock import parse_number

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def spawn(tmp_path, *args, colour=False):
    env = {**os.environ, "CASELAB_HOME": str(tmp_path), "COLUMNS": "100", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    if not colour:
        args = (*args, "--no-color")
    child = pexpect.spawn(sys.executable, ["-m", "caselab.cli", "mock", *args], env=env, encoding="utf-8",
                          timeout=30, dimensions=(40, 100))
    return child


def test_right_and_wrong_answers_get_the_notebooks_feedback(tmp_path):
    child = spawn(tmp_path, "--scenario", "pinterest-f1-cost", "--original", "--seed", "1")
    child.expect("Q1/13 \\[f1_baseline\\]")
    child.expect(r"elapsed · \d\d:\d\d left")
    child.expect("left\\] > ")
    child.sendline("0.5478")
    child.expect("correct")
    child.expect("Q2/13 \\[f1_new\\]")
    child.expect("left\\] > ")
    child.sendline("h")
    child.expect("hint: Same formula as the baseline")
    child.sendline("0.62")  # (0.58 + 0.66) / 2: the arithmetic mean
    child.expect("arithmetic mean")
    child.expect("the answer: 0.617")
    child.expect("Q3/13")
    child.sendline("not a number")
    child.expect("that is not a number")
    child.sendline("360")
    child.expect("correct")
    child.sendline("q")
    child.expect("Summary")
    child.expect("score 2/13")
    child.expect("not reached: fp_baseline, fn_baseline")
    child.expect(pexpect.EOF)
    assert "\x1b[" not in child.before, "--no-color prints no escape codes"
    data = json.loads((tmp_path / "journal.json").read_text())
    q = data["scenarios"]["pinterest-f1-cost"]
    assert q["f1_new"]["last_status"] == "failed" and q["tp_baseline"]["last_status"] == "passed"
    assert data["mocks"][0]["score"] == 2


def test_open_questions_are_self_scored_against_the_rubric(tmp_path):
    from caselab.scenarios import casebook

    child = spawn(tmp_path, "--scenario", "tiktok-threshold-capacity", "--original", "--seed", "2", colour=True)
    notebook_only = [q.id for q in casebook.load("tiktok-threshold-capacity").questions if not q.terminal]
    assert "min_cost_threshold_slider" in notebook_only and "min_cost" in notebook_only
    child.expect(f"need the notebook's data or widgets and are not asked here: {', '.join(notebook_only)}")
    skipped = 0
    while child.expect([r"\[how_answer_changes\]", r"left\] > "]) == 1:  # skip every graded question
        child.sendline("s")
        skipped += 1
    child.expect("left\\] > ")
    child.sendline("Use PR-AUC under imbalance, the Bayes threshold from costs, and top-k for capacity.")
    child.expect("empty line ends")
    child.sendline("")
    child.expect("Coach on how_answer_changes \\(automatic estimate")  # the same report as case.check
    child.expect("coverage")
    child.expect("Model answer")
    for answer in ("y", "y", "maybe", "n", "y", "n", "y"):  # six rubric points
        child.expect("y/n > ")
        child.sendline(answer)
        if answer == "maybe":
            child.expect("please answer y or n")
    child.expect("self-scored 4/6 rubric points")
    child.expect(f"score 1/{skipped + 1}")
    child.expect(pexpect.EOF)
    assert not any(f"[{qid}]" in child.before for qid in notebook_only), "notebook-only questions are not asked"
    assert "\x1b[1m" in child.before or "\x1b[32m" in child.before, "colours on a terminal by default"


def test_time_limit_says_so_stops_and_records_a_late_answer_as_late(tmp_path):
    child = spawn(tmp_path, "--scenario", "pinterest-f1-cost", "--original", "--minutes", "0.02")
    child.expect("left\\] > ")
    # the limit is 1.2 s: it runs out while the first question is open, and the mock says so at once
    child.expect(r"Time is up \(0.02 min\)\. Finish the answer you are typing — it is recorded as late", timeout=10)
    child.sendline("2*0.7*0.45/(0.7+0.45)")  # right, but late
    child.expect("correct")
    child.expect(r"f1_baseline: late — answered after the 0.02-minute limit, so not scored \(it was passed\)")
    child.expect("The interview stops here")
    child.expect("Summary")
    child.expect(r"f1_baseline\s+late")
    child.expect(r"score 0/13 in \d\d:\d\d \(1 late: not counted\)")
    child.expect(pexpect.EOF)
    text = ANSI.sub("", child.before)
    assert "not reached: f1_new" in text and "Q2/13" not in text
    data = json.loads((tmp_path / "journal.json").read_text())
    q = data["scenarios"]["pinterest-f1-cost"]["f1_baseline"]
    assert q["last_status"] == "late" and q["passed"] == 0 and data["mocks"][0]["score"] == 0


def test_a_near_miss_choice_gets_another_go_like_a_number(tmp_path):
    child = spawn(tmp_path, "--scenario", "pinterest-f1-cost", "--original", "--seed", "1")
    while child.expect([r"\[deploy\]", r"left\] > "]) == 1:  # skip to the decision
        child.sendline("s")
    child.expect(r"1\. baseline")
    child.expect("left\\] > ")
    child.sendline("nwe")  # a typo
    child.expect(r"that is not one of the options: type its number \(1–2\) or its text — did you mean 'new'\? "
                 "Try again")
    child.expect("left\\] > ")
    child.sendline("3")  # no such number
    child.expect("that is not one of the options")
    child.expect("left\\] > ")
    child.sendline("2")
    child.expect("correct — 'new'")
    child.expect("Summary")
    child.expect(r"deploy\s+passed")
    child.expect(pexpect.EOF)


def test_a_drill_variant_points_to_its_own_worked_solution(tmp_path):
    child = spawn(tmp_path, "--scenario", "pinterest-f1-cost", "--variant", "7", "--seed", "1")
    child.expect("drill variant 7")
    child.expect("left\\] > ")
    child.sendline("q")
    child.expect("Summary")
    child.expect(r"worked solution: caselab solve pinterest-f1-cost --seed 7")
    child.expect(pexpect.EOF)


def test_option_reading():
    from caselab.practice.mock import _option

    options = ("baseline", "new")
    assert [_option(options, t) for t in ("1", "2", "3", "0", "New", " new ", "base", "ne", "both")] == [
        "baseline", "new", None, None, "new", "new", "baseline", None, None]


@pytest.mark.parametrize(("text", "value"), [("0.55", 0.55), ("1,742.34", 1742.34), ("12%", 0.12),
                                             ("1/6", 1 / 6), ("1e-4", 1e-4), ("abc", None), ("", None),
                                             ("1/0", None), ("2*0.7*0.45/(0.7+0.45)", 2 * 0.7 * 0.45 / 1.15),
                                             ("360 × (1 − 0.7)/0.7", 360 * 0.3 / 0.7), ("360*(1-0.7)/0.7", 360 * 0.3 / 0.7),
                                             ("__import__('os')", None), ("9**9**9", None)])
def test_numbers_as_people_type_them(text, value):
    assert parse_number(text) == (pytest.approx(value) if value is not None else None)


def test_capstone_runs_as_one_timed_interview_with_a_clock_per_part(tmp_path):
    child = spawn(tmp_path, "--scenario", "tiktok-capstone", "--seed", "3")
    child.expect("15 questions, 18 minutes")  # the full length: the sum of the parts' targets, rounded up
    child.expect(r"Part 4\s+8 question\(s\)\s+target 6 min 30 s")
    child.expect("━━ Part 1 ━━")
    child.expect(r"Q1/15 \[part1_pipeline\]\s+⏱ Part 1 00:0\d/03:00")
    child.expect(r"\[Part 1 00:\d\d/03:00 · 17:\d\d left\] > ")
    child.sendline("Hostile comments go to review, about 5% positive; labels with kappa, split by time.")
    child.expect("empty line ends")
    child.sendline("")
    child.expect("Outline to speak from")
    child.expect("Model answer")
    for _ in range(6):
        child.expect("y/n > ")
        child.sendline("y")
    child.expect("self-scored 6/6 rubric points")
    child.expect(r"The interviewer follows up \(3\)")
    child.expect("Why not a random split")
    child.expect("Enter > ")
    child.sendline("")
    child.expect("→ The model scores future comments")
    child.expect("Enter > ")
    child.sendline("s")  # skip the other follow-ups
    child.expect(r"Part 1 took \d\d:\d\d against a target of 03:00 \(\d\d:\d\d under\)")
    child.expect("━━ Part 2 ━━")
    child.expect(r"\[Part 2 00:\d\d/02:00 · \d\d:\d\d left\] > ")
    child.sendline("q")
    child.expect("Summary")
    child.expect(r"Part 1\s+03:00\s+\d\d:\d\d\s+\d\d:\d\d under")
    child.expect(r"Part 2\s+02:00")
    child.expect(pexpect.EOF)
    data = json.loads((tmp_path / "journal.json").read_text())
    parts = data["mocks"][0]["parts"]
    assert [p["part"] for p in parts] == ["Part 1", "Part 2"] and parts[0]["target_seconds"] == 180


def test_capstone_computation_is_graded_inside_the_interview(tmp_path):
    # the casebook's numbers (the capstone has drill variants; a mock draws fresh ones by default)
    child = spawn(tmp_path, "--scenario", "pinterest-capstone", "--minutes", "30", "--original")
    child.expect("32 questions, 30 minutes")
    while child.expect([r"\[f1_baseline\]", r"left\] > "]) == 1:  # skip parts 1-3
        child.sendline("s")
    child.expect(r"⏱ Part 4 00:\d\d/\d\d:\d\d")  # the part clock restarted with part 4
    child.expect(r"\[Part 4 \d\d:\d\d/\d\d:\d\d · \d\d:\d\d left\] > ")
    child.sendline("2*0.7*0.45/(0.7+0.45)")
    child.expect("correct")
    child.expect(r"\[f1_new\]")
    child.expect("left\\] > ")
    child.sendline("0.62")
    child.expect("arithmetic mean")
    child.sendline("q")
    child.expect("Summary")
    child.expect(pexpect.EOF)


def test_a_topic_drill_leaves_out_the_capstones_but_a_company_keeps_them():
    from caselab.practice.mock import filter_scenarios

    by_topic = {s.id for s in filter_scenarios(topic="threshold")}
    assert "tiktok-threshold-capacity" in by_topic and "tiktok-capstone" not in by_topic
    assert "tiktok-capstone" in {s.id for s in filter_scenarios(company="TikTok")}
    assert {s.id for s in filter_scenarios(topic="capstone")} == {"tiktok-capstone", "pinterest-capstone"}
