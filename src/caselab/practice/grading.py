"""Checking answers, and the small API a learner uses inside a notebook.

>>> import caselab
>>> case = caselab.case("pinterest-f1-cost")
>>> case.check("f1_baseline", 0.5478)          # doctest: +SKIP
✔ f1_baseline: correct — 0.5478 (accepted within ±0.001)

The one function that decides is :func:`check_answer`; the notebook's ``case.check`` and the pytest
grader both call it, so a learner sees in Jupyter exactly what the grader will say.

Statuses: ``passed`` | ``failed`` | ``not_answered`` (``...`` or ``None``) — and, from the grader
only, ``error`` (the answer's cell raised) and ``timeout`` (it ran past its time limit).
"""

from __future__ import annotations

import html
import math
import numbers
import os
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from caselab.scenarios.solvers import Answer
from caselab.scenarios.spec import Question, fill
from caselab.scenarios.text import format_number, worked_answer

__all__ = ["Feedback", "Case", "check_answer", "STATUSES", "MIN_RUBRIC_CHARS"]

STATUSES = ("passed", "failed", "not_answered", "error", "timeout")
MIN_RUBRIC_CHARS = 40  # shorter than this is a note to self, not an answer to score against the rubric
_MARK = {"passed": "✔", "failed": "✘", "not_answered": "…", "error": "⚠", "timeout": "⏱"}
_COLOUR = {"passed": "#1a7f37", "failed": "#cf222e", "not_answered": "#6e7781", "error": "#bc4c00",
           "timeout": "#bc4c00"}


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: a status and a message meant for the learner."""

    question: str
    status: str
    message: str
    mistake: str = ""  # the known mistake the answer matches, if any (counted per question in a gradebook)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return f"{_MARK[self.status]} {self.question}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = _COLOUR[self.status]
        body = html.escape(self.message).replace("\n", "<br>")
        return (f'<div style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0">'
                f'<b style="color:{colour}">{_MARK[self.status]} {html.escape(self.question)}</b>: {body}</div>')

    def to_dict(self) -> dict:
        out = {"id": self.question, "status": self.status, "message": self.message}
        if self.mistake:
            out["mistake"] = self.mistake
        return out


# --------------------------------------------------------------------------------------------------
# Reading a learner's value
# --------------------------------------------------------------------------------------------------
_HUGE_INT_REPR = "an integer of about"  # how caselab.practice.values describes an int too long to print


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception:  # noqa: BLE001 - e.g. an int past Python's 4300-digit printing limit
        return f"<{type(value).__name__}>"


def _quote(text: str, limit: int = 80) -> str:
    """A learner's string as feedback quotes it: ``repr``, cut to ``limit`` characters (a 10 MB answer
    gets a one-line message)."""
    shown = repr(text[: limit + 1])
    return shown if len(text) <= limit else f"{repr(text[:limit])[:-1]}…{shown[-1]} ({len(text):,} characters)"


def _not_answered(value: Any) -> bool:
    return value is None or value is Ellipsis


def as_number(value: Any) -> float | str:
    """The learner's value as a float, or a string saying why it is not a number."""
    if isinstance(value, bool | np.bool_):
        return f"a boolean ({value})"
    if isinstance(value, np.ndarray):
        if value.ndim == 0 and value.dtype.kind in "iuf":
            return float(value)
        return f"an array of shape {value.shape}"
    if isinstance(value, numbers.Real):  # int, float, Fraction, numpy integer and floating types
        try:
            return float(value)
        except OverflowError:  # an int like 10**400: as a float it is infinite
            return math.inf if value > 0 else -math.inf
    if isinstance(value, str):
        return f"the string {_quote(value)} (remove the quotes)"
    if isinstance(value, list | tuple | set | dict):
        return f"a {type(value).__name__} of {len(value)} item(s)"
    if isinstance(value, numbers.Complex):
        return f"a complex number ({value})"
    return f"a value of type {type(value).__name__}"


# --------------------------------------------------------------------------------------------------
# The verdict
# --------------------------------------------------------------------------------------------------
def check_answer(question: Question, answer: Answer | None, value: Any,
                 learner_values: dict[str, Any] | None = None) -> Feedback:
    """Judge a learner's ``value`` for ``question`` against the solver's ``answer``.

    ``learner_values`` holds the learner's answers to other questions (by question id): when this
    answer is computed from earlier ones, a value consistent with the learner's own earlier answers
    passes, and the message says so (error carried forward).
    """
    qid = question.id
    if _not_answered(value):
        what = {"number": "a number", "rubric": "your answer in a string"}.get(question.kind, "one of the options")
        return Feedback(qid, "not_answered", f"not answered yet: replace `...` with {what}.")
    if question.kind == "rubric":
        return _check_rubric(question, value)
    assert answer is not None, f"no computed answer for {qid}"
    if question.kind == "number":
        return _check_number(question, answer, value, learner_values or {})
    return _check_option(question, answer, value, learner_values or {})


def _check_number(question: Question, answer: Answer, value: Any, learner_values: dict) -> Feedback:
    qid, tol = question.id, question.accepted
    x = as_number(value)
    if isinstance(x, str):
        return Feedback(qid, "failed", f"wrong type: expected a single number (int or float); got {x}.")
    if math.isnan(x):
        return Feedback(qid, "failed", "your answer is NaN (not a number): a 0/0 or a missing value upstream? "
                                       "Expected a finite number.")
    if math.isinf(x):
        if isinstance(value, int | np.integer) or _HUGE_INT_REPR in _safe_repr(value):  # 10**5000 (or its stand-in)
            shown = (_safe_repr(value) if not isinstance(value, int | np.integer)
                     else f"{_HUGE_INT_REPR} {int(int(value).bit_length() * 0.30103) + 1} digits")
            return Feedback(qid, "failed", f"your answer is {shown}, beyond any number this question could have: "
                                           "expected a finite number (a float or a modest int).")
        return Feedback(qid, "failed", f"your answer is {x}: a division by zero upstream? Expected a finite number.")
    truth = float(answer.value)
    band = f"accepted within {tol.describe()}"
    if tol.accepts(x, truth):
        return Feedback(qid, "passed", f"correct — {format_number(x)} ({band}).")

    own = _recompute_from_own(answer, learner_values)
    if own is not None and isinstance(own, int | float) and tol.accepts(x, float(own)):
        used = ", ".join(f"{d} = {format_number(float(as_number(learner_values[d])))}" for d in answer.depends_on)
        return Feedback(qid, "passed", f"consistent with your own earlier answers ({used}): the method is right. "
                                       "Those earlier answers are off — fix them and this one follows.")
    for mistake, wrong in answer.mistakes.items():
        if isinstance(wrong, int | float) and math.isfinite(wrong) and tol.accepts(x, wrong) \
                and not tol.accepts(wrong, truth):
            return Feedback(qid, "failed", f"not accepted — {format_number(x)} is what you get from a known mistake: "
                                           f"{mistake}.", mistake=mistake)
    direction = "too high" if x > truth else "too low"
    return Feedback(qid, "failed", f"not accepted — {format_number(x)} is {direction} (answers {band} of the correct "
                                   "value pass). Try case.hint(...) for a nudge.")


def _check_option(question: Question, answer: Answer, value: Any, learner_values: dict) -> Feedback:
    qid = question.id
    options = ", ".join(repr(o) for o in question.options)
    if not isinstance(value, str):
        return Feedback(qid, "failed", f"wrong type: expected one of the options as a string ({options}); got "
                                       f"{as_number(value) if not isinstance(value, numbers.Real) else repr(value)}.")
    chosen = next((o for o in question.options if o.casefold() == value.strip().casefold()), None)
    if chosen is None:
        return Feedback(qid, "failed", f"{_quote(value)} is not one of the options: {options}.")
    if chosen == answer.value:
        return Feedback(qid, "passed", f"correct — {chosen!r}.")
    own = _recompute_from_own(answer, learner_values)
    if own is not None and own == chosen:
        return Feedback(qid, "passed", f"consistent with your own earlier answers ({', '.join(answer.depends_on)}): "
                                       "the reasoning is right; fix those and this follows.")
    for mistake, wrong in answer.mistakes.items():
        if wrong == chosen:
            return Feedback(qid, "failed", f"not this one — {mistake}.", mistake=mistake)
    return Feedback(qid, "failed", f"not this one — {chosen!r}. Try case.hint({qid!r}).")


def _check_rubric(question: Question, value: Any) -> Feedback:
    qid = question.id
    if not isinstance(value, str):
        return Feedback(qid, "failed", f"wrong type: write your answer as a string (in quotes); got "
                                       f"{type(value).__name__}.")
    if len(value.strip()) < MIN_RUBRIC_CHARS:
        return Feedback(qid, "not_answered", f"too short to score ({len(value.strip())} characters): answer in a few "
                                             "sentences, as you would out loud.")
    points = "\n".join(f"  □ {p}" for p in question.points)
    return Feedback(qid, "passed", f"answered. Score yourself — does your answer make these points?\n{points}")


def _recompute_from_own(answer: Answer, learner_values: dict) -> float | str | None:
    """This answer recomputed from the learner's own earlier answers, if all of them are usable numbers."""
    if not answer.depends_on or answer.recompute is None:
        return None
    values = {}
    for dep in answer.depends_on:
        v = learner_values.get(dep)
        if isinstance(v, str):
            values[dep] = v
            continue
        x = as_number(v) if not _not_answered(v) else "missing"
        if isinstance(x, str) or not math.isfinite(x):
            return None
        values[dep] = x
    try:
        return answer.recompute(values)
    except (ArithmeticError, ValueError, TypeError, KeyError):
        return None


# --------------------------------------------------------------------------------------------------
# The learner's API
# --------------------------------------------------------------------------------------------------
class _Text(str):
    """A string that shows as Markdown in Jupyter and as itself elsewhere."""

    def _repr_markdown_(self) -> str:
        from caselab.scenarios.text import escape_markdown

        return escape_markdown(str(self))

    def __repr__(self) -> str:
        return str(self)


class Case:
    """One scenario, for a learner working in a notebook.

    ``case.check(qid, value)``, ``case.hint(qid)``, ``case.solution(qid)``, ``case.progress()``;
    ``case.givens`` is a copy of the givens, ``case.questions`` the question ids.
    """

    def __init__(self, ref, *, givens: dict | None = None, variant: int | None = None):
        from caselab.scenarios import casebook

        self.scenario = casebook.load(ref)
        self.variant = variant
        if givens is None and variant is not None:
            from caselab.scenarios import variants  # drills

            givens = variants.draw(self.scenario, variant)
        self._givens = dict(givens) if givens is not None else dict(self.scenario.givens)
        self._solution = None
        self._results: dict[str, Feedback] = {}
        self._journal_ok = True

    def __repr__(self) -> str:
        s = self.scenario
        return (f"<caselab case {s.id!r}: {s.title} — {len(s.questions)} questions; "
                "case.check(id, value), case.hint(id), case.solution(id), case.progress()>")

    @property
    def givens(self) -> dict:
        import copy

        return copy.deepcopy(self._givens)

    @property
    def questions(self) -> list[str]:
        return [q.id for q in self.scenario.questions]

    @property
    def solution_data(self):
        """The solver's :class:`~caselab.solvers.Solution` (computed once, when first needed)."""
        if self._solution is None:
            from caselab.scenarios import casebook

            self._solution = casebook.solve(self.scenario, self._givens)
        return self._solution

    def _journal(self, qid: str, event: str, status: str | None = None) -> None:
        # CASELAB_NO_JOURNAL is set by the grader: grading a notebook must not rewrite a learner's history.
        if not self._journal_ok or os.environ.get("CASELAB_NO_JOURNAL"):
            return
        try:
            from caselab.practice import journal
        except ImportError:  # the progress journal is optional
            self._journal_ok = False
            return
        try:
            journal.record(self.scenario.id, qid, event, status, kind=self.scenario.question(qid).kind)
        except Exception as e:  # a journal problem must never break a learner's check
            self._journal_ok = False
            print(f"(caselab: progress not saved — {e})", file=sys.stderr)

    def check(self, qid: str, value: Any = Ellipsis, /) -> Feedback:
        """Check an answer. With no value, the variable named ``qid`` in your notebook is checked."""
        question = self.scenario.question(qid)
        frame = sys._getframe(1)  # the notebook's namespace (globals there): for error carried forward
        caller = {**frame.f_globals, **frame.f_locals}
        if value is Ellipsis and qid in caller:
            value = caller[qid]
        answer = self.solution_data.answers.get(qid)
        feedback = check_answer(question, answer, value, caller)
        self._results[qid] = feedback
        self._journal(qid, "check", feedback.status)
        return feedback

    def hint(self, qid: str) -> _Text:
        """A nudge for one question."""
        question = self.scenario.question(qid)
        self._journal(qid, "hint")
        hint = fill(question.hint, self._givens) if question.hint else "no hint for this one: re-read the story and givens."
        return _Text(f"**Hint ({qid})** — {hint}")

    def solution(self, qid: str) -> _Text:
        """The worked answer of one question: the value, the formula, the numbers and the code."""
        question = self.scenario.question(qid)
        self._journal(qid, "solution")
        answer = None if question.kind == "rubric" else self.solution_data.answers[qid]
        return _Text(f"**Worked answer ({qid})**\n\n"
                     + worked_answer(question, answer, self._givens, model_answer=True, code=True,
                                   answers={k: a.value for k, a in self.solution_data.answers.items()}))

    def progress(self) -> _Text:
        """What you have checked so far in this session, question by question."""
        rows = ["| question | status | |", "|---|---|---|"]
        for q in self.scenario.questions:
            fb = self._results.get(q.id)
            rows.append(f"| {q.id} | {_MARK[fb.status] + ' ' + fb.status if fb is not None else '—'} | {q.kind} |")
        done = sum(1 for fb in self._results.values() if fb.passed)
        return _Text(f"**{self.scenario.id}**: {done} / {len(self.scenario.questions)} passed\n\n" + "\n".join(rows))


def case(ref, *, variant: int | None = None, givens: dict | None = None) -> Case:
    """Open a scenario by id or spec path: ``case = caselab.case("pinterest-f1-cost")``."""
    return Case(ref, variant=variant, givens=givens)
