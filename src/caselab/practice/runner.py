"""Grading a notebook headless: execute an in-memory copy in a Jupyter kernel, collect the answers, judge them.

>>> from caselab.practice.runner import grade_notebook
>>> report = grade_notebook("solutions/pinterest-f1-cost.ipynb", timeout=30)   # doctest: +SKIP
>>> report.score, report.max_score                                             # doctest: +SKIP
(13, 13)
>>> report["fp_baseline"].status, report.to_dict()["questions"][0]["message"]  # doctest: +SKIP
('passed', 'correct — 0.547826 (accepted within ±0.001).')

How a notebook is graded:

1. The file is read once (never written, nothing is written beside it) and checked: it must be JSON,
   a Jupyter notebook, and carry ``metadata.caselab.scenario`` of a known scenario — otherwise a
   :class:`NotebookError` says which file, what is wrong and how to fix it.
2. The copy runs cell by cell in a fresh ``python3`` kernel of this Python (nbclient, ``allow_errors``
   semantics: every cell runs; the working directory is the notebook's folder, as in Jupyter;
   ``CASELAB_NO_JOURNAL=1`` keeps ``case.check`` from writing the learner's progress journal). Each
   code cell ends ``ok``, ``error`` (with the exception) or ``timeout``: a cell running past its
   limit is interrupted and the run goes on. A kernel that dies (``os._exit``, a crash) or ignores
   the interrupt is restarted and the cells that had run fine are run again, so the questions after
   it are still graded. The unchanged ``case.check(...)`` and ``case.progress()`` cells are skipped —
   the grader judges the answers itself.
3. One collector cell encodes the value of every question's variable as JSON (:func:`encode_value`);
   the grader rebuilds stand-ins (:func:`decode_value`) and judges them with
   :func:`caselab.grading.check_answer`, the function behind ``case.check`` — so the grader says what
   the notebook says.

Statuses per question (see :func:`judge`):

* ``timeout`` — its answer cell ran past the time limit;
* ``error`` — its answer cell raised (``"ZeroDivisionError: division by zero in the answer cell of
  fp_baseline"``), or its variable is undefined because an earlier cell (setup, data, a cell you
  added) failed — the message names that cell and its exception;
* ``not_answered`` — ``...``/``None``, a too-short rubric answer, a deleted or empty answer cell, or
  an answer cell that does not assign its variable (a variable assigned in a cell of the learner's
  own is graded like any other; answers to *another* scenario's questions are pointed out);
* otherwise ``passed`` / ``failed`` from ``check_answer``, given all the notebook's answers so an
  answer consistent with the learner's own earlier answers passes (error carried forward).
"""



import asyncio
import concurrent.futures
import functools
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caselab.practice.kernel import DEFAULT_TIMEOUT, CellRun, _execute
from caselab.practice.submission import LoadedNotebook, NotebookError, load_notebook
from caselab.practice.values import MISSING, decode_value, encode_value

__all__ = [
    "NotebookError",
    "LoadedNotebook",
    "CellRun",
    "NotebookReport",
    "load_notebook",
    "grade_notebook",
    "grade_notebook_async",
    "grade_loaded",
    "grade_many",
    "grade_many_async",
    "encode_value",
    "decode_value",
    "judge",
    "MISSING",
    "DEFAULT_TIMEOUT",
]


# --------------------------------------------------------------------------------------------------
# Judging
# --------------------------------------------------------------------------------------------------
@dataclass
class NotebookReport:
    """The grade of one notebook: a :class:`~caselab.grading.Feedback` per question, in scenario order."""

    notebook: str
    scenario: str | None
    feedback: list = field(default_factory=list)
    cells: list[CellRun] = field(default_factory=list)
    variant: int | None = None
    seconds: float = 0.0
    error: str | None = None  # set when the notebook could not be graded at all (then feedback is empty)
    kernel_stderr: str = ""  # what the kernel process wrote outside the notebook (start-up noise removed)
    timeout: float | None = None  # the per-cell time limit it was graded with (None: no limit)
    note: str = ""  # about the notebook itself, e.g. drill givens edited in its metadata

    @property
    def score(self) -> int:
        return sum(1 for f in self.feedback if f.status == "passed")

    @property
    def max_score(self) -> int:
        return len(self.feedback)

    def counts(self) -> dict[str, int]:
        from caselab.practice.grading import STATUSES

        out = dict.fromkeys(STATUSES, 0)
        for f in self.feedback:
            out[f.status] = out.get(f.status, 0) + 1
        return out

    def by_question(self) -> dict:
        return {f.question: f for f in self.feedback}

    def __getitem__(self, qid: str):
        return self.by_question()[qid]

    def to_dict(self) -> dict:
        out = {"notebook": self.notebook, "scenario": self.scenario, "variant": self.variant, "score": self.score,
               "max_score": self.max_score, "cell_timeout_seconds": self.timeout,
               "questions": [f.to_dict() for f in self.feedback]}
        if self.note:
            out["note"] = self.note
        if self.error is not None:
            out["error"] = self.error
        return out

    def summary(self) -> str:
        if self.error is not None:
            return f"{self.notebook}: cannot be graded — {self.error}"
        lines = [f"{self.notebook} [{self.scenario}]: {self.score} / {self.max_score}"]
        lines += [f"  {f}" for f in self.feedback]
        return "\n".join(lines)


@functools.cache
def _question_ids_by_scenario() -> dict[str, tuple[str, ...]]:
    """Every scenario's question ids, read once per process from the specs' structure (nothing is solved:
    an unanswered question must not cost seconds)."""
    from caselab.scenarios import casebook

    out = {}
    for sid in casebook.scenario_ids():
        try:
            out[sid] = tuple(q.id for q in casebook.load(sid, check_solver=False).questions)
        except Exception:  # noqa: BLE001 - a broken spec elsewhere must not break this grade
            continue
    return out


def _foreign_note(scenario, defined: Iterable[str]) -> str:
    """A note when the notebook defines the question variables of *another* scenario."""
    own = {q.id for q in scenario.questions}
    names = set(defined) - own
    if not names:
        return ""
    best, hits = None, []
    for sid, qids in _question_ids_by_scenario().items():
        if sid == scenario.id:
            continue
        found = [q for q in qids if q in names]
        if len(found) > len(hits):
            best, hits = sid, found
    if not hits:
        return ""
    shown = ", ".join(hits[:4]) + (", …" if len(hits) > 4 else "")
    return (f" (This notebook defines {shown}: questions of {best}, not of {scenario.id} — answers pasted "
            "from another scenario are not graded.)")


def judge(loaded: LoadedNotebook, runs: list[CellRun], collected: dict | None, problem: str = "",
          solution=None) -> list:
    """The status and message of every question, from what the cells did and the values collected."""
    from caselab.practice.grading import Feedback, check_answer
    from caselab.scenarios import casebook

    scenario = loaded.scenario
    if solution is None:
        solution = casebook.solve(scenario, loaded.givens) if loaded.givens is not None else casebook.solve(scenario)
    if collected is None:
        return [Feedback(q.id, "error", problem or "the grader could not read the answers from the kernel")
                for q in scenario.questions]
    raw = collected.get("values", {})
    values = {qid: decode_value(raw.get(qid, {"t": "missing"})) for qid in loaded.question_ids}
    learner_values = {k: v for k, v in values.items() if v is not MISSING}
    upstream = [r for r in runs if r.status in ("error", "timeout") and r.role not in ("answer", "check", "progress")]
    foreign = None

    out = []
    for q in scenario.questions:
        qid = q.id
        answer_runs = [r for r in runs if r.role == "answer" and r.question == qid
                       and loaded.nb.cells[r.index].get("cell_type") == "code"]
        own = answer_runs[-1] if answer_runs else None
        before = [r for r in upstream if own is None or r.index < own.index]
        earlier = before[0] if before else None
        value = values[qid]
        if own is not None and own.status == "timeout":
            out.append(Feedback(qid, "timeout", f"the answer cell of {qid} {own.evalue} and was stopped"
                                                " (an endless loop? a very slow computation?): make "
                                                "it finish quickly, then grade again."))
            continue
        if own is not None and own.status == "error":
            msg = f"{own.exception} in the answer cell of {qid}"
            if earlier is not None and own.ename in ("NameError", "UnboundLocalError", "AttributeError"):
                msg += f" — probably because an earlier cell failed: {earlier.exception} in {earlier.describe()}"
            out.append(Feedback(qid, "error", msg + "."))
            continue
        if value is MISSING:
            if earlier is not None and own is None:
                what = "timed out" if earlier.status == "timeout" else "raised"
                out.append(Feedback(qid, "error", f"{qid} is not defined because an earlier cell {what}: "
                                                  f"{earlier.exception} in {earlier.describe()}. Fix that cell "
                                                  "first."))
                continue
            if own is None:
                msg = (f"the answer cell of {qid} is missing (deleted?) and {qid} is not defined anywhere in the "
                       f"notebook: add a code cell `{qid} = ...` with your answer.")
            elif own.status == "skipped":
                msg = f"the answer cell of {qid} is empty: write `{qid} = <your answer>` in it."
            else:
                msg = (f"{qid} is not defined: its answer cell ran but does not assign it — it should read "
                       f"`{qid} = <your answer>`.")
            if foreign is None:
                foreign = _foreign_note(scenario, collected.get("defined", []))
            out.append(Feedback(qid, "not_answered", msg + foreign))
            continue
        fb = check_answer(q, solution.answers.get(qid), value, learner_values)
        if fb.status == "not_answered" and (value is Ellipsis or value is None):
            if foreign is None:
                foreign = _foreign_note(scenario, collected.get("defined", []))
            if foreign:
                fb = Feedback(qid, fb.status, fb.message + foreign)
        out.append(fb)
    return out


# --------------------------------------------------------------------------------------------------
# The API
# --------------------------------------------------------------------------------------------------
async def grade_loaded(loaded: LoadedNotebook, timeout: float | None = DEFAULT_TIMEOUT,
                       name: str | None = None) -> NotebookReport:
    """Grade a notebook already read by :func:`load_notebook` (``name``: how the report names it)."""
    from caselab.scenarios import casebook

    start = time.monotonic()
    try:  # solve first: a broken variant fails fast, before a kernel is started
        solution = casebook.solve(loaded.scenario, loaded.givens) if loaded.givens is not None \
            else casebook.solve(loaded.scenario)
    except (ValueError, KeyError, TypeError) as e:
        raise NotebookError(loaded.path, f"its givens cannot be solved ({e}).",
                            "re-create the notebook with `caselab render` (or a new drill).") from None
    runs, collected, problem, stderr = await _execute(loaded, timeout)
    feedback = judge(loaded, runs, collected, problem, solution=solution)
    return NotebookReport(notebook=name or str(loaded.path), scenario=loaded.scenario.id, feedback=feedback,
                          cells=runs, variant=loaded.variant, seconds=time.monotonic() - start, kernel_stderr=stderr,
                          timeout=timeout if timeout and timeout > 0 else None, note=loaded.note)


async def grade_notebook_async(path: str | Path, timeout: float | None = DEFAULT_TIMEOUT) -> NotebookReport:
    """Grade one notebook (async). Raises :class:`NotebookError` for a notebook that cannot be graded."""
    return await grade_loaded(load_notebook(path), timeout, name=str(path))


def _run(coro):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # called from a running event loop (e.g. inside Jupyter): run in a thread with its own loop
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def grade_notebook(path: str | Path, timeout: float | None = DEFAULT_TIMEOUT) -> NotebookReport:
    """Grade one notebook: execute an in-memory copy in a fresh kernel, judge every question.

    The file is never written. ``timeout``: seconds each cell may run (``None``: no limit). Raises
    :class:`NotebookError` for a notebook that cannot be graded (damaged, foreign, unknown scenario).
    """
    return _run(grade_notebook_async(path, timeout))


async def grade_many_async(paths: Iterable[str | Path | LoadedNotebook], jobs: int = 2,
                           timeout: float | None = DEFAULT_TIMEOUT,
                           on_done: Callable[[int, NotebookReport], Any] | None = None,
                           names: Sequence[str] | None = None) -> list[NotebookReport]:
    """Grade notebooks ``jobs`` at a time (one kernel each). A notebook that cannot be graded gives a
    report with ``error`` set and no questions, instead of stopping the others. ``on_done(i, report)``
    is called as each finishes."""
    items = list(paths)
    sem = asyncio.Semaphore(max(1, int(jobs)))

    async def one(i, item):
        name = names[i] if names is not None else str(item.path if isinstance(item, LoadedNotebook) else item)
        async with sem:
            try:
                loaded = item if isinstance(item, LoadedNotebook) else load_notebook(item)
                report = await grade_loaded(loaded, timeout, name=name)
            except NotebookError as e:
                report = NotebookReport(notebook=name, scenario=None, error=str(e))
            except Exception as e:  # e.g. no kernel could be started: say so on this notebook, go on
                report = NotebookReport(notebook=name, scenario=getattr(getattr(item, "scenario", None), "id", None),
                                        error=f"grading failed: {type(e).__name__}: {e}")
        if on_done is not None:
            on_done(i, report)
        return report

    return list(await asyncio.gather(*(one(i, item) for i, item in enumerate(items))))


def grade_many(paths: Iterable[str | Path], jobs: int = 2, timeout: float | None = DEFAULT_TIMEOUT) -> list[NotebookReport]:
    """Grade many notebooks, ``jobs`` at once (asyncio in one process, one kernel per notebook).
    Reports come back in the order of ``paths``; see :func:`grade_many_async`."""
    return _run(grade_many_async(paths, jobs=jobs, timeout=timeout))

