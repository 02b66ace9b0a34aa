"""Grading a cohort that a submission cannot subvert, and every bad input answered clearly.

One `caselab grade FOLDER` run over crafted submissions (a conftest.py that patches the judge, a
daemonised process, an answer whose ``__float__`` hangs or kills the kernel, a 10 MB string, 10**5000,
a path as scenario, edited drill givens, a name with ``::``), then quick checks of the command line's
refusals. After each: the learners' files are byte-identical and no process is left behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from caselab.notebooks import render
from caselab.scenarios import casebook, variants

ROOT = Path(__file__).resolve().parents[1]
SID = "pinterest-f1-cost"
MARK = "CASELAB_HOSTILE_TEST_MARK"


def learner():
    nb = render.build_notebook(casebook.load(SID), "learner")
    nb.cells = [c for c in nb.cells if c.metadata.get("caselab", {}).get("role") != "explorer"]
    return nb


def answer(nb, qid: str, source: str) -> None:
    (cell,) = [c for c in nb.cells if c.metadata.get("caselab", {}).get("role") == "answer"
               and c.metadata["caselab"].get("question") == qid]
    cell.source = source


def write(nb, path: Path) -> None:
    path.write_bytes(render.notebook_bytes(nb))


def caselab(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    env["COLUMNS"] = "250"
    return subprocess.run([sys.executable, "-m", "caselab.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def marked_processes() -> list[int]:
    """Processes started by the daemon cell (they carry MARK in their command line)."""
    out = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                    if MARK.encode() in f.read():
                        out.append(int(entry.name))
            except OSError:
                pass
    return out


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    root = tmp_path_factory.mktemp("cohort")
    sub = root / "submissions"
    sub.mkdir()
    # a submission that ships a conftest.py and a pytest.ini to rewrite the grades
    (sub / "conftest.py").write_text(
        "import caselab.practice.grading as g\n"
        "g.check_answer = lambda q, *a, **k: g.Feedback(q.id, 'passed', 'patched')\n"
        f"open({str(root / 'CONFTEST_RAN')!r}, 'w').write('1')\n", encoding="utf-8")
    (sub / "pytest.ini").write_text("[pytest]\naddopts = -x -p no:terminal\n", encoding="utf-8")
    (sub / "test_sneaky.py").write_text(f"open({str(root / 'TEST_FILE_RAN')!r}, 'w').write('1')\n", encoding="utf-8")

    wrong = learner()  # all wrong (a baseline F1 of 0.1 …): must score 0 whatever the conftest says
    answer(wrong, "f1_baseline", "f1_baseline = 0.1")
    answer(wrong, "deploy", "deploy = 'baseline'")
    write(wrong, sub / "alice.ipynb")

    daemon = learner()  # leaves a setsid'd grandchild behind, and writes beside itself by a relative path
    answer(daemon, "f1_baseline", (
        "import os, subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', 'import os,time; os.setsid(); time.sleep(600)', '{MARK}'],\n"
        "                 start_new_session=True)\n"
        "open('written-by-a-submission.txt', 'w').write('x')\n"
        "f1_baseline = 2 * 0.7 * 0.45 / 1.15"))
    write(daemon, sub / "bob.ipynb")

    odd = learner()  # answers that hang, kill, flood or overflow — each fails alone
    answer(odd, "f1_baseline", "class Slow(float):\n    def __float__(self):\n        while True: pass\n"
                               "f1_baseline = Slow(0.55)")
    answer(odd, "f1_new", "import os\nclass Bye(float):\n    def __float__(self):\n        os._exit(1)\n"
                          "f1_new = Bye(0.6)")
    answer(odd, "tp_baseline", "tp_baseline = 10**5000")
    answer(odd, "deploy", "deploy = 'x' * 10_000_000")
    answer(odd, "fp_baseline", "fp_baseline = 154.2857")
    write(odd, sub / "carol.ipynb")

    by_path = learner()  # names its own spec by path: the answer key must not come from the notebook
    by_path.metadata["caselab"]["scenario"] = str(ROOT / "casebook" / f"{SID}.toml")
    write(by_path, sub / "dave.ipynb")

    scenario = casebook.load(SID)
    seed = 7
    drill = render.build_notebook(scenario, "solution", givens=variants.draw(scenario, seed), variant=seed)
    drill.cells = [c for c in drill.cells if c.metadata.get("caselab", {}).get("role") != "explorer"]
    drill.metadata["caselab"]["givens"] = dict(drill.metadata["caselab"]["givens"], n=300_000_000)
    drill.metadata["caselab"]["kind"] = "learner"  # (answered with the worked code: a learner who got it all right)
    write(drill, sub / "erin.ipynb")

    write(learner(), sub / "weird::name.ipynb")
    (sub / "v3.ipynb").write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
                                              "worksheets": [{"cells": []}]}), encoding="utf-8")

    before = {p.name: sha(p) for p in sub.iterdir()}
    start = time.monotonic()
    proc = caselab("grade", "submissions", "--timeout", "10", cwd=root)
    seconds = time.monotonic() - start
    book = json.loads((root / "gradebook.json").read_text(encoding="utf-8"))
    by_name = {Path(n["notebook"]).name: n for n in book["notebooks"]}
    return {"root": root, "sub": sub, "proc": proc, "book": book, "by_name": by_name, "before": before,
            "seconds": seconds}


def test_nothing_from_the_graded_folder_runs_in_the_grader(cohort):
    assert not (cohort["root"] / "CONFTEST_RAN").exists()
    assert not (cohort["root"] / "TEST_FILE_RAN").exists()
    alice = cohort["by_name"]["alice.ipynb"]
    assert alice["score"] == 0, alice


def test_no_process_outlives_grading_and_no_file_lands_beside_a_submission(cohort):
    assert marked_processes() == []
    assert not (cohort["sub"] / "written-by-a-submission.txt").exists()
    bob = {q["id"]: q["status"] for q in cohort["by_name"]["bob.ipynb"]["questions"]}
    assert bob["f1_baseline"] == "passed"


def test_odd_answers_fail_alone_with_short_messages(cohort):
    carol = {q["id"]: q for q in cohort["by_name"]["carol.ipynb"]["questions"]}
    assert carol["fp_baseline"]["status"] == "passed"  # the kernel survived (or was replayed) for the rest
    for qid in ("f1_baseline", "f1_new", "tp_baseline", "deploy"):
        assert carol[qid]["status"] in ("failed", "error", "timeout"), carol[qid]
        assert len(carol[qid]["message"]) < 600
    assert "expected int or float; got int" not in carol["tp_baseline"]["message"]
    assert "Slow" in carol["f1_baseline"]["message"] or carol["f1_baseline"]["status"] == "error"


def test_a_notebook_cannot_choose_its_answer_key(cohort):
    dave = cohort["by_name"]["dave.ipynb"]
    assert dave["score"] == 0 and "is not a scenario id" in dave["error"]
    erin = cohort["by_name"]["erin.ipynb"]
    assert erin["score"] == erin["max_score"] == 13  # graded against drill 7's own givens, recomputed
    assert "differ from drill 7's own" in erin["note"]


def test_odd_files_each_get_one_clear_line(cohort):
    assert "weird::name.ipynb" in cohort["by_name"]
    assert "old format 3" in cohort["by_name"]["v3.ipynb"]["error"]


def test_the_gradebook_counts_named_mistakes_and_files_are_untouched(cohort):
    rows = (cohort["root"] / "gradebook.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("file,scenario,variant,score,max_score")
    assert len(rows) == 1 + len(cohort["by_name"])
    assert {p.name: sha(p) for p in cohort["sub"].iterdir()} == cohort["before"]
    assert "gradebook written to" in cohort["proc"].stdout


@pytest.mark.parametrize("args,message", [
    (["grade", "nb.ipynb", "--report", "nb.ipynb"], "would overwrite a notebook being graded"),
    (["grade", "nb.ipynb", "--report", "missing-folder/r.json"], "does not exist"),
    (["grade", "nb.ipynb", "--timeout", "nan"], "--timeout must be a number of seconds above 0"),
    (["grade", "folder.ipynb"], "is a folder named like a notebook"),
    (["grade", "nothing-here.ipynb"], "no such file or folder"),
])
def test_bad_command_lines_get_one_line_and_lose_nothing(tmp_path, args, message):
    write(learner(), tmp_path / "nb.ipynb")
    (tmp_path / "folder.ipynb").mkdir()
    before = sha(tmp_path / "nb.ipynb")
    proc = caselab(*args, cwd=tmp_path, timeout=120)
    assert proc.returncode != 0
    assert message in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr
    assert sha(tmp_path / "nb.ipynb") == before
