"""The progress journal: atomic writes, crash safety, corrupted files set aside."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from caselab.practice import journal
from caselab.scenarios import casebook


@pytest.fixture
def path(tmp_path):
    return tmp_path / "journal.json"


def test_records_attempts_hints_and_solutions(path):
    journal.record("pinterest-f1-cost", "f1_baseline", "check", "failed", path=path)
    journal.record("pinterest-f1-cost", "f1_baseline", "hint", path=path)
    journal.record("pinterest-f1-cost", "f1_baseline", "check", "passed", seconds=12.5, path=path)
    journal.record("pinterest-f1-cost", "deploy", "solution", path=path)
    q = journal.load(path)["scenarios"]["pinterest-f1-cost"]["f1_baseline"]
    assert (q["attempts"], q["passed"], q["hints"], q["last_status"], q["seconds"]) == (2, 1, 1, "passed", 12.5)
    (row,) = journal.summary(journal.load(path))
    assert (row["questions"], row["passed"], row["attempts"], row["solutions"]) == (2, 1, 2, 1)
    journal.record("pinterest-f1-cost", "cost_baseline", "check", "consistent", path=path)
    journal.record("pinterest-f1-cost", "cost_new", "check", "late", path=path)
    (row,) = journal.summary(journal.load(path))
    assert (row["questions"], row["passed"], row["consistent"], row["late"]) == (4, 1, 1, 1)


def test_review_topics_follow_failures(path):
    for _ in range(3):
        journal.record("tiktok-threshold-capacity", "bayes_threshold", "check", "failed", path=path)
    journal.record("pinterest-f1-cost", "f1_baseline", "check", "passed", path=path)
    topics = dict(journal.review_topics(casebook.load_all(), journal.load(path)))
    assert topics["capacity"] == 3.0 and "f1" not in topics


@pytest.mark.parametrize("content", [b"{not json", b'{"some": "other tool"}', b"\xff\xfe"])
def test_corrupted_or_foreign_file_is_set_aside_not_overwritten(path, content):
    path.write_bytes(content)
    with pytest.warns(journal.JournalWarning, match="set aside"):
        journal.record("pinterest-f1-cost", "f1_baseline", "check", "passed", path=path)
    kept = [p for p in path.parent.iterdir() if p.name.startswith("journal.json.corrupt-")]
    assert len(kept) == 1 and kept[0].read_bytes() == content, "the old file is kept byte for byte"
    assert journal.load(path)["scenarios"]["pinterest-f1-cost"]["f1_baseline"]["passed"] == 1


def test_a_crash_during_the_write_leaves_the_old_journal_intact(path, monkeypatch):
    journal.record("pinterest-f1-cost", "f1_baseline", "check", "passed", path=path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(journal.os, "replace", crash)
    with pytest.raises(OSError, match="simulated"):
        journal.record("pinterest-f1-cost", "deploy", "check", "failed", path=path)
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.suffix == ".tmp"], "no temporary file is left behind"


def test_killed_writers_never_leave_a_broken_journal(path):
    # Writers hammer the journal; kill -9 them at random moments: the file must always parse.
    code = ("import sys; from caselab.practice import journal; from pathlib import Path\n"
            "p = Path(sys.argv[1])\n"
            "for i in range(100000): journal.record('s', f'q{i % 50}', 'check', 'passed', path=p)\n")
    for delay in (0.05, 0.2, 0.35):
        proc = subprocess.Popen([sys.executable, "-c", code, str(path)])
        started = time.monotonic()
        while not path.exists() and time.monotonic() - started < 30:  # the writer has begun (slow machines)
            time.sleep(0.01)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        data = json.loads(path.read_text())
        assert data["format"] == "caselab-journal" and data["scenarios"]["s"]
    assert not [p for p in path.parent.iterdir() if "corrupt" in p.name]


# --------------------------------------------------------------------------------------------------
# Who writes: only the learner's own session (journal.may_write), never an executor of notebooks
# --------------------------------------------------------------------------------------------------
def _learner_env(monkeypatch, home):
    monkeypatch.setenv("CASELAB_HOME", str(home))
    for var in ("CASELAB_NO_JOURNAL", "CASELAB_GRADING"):
        monkeypatch.delenv(var, raising=False)


def test_run_all_on_an_untouched_notebook_in_the_learners_kernel_logs_no_attempt(tmp_path, monkeypatch):
    """A learner's kernel (no executor env) runs every cell of the untouched notebook: `...` everywhere is no
    attempt. One real answer afterwards is one attempt — which is also the control for the tests below: this
    kernel does write the journal."""
    import nbformat
    from nbclient import NotebookClient

    from caselab.notebooks import render

    _learner_env(monkeypatch, tmp_path)
    scenario = casebook.load("breast-cancer-threshold")
    nb = render.build_notebook(scenario, "learner")
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    checks = [c for c in nb.cells if c.metadata.get("caselab", {}).get("role") == "check"]
    assert len(checks) == len(scenario.questions) and all("not answered yet" in str(c.outputs) for c in checks), "every check ran"
    assert not (tmp_path / "journal.json").exists(), "Run All on an untouched notebook logged attempts"
    nb.cells.append(nbformat.v4.new_code_cell("n_test_positives = 43\ncase.check('n_test_positives')"))
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    data = journal.load(tmp_path / "journal.json")
    assert list(data["scenarios"]["breast-cancer-threshold"]) == ["n_test_positives"]
    assert data["scenarios"]["breast-cancer-threshold"]["n_test_positives"]["attempts"] == 1


def render_solution(scenario):
    from caselab.notebooks import render

    return render.build_notebook(scenario, "solution")


def test_the_guide_and_the_grader_never_write_the_journal(tmp_path, monkeypatch):
    from caselab.notebooks import guide
    from caselab.practice import runner

    _learner_env(monkeypatch, tmp_path)
    # the guide executes a solution notebook (every check cell runs and passes) exactly as it builds a page
    from caselab.notebooks.html import execute_notebook

    scenario = casebook.load("pinterest-f1-cost")
    page = guide._case_html(scenario, execute_notebook(render_solution(scenario)), "static")
    assert "correct — 0.547826" in page, "the check cells ran"
    # the grader, on a notebook that calls case.check in a cell of the learner's own (not skipped)
    from caselab.notebooks import render

    nb = render.build_notebook(casebook.load("pinterest-f1-cost"), "learner")
    nb.cells = [c for c in nb.cells if c.metadata["caselab"]["role"] != "explorer"]
    import nbformat

    nb.cells.append(nbformat.v4.new_code_cell("print(case.check('f1_baseline', 0.5478))"))
    path = tmp_path / "mine.ipynb"
    path.write_bytes(render.notebook_bytes(nb))
    report = runner.grade_notebook(path, timeout=60)
    assert report.error is None and report.max_score == 13
    assert not (tmp_path / "journal.json").exists(), "executing notebooks for someone else wrote the journal"
    assert journal.may_write(), "the test process itself is a learner's session"
