"""caselab.pytest_plugin, through `caselab grade` and `python -m pytest` in subprocesses.

Node ids, the failure reports (the feedback, no traceback), the score table, the JSON report, which
files are collected, and that the graded files keep their bytes.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from caselab.notebooks import render
from caselab.scenarios import casebook

ROOT = Path(__file__).resolve().parents[1]
PINTEREST = "pinterest-f1-cost"


def rendered(kind: str):
    path = ROOT / ("notebooks" if kind == "learner" else "solutions") / f"{PINTEREST}.ipynb"
    if path.exists():
        return nbformat.read(path, as_version=4)
    return render.build_notebook(casebook.load(PINTEREST), kind)


def answer(nb, qid: str, source: str) -> None:
    (cell,) = [c for c in nb.cells if c.metadata.get("caselab", {}).get("role") == "answer"
               and c.metadata["caselab"].get("question") == qid]
    cell.source = source


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(args: list[str], cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    env["COLUMNS"] = "250"  # short-summary lines are not cut
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("grade")
    nbs = root / "nbs"
    nbs.mkdir()
    good = rendered("solution")
    work = copy.deepcopy(rendered("learner"))
    for nb in (good, work):  # without the widget explorers: slow to draw, beside the point here
        nb.cells = [c for c in nb.cells if c.metadata.get("caselab", {}).get("role") != "explorer"]
    good.metadata["caselab"]["kind"] = "learner"  # a learner who answered everything right (not a worked solution)
    (nbs / "good.ipynb").write_bytes(render.notebook_bytes(good))
    answer(work, "f1_baseline", "f1_baseline = 0.5478")
    answer(work, "f1_new", "f1_new = 0.6")
    answer(work, "fp_baseline", "fp_baseline = 1 / 0")
    answer(work, "fn_baseline", "while True:\n    pass")
    answer(work, "tp_new", "tp_new = 528")
    answer(work, "fp_new", "fp_new = 300  # wrong (382.34)")
    answer(work, "tn_new", "tn_new = 9200 - fp_new  # the right method on the wrong FP: consistent")
    (nbs / "work.ipynb").write_bytes(render.notebook_bytes(work))
    (nbs / "broken.ipynb").write_text('{"cells": [}', encoding="utf-8")
    (nbs / "good.new.ipynb").write_bytes(render.notebook_bytes(rendered("learner")))
    return root


def test_caselab_grade_a_folder(folder):
    before = {p.name: sha(p) for p in (folder / "nbs").iterdir()}
    proc = run([sys.executable, "-m", "caselab.cli", "grade", "nbs", "--timeout", "5", "--report", "out.json"],
               cwd=folder)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert {p.name: sha(p) for p in (folder / "nbs").iterdir()} == before  # nothing written, nothing added

    # the failures: node ids, status and feedback, no traceback
    assert "FAILED nbs/work.ipynb::f1_new - [failed] not accepted — 0.6 is too low" in out
    assert ("FAILED nbs/work.ipynb::fp_baseline - [error] ZeroDivisionError: division by zero in the answer cell "
            "of fp_baseline.") in out
    assert "FAILED nbs/work.ipynb::fn_baseline - [timeout] the answer cell of fn_baseline ran longer than 5 s" in out
    assert "FAILED nbs/work.ipynb::tp_baseline - [not_answered] not answered yet" in out
    # error carried forward is not correct: its test fails, tagged apart from [failed]
    assert ("FAILED nbs/work.ipynb::tn_new - [consistent] consistent with your own earlier answers "
            "(fp_new = 300)") in out
    assert "FAILED nbs/broken.ipynb::notebook - [error] nbs/broken.ipynb: the file is damaged: it is not valid JSON" \
        in out
    assert "nbs/work.ipynb::f1_baseline" not in out  # passed: not listed under -q
    assert "good.new.ipynb" not in out  # a render leftover is only graded when named
    assert "Traceback" not in out and "GradeFailure" not in out and "def runtest" not in out

    # the score table
    table = out.split("caselab grades", 1)[1]
    assert re.search(r"nbs/broken\.ipynb\s+—\s+—\s+not graded: the file is damaged: it is not valid JSON", table)
    assert re.search(r"score\s+passed\s+consistent\s+failed\s+not_answered\s+answered\s+error\s+timeout", table)
    assert re.search(r"nbs/good\.ipynb\s+pinterest-f1-cost\s+13/13\s+13\s+0\s+0\s+0\s+0\s+0\s+0", table)
    assert re.search(r"nbs/work\.ipynb\s+pinterest-f1-cost\s+2/13\s+2\s+1\s+2\s+6\s+0\s+1\s+1", table)
    assert re.search(r"total \(3 notebooks\)\s+15/26\s+15\s+1\s+2\s+6\s+0\s+1\s+1", table)
    assert "report written to out.json" in table

    # the JSON report: several notebooks
    report = json.loads((folder / "out.json").read_text(encoding="utf-8"))
    assert list(report) == ["notebooks"]
    by_name = {r["notebook"]: r for r in report["notebooks"]}
    assert set(by_name) == {"nbs/broken.ipynb", "nbs/good.ipynb", "nbs/work.ipynb"}
    assert by_name["nbs/good.ipynb"]["score"] == by_name["nbs/good.ipynb"]["max_score"] == 13
    work = by_name["nbs/work.ipynb"]
    assert (work["scenario"], work["score"], work["consistent"], work["max_score"]) == (PINTEREST, 2, 1, 13)
    assert work["questions"][0] == {"id": "f1_baseline", "status": "passed",
                                    "message": "correct — 0.5478 (accepted within ±0.001)."}
    assert {q["id"]: q["status"] for q in work["questions"]}["fn_baseline"] == "timeout"
    broken = by_name["nbs/broken.ipynb"]
    assert broken["questions"] == [] and broken["score"] == broken["max_score"] == 0
    assert "not valid JSON" in broken["error"]


def test_a_notebook_named_on_the_command_line_is_collected_without_the_flag(folder):
    proc = run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "--rootdir", str(folder),
                "nbs/good.ipynb", "--caselab-report=single.json"], cwd=folder)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    questions = [q.id for q in casebook.load(PINTEREST).questions]
    for qid in questions:
        assert f"nbs/good.ipynb::{qid} PASSED" in out
    assert "13 passed" in out
    assert re.search(r"nbs/good\.ipynb\s+pinterest-f1-cost\s+13/13", out.split("caselab grades", 1)[1])
    # one notebook: the report is that notebook's object
    report = json.loads((folder / "single.json").read_text(encoding="utf-8"))
    assert set(report) == {"notebook", "scenario", "variant", "score", "consistent", "max_score",
                           "cell_timeout_seconds", "questions"}
    assert (report["notebook"], report["score"], report["max_score"]) == ("nbs/good.ipynb", 13, 13)
    assert [q["id"] for q in report["questions"]] == questions


def test_collection_rules_and_node_ids(folder):
    # without --caselab a folder's notebooks are not collected (the project's own test run)
    proc = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", str(folder), "nbs"],
               cwd=folder)
    assert proc.returncode == 5, proc.stdout + proc.stderr  # no tests collected
    # with it: one item per question, node id <path>::<question>; collecting runs no kernel
    proc = run([sys.executable, "-m", "pytest", "--caselab", "--co", "-q", "-p", "no:cacheprovider",
                "--rootdir", str(folder), "nbs"], cwd=folder)
    ids = [line for line in proc.stdout.splitlines() if "::" in line]
    questions = [q.id for q in casebook.load(PINTEREST).questions]
    assert ids == (["nbs/broken.ipynb::notebook"] + [f"nbs/good.ipynb::{q}" for q in questions]
                   + [f"nbs/work.ipynb::{q}" for q in questions])
    assert "caselab grades" not in proc.stdout


def test_consistent_has_its_own_column_in_the_table_and_the_gradebook(tmp_path):
    """No kernel: reports built by hand, as the grader returns them."""
    import csv

    from caselab.practice.gradebook import write_gradebook
    from caselab.practice.grading import Feedback
    from caselab.practice.pytest_plugin import score_table
    from caselab.practice.runner import NotebookReport

    report = NotebookReport("a.ipynb", PINTEREST, feedback=[
        Feedback("f1_baseline", "passed", "correct"), Feedback("tn_baseline", "consistent", "consistent with …"),
        Feedback("cost_baseline", "consistent", "consistent with …"), Feedback("deploy", "failed", "not this one")])
    assert (report.score, report.consistent, report.max_score) == (1, 2, 4)
    assert report.score_line() == "1 correct, 2 consistent with your earlier answers, of 4"
    head, row = score_table([report])
    assert head.split() == ["notebook", "scenario", "score", "passed", "consistent", "failed", "not_answered",
                            "answered", "error", "timeout"]
    assert row.split() == ["a.ipynb", PINTEREST, "1/4", "1", "2", "1", "0", "0", "0", "0"]
    csv_path, json_path = write_gradebook([report], tmp_path / "book")
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert (rows[0]["score"], rows[0]["passed"], rows[0]["consistent"], rows[0]["tn_baseline"]) == (
        "1", "1", "2", "consistent")
    assert json.loads(json_path.read_text())["notebooks"][0]["consistent"] == 2


def _descendants(pid: int) -> dict[int, str]:
    """``{pid: command line}`` of every process below ``pid`` (read from /proc)."""
    parents, commands = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                commands[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = {}, {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier and p not in found}
        found.update({p: commands.get(p, "") for p in frontier})
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the kernel through /proc")
def test_ctrl_c_stops_caselab_grade_with_130_and_leaves_the_notebook(tmp_path):
    """Ctrl-C in the terminal (SIGINT to the foreground process group: caselab and the pytest it runs) while a
    cell loops: the run stops, says so, exits 130, and the learner's notebook is unchanged."""
    import signal
    import time

    nb = rendered("learner")
    answer(nb, "fp_baseline", "import time\nwhile True:\n    time.sleep(0.05)")
    path = tmp_path / "looping.ipynb"
    nbformat.write(nb, path)
    before = sha(path)
    proc = subprocess.Popen([sys.executable, "-m", "caselab.cli", "grade", str(path), "--timeout", "300",
                             "--gradebook", str(tmp_path / "book")],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own group, as a terminal's foreground job
    deadline = time.monotonic() + 90
    while not any("ipykernel" in cmd for cmd in _descendants(proc.pid).values()) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # the kernel's cells running, the loop among them
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (proc.returncode, out, err)
    assert "caselab grade: interrupted — the table above shows what was graded." in err, err
    assert "Traceback" not in err, err
    assert sha(path) == before
