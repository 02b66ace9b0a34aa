"""The progress journal: what a learner attempted, and what to review next.

One small JSON file (``$CASELAB_HOME/journal.json``, default ``~/.local/share/caselab/``) holds, per
scenario and question: attempts, passes, the last status, hints and solutions viewed, and when; and
per question a spaced-repetition *card* (FSRS, :mod:`caselab.practice.schedule`) that every check,
hint, solution view, mock answer and self-score reviews. ``caselab next`` and ``caselab progress``
read the cards; ``caselab mock`` asks due cards first.

Version 1 journals (no cards) are migrated when read: each question answered before gets a card
reviewed once, at its last activity, with the rating its history implies.

Safety, because a learner's history is worth keeping:

* **Atomic writes** — the new content goes to a temporary file in the same folder, is flushed to disk,
  then renamed over the old one (``os.replace`` is atomic on POSIX). A crash mid-write leaves the old
  journal intact, never half a file.
* **A lock** around read-modify-write, so two notebooks checking at once do not lose an update.
* **A corrupted or foreign file is set aside, not overwritten**: it is renamed to
  ``journal.json.corrupt-<time>`` and a warning says so; a fresh journal starts beside it.
* **What cannot be read safely is left alone**: a journal from a newer caselab, or a folder where the
  file should be, raises :class:`JournalError` with what to do; a journal that is a symbolic link is
  written through the link (the link stays).

Who may write it — one rule, :func:`may_write`: only the learner's own session (their Jupyter kernel,
their ``caselab mock``). Whatever executes a notebook *for* someone else — the grader, the guide build,
tests — starts its kernel with :func:`executor_env`, which sets ``CASELAB_NO_JOURNAL=1``; ``case.check``
asks :func:`may_write` before recording anything. Checking ``...`` (an untouched answer) is no attempt
and is never recorded.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import time
from pathlib import Path

from caselab.notebooks.kernel_env import NO_JOURNAL_ENV, executor_env

__all__ = ["journal_path", "load", "record", "record_mock", "summary", "review_topics", "JournalWarning",
           "JournalError", "migrate", "may_write", "executor_env", "NO_JOURNAL_ENV"]

FORMAT = "caselab-journal"
VERSION = 2
MAX_REVIEWS = 20_000  # the review log keeps the newest; cards and counts keep everything that matters
GRADING_ENV = "CASELAB_GRADING"  # set by the grader in its kernels: grading is never the learner's session


def may_write(environ=None) -> bool:
    """Whether this process may write the learner's journal: the one rule.

    Only the learner's own session writes (their kernel in Jupyter, their terminal mock). A process started
    to execute a notebook for anyone else — the grader, ``caselab guide``, the tests — carries
    ``CASELAB_NO_JOURNAL`` (set by :func:`~caselab.notebooks.kernel_env.executor_env`) or
    ``CASELAB_GRADING`` in its environment, and writes nothing: every write (:func:`record`,
    :func:`record_mock`) asks this first.
    """
    env = os.environ if environ is None else environ
    return not any(env.get(var, "") not in ("", "0") for var in (NO_JOURNAL_ENV, GRADING_ENV))


class JournalWarning(UserWarning):
    """The journal file was unreadable or foreign and has been set aside."""


class JournalError(RuntimeError):
    """The journal cannot be used as it is (newer version, a folder in its place); the message says why."""


def journal_path() -> Path:
    home = os.environ.get("CASELAB_HOME")
    if home:
        return Path(home) / "journal.json"
    data = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(data) / "caselab" / "journal.json"


def _empty() -> dict:
    return {"format": FORMAT, "version": VERSION, "scenarios": {}, "mocks": [], "cards": {}, "reviews": []}


def migrate(data: dict) -> dict:
    """A journal of an older version brought up to :data:`VERSION` (in memory; saved on the next write).

    Version 1 → 2: a card per question answered before, reviewed once at its last activity: Good if its
    last check passed cleanly, Hard if it passed after misses or help, Again otherwise.
    """
    from datetime import UTC, datetime

    from caselab.practice import schedule

    if data.get("version", 1) < 2:
        cards = data.setdefault("cards", {})
        data.setdefault("reviews", [])
        for sid, questions in data.get("scenarios", {}).items():
            for qid, q in questions.items():
                if not isinstance(q, dict) or not (q.get("attempts") or q.get("hints") or q.get("solutions")):
                    continue
                helped = q.get("hints", 0) or q.get("solutions", 0) or q.get("attempts", 0) > q.get("passed", 0)
                rating = (schedule.Rating.Again if q.get("last_status") != "passed"
                          else schedule.Rating.Hard if helped else schedule.Rating.Good)
                when = datetime.fromtimestamp(float(q.get("last") or q.get("first") or 0) or 1, UTC)
                cards[schedule.card_key(sid, qid)] = schedule.review(None, rating, when)
        data["version"] = 2
        data["migrated_from"] = 1
    return data


def _valid(data) -> bool:
    return (isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("scenarios"), dict)
            and isinstance(data.get("mocks", []), list))


def _set_aside(path: Path, why: str) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, target)
    import warnings

    warnings.warn(f"caselab: the progress journal {path} {why}; it was set aside as {target.name} "
                  "and a new journal was started.", JournalWarning, stacklevel=3)
    return target


def load(path: Path | None = None) -> dict:
    """The journal's content (migrated to this version); an unreadable or foreign file is set aside."""
    path = path or journal_path()
    if path.is_dir():
        raise JournalError(f"the progress journal {path} is a folder, not a file: move it away, or set "
                           "CASELAB_HOME to another folder.")
    if not path.exists():
        return _empty()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        _set_aside(path, "is not valid JSON (corrupted?)")
        return _empty()
    except OSError as e:
        raise JournalError(f"the progress journal {path} cannot be read ({e.strerror or e}).") from None
    if not _valid(data):
        _set_aside(path, "is not a caselab journal")
        return _empty()
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version > VERSION:
        raise JournalError(f"the progress journal {path} was written by a newer caselab (journal version "
                           f"{version!r}; this caselab reads up to {VERSION}): upgrade caselab to use it. It "
                           "was left as it is.")
    data = migrate(data)
    data.setdefault("cards", {})
    data.setdefault("reviews", [])
    return data


def _atomic_write(path: Path, data: dict) -> None:
    if path.is_symlink():  # write through the link: replacing it would cut the learner's link
        path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _update(mutate, path: Path | None = None) -> dict | None:
    """Read, ``mutate`` and write the journal under the lock; nothing at all where :func:`may_write` refuses."""
    if not may_write():
        return None
    path = path or journal_path()
    with _locked(path):
        data = load(path)
        mutate(data)
        _atomic_write(path, data)
    return data


EVENTS = ("check", "mock", "hint", "solution", "self_score")


def record(scenario: str, question: str, event: str, status: str | None = None, *,
           seconds: float | None = None, path: Path | None = None, kind: str = "number",
           score: float | None = None, late: bool = False, now: float | None = None) -> None:
    """Record one event and review the question's card with the rating it earns.

    ``event``: ``check`` (in a notebook) or ``mock`` (with its ``status``), ``hint``, ``solution``, or
    ``self_score`` (``score``: the share of rubric points claimed, 0–1). ``...`` — status
    ``not_answered`` — is not an attempt: nothing is recorded. ``kind``: the question's kind, ``late``:
    a mock answer given after the clock ran out, ``now``: the time (seconds since the epoch; tests).
    """
    from datetime import UTC, datetime

    from caselab.practice import schedule

    if event not in EVENTS:
        raise ValueError(f"event must be one of {', '.join(EVENTS)}; got {event!r}")
    if event in ("check", "mock") and status in (None, "not_answered"):
        return  # `...` is not an attempt
    now = time.time() if now is None else now

    def mutate(data):
        q = data["scenarios"].setdefault(scenario, {}).setdefault(question, {
            "attempts": 0, "passed": 0, "hints": 0, "solutions": 0, "last_status": None, "first": now})
        since = q.get("since_pass", {"misses": 0, "hints": 0, "solutions": 0})
        rating = schedule.rating_for(event, status, kind=kind, seconds=seconds, earlier_misses=since["misses"],
                                     hints=since["hints"], solutions=since["solutions"], late=late, score=score)
        if event in ("check", "mock"):
            q["attempts"] += 1
            q["passed"] += status == "passed" and not late
            q["last_status"] = "late" if late and status == "passed" else status
            if seconds is not None:
                q["seconds"] = round(q.get("seconds", 0.0) + seconds, 1)
            since = ({"misses": 0, "hints": 0, "solutions": 0} if status == "passed"
                     else {**since, "misses": since["misses"] + 1})
        elif event == "self_score":  # the learner's own score of an open answer is its attempt
            q["self_score"] = score
            q["attempts"] += 1
            q["passed"] += status == "passed"
            q["last_status"] = status or "self_scored"
        else:
            q[event + "s"] += 1
            since = {**since, event + "s": since[event + "s"] + 1}
        q["since_pass"] = since
        q["last"] = now
        if rating is not None:
            key = schedule.card_key(scenario, question)
            when = datetime.fromtimestamp(now, UTC)
            data["cards"][key] = schedule.review(data["cards"].get(key), rating, when)
            data["reviews"].append({"card": key, "event": event, "rating": int(rating), "at": round(now, 1)})
            del data["reviews"][:-MAX_REVIEWS]

    _update(mutate, path)


def record_mock(entry: dict, path: Path | None = None) -> None:
    """Append the summary of one mock interview."""
    _update(lambda data: data.setdefault("mocks", []).append(entry), path)


def summary(data: dict | None = None) -> list[dict]:
    """One row per scenario: questions seen; passed, consistent and late (by last status); attempts, hints,
    solutions."""
    data = data if data is not None else load()
    rows = []
    for sid, questions in sorted(data["scenarios"].items()):
        rows.append({
            "scenario": sid,
            "questions": len(questions),
            "passed": sum(1 for q in questions.values() if q.get("last_status") == "passed"),
            # error carried forward, and answers after a mock's time was up: named, never counted as passed
            "consistent": sum(1 for q in questions.values() if q.get("last_status") == "consistent"),
            "late": sum(1 for q in questions.values() if q.get("last_status") == "late"),
            "attempts": sum(q.get("attempts", 0) for q in questions.values()),
            "hints": sum(q.get("hints", 0) for q in questions.values()),
            "solutions": sum(q.get("solutions", 0) for q in questions.values()),
            "last": max((q.get("last", 0) for q in questions.values()), default=0),
        })
    return rows


def weakness(data: dict, scenario: str) -> float:
    """How much a scenario needs review: failures and peeks count, a pass makes up for a failure."""
    qs = data["scenarios"].get(scenario, {})
    score = 0.0
    for q in qs.values():
        failed = q.get("attempts", 0) - q.get("passed", 0)
        score += failed + 0.5 * q.get("hints", 0) + 1.0 * q.get("solutions", 0)
        if q.get("last_status") == "passed":
            score -= 1.0
    return max(score, 0.0)


def review_topics(scenarios, data: dict | None = None, top: int = 5) -> list[tuple[str, float]]:
    """The topics to review next: weakness summed over the scenarios that carry each topic."""
    data = data if data is not None else load()
    totals: dict[str, float] = {}
    for s in scenarios:
        w = weakness(data, s.id)
        if w:
            for t in s.topics:
                totals[t] = totals.get(t, 0.0) + w
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:top]

