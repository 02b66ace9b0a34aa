"""The environment of a kernel that caselab starts to execute a notebook for anyone but the learner.

The grader, the guide build and the tests execute notebooks headless. Whatever runs there is not the
learner practising, so it must not write the learner's progress journal:
:func:`caselab.practice.journal.may_write` — the one rule — refuses in a process whose environment
carries :data:`NO_JOURNAL_ENV`, and every such executor starts its kernel with :func:`executor_env`.
"""

from __future__ import annotations

import os

__all__ = ["NO_JOURNAL_ENV", "executor_env"]

NO_JOURNAL_ENV = "CASELAB_NO_JOURNAL"


def executor_env(base=None, **extra: str) -> dict[str, str]:
    """``base`` (default: this process's environment) plus ``extra``, with ``CASELAB_NO_JOURNAL=1``.

    Returns a new dict for ``NotebookClient.execute(env=...)`` / ``async_setup_kernel(env=...)``.
    """
    return {**(os.environ if base is None else base), **extra, NO_JOURNAL_ENV: "1"}
