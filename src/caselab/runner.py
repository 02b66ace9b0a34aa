"""Grading a notebook headless: execute an in-memory copy in a Jupyter kernel, collect the answers, judge them.

>>> from caselab.runner import grade_notebook
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

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import functools
import inspect
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import Any

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

DEFAULT_TIMEOUT = 30.0
POLL_SLICE = 1.0  # seconds: the shell channel is polled in slices this long (nbclient #312)
INTERRUPT_GRACE = 5.0  # seconds a kernel gets to answer an interrupt before it is restarted
IOPUB_WAIT = 10  # seconds to wait, after a cell's reply, for its last outputs (only late outputs wait)
VALUES_MIME = "application/vnd.caselab.values+json"
MAX_STR = 200_000  # characters of a string answer sent back from the kernel
NOISE = (  # kernel start-up chatter that is not the learner's business
    re.compile(r"Kernel is running over TCP without encryption"),
    re.compile(r"Debugger warning: It seems that frozen modules are being used"),
    re.compile(r"Make sure to use Python >= 3\.11|PYDEVD_DISABLE_FILE_VALIDATION|-Xfrozen_modules=off|to python to disable frozen"),
)
_SKIPPABLE = {  # generated cells the grader does not need to run (see also _display_only_explorers)
    "check": re.compile(r"^\s*case\.check\(\s*(['\"])(?P<q>\w+)\1\s*(,\s*(?P=q)\s*)?\)\s*;?\s*$"),
    "progress": re.compile(r"^\s*case\.progress\(\s*\)\s*;?\s*$"),
}


class NotebookError(Exception):
    """A notebook the grader cannot use (damaged, not a notebook, not a caselab notebook, unknown scenario).

    ``str(e)`` names the file, says what is wrong and how to fix it.
    """

    def __init__(self, path: str | Path, problem: str, fix: str = ""):
        self.path = str(path)
        self.problem = problem
        self.fix = fix
        super().__init__(self.describe())

    def describe(self, name: str | None = None) -> str:
        """The message, naming the file ``name`` (default: its path)."""
        return f"{name or self.path}: {self.problem}" + (f"\n  fix: {self.fix}" if self.fix else "")


# --------------------------------------------------------------------------------------------------
# Values: kernel → JSON → a stand-in the checker judges as it would the real value
# --------------------------------------------------------------------------------------------------
def encode_value(value):
    """A JSON-able description of a learner's value (runs inside the kernel; self-contained).

    ``{"t": kind, ...}`` with kind one of ``ellipsis none bool str number complex ndarray list tuple
    dict set frozenset other``; numbers (numpy scalars too) become floats, with ``"nan"``, ``"inf"``,
    ``"-inf"`` as strings; containers keep their length, arrays their shape, anything else its type
    name. (Missing variables are ``{"t": "missing"}``, written by the collector.)
    """
    import math
    import numbers

    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a dependency
        np = None

    def num(x):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x

    tname = type(value).__name__
    try:
        if value is Ellipsis:
            return {"t": "ellipsis"}
        if value is None:
            return {"t": "none"}
        if isinstance(value, bool) or (np is not None and isinstance(value, np.bool_)):
            return {"t": "bool", "v": bool(value), "type": "bool" if isinstance(value, bool) else "numpy.bool_"}
        if isinstance(value, str):
            return {"t": "str", "v": str(value)[:200_000]}
        if np is not None and isinstance(value, np.ndarray):
            out = {"t": "ndarray", "shape": [int(s) for s in value.shape], "dtype": value.dtype.str}
            if value.ndim == 0 and value.dtype.kind in "iuf":
                out["v"] = num(float(value))
            return out
        if isinstance(value, numbers.Real):
            try:
                x = float(value)
            except OverflowError:
                x = math.inf if value > 0 else -math.inf
            return {"t": "number", "v": num(x), "type": tname, "repr": repr(value)[:1000]}
        if isinstance(value, numbers.Complex):
            c = complex(value)
            return {"t": "complex", "v": [num(c.real), num(c.imag)]}
        for kind in (list, tuple, dict, set, frozenset):
            if isinstance(value, kind):
                return {"t": kind.__name__, "n": len(value), "type": tname}
    except Exception:  # a value whose float()/len() raises is described by its type
        pass
    return {"t": "other", "type": tname}


class _Missing:
    """The value of a variable that is not defined in the notebook."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()


def _num(v) -> float:
    return float(v)  # float("nan"), float("inf"), float("-inf") parse the encoded strings


def _named(base: type, name: str | None) -> type:
    """``base``, or a subclass of it called ``name`` (so messages name the learner's own type)."""
    if not name or name == base.__name__:
        return base
    return type(name, (base,), {})


def decode_value(enc: dict) -> Any:
    """Rebuild a stand-in for an encoded value, one that :func:`caselab.grading.check_answer` judges
    exactly as it would judge the original: a list of 3 items for a list of length 3, an array of the
    same shape (zero-strided, no memory), an instance of a class of the same name for anything else.
    ``{"t": "missing"}`` becomes :data:`MISSING`."""
    import numpy as np

    t = enc.get("t")
    if t == "missing":
        return MISSING
    if t == "ellipsis":
        return Ellipsis
    if t == "none":
        return None
    if t == "bool":
        return np.bool_(enc["v"]) if enc.get("type") == "numpy.bool_" else bool(enc["v"])
    if t == "str":
        return str(enc["v"])
    if t == "number":
        x = _num(enc["v"])
        shown = enc.get("repr")
        if shown is not None and shown != repr(x):  # 3, np.float32(0.25): shown as the learner wrote it
            return type("float", (float,), {"__repr__": lambda self: shown})(x)
        return x
    if t == "complex":
        re_, im = enc["v"]
        return complex(_num(re_), _num(im))
    if t == "ndarray":
        dtype = np.dtype(enc.get("dtype", "<f8"))
        if "v" in enc:
            return np.array(_num(enc["v"])).astype(dtype)
        try:
            return np.broadcast_to(np.zeros((), dtype=dtype), tuple(enc["shape"]))
        except (TypeError, ValueError):
            return np.broadcast_to(np.zeros(()), tuple(enc["shape"]))
    n = int(enc.get("n", 0))
    if t == "list":
        return _named(list, enc.get("type"))([None] * n)
    if t == "tuple":
        return _named(tuple, enc.get("type"))([None] * n)
    if t == "dict":
        return _named(dict, enc.get("type"))((i, None) for i in range(n))
    if t == "set":
        return _named(set, enc.get("type"))(range(n))
    if t == "frozenset":
        return _named(frozenset, enc.get("type"))(range(n))
    return type(str(enc.get("type") or "object"), (), {"__repr__": lambda self: f"<{type(self).__name__}>"})()


# Read once, at import: the source must match the function this process runs (reading it later would
# pick up an edited file — an editable install being changed — with shifted lines).
_ENCODE_SOURCE = inspect.getsource(encode_value)


def _collector_source(names: Sequence[str]) -> str:
    """The cell the grader runs last: every question's value, encoded, as one display output."""
    encode_src = _ENCODE_SOURCE
    return (
        "def __caselab_collect__(names):\n"
        + "\n".join("    " + line if line else "" for line in encode_src.splitlines())
        + "\n"
        "    import IPython\n"
        "    import IPython.display\n"
        "    ns = IPython.get_ipython().user_ns\n"
        "    values = {n: (encode_value(ns[n]) if n in ns else {'t': 'missing'}) for n in names}\n"
        "    defined = sorted(k for k in list(ns) if isinstance(k, str) and k.isidentifier()\n"
        "                     and not k.startswith('_'))[:5000]\n"
        f"    IPython.display.display({{{VALUES_MIME!r}: {{'values': values, 'defined': defined}}}}, raw=True)\n"
        f"__caselab_collect__({list(names)!r})\n"
        "del __caselab_collect__\n"
    )


# --------------------------------------------------------------------------------------------------
# Loading (and refusing, clearly)
# --------------------------------------------------------------------------------------------------
@dataclass
class LoadedNotebook:
    """A notebook read and checked, ready to run: never the learner's file object, only a copy."""

    path: Path
    nb: Any  # nbformat.NotebookNode
    scenario: Any  # caselab.spec.Scenario
    givens: dict | None  # a drill variant's givens, or None for the casebook's
    variant: int | None
    sha256: str

    @property
    def question_ids(self) -> list[str]:
        return [q.id for q in self.scenario.questions]


def load_notebook(path: str | Path) -> LoadedNotebook:
    """Read and check a notebook; a :class:`NotebookError` (file, problem, fix) if it cannot be graded."""
    import hashlib

    import nbformat

    from caselab import casebook
    from caselab.spec import SpecError

    path = Path(path)
    regenerate = "re-create it with `caselab render` (it writes notebooks/<scenario>.ipynb) and copy your answers in"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotebookError(path, "no such file.", "check the path (`caselab grade notebooks/` grades a folder).") from None
    except IsADirectoryError:
        raise NotebookError(path, "is a folder, not a notebook.", "pass the .ipynb files, or grade the folder "
                                  "with `caselab grade FOLDER`.") from None
    except OSError as e:
        raise NotebookError(path, f"cannot be read ({e.strerror or e}).", "check the file's permissions.") from None
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise NotebookError(path, f"is not a notebook: not UTF-8 text (byte {e.start}).",
                            f"if it was a notebook, restore it from version control or {regenerate}.") from None
    except json.JSONDecodeError as e:
        what = "is empty" if not data.strip() else f"is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})"
        raise NotebookError(path, f"the file is damaged: it {what}, so it is not a readable notebook.",
                            "restore it from version control or a backup (JupyterLab: File → Revert Notebook to "
                            f"Checkpoint), or {regenerate}.") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list) or "nbformat" not in raw:
        raise NotebookError(path, "is JSON but not a Jupyter notebook (no 'cells' list / 'nbformat' field).",
                            f"grade the .ipynb file of a scenario; {regenerate}.")
    if raw.get("nbformat") != 4:
        # older formats are converted by nbformat; anything else is refused below
        pass
    try:
        nb = nbformat.reads(data.decode("utf-8-sig"), as_version=4, capture_validation_error={})
        for cell in nb.cells:
            cell.setdefault("metadata", {})
            if not isinstance(cell.get("source", ""), str) or cell.get("cell_type") not in ("code", "markdown", "raw"):
                raise ValueError("a cell without a cell_type or source")
    except Exception as e:
        raise NotebookError(path, f"is not a valid Jupyter notebook ({type(e).__name__}: {e}).",
                            f"open and re-save it in JupyterLab, restore it from version control, or {regenerate}.") \
            from None
    meta = nb.metadata.get("caselab")
    if not isinstance(meta, dict) or not isinstance(meta.get("scenario"), str):
        raise NotebookError(path, "is not a caselab notebook: it has no metadata.caselab.scenario, so the grader "
                                  "does not know which scenario it answers.",
                            "grade a notebook generated by `caselab render` (notebooks/<scenario>.ipynb); to grade "
                            "work done elsewhere, copy your answers into that notebook's answer cells.")
    try:
        scenario = casebook.load(meta["scenario"])
    except casebook.UnknownScenario as e:
        raise NotebookError(path, f"answers scenario {meta['scenario']!r}, which this caselab does not have: {e}",
                            "check metadata.caselab.scenario, or update caselab / the casebook this notebook "
                            "came from.") from None
    except SpecError as e:
        raise NotebookError(path, f"its scenario's spec is broken:\n{e}", "fix the spec in casebook/.") from None
    givens = meta.get("givens")
    if givens is not None and not isinstance(givens, dict):
        raise NotebookError(path, "metadata.caselab.givens must be a table of givens.",
                            f"re-create the drill notebook, or {regenerate}.")
    return LoadedNotebook(path=path, nb=nb, scenario=scenario, givens=givens, variant=meta.get("variant"),
                          sha256=hashlib.sha256(data).hexdigest())


# --------------------------------------------------------------------------------------------------
# Executing
# --------------------------------------------------------------------------------------------------
@dataclass
class CellRun:
    """What happened to one cell: ``ok`` | ``error`` | ``timeout`` | ``skipped`` (markdown, unchanged checks)."""

    index: int  # position in the notebook (0-based)
    role: str | None
    question: str | None
    status: str
    ename: str = ""
    evalue: str = ""
    seconds: float = 0.0

    @property
    def exception(self) -> str:
        return f"{self.ename}: {self.evalue}" if self.evalue else self.ename

    def describe(self) -> str:
        """``the setup cell (cell 4)``, ``the answer cell of f1_new (cell 12)``, ``cell 7 (no caselab role)``."""
        where = f"cell {self.index + 1}"
        if self.role == "answer" and self.question:
            return f"the answer cell of {self.question} ({where})"
        if self.role:
            return f"the {self.role} cell ({where})"
        return f"{where} (a cell you added)"


@functools.cache
def _client_class():
    from nbclient import NotebookClient
    from nbclient.util import ensure_async

    class GradingClient(NotebookClient):
        """nbclient, polling the shell channel in short slices (no false timeouts: nbclient #312),
        recording each cell's reply, and interrupting a cell that runs past its (float) limit."""

        cell_timeout: float | None = None

        def _get_timeout(self, cell):
            return self.cell_timeout

        async def _async_poll_for_reply(self, msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive):
            assert self.kc is not None
            deadline = None if timeout is None else time.monotonic() + timeout
            self.last_timed_out = False
            self.kernel_unresponsive = False
            while True:
                wait = POLL_SLICE if deadline is None else max(0.0, min(POLL_SLICE, deadline - time.monotonic()))
                try:
                    msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=wait))
                except Empty:
                    if deadline is not None and time.monotonic() >= deadline:
                        return await self._timed_out(msg_id, cell, timeout, task_poll_output_msg,
                                                     task_poll_kernel_alive)
                    continue
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue  # e.g. the late reply of an interrupted cell
                await self._drain_output(task_poll_output_msg)
                task_poll_kernel_alive.cancel()
                self.last_reply = msg
                return msg

        async def _drain_output(self, task_poll_output_msg, limit: float | None = None):
            try:  # wait for the cell's outputs up to its 'idle' (asyncio.wait_for cancels it on time-out)
                await asyncio.wait_for(task_poll_output_msg, self.iopub_timeout if limit is None else limit)
            except (TimeoutError, Empty):
                self.log.warning("Timeout waiting for IOPub output")

        async def _timed_out(self, msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive):
            task_poll_kernel_alive.cancel()
            await self._async_check_alive()
            reply = await self._async_handle_timeout(timeout, cell)  # interrupt_on_timeout: interrupts the kernel
            self.last_timed_out = True
            # Is the kernel usable again? It answers the interrupt with a (KeyboardInterrupt) reply.
            end = time.monotonic() + INTERRUPT_GRACE
            answered = False
            while time.monotonic() < end:
                try:
                    msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=min(POLL_SLICE, end - time.monotonic())))
                except Empty:
                    continue
                if msg["parent_header"].get("msg_id") == msg_id:
                    answered = True
                    break
            if answered:
                await self._drain_output(task_poll_output_msg, limit=INTERRUPT_GRACE)
            else:
                task_poll_output_msg.cancel()
                self.kernel_unresponsive = True
            reply = dict(reply or {"content": {**(self.error_on_timeout or {}), "status": "error"}})
            reply["parent_header"] = {"msg_id": msg_id}
            self.last_reply = reply
            return reply

    return GradingClient


_QUIET_LOG = logging.getLogger("caselab.runner.nbclient")  # nbclient's own chatter ("Interrupting kernel", …)
_QUIET_LOG.addHandler(logging.NullHandler())
_QUIET_LOG.propagate = False


def _kernel_stderr_filtered(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if line.strip() and not any(p.search(line) for p in NOISE))


def _runnable(cell) -> bool:
    if cell.get("cell_type") != "code" or not cell.get("source", "").strip():
        return False
    meta = cell.get("metadata", {}).get("caselab", {}) or {}
    pattern = _SKIPPABLE.get(meta.get("role"))
    if pattern is not None:
        m = pattern.match(cell.source)
        if m and (meta.get("role") != "check" or m.group("q") == meta.get("question")):
            return False
    return True


def _display_only_explorers(loaded: LoadedNotebook) -> set[int]:
    """Explorer cells the grade does not depend on: no widget-answered question reads them, and no other cell
    names their explorer. They only display (and are the slowest cells), so the grader skips them."""
    answered_by_widget = {q.widget for q in loaded.scenario.questions if q.widget}
    cells = loaded.nb.cells
    skip = set()
    for i, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("caselab", {}) or {}
        if meta.get("role") != "explorer" or not str(cell.get("id", "")).startswith("explorer-"):
            continue
        name = str(cell["id"])[len("explorer-"):]
        used = f"{name}_explorer"
        if name in answered_by_widget or any(used in c.get("source", "") for j, c in enumerate(cells)
                                               if j != i and c.get("cell_type") == "code"):
            continue
        skip.add(i)
    return skip


async def _execute(loaded: LoadedNotebook, timeout: float | None) -> tuple[list[CellRun], dict | None, str, str]:
    """Run the copy cell by cell, then the collector. Returns (cells, collected, collector_problem, stderr)."""
    import zmq

    nb = copy.deepcopy(loaded.nb)
    timeout = None if timeout is None or timeout <= 0 else float(timeout)
    client = _client_class()(
        nb, kernel_name="python3", allow_errors=True, interrupt_on_timeout=True, record_timing=False,
        error_on_timeout={"ename": "CellTimeout", "evalue": f"the cell ran longer than {timeout:g} s",
                          "traceback": []} if timeout else None,
        resources={"metadata": {"path": str(loaded.path.resolve().parent)}},
        store_widget_state=False, startup_timeout=60, log=_QUIET_LOG,
        shutdown_kernel="immediate",  # nothing to save in a grading kernel; a graceful stop costs ~1.5 s
        iopub_timeout=IOPUB_WAIT,
    )
    client.cell_timeout = timeout
    # CASELAB_NO_JOURNAL: grading must not rewrite the learner's progress journal (see grading.Case._journal)
    env = {**os.environ, "CASELAB_GRADING": "1", "CASELAB_NO_JOURNAL": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    # Kernels run side by side (--caselab-jobs): one BLAS/OpenMP thread each, or they oversubscribe the cores
    # (a scikit-learn fit was seen 20x slower on a loaded 2-core machine).
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    env.update(_widget_env(loaded))
    kernel_kwargs: dict[str, Any] = {"env": env}
    if zmq.has("curve"):
        kernel_kwargs["transport_encryption"] = "auto"  # also silences ipykernel 7's "without encryption" warning

    runs: list[CellRun] = []
    collected: dict | None = None
    problem = ""
    with tempfile.TemporaryFile(mode="w+b") as stderr_file:
        kernel_kwargs["stdout"] = kernel_kwargs["stderr"] = stderr_file  # not the grader's terminal
        display_only = _display_only_explorers(loaded)
        async with client.async_setup_kernel(**kernel_kwargs):
            for index, cell in enumerate(nb.cells):
                meta = cell.get("metadata", {}).get("caselab", {}) or {}
                run = CellRun(index, meta.get("role"), meta.get("question"), "skipped")
                runs.append(run)
                if not _runnable(cell) or index in display_only:
                    continue
                await _run_cell(client, cell, index, run)
                if run.status != "ok" and getattr(client, "needs_restart", False):
                    await _restart_and_replay(client, nb, runs)

            collector = _new_code_cell(_collector_source(loaded.question_ids))
            nb.cells.append(collector)
            client.cell_timeout = max(timeout or 0, 60.0)
            client.iopub_timeout = 60  # the values come as an output: never drop it for being late
            probe = CellRun(len(nb.cells) - 1, "collector", None, "skipped")
            await _run_cell(client, collector, len(nb.cells) - 1, probe, store_history=False)
            if probe.status != "ok":
                problem = f"the grader could not read the answers from the kernel ({probe.exception})"
            else:
                for out in collector.get("outputs", []):
                    data = out.get("data", {}) if out.get("output_type") == "display_data" else {}
                    if VALUES_MIME in data:
                        collected = data[VALUES_MIME]
                        if isinstance(collected, str):
                            collected = json.loads(collected)
                if collected is None:
                    problem = "the grader could not read the answers from the kernel (no values came back)"
        stderr_file.seek(0)
        stderr = _kernel_stderr_filtered(stderr_file.read().decode("utf-8", "replace"))
    return runs, collected, problem, stderr


def _widget_env(loaded: LoadedNotebook) -> dict[str, str]:
    """A question answered by setting an explorer's slider reads the slider in its answer cell; in a fresh
    kernel the slider would start at its default. caselab.widgets.grading_env turns the values recorded in
    the saved notebook into an environment variable that makes each explorer start where the learner left it."""
    if not any(getattr(q, "widget", None) for q in loaded.scenario.questions):
        return {}  # (importing caselab.widgets costs ~0.7 s: only when a question needs it)
    try:
        from caselab import widgets

        return dict(widgets.grading_env(loaded.nb))
    except Exception as e:  # a damaged record must not stop the grading of the rest
        _QUIET_LOG.warning("could not read the recorded explorer values: %s", e)
        return {}


def _new_code_cell(source: str):
    from nbformat.v4 import new_code_cell

    cell = new_code_cell(source)
    cell.metadata["caselab"] = {"role": "collector"}
    return cell


async def _run_cell(client, cell, index: int, run: CellRun, store_history: bool = True) -> None:
    from nbclient.exceptions import DeadKernelError

    client.last_reply = None
    client.last_timed_out = False
    client.kernel_unresponsive = False
    client.needs_restart = False
    start = time.monotonic()
    try:
        await client.async_execute_cell(cell, index, store_history=store_history)
    except DeadKernelError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():  # nbclient turns a cancellation into DeadKernelError
            raise asyncio.CancelledError() from None
        run.status, run.ename = "error", "DeadKernelError"
        run.evalue = "the kernel died while running this cell (a crash, or os._exit/quit of the kernel)"
        client.needs_restart = True
        run.seconds = time.monotonic() - start
        return
    run.seconds = time.monotonic() - start
    reply = client.last_reply or {}
    content = reply.get("content", {})
    if client.last_timed_out:
        run.status, run.ename, run.evalue = "timeout", "CellTimeout", f"ran longer than {client.cell_timeout:g} s"
        client.needs_restart = client.kernel_unresponsive
    elif content.get("status") == "error":
        run.status, run.ename, run.evalue = "error", str(content.get("ename", "")), str(content.get("evalue", ""))
    elif content.get("status") == "aborted":
        run.status, run.ename, run.evalue = "error", "Aborted", "the kernel aborted this cell"
    else:
        run.status = "ok"


async def _restart_and_replay(client, nb, runs: list[CellRun]) -> None:
    """The kernel died or ignores interrupts: restart it and re-run the cells that had run fine, so the
    questions after the broken cell are graded on the state they would have had."""
    from nbclient.util import ensure_async

    await ensure_async(client.km.restart_kernel(now=True))
    await ensure_async(client.kc.wait_for_ready(timeout=client.startup_timeout))
    for earlier in runs[:-1]:
        if earlier.status == "ok":
            replay = CellRun(earlier.index, earlier.role, earlier.question, "skipped")
            await _run_cell(client, copy.deepcopy(nb.cells[earlier.index]), earlier.index, replay)
            if replay.status != "ok":
                earlier.status, earlier.ename, earlier.evalue = replay.status, replay.ename, replay.evalue
                if client.needs_restart:  # give up replaying: the remaining cells will say what they miss
                    await ensure_async(client.km.restart_kernel(now=True))
                    await ensure_async(client.kc.wait_for_ready(timeout=client.startup_timeout))
                    return
    client.needs_restart = False


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

    @property
    def score(self) -> int:
        return sum(1 for f in self.feedback if f.status == "passed")

    @property
    def max_score(self) -> int:
        """The questions the grader scores: all but open answers written (``answered``: the learner scores them)."""
        return sum(1 for f in self.feedback if f.status != "answered")

    def counts(self) -> dict[str, int]:
        from caselab.grading import STATUSES

        out = dict.fromkeys(STATUSES, 0)
        for f in self.feedback:
            out[f.status] = out.get(f.status, 0) + 1
        return out

    def by_question(self) -> dict:
        return {f.question: f for f in self.feedback}

    def __getitem__(self, qid: str):
        return self.by_question()[qid]

    def to_dict(self) -> dict:
        out = {"notebook": self.notebook, "scenario": self.scenario, "score": self.score,
               "max_score": self.max_score, "questions": [f.to_dict() for f in self.feedback]}
        if self.error is not None:
            out["error"] = self.error
        return out

    def summary(self) -> str:
        if self.error is not None:
            return f"{self.notebook}: cannot be graded — {self.error}"
        lines = [f"{self.notebook} [{self.scenario}]: {self.score} / {self.max_score}"]
        lines += [f"  {f}" for f in self.feedback]
        return "\n".join(lines)


def _foreign_note(scenario, defined: Iterable[str]) -> str:
    """A note when the notebook defines the question variables of *another* scenario."""
    from caselab import casebook

    own = {q.id for q in scenario.questions}
    names = set(defined) - own
    if not names:
        return ""
    best, hits = None, []
    try:
        ids = casebook.scenario_ids()
    except Exception:
        return ""
    for sid in ids:
        if sid == scenario.id:
            continue
        try:
            other = casebook.load(sid)
        except Exception:
            continue
        found = [q.id for q in other.questions if q.id in names]
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
    from caselab import casebook
    from caselab.grading import Feedback, check_answer

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
        coach = None
        if q.kind == "rubric":
            from caselab.coach import assess

            givens = loaded.givens if loaded.givens is not None else scenario.givens
            coach = lambda text, q=q, givens=givens: assess(q, text, scenario, solution, givens)  # noqa: E731
        fb = check_answer(q, solution.answers.get(qid), value, learner_values, coach=coach)
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
    from caselab import casebook

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
                          cells=runs, variant=loaded.variant, seconds=time.monotonic() - start, kernel_stderr=stderr)


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

