"""The learner's workspace: where it is, what `caselab study` puts there, and that answering there breaks nothing."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from caselab import cli
from caselab.notebooks import render, start_here
from caselab.practice import runner, workspace
from caselab.scenarios import casebook

ROOT = Path(__file__).resolve().parents[1]
TWO = ["pinterest-f1-cost", "fraud-accuracy-paradox"]


def caselab(*args, env=None, cwd=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "caselab.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, timeout=timeout)


@pytest.fixture
def small_casebook(tmp_path, monkeypatch):
    """A casebook of two scenarios (copies), so that a sync builds two notebooks, not all of them."""
    book = tmp_path / "book" / "casebook"
    book.mkdir(parents=True)
    for sid in TWO:
        shutil.copy(ROOT / "casebook" / f"{sid}.toml", book)
    monkeypatch.setenv("CASELAB_CASEBOOK", str(book))
    casebook.clear_caches()
    yield book
    casebook.clear_caches()


def _answer(nb, qid: str, source: str) -> None:
    cell = next(c for c in nb.cells if c.metadata.get("caselab", {}).get("role") == "answer"
                and c.metadata["caselab"].get("question") == qid)
    cell.source = source


# --------------------------------------------------------------------------------------------------
def test_workspace_dir_rule(monkeypatch, tmp_path):
    monkeypatch.delenv(workspace.ENV, raising=False)
    monkeypatch.delenv("CASELAB_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert workspace.workspace_dir() == tmp_path / "home" / "caselab-workspace"
    monkeypatch.setenv("CASELAB_HOME", str(tmp_path / "state"))
    assert workspace.workspace_dir() == tmp_path / "state" / "workspace"
    monkeypatch.setenv(workspace.ENV, str(tmp_path / "mine"))
    assert workspace.workspace_dir() == tmp_path / "mine"
    assert workspace.workspace_dir("~/other") == tmp_path / "home" / "other"  # the option wins, ~ expanded


def test_a_workspace_in_the_checkout_only_in_its_ignored_folder():
    for bad in ("notebooks", "solutions", "notebooks/sub", ".", "src", "docs"):
        with pytest.raises(workspace.WorkspaceError) as e:
            workspace.check_location(ROOT / bad, ROOT)
        assert "--workspace" in str(e.value)
    with pytest.raises(workspace.WorkspaceError, match="render --check"):
        workspace.check_location(ROOT / "notebooks", ROOT)
    workspace.check_location(ROOT / "workspace", ROOT)  # git ignores it
    workspace.check_location(ROOT / "workspace" / "me", ROOT)
    workspace.check_location(ROOT.parent / "elsewhere", ROOT)
    if shutil.which("git") and (ROOT / ".git").exists():
        paths = ["workspace/cases/x.ipynb", "drills/x-drill-1.ipynb", "notebooks/x.new.ipynb"]
        ignored = subprocess.run(["git", "check-ignore", *paths], cwd=ROOT, capture_output=True, text=True)
        assert ignored.stdout.split() == paths, ".gitignore ignores the in-checkout workspace, drills, .new files"


def test_study_refuses_the_clones_notebooks(tmp_path):
    out = caselab("study", "--workspace", str(ROOT / "notebooks"), "--sync-only")
    assert out.returncode == 1 and "render --check" in out.stderr
    out = caselab("study", str(ROOT / "notebooks"))  # the old `caselab study DIR`
    assert out.returncode == 1 and "--workspace" in out.stderr
    assert not list((ROOT / "notebooks").glob("*.new.ipynb"))
    (tmp_path / "a-file").write_text("")
    out = caselab("study", "--workspace", str(tmp_path / "a-file"), "--sync-only")
    assert out.returncode == 1 and "cannot write the workspace" in out.stderr and "Traceback" not in out.stderr


def test_sync_creates_keeps_edits_offers_updates_and_adds_new_cases(small_casebook, tmp_path):
    ws = tmp_path / "ws"
    first = workspace.sync(ws)
    assert first.first_run and {p.name for p in first.created} == {f"{i}.ipynb" for i in TWO} | {"START-HERE.ipynb"}
    assert (ws / "drills").is_dir() and "created your workspace" in first.lines()[0]
    for sid in TWO:  # the same learner notebook as the committed one
        assert (ws / "cases" / f"{sid}.ipynb").read_bytes() == (ROOT / "notebooks" / f"{sid}.ipynb").read_bytes()

    mine = ws / "cases" / "pinterest-f1-cost.ipynb"
    nb = nbformat.read(mine, as_version=4)
    _answer(nb, "f1_baseline", "f1_baseline = 2 * 0.7 * 0.45 / (0.7 + 0.45)  # my work")
    nbformat.write(nb, mine)
    edited = mine.read_bytes()
    second = workspace.sync(ws)
    assert not second.first_run and not (second.created or second.updated or second.offered)
    assert mine.read_bytes() == edited

    # Both scenarios change (a story edit); a third appears; the untouched notebook is deleted by the learner.
    for sid in TWO:
        spec = small_casebook / f"{sid}.toml"
        spec.write_text(spec.read_text().replace('story = """', 'story = """\nNew first line.\n', 1))
    shutil.copy(ROOT / "casebook" / "sentiment-mcc-vs-f1.toml", small_casebook)
    casebook.clear_caches()
    third = workspace.sync(ws)
    assert mine.read_bytes() == edited, "an edited notebook is never touched"
    beside = ws / "cases" / "pinterest-f1-cost.new.ipynb"
    assert third.offered == [(mine, beside)] and "New first line." in beside.read_text()
    assert not render.is_edited(beside)
    assert [p.name for p in third.updated] == ["fraud-accuracy-paradox.ipynb", "START-HERE.ipynb"]
    assert "New first line." in (ws / "cases" / "fraud-accuracy-paradox.ipynb").read_text()
    assert {p.name for p in third.created} == {"sentiment-mcc-vs-f1.ipynb"}
    assert any("pinterest-f1-cost.new.ipynb" in line and "you edited it" in line for line in third.lines())
    assert "sentiment-mcc-vs-f1" in (ws / "START-HERE.ipynb").read_text()  # the page lists the new case too

    (ws / "cases" / "fraud-accuracy-paradox.ipynb").unlink()
    fourth = workspace.sync(ws)
    assert [p.name for p in fourth.created] == ["fraud-accuracy-paradox.ipynb"]
    assert fourth.offered == [(mine, beside)] and mine.read_bytes() == edited


def test_answering_in_a_workspace_breaks_neither_render_check_nor_the_tests(tmp_path):
    """A learner answers (right and wrong) in a workspace; the project's checks still pass."""
    ws = tmp_path / "ws"
    workspace.sync(ws, TWO)
    answered = ws / "cases" / "pinterest-f1-cost.ipynb"
    nb = nbformat.read(answered, as_version=4)
    answers = casebook.solve(casebook.load("pinterest-f1-cost")).answers
    for qid in ("f1_baseline", "f1_new", "tp_baseline"):
        _answer(nb, qid, f"{qid} = {answers[qid].value!r}")
    _answer(nb, "fp_baseline", "fp_baseline = 12.0  # wrong on purpose")
    nbformat.write(nb, answered)

    check = caselab("render", "--check", *TWO)  # (the clone's copies of the workspace's cases)
    assert check.returncode == 0 and "all 4 notebooks are up to date" in check.stdout, check.stdout + check.stderr
    # the logic of test_casebook_notebooks.test_learner_notebook_grades_zero_all_not_answered, and the learner's
    committed, learner = runner.grade_many([ROOT / "notebooks" / "pinterest-f1-cost.ipynb", answered], jobs=2)
    assert committed.score == 0 and {q.status for q in committed.feedback} == {"not_answered"}
    status = {q.question: q.status for q in learner.feedback}
    assert learner.score == 3 and status["f1_baseline"] == status["tp_baseline"] == "passed"
    assert status["fp_baseline"] == "failed"


def test_render_writes_no_new_copy_of_an_in_place_edit(tmp_path):
    """Answering in the clone's notebooks/: `render --check` names it, `render` keeps it and writes no .new copy."""
    scenario = casebook.load("pinterest-f1-cost")
    render.render_scenario(scenario, tmp_path)
    path = tmp_path / "notebooks" / "pinterest-f1-cost.ipynb"
    nb = nbformat.read(path, as_version=4)
    _answer(nb, "f1_baseline", "f1_baseline = 0.55")
    nbformat.write(nb, path)
    edited = path.read_bytes()
    check = caselab("render", "--check", "--root", str(tmp_path), "pinterest-f1-cost")
    assert check.returncode == 1 and "notebooks/pinterest-f1-cost.ipynb: edited in place" in check.stdout
    again = render.render_scenario(scenario, tmp_path)[0]
    assert again.status == "kept-edited" and again.beside is None and "caselab study" in again.describe()
    assert path.read_bytes() == edited and not list(path.parent.glob("*.new.ipynb"))


def test_drill_writes_into_the_workspace_and_grade_leaves_the_solution_out(tmp_path):
    home = tmp_path / "home"
    env = {"CASELAB_HOME": str(home)}
    drill = caselab("drill", "pinterest-f1-cost", "--seed", "7", "--solution", env=env, cwd=tmp_path)
    assert drill.returncode == 0, drill.stderr
    drills = home / "workspace" / "drills"
    learner, solution = drills / "pinterest-f1-cost-drill-7.ipynb", drills / "pinterest-f1-cost-drill-7-solution.ipynb"
    assert learner.exists() and solution.exists() and not (tmp_path / "drills").exists()
    assert "drills/ of your workspace" in drill.stdout and f"caselab grade {learner}" in drill.stdout

    (drills / "START-HERE.ipynb").write_bytes(render.notebook_bytes(start_here.build_notebook([])))
    graded = caselab("grade", str(drills), "--report", str(tmp_path / "r.json"), env=env, cwd=tmp_path)
    assert f"not graded: {solution} (a worked solution" in graded.stderr
    assert "not graded:" in graded.stderr and "START-HERE.ipynb (the start-here page" in graded.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["notebook"].endswith("pinterest-f1-cost-drill-7.ipynb") and report["score"] == 0, report
    assert graded.returncode == 1  # nothing answered: every question fails

    # named on the command line, a worked solution is graded (full marks)
    named = caselab("grade", str(solution), "--report", str(tmp_path / "s.json"), env=env, cwd=tmp_path)
    assert named.returncode == 0 and "not graded" not in named.stderr
    # a folder of worked solutions only (like the project's solutions/) is graded: nothing is left out
    assert cli.not_learner_work([ROOT / "solutions"]) == []


def test_study_passes_jupyterlab_options_through(small_casebook, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(subprocess, "call", lambda cmd, **kw: calls.append((cmd, kw)) or 0)
    ws = tmp_path / "ws"
    assert cli.main(["study", "--workspace", str(ws), "--no-browser", "--port", "8899"]) == 0
    cmd, kw = calls[0]
    assert cmd[1:3] == ["-m", "jupyterlab"] and f"--ServerApp.root_dir={ws}" in cmd and kw["cwd"] == ws
    assert cmd[-4:] == ["START-HERE.ipynb", "--no-browser", "--port", "8899"]  # opened until work starts
    assert ("--allow-root" in cmd) == (os.geteuid() == 0)  # JupyterLab refuses root without it
    nb = nbformat.read(ws / "cases" / "pinterest-f1-cost.ipynb", as_version=4)
    _answer(nb, "f1_baseline", "f1_baseline = 0.5")
    nbformat.write(nb, ws / "cases" / "pinterest-f1-cost.ipynb")
    assert cli.main(["study", "--workspace", str(ws), "--", "--ServerApp.token=abc", "--port=1"]) == 0
    cmd = calls[1][0]
    assert cmd[-2:] == ["--ServerApp.token=abc", "--port=1"] and "START-HERE.ipynb" not in cmd and "--" not in cmd
    with pytest.raises(SystemExit):  # other commands still refuse options they do not know
        cli.main(["list", "--no-browser"])
    help_text = subprocess.run([sys.executable, "-m", "caselab.cli", "study", "--help"], capture_output=True,
                               text=True).stdout
    assert "caselab study --no-browser --port 8899" in help_text and "JUPYTERLAB OPTION" in help_text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_study_serves_the_workspace_and_its_kernels_do_not_warn(small_casebook, tmp_path):
    """A real `caselab study --no-browser --port N`: JupyterLab serves the workspace; a kernel starts quietly."""
    port, ws, log = _free_port(), tmp_path / "ws", tmp_path / "lab.log"
    options = ["--no-browser", "--port", str(port), "--IdentityProvider.token=t0k", "--ip=127.0.0.1"]  # (as root,
    # caselab adds --allow-root itself)
    with log.open("w") as out:
        lab = subprocess.Popen([sys.executable, "-m", "caselab.cli", "study", "--workspace", str(ws), *options],
                               stdout=out, stderr=subprocess.STDOUT,
                               env={**os.environ, "JUPYTER_NO_CONFIG": "1", "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")})
    try:
        base = f"http://127.0.0.1:{port}/api"

        def api(path, method="GET"):
            req = urllib.request.Request(f"{base}{path}", method=method, headers={"Authorization": "token t0k"},
                                         data=b"{}" if method == "POST" else None)
            with urllib.request.urlopen(req, timeout=10) as r:
                return json.loads(r.read())

        for _ in range(240):
            try:
                listing = api("/contents")
                break
            except OSError:
                assert lab.poll() is None, log.read_text()
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start:\n" + log.read_text())
        assert {c["name"] for c in listing["content"]} >= {"START-HERE.ipynb", "cases", "drills"}
        kernel = api("/kernels", "POST")
        # (the server's execution_state stays "starting" until a client connects: wait for its log line)
        for _ in range(120):
            if f"Kernel started: {kernel['id']}" in log.read_text():
                break
            time.sleep(0.5)
        time.sleep(2)  # anything the kernel's start-up prints comes right after
        text = log.read_text()
        assert re.search(r"Kernel started: " + kernel["id"], text), text
        assert "without encryption" not in text, text
    finally:
        lab.terminate()
        try:
            lab.wait(timeout=30)
        except subprocess.TimeoutExpired:
            lab.kill()


def test_a_kernel_started_by_caselab_does_not_warn(tmp_path):
    from jupyter_client import KernelManager

    from caselab.notebooks.kernels import launch_kwargs

    km = KernelManager(kernel_name="python3")
    with (tmp_path / "kernel.err").open("w+b") as err:
        km.start_kernel(stdout=err, stderr=err, **launch_kwargs())
        try:
            client = km.client()
            client.start_channels()
            client.wait_for_ready(timeout=60)
            client.stop_channels()
        finally:
            km.shutdown_kernel(now=True)
        err.seek(0)
        text = err.read().decode()
    assert launch_kwargs(), "pyzmq has Curve here, so caselab asks for encryption"
    assert "without encryption" not in text, text


def test_next_open_writes_its_drill_into_the_workspace(tmp_path):
    from caselab.practice import journal

    home = tmp_path / "home"
    home.mkdir()
    journal.record("pinterest-f1-cost", "deploy", "check", "failed", path=home / "journal.json", now=1.7e9)
    out = caselab("next", "--open", env={"CASELAB_HOME": str(home)}, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    drills = list((home / "workspace" / "drills").glob("pinterest-f1-cost-drill-*.ipynb"))
    assert len(drills) == 1 and not (tmp_path / "drills").exists() and "drills/ of your workspace" in out.stdout
