"""Spaced repetition: every question a card (FSRS), reviewed by checks, hints, solutions, mock answers
and self-scores; journals of the first format migrated; simulated learners scheduled sensibly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating, Scheduler

from caselab.practice import journal, schedule

DAY = 86400.0
T0 = datetime(2026, 11, 1, 9, tzinfo=UTC).timestamp()


@pytest.fixture
def path(tmp_path):
    return tmp_path / "journal.json"


@pytest.mark.parametrize("kwargs,expected", [
    (dict(event="check", status="passed", seconds=20), Rating.Easy),
    (dict(event="check", status="passed", seconds=600), Rating.Good),
    (dict(event="check", status="passed"), Rating.Good),
    (dict(event="check", status="passed", earlier_misses=2), Rating.Hard),
    (dict(event="check", status="passed", hints=1, seconds=5), Rating.Hard),
    (dict(event="check", status="passed", solutions=1), Rating.Hard),
    (dict(event="check", status="failed"), Rating.Again),
    (dict(event="check", status="error"), Rating.Again),
    (dict(event="check", status="consistent"), Rating.Hard),
    (dict(event="check", status="not_answered"), None),
    (dict(event="mock", status="passed", seconds=10, late=True), Rating.Hard),
    (dict(event="hint"), Rating.Hard),
    (dict(event="solution"), Rating.Again),
    (dict(event="self_score", score=0.9), Rating.Good),
    (dict(event="self_score", score=0.5), Rating.Hard),
    (dict(event="self_score", score=0.2), Rating.Again),
])
def test_rating_for_each_event(kwargs, expected):
    assert schedule.rating_for(**kwargs) == expected


def test_a_card_is_reviewed_as_fsrs_itself_would(path):
    journal.record("pinterest-f1-cost", "f1_baseline", "check", "failed", path=path, now=T0)
    journal.record("pinterest-f1-cost", "f1_baseline", "check", "passed", path=path, now=T0 + 60)
    card = journal.load(path)["cards"]["pinterest-f1-cost/f1_baseline"]
    # the oracle: py-fsrs driven directly with the ratings of the table
    s = Scheduler(desired_retention=0.9, enable_fuzzing=False)
    c, _ = s.review_card(Card(card_id=card["card_id"]), Rating.Again, datetime.fromtimestamp(T0, UTC))
    c, _ = s.review_card(c, Rating.Hard, datetime.fromtimestamp(T0 + 60, UTC))
    assert card["due"] == c.to_dict()["due"] and card["stability"] == pytest.approx(c.stability)


def test_dots_are_not_an_attempt(path):
    journal.record("breast-cancer-threshold", "auc", "check", "not_answered", path=path, now=T0)
    assert not path.exists() or journal.load(path)["scenarios"] == {}


def simulate(path, pass_rate: float, days: int, seed: int) -> dict:
    """A learner who answers every due card of one scenario each day, correct with ``pass_rate``."""
    import numpy as np

    rng = np.random.default_rng(seed)
    qids = ["f1_baseline", "f1_new", "fp_baseline", "cost_new", "deploy"]
    for q in qids:
        journal.record("pinterest-f1-cost", q, "check", "passed" if rng.random() < pass_rate else "failed",
                       path=path, now=T0)
    for day in range(1, days):
        now = T0 + day * DAY
        due = schedule.due_cards(journal.load(path)["cards"], datetime.fromtimestamp(now, UTC))
        for d in due:
            ok = rng.random() < pass_rate
            journal.record(d.scenario, d.question, "check", "passed" if ok else "failed", path=path, now=now)
    return journal.load(path)


def test_simulated_learners_strong_ones_are_asked_less_and_remember_more(tmp_path):
    strong = simulate(tmp_path / "strong.json", 0.95, 60, seed=1)
    weak = simulate(tmp_path / "weak.json", 0.4, 60, seed=1)
    reviews = lambda data: len(data["reviews"])  # noqa: E731
    assert reviews(strong) < reviews(weak)
    end = datetime.fromtimestamp(T0 + 60 * DAY, UTC)
    r_strong = schedule.retention(strong["cards"].values(), end)
    r_weak = schedule.retention(weak["cards"].values(), end)
    assert r_strong > r_weak
    interval = lambda data: max(Card.from_dict(c).due for c in data["cards"].values()) - end  # noqa: E731
    assert interval(strong) > timedelta(days=7)


def test_a_journal_of_the_first_format_is_migrated(path):
    v1 = {"format": "caselab-journal", "version": 1, "mocks": [{"scenario": "pinterest-f1-cost", "score": 3}],
          "scenarios": {"pinterest-f1-cost": {
              "f1_baseline": {"attempts": 2, "passed": 1, "hints": 1, "solutions": 0, "last_status": "passed",
                              "first": T0, "last": T0 + 100, "seconds": 40.0},
              "deploy": {"attempts": 1, "passed": 0, "hints": 0, "solutions": 0, "last_status": "failed",
                         "first": T0, "last": T0 + 200},
              "cost_new": {"attempts": 1, "passed": 1, "hints": 0, "solutions": 0, "last_status": "passed",
                           "first": T0, "last": T0 + 300}}}}
    path.write_text(json.dumps(v1), encoding="utf-8")
    data = journal.load(path)
    assert data["version"] == journal.VERSION and data["migrated_from"] == 1
    assert data["scenarios"] == v1["scenarios"] and data["mocks"] == v1["mocks"]  # nothing lost
    cards = data["cards"]
    assert set(cards) == {"pinterest-f1-cost/f1_baseline", "pinterest-f1-cost/deploy", "pinterest-f1-cost/cost_new"}
    due = lambda k: Card.from_dict(cards[k]).due  # noqa: E731
    # the failed one comes back first, the clean pass last
    assert due("pinterest-f1-cost/deploy") < due("pinterest-f1-cost/f1_baseline") < due("pinterest-f1-cost/cost_new")
    journal.record("pinterest-f1-cost", "deploy", "check", "passed", path=path)  # and it is written as v2
    assert json.loads(path.read_text())["version"] == journal.VERSION


def test_unusable_journals_are_left_alone_with_a_clear_message(tmp_path):
    folder = tmp_path / "journal.json"
    folder.mkdir()
    with pytest.raises(journal.JournalError, match="is a folder"):
        journal.load(folder)
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"format": "caselab-journal", "version": 99, "scenarios": {}}), encoding="utf-8")
    before = newer.read_bytes()
    with pytest.raises(journal.JournalError, match="newer caselab"):
        journal.record("pinterest-f1-cost", "deploy", "check", "passed", path=newer)
    assert newer.read_bytes() == before


def test_a_journal_that_is_a_link_stays_a_link(tmp_path):
    target = tmp_path / "synced" / "journal.json"
    target.parent.mkdir()
    link = tmp_path / "journal.json"
    link.symlink_to(target)
    journal.record("pinterest-f1-cost", "deploy", "check", "passed", path=link)
    assert link.is_symlink() and "deploy" in json.loads(target.read_text())["scenarios"]["pinterest-f1-cost"]


def test_progress_and_next_from_the_command_line(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "CASELAB_HOME": str(home)}
    p = home / "journal.json"
    journal.record("pinterest-f1-cost", "deploy", "check", "failed", path=p, now=T0)
    journal.record("tiktok-threshold-capacity", "bayes_threshold", "check", "passed", path=p, now=T0)
    run = lambda *a: subprocess.run([sys.executable, "-m", "caselab.cli", *a], env=env, capture_output=True,  # noqa: E731
                                    text=True, timeout=120, cwd=tmp_path)
    out = run("next")
    assert out.returncode == 0 and "2 question(s) due" in out.stdout
    assert out.stdout.index("pinterest-f1-cost") < out.stdout.index("tiktok-threshold-capacity")  # forgotten first
    assert "caselab drill pinterest-f1-cost --seed" in out.stdout  # a due card comes back with fresh numbers
    prog = run("progress")
    assert "retention by topic" in prog.stdout and "due now" in prog.stdout and "█" in prog.stdout
    data = json.loads(run("progress", "--json").stdout)
    assert data["due"] == 2 and 0 <= data["retention_by_topic"]["f1"] <= 1


def test_the_mock_takes_due_cards_first(path):
    import numpy as np

    from caselab.practice.mock import pick_scenario
    from caselab.scenarios import casebook

    journal.record("fraud-accuracy-paradox", "accuracy_flag_nothing", "check", "failed", path=path, now=T0)
    data = journal.load(path)
    scenarios = casebook.load_all(check_solver=False)
    picks = {pick_scenario(scenarios, np.random.default_rng(s), data).id for s in range(5)}
    assert picks == {"fraud-accuracy-paradox"}


def test_retention_chart_is_a_figure():
    cards = {"pinterest-f1-cost/deploy": schedule.review(None, Rating.Good, datetime.fromtimestamp(T0, UTC))}
    fig = schedule.retention_chart(cards, {"pinterest-f1-cost": ["f1", "expected-cost"]})
    assert len(fig.axes[0].patches) == 2
