"""caselab's pytest plugin: grade notebooks headless, one test per question.

``caselab grade notebooks/`` runs ``pytest --caselab notebooks/`` with this plugin (it is also
registered as a ``pytest11`` entry point, so plain ``pytest --caselab notebooks/`` works)::

    notebooks/pinterest-f1-cost.ipynb::f1_baseline PASSED
    notebooks/pinterest-f1-cost.ipynb::fp_baseline FAILED
        [error] ZeroDivisionError: division by zero in the answer cell of fp_baseline.

Options:

``--caselab``
    collect ``.ipynb`` files (without it, a notebook is collected only when named on the command
    line — so the project's own ``pytest`` run never collects notebooks). ``*.new.ipynb`` files
    (written by ``caselab render`` beside an edited notebook) are collected only when named.
``--caselab-timeout=S``
    seconds a cell may run (default 30); a cell running longer is interrupted and its question is
    ``timeout`` — the rest of the notebook still runs.
``--caselab-jobs=N``
    notebooks executed at once, one kernel each (default 2).
``--caselab-report=FILE``
    write the grades as JSON: for one notebook the object ``{"notebook", "scenario", "score",
    "max_score", "questions": [{"id", "status", "message"}]}`` (plus ``"error"`` when the notebook
    could not be graded, with ``questions`` empty); for several, ``{"notebooks": [those objects]}``.

Every collected notebook starts executing as soon as collection ends (``jobs`` at a time, in a
background thread running an asyncio loop); each test waits for its notebook's result. A question
that is not ``passed`` fails its test, with the feedback message and its status tag as the report — no
traceback. That includes ``consistent`` (an answer that follows from the learner's own wrong earlier
answers by the right method): it is not correct, so its test fails, tagged ``[consistent]`` so it reads
apart from ``[failed]``; the table counts it in its own column and the score never includes it. A notebook that cannot be graded (damaged, not a caselab notebook, unknown scenario) is
one failing test, ``<path>::notebook``, saying what is wrong and how to fix it. At the end a table
gives each notebook's score and the count of each status.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
from pathlib import Path

import pytest

from caselab.practice import runner

NOTEBOOK_ITEM = "notebook"  # the name of the single test of a notebook that cannot be graded
_GRADER = pytest.StashKey["Grader"]()


def pytest_addoption(parser):
    group = parser.getgroup("caselab", "grading caselab notebooks")
    group.addoption("--caselab", action="store_true", default=False,
                    help="collect .ipynb notebooks and grade them: one test per question")
    group.addoption("--caselab-timeout", type=float, default=runner.DEFAULT_TIMEOUT, metavar="S",
                    help="seconds a notebook cell may run before it is interrupted (default 30)")
    group.addoption("--caselab-jobs", type=int, default=2, metavar="N",
                    help="notebooks executed at once, one kernel each (default 2)")
    group.addoption("--caselab-report", default=None, metavar="FILE",
                    help="write the grades as JSON to FILE (one object, or {\"notebooks\": [...]} for several)")
    group.addoption("--caselab-gradebook", default=None, metavar="PREFIX",
                    help="write a cohort gradebook: PREFIX.csv (a row per notebook) and PREFIX.json (with the "
                         "count of each named mistake per question)")
    group.addoption("--caselab-names", default=None, metavar="JSON",
                    help=argparse.SUPPRESS)  # internal: {path: name to show}, for files pytest cannot take by name


def pytest_configure(config):
    config.stash[_GRADER] = Grader(config)
    grading = config.getoption("caselab") or any(str(a).split("::")[0].endswith(".ipynb") for a in config.args)
    if grading:
        _skip_iri_grammar()
        from caselab.practice.kernel import become_subreaper

        become_subreaper()  # a learner's daemonised process is re-parented here, and ended (see kernel.py)
        _check_options(config)


def _check_options(config) -> None:
    """Refuse, before any kernel starts, options that would lose data or grade without a limit."""
    import math

    timeout = config.getoption("caselab_timeout")
    if timeout is not None and not (math.isfinite(timeout) and timeout > 0):
        raise pytest.UsageError(f"--caselab-timeout must be a number of seconds above 0; got {timeout}.")
    jobs = config.getoption("caselab_jobs")
    if jobs < 1:
        raise pytest.UsageError(f"--caselab-jobs must be at least 1; got {jobs}.")
    base = Path(config.invocation_params.dir)
    inputs = set()
    for arg in config.args:
        p = Path(str(arg).split("::")[0])
        p = p if p.is_absolute() else base / p
        inputs.add(p.resolve())
        if p.is_dir():
            inputs |= {q.resolve() for q in p.rglob("*.ipynb")}
    outputs = [("--caselab-report", config.getoption("caselab_report"), "")]
    prefix = config.getoption("caselab_gradebook")
    if prefix:
        outputs += [("--caselab-gradebook", prefix, ".csv"), ("--caselab-gradebook", prefix, ".json")]
    for option, value, suffix in outputs:
        if not value:
            continue
        out = Path(value + suffix)
        out = out if out.is_absolute() else base / out
        if out.suffix == ".ipynb" or out.resolve() in inputs or any(out.resolve() == i.parent for i in inputs):
            raise pytest.UsageError(f"{option} {value}: that would overwrite a notebook being graded; write the "
                                    "report to a new file (e.g. grades.json).")
        if out.is_dir():
            raise pytest.UsageError(f"{option} {value}{suffix}: is a folder; give a file name.")
        if not out.parent.is_dir():
            raise pytest.UsageError(f"{option} {value}{suffix}: the folder {out.parent} does not exist; create it "
                                    "first.")


def _skip_iri_grammar() -> None:
    """Grading imports nbformat → jsonschema, whose IRI grammar costs ~2 s of CPU at import, ~40% of grading
    one notebook, for a format check notebooks never use: in a grading run only, it is skipped."""
    from caselab.notebooks._fastimport import skip_iri_grammar

    skip_iri_grammar()


def _named_on_command_line(config, file_path: Path) -> bool:
    base = Path(config.invocation_params.dir)
    target = Path(file_path).resolve()
    for arg in config.args:
        p = Path(str(arg).split("::")[0])
        if not p.is_absolute():
            p = base / p
        try:
            if p.resolve() == target:
                return True
        except OSError:
            continue
    return False


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix != ".ipynb":
        return None
    config = parent.config
    named = _named_on_command_line(config, file_path)
    if named or (config.getoption("caselab") and not file_path.name.endswith(".new.ipynb")):
        return NotebookFile.from_parent(parent, path=file_path)
    return None


# --------------------------------------------------------------------------------------------------
# Collection: a notebook, its questions
# --------------------------------------------------------------------------------------------------
class NotebookFile(pytest.File):
    """A learner's notebook: one item per question of its scenario."""

    def collect(self):
        grader = self.config.stash[_GRADER]
        try:
            loaded = runner.load_notebook(self.path)
        except runner.NotebookError as e:
            message = e.describe(grader.display_name(self.nodeid, self.path))
            grader.add_broken(self.nodeid, message)
            yield NotebookErrorItem.from_parent(self, name=NOTEBOOK_ITEM, message=message)
            return
        grader.add(self.nodeid, loaded)
        for qid in loaded.question_ids:
            yield QuestionItem.from_parent(self, name=qid, question=qid)


class GradeFailure(Exception):
    """A question that did not pass: the message is the report."""


class _CaselabItem(pytest.Item):
    def repr_failure(self, excinfo, style=None):
        if excinfo.errisinstance(GradeFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, self.name  # (a domain with dots would be shown with '::' for them)


class QuestionItem(_CaselabItem):
    """One question of one notebook: passes when the grader says ``passed`` (``consistent`` fails, tagged)."""

    def __init__(self, *, question: str, **kw):
        super().__init__(**kw)
        self.question = question

    def runtest(self):
        report = self.config.stash[_GRADER].result(self.parent.nodeid)
        if report.error is not None:
            raise GradeFailure(f"[error] the notebook could not be graded: {report.error}")
        fb = report.by_question().get(self.question)
        if fb is None:  # pragma: no cover - the report always has every question
            raise GradeFailure(f"[error] no grade for {self.question}")
        if fb.status == "answered":  # an open answer: the learner's (or a teacher's) to score, not the grader's
            pytest.skip(f"answered, not scored: {fb.message.splitlines()[0]}")
        if not fb.passed:
            raise GradeFailure(f"[{fb.status}] {fb.message}")


class NotebookErrorItem(_CaselabItem):
    """The single, failing test of a notebook that cannot be graded."""

    def __init__(self, *, message: str, **kw):
        super().__init__(**kw)
        self.message = message

    def runtest(self):
        raise GradeFailure(f"[error] {self.message}")


# --------------------------------------------------------------------------------------------------
# Running: all notebooks at once (jobs at a time), in a background thread
# --------------------------------------------------------------------------------------------------
class Grader:
    """Grades the collected notebooks in a background thread; tests wait for their notebook's report."""

    def __init__(self, config):
        self.config = config
        self.loaded: dict[str, runner.LoadedNotebook] = {}
        self.broken: dict[str, str] = {}
        self.reports: dict[str, runner.NotebookReport] = {}
        self.events: dict[str, threading.Event] = {}
        self.order: list[str] = []
        self.thread: threading.Thread | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task | None = None
        self._names: dict[str, str] | None = None
        self.gradebook: tuple[Path, Path] | None = None  # (csv, json) once written
        self.paths: dict[str, Path] = {}

    def display_name(self, nodeid: str, path: Path | None = None) -> str:
        """How reports name a notebook: as the user typed it (``caselab grade`` may pass a stand-in link)."""
        if self._names is None:
            self._names = {}
            source = self.config.getoption("caselab_names")
            if source:
                self._names = json.loads(Path(source).read_text(encoding="utf-8"))
        if path is not None and str(path) in self._names:
            return self._names[str(path)]
        return self._names.get(nodeid, nodeid)

    def add(self, nodeid: str, loaded: runner.LoadedNotebook) -> None:
        self.loaded[nodeid] = loaded
        self.paths[nodeid] = loaded.path
        self.events[nodeid] = threading.Event()

    def add_broken(self, nodeid: str, message: str) -> None:
        self.broken[nodeid] = message

    # ---- lifecycle
    def start(self, nodeids: list[str]) -> None:
        self.order = [n for n in nodeids if n in self.loaded or n in self.broken]
        todo = [n for n in self.order if n in self.loaded]
        if not todo or self.thread is not None:
            return
        self.thread = threading.Thread(target=self._thread_main, args=(todo,), name="caselab-grader", daemon=True)
        self.thread.start()

    def _thread_main(self, todo: list[str]) -> None:
        self.loop = asyncio.new_event_loop()
        try:
            asyncio.set_event_loop(self.loop)
            self.task = self.loop.create_task(self._grade(todo))
            self.loop.run_until_complete(self.task)
        except BaseException as e:  # noqa: BLE001 - every waiting test must be released, whatever happened
            for nodeid in todo:
                if nodeid not in self.reports:
                    why = "the run was interrupted before it was graded" if isinstance(e, asyncio.CancelledError) \
                        else f"grading failed: {type(e).__name__}: {e}"
                    self.reports[nodeid] = runner.NotebookReport(notebook=nodeid, scenario=self.loaded[nodeid]
                                                                 .scenario.id, error=why)
                    self.events[nodeid].set()
        finally:
            try:
                self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            finally:
                self.loop.close()

    async def _grade(self, todo: list[str]) -> None:
        opt = self.config.getoption

        def done(i: int, report: runner.NotebookReport) -> None:
            self.reports[todo[i]] = report
            self.events[todo[i]].set()

        await runner.grade_many_async([self.loaded[n] for n in todo], jobs=opt("caselab_jobs"),
                                      timeout=opt("caselab_timeout"), on_done=done,
                                      names=[self.display_name(n, self.paths.get(n)) for n in todo])

    def result(self, nodeid: str) -> runner.NotebookReport:
        if self.thread is None:  # e.g. run without collection_finish (should not happen): start now
            self.start(list(self.loaded))
        self.events[nodeid].wait()
        return self.reports[nodeid]

    def stop(self) -> None:
        """Cancel what is still running (e.g. after -x or Ctrl-C) and shut its kernels down."""
        if self.thread is None or not self.thread.is_alive():
            return
        if self.loop is not None and self.task is not None and not self.task.done():
            try:
                self.loop.call_soon_threadsafe(self.task.cancel)
            except RuntimeError:  # the loop closed meanwhile
                pass
        self.thread.join(timeout=60)

    # ---- results
    def finished(self) -> list[runner.NotebookReport]:
        out = []
        for nodeid in self.order:
            if nodeid in self.broken:
                out.append(runner.NotebookReport(notebook=self.display_name(nodeid), scenario=None,
                                                 error=self.broken[nodeid]))
            elif nodeid in self.reports:
                out.append(self.reports[nodeid])
        return out


def pytest_collection_finish(session):
    config = session.config
    if config.option.collectonly:
        return
    nodeids = []
    for item in session.items:
        if isinstance(item, _CaselabItem) and item.parent.nodeid not in nodeids:
            nodeids.append(item.parent.nodeid)
    config.stash[_GRADER].start(nodeids)


def pytest_sessionfinish(session):
    grader = session.config.stash.get(_GRADER, None)
    if grader is None:
        return
    grader.stop()
    path = session.config.getoption("caselab_report")
    finished = grader.finished()
    if path and finished:
        reports = [r.to_dict() for r in finished]
        data = reports[0] if len(reports) == 1 else {"notebooks": reports}
        Path(path).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    prefix = session.config.getoption("caselab_gradebook")
    if prefix and finished:
        from caselab.practice.gradebook import write_gradebook

        grader.gradebook = write_gradebook(finished, prefix)


def score_table(reports: list[runner.NotebookReport]) -> list[str]:
    """The score table printed at the end: notebook, scenario, score/max and the count of each status."""
    from caselab.practice.grading import STATUSES

    heads = ["notebook", "scenario", "score"] + list(STATUSES)
    rows = []
    for r in reports:
        if r.error is not None:
            first = r.error.splitlines()[0]
            first = first[len(r.notebook) + 2:] if first.startswith(f"{r.notebook}: ") else first
            rows.append([r.notebook, r.scenario or "—", "—", f"not graded: {first}"])
            continue
        counts = r.counts()
        rows.append([r.notebook, r.scenario, f"{r.score}/{r.max_score}"] + [str(counts[s]) for s in STATUSES])
    graded = [r for r in reports if r.error is None]
    if len(reports) > 1:
        total = {s: sum(r.counts()[s] for r in graded) for s in STATUSES}
        rows.append([f"total ({len(reports)} notebooks)", "", f"{sum(r.score for r in graded)}/"
                     f"{sum(r.max_score for r in graded)}"] + [str(total[s]) for s in STATUSES])
    widths = [max([len(h)] + [len(row[i]) for row in rows if i < 3 or len(row) == len(heads)])
              for i, h in enumerate(heads)]
    lines = ["  ".join(h.ljust(w) if i < 2 else h.rjust(w)
                       for i, (h, w) in enumerate(zip(heads, widths, strict=True)))]
    for row in rows:
        if len(row) != len(heads):  # a notebook that could not be graded: its reason spans the counts
            lines.append("  ".join([row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].rjust(widths[2]),
                                    row[3]]))
        else:
            lines.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                                   for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    return lines


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    grader = config.stash.get(_GRADER, None)
    if grader is None:
        return
    reports = grader.finished()
    if not reports:
        return
    terminalreporter.section("caselab grades")
    for line in score_table(reports):
        terminalreporter.write_line(line)
    for r in reports:
        if r.note:
            terminalreporter.write_line(f"note on {r.notebook}: {r.note}")
    timeout = config.getoption("caselab_timeout")
    terminalreporter.write_line(f"(each cell may run {timeout:g} s; a cell past that is stopped and its question "
                                "is `timeout`)")
    from caselab.practice.gradebook import mistake_counts

    common = mistake_counts(reports)
    if len(reports) > 1 and common:
        terminalreporter.write_line("named mistakes (learners):")
        for scenario, questions in common.items():
            for question, mistakes in questions.items():
                for mistake, n in mistakes.items():
                    terminalreporter.write_line(f"  {scenario} · {question}: {n} × {mistake}")
    path = config.getoption("caselab_report")
    if path:
        terminalreporter.write_line(f"report written to {path}")
    if getattr(grader, "gradebook", None):
        csv_path, json_path = grader.gradebook
        terminalreporter.write_line(f"gradebook written to {csv_path} and {json_path}")
