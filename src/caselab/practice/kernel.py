"""Executing a notebook's cells in a fresh Jupyter kernel: per-cell timeouts, interrupts, restarts.

The shell channel is polled in short slices (nbclient #312), a cell past its limit is interrupted,
and a kernel that dies or ignores the interrupt is restarted and the cells that ran fine replayed.

Each notebook runs in a temporary working folder of its own (deleted afterwards), so one submission's
cells cannot write beside another's by a relative path; and every process the kernel started is ended
with it — its process group, and (Linux) any descendant that left the group (a forked, setsid'd
daemon): each kernel's environment carries a fresh token that its descendants inherit, and the grader
ends every process carrying it. The grading process is also a *child subreaper*, so it can reap them.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import json
import logging
import os
import re
import signal
import tempfile
import time
import uuid
from dataclasses import dataclass
from queue import Empty
from typing import Any

from caselab.notebooks.kernel_env import executor_env
from caselab.practice.submission import LoadedNotebook
from caselab.practice.values import VALUES_MIME, _collector_source

DEFAULT_TIMEOUT = 30.0
POLL_SLICE = 1.0  # seconds: the shell channel is polled in slices this long (nbclient #312)
INTERRUPT_GRACE = 5.0  # seconds a kernel gets to answer an interrupt before it is restarted
IOPUB_WAIT = 10  # seconds to wait, after a cell's reply, for its last outputs (only late outputs wait)
NOISE = (  # kernel start-up chatter that is not the learner's business
    re.compile(r"Kernel is running over TCP without encryption"),
    re.compile(r"Debugger warning: It seems that frozen modules are being used"),
    re.compile(r"Make sure to use Python >= 3\.11|PYDEVD_DISABLE_FILE_VALIDATION|-Xfrozen_modules=off|to python to disable frozen"),
)
_SKIPPABLE = {  # generated cells the grader does not need to run (see also _display_only_explorers)
    "check": re.compile(r"^\s*case\.check\(\s*(['\"])(?P<q>\w+)\1\s*(,\s*(?P=q)\s*)?\)\s*;?\s*$"),
    "progress": re.compile(r"^\s*case\.progress\(\s*\)\s*;?\s*$"),
}


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
    from nbclient.util import ensure_async, run_sync

    class GradingClient(NotebookClient):
        """nbclient, polling the shell channel in short slices (no false timeouts: nbclient #312),
        recording each cell's reply, and interrupting a cell that runs past its (float) limit."""

        cell_timeout: float | None = None

        def _get_timeout(self, cell):
            return self.cell_timeout

        async def _async_cleanup_kernel(self) -> None:
            # nbclient cleans up twice when a kernel does not get ready in time (where it waited, then in the
            # atexit callback it leaves registered), and the second time asserts that a manager is left: the
            # learner would see an AssertionError printed as the grader exits.
            if self.km is not None:
                await super()._async_cleanup_kernel()

        _cleanup_kernel = run_sync(_async_cleanup_kernel)  # (nbclient's is bound to its own coroutine)

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


_QUIET_LOG = logging.getLogger("caselab.practice.runner.nbclient")  # nbclient's own chatter ("Interrupting kernel", …)
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
    """Run the copy cell by cell, then the collector. Returns (cells, collected, collector_problem, stderr).

    The kernel's working folder is a fresh temporary folder; when the notebook is done, the kernel's
    process group and every process it left behind are ended."""

    become_subreaper()
    with tempfile.TemporaryDirectory(prefix="caselab-grade-") as workdir:
        return await _execute_in(loaded, timeout, workdir)


async def _execute_in(loaded: LoadedNotebook, timeout: float | None, workdir: str):
    from caselab.notebooks.kernels import launch_kwargs

    nb = copy.deepcopy(loaded.nb)
    timeout = None if timeout is None or timeout <= 0 else float(timeout)
    client = _client_class()(
        nb, kernel_name="python3", allow_errors=True, interrupt_on_timeout=True, record_timing=False,
        error_on_timeout={"ename": "CellTimeout", "evalue": f"the cell ran longer than {timeout:g} s",
                          "traceback": []} if timeout else None,
        resources={"metadata": {"path": workdir}},
        store_widget_state=False, startup_timeout=60, log=_QUIET_LOG,
        shutdown_kernel="immediate",  # nothing to save in a grading kernel; a graceful stop costs ~1.5 s
        iopub_timeout=IOPUB_WAIT,
    )
    client.cell_timeout = timeout
    # executor_env: grading must not rewrite the learner's progress journal (the one rule: journal.may_write)
    token = uuid.uuid4().hex
    env = executor_env(CASELAB_GRADING="1", PYDEVD_DISABLE_FILE_VALIDATION="1", **{TOKEN_ENV: token})
    # Kernels run side by side (--caselab-jobs): one BLAS/OpenMP thread each, or they oversubscribe the cores
    # (a scikit-learn fit was seen 20x slower on a loaded 2-core machine).
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    env.update(_widget_env(loaded))
    kernel_kwargs: dict[str, Any] = {"env": env}
    kernel_kwargs.update(launch_kwargs())  # encrypted where supported: no "without encryption" warning

    runs: list[CellRun] = []
    collected: dict | None = None
    problem = ""
    with tempfile.TemporaryFile(mode="w+b") as stderr_file:
        kernel_kwargs["stdout"] = kernel_kwargs["stderr"] = stderr_file  # not the grader's terminal
        try:
            async with client.async_setup_kernel(**kernel_kwargs):
                runs, collected, problem = await _run_all(client, nb, loaded, timeout)
        finally:  # the kernel is gone (its process group killed): end what it left, setsid'd or not
            end_strays(processes_with_token(token))
        stderr_file.seek(0)
        stderr = _kernel_stderr_filtered(stderr_file.read().decode("utf-8", "replace"))
    return runs, collected, problem, stderr


async def _run_all(client, nb, loaded: LoadedNotebook, timeout: float | None):
    """Every runnable cell in order (restarting a dead kernel), then the collector cell."""
    runs: list[CellRun] = []
    collected: dict | None = None
    problem = ""
    display_only = _display_only_explorers(loaded)
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
    return runs, collected, problem


# --------------------------------------------------------------------------------------------------
# Containment: every process a kernel started ends with it
# --------------------------------------------------------------------------------------------------
@functools.cache
def become_subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants (Linux ``PR_SET_CHILD_SUBREAPER``).

    A process a learner's cell double-forks and ``setsid``-s is found by its run token
    (:func:`processes_with_token`) and killed; as a subreaper this process is its parent by then, so
    :func:`end_strays` can also reap it (no zombie left). Returns False where the call is not available."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER = 36
    except (OSError, AttributeError):
        return False


TOKEN_ENV = "CASELAB_GRADING_RUN"  # a fresh token per notebook, inherited by everything its kernel starts


def processes_with_token(token: str) -> set[int]:
    """Live processes whose environment carries ``TOKEN_ENV=token``: the kernel and all it started."""
    needle = f"{TOKEN_ENV}={token}".encode()
    found = set()
    for entry in os.scandir("/proc") if os.path.isdir("/proc") else ():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                with open(f"/proc/{entry.name}/environ", "rb") as f:
                    if needle in f.read().split(b"\0"):
                        found.add(int(entry.name))
            except OSError:
                continue
    return found


def end_strays(pids: set[int]) -> int:
    """SIGKILL ``pids`` and reap the ones re-parented to us. Returns how many were still alive."""
    ended = 0
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
            ended += 1
    for pid in pids:  # orphans re-parented to this subreaper are our children now: leave no zombie
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, 0)
    return ended


def _widget_env(loaded: LoadedNotebook) -> dict[str, str]:
    """A question answered by setting an explorer's slider reads the slider in its answer cell; in a fresh
    kernel the slider would start at its default. caselab.widgets.grading_env turns the values recorded in
    the saved notebook into an environment variable that makes each explorer start where the learner left it."""
    if not any(getattr(q, "widget", None) for q in loaded.scenario.questions):
        return {}  # (importing caselab.widgets costs ~0.7 s: only when a question needs it)
    try:
        from caselab.notebooks import widgets

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
