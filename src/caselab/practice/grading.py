"""Checking answers, and the small API a learner uses inside a notebook.

>>> import caselab
>>> case = caselab.case("pinterest-f1-cost")
>>> case.check("f1_baseline", 0.5478)          # doctest: +SKIP
✔ f1_baseline: correct — 0.5478 (accepted within ±0.001)

The one function that decides is :func:`check_answer`; the notebook's ``case.check`` and the pytest
grader both call it, so a learner sees in Jupyter exactly what the grader will say.

Statuses (:data:`STATUSES`): ``passed`` (correct) | ``consistent`` (wrong, but what the learner's own
earlier wrong answers give with the right method: error carried forward — never counted as correct) |
``failed`` | ``not_answered`` (``...`` or ``None``) | ``answered`` (an open answer written but not scored:
the coach's point-by-point estimate is feedback, the score is the learner's own, given with ``case.score``)
| ``error`` (the answer's cell raised) | ``timeout`` (the grader only: it ran past its time limit). The
mock adds ``late`` (answered after the time was up). A score counts ``passed`` only; :func:`score_line`
says the rest in words.
"""

from __future__ import annotations

import html
import math
import numbers
import re
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from caselab.scenarios.solvers import Answer
from caselab.scenarios.spec import Question, fill
from caselab.scenarios.text import format_number, worked_answer

__all__ = ["Feedback", "Case", "check_answer", "self_score", "score_line", "answer_error_message", "STATUSES",
           "MIN_RUBRIC_CHARS"]

STATUSES = ("passed", "consistent", "failed", "not_answered", "answered", "error", "timeout")
MIN_RUBRIC_CHARS = 40  # shorter than this is a note to self, not an answer to score against the rubric
_MARK = {"passed": "✔", "consistent": "≈", "failed": "✘", "not_answered": "…", "answered": "✎", "error": "⚠",
         "timeout": "⏱", "late": "⏱"}
_COLOUR = {"passed": "#1a7f37", "consistent": "#9a6700", "failed": "#cf222e", "not_answered": "#6e7781",
           "answered": "#0969da", "error": "#bc4c00", "timeout": "#bc4c00", "late": "#bc4c00"}


def score_line(statuses, total: int | None = None) -> str:
    """The score in words: ``"9 correct, 2 consistent with your earlier answers, of 13"``.

    ``statuses`` are the statuses of the questions graded (or Feedback objects); ``total`` the number of
    questions (default: how many statuses there are). Only ``passed`` counts as correct; answers consistent
    with the learner's own earlier wrong answers are named apart and never added to the correct ones.
    """
    statuses = [getattr(s, "status", s) for s in statuses]
    total = len(statuses) if total is None else total
    correct, consistent = statuses.count("passed"), statuses.count("consistent")
    middle = f", {consistent} consistent with your earlier answers" if consistent else ""
    return f"{correct} correct{middle}, of {total}"


def answer_error_message(qid: str, ename: str, evalue: str) -> str:
    """What to say when the answer cell of ``qid`` raised ``ename: evalue`` (the notebook and the grader
    both say it): the exception, and for the two a learner meets most, what it usually means."""
    text = f"{ename}: {evalue}" if evalue else ename
    if ename in ("NameError", "UnboundLocalError"):
        why = ("a name used there is not defined — a typo, or a variable of a cell that has not run yet; "
               "fix the name (the givens table lists the ones you have) and run the cell again")
    elif ename == "KeyError":
        why = ("that key is not in the dictionary — check its spelling against the givens table (e.g. "
               "baseline['precision'])")
    else:
        return f"{text} in the answer cell of {qid}"
    return f"{text} in the answer cell of {qid}: {why}"


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: a status and a message meant for the learner."""

    question: str
    status: str
    message: str
    mistake: str = ""  # the known mistake the answer matches, if any (counted per question in a gradebook)
    share: float | None = None  # a self-score: the share of rubric points the learner claims (0–1)

    @property
    def passed(self) -> bool:
        """Correct (``consistent`` is not: error carried forward is a right method on wrong inputs)."""
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
                 learner_values: dict[str, Any] | None = None, *, coach=None) -> Feedback:
    """Judge a learner's ``value`` for ``question`` against the solver's ``answer``.

    An open (rubric) answer is never scored here: it is ``answered``, and ``coach(text)`` — when given, a
    function returning a :class:`caselab.practice.coach.CoachReport` — adds the coach's point-by-point estimate.

    ``learner_values`` holds the learner's answers to other questions (by question id): when this
    answer is computed from earlier ones, a value consistent with the learner's own (wrong) earlier
    answers gets the status ``consistent`` — not ``passed`` — and the message says so (error carried
    forward).
    """
    qid = question.id
    if _not_answered(value):
        what = {"number": "a number", "rubric": "your answer in a string"}.get(question.kind, "one of the options")
        return Feedback(qid, "not_answered", f"not answered yet: replace `...` with {what}.")
    if question.kind == "rubric":
        return _check_rubric(question, value, coach)
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
        return Feedback(qid, "consistent", f"consistent with your own earlier answers ({used}): the method is "
                                           "right, but those earlier answers are off, so this is not correct "
                                           "yet — fix them and this one follows.")
    for mistake, wrong in answer.mistakes.items():
        if isinstance(wrong, int | float) and math.isfinite(wrong) and tol.accepts(x, wrong) \
                and not tol.accepts(wrong, truth):
            return Feedback(qid, "failed", f"not accepted — {format_number(x)} is what you get from a known mistake: "
                                           f"{mistake}.", mistake=mistake)
    direction = "too high" if x > truth else "too low"
    return Feedback(qid, "failed", f"not accepted — {format_number(x)} is {direction} (answers {band} of the correct "
                                   f"value pass). Try case.hint({qid!r}) for a nudge.")


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
        return Feedback(qid, "consistent", f"consistent with your own earlier answers "
                                           f"({', '.join(answer.depends_on)}): the reasoning is right, but those "
                                           "answers are off, so this is not correct yet — fix them and this "
                                           "follows.")
    for mistake, wrong in answer.mistakes.items():
        if wrong == chosen:
            return Feedback(qid, "failed", f"not this one — {mistake}.", mistake=mistake)
    return Feedback(qid, "failed", f"not this one — {chosen!r}. Try case.hint({qid!r}).")


def _check_rubric(question: Question, value: Any, coach=None) -> Feedback:
    qid = question.id
    if not isinstance(value, str):
        return Feedback(qid, "failed", f"wrong type: write your answer as a string (in quotes); got "
                                       f"{type(value).__name__}.")
    if len(value.strip()) < MIN_RUBRIC_CHARS:
        return Feedback(qid, "not_answered", f"too short to score ({len(value.strip())} characters): answer in a few "
                                             "sentences, as you would out loud.")
    head = (f"answered, not scored — an open answer is scored by you: compare it with the rubric, then "
            f"case.score({qid!r}, <the numbers of the points you made>).")
    if coach is not None:
        from caselab.practice.coach import format_report

        return Feedback(qid, "answered", f"{head}\n{format_report(coach(value))}")
    points = "\n".join(f"  □ {k}. {p}" for k, p in enumerate(question.points, 1))
    return Feedback(qid, "answered", f"{head}\n{points}")


def self_score(question: Question, points, coverage: float | None = None) -> Feedback:
    """The learner's own score of an open answer: ``points`` made out of the rubric's.

    ``points``: how many points you made (an int), or which ones (1-based numbers, e.g. ``[1, 3, 4]``).
    Passed when the share reaches :data:`caselab.practice.coach.PASS_MARK`. ``coverage``: the coach's estimate, shown
    next to the self-score for comparison (it never changes the score).
    """
    from caselab.practice.coach import PASS_MARK

    qid, n = question.id, len(question.points)
    if question.kind != "rubric":
        raise ValueError(f"{qid} is a {question.kind} question: case.score is for open (rubric) questions; "
                         f"use case.check({qid!r}, value).")
    if isinstance(points, bool) or not isinstance(points, int | list | tuple | set | range):
        raise TypeError(f"case.score({qid!r}, points): give how many of the {n} points you made (an int) or which "
                        f"ones (a list of numbers 1..{n}); got {points!r}.")
    if isinstance(points, int):
        if not 0 <= points <= n:
            raise ValueError(f"case.score({qid!r}, {points}): {qid} has {n} rubric points; give 0..{n}.")
        hit = points
    else:
        chosen = set(points)
        bad = sorted(str(p) for p in chosen if isinstance(p, bool) or not isinstance(p, int) or not 1 <= p <= n)
        if bad:
            raise ValueError(f"case.score({qid!r}, ...): {', '.join(bad)} not a point number of {qid} (1..{n}).")
        hit = len(chosen)
    share = hit / n
    status = "passed" if share >= PASS_MARK - 1e-12 else "failed"
    estimate = f"; the coach estimated {coverage:.0%} (an automatic estimate)" if coverage is not None else ""
    return Feedback(qid, status, f"self-scored {hit}/{n} rubric points ({'≥' if status == 'passed' else '<'} "
                                 f"{PASS_MARK:.0%} to pass){estimate}.", share=share)


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


_UNSET = object()


def _unhide(qid: str) -> None:
    """Tell this kernel's explorers that ``qid`` is answered, so they show what would have given it away."""
    widgets = sys.modules.get("caselab.notebooks.widgets.base")  # no explorer was built if it is not imported
    if widgets is not None:
        widgets.answered(qid)


class Case:
    """One scenario, for a learner working in a notebook.

    ``case.check(qid, value)``, ``case.score(qid, points)`` (open questions), ``case.hint(qid)``,
    ``case.solution(qid)``, ``case.progress()``;
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
        self._answers: dict[str, str] = {}  # open answers checked, for the coach's estimate beside a self-score
        self._journal_ok = True
        self._cell_errors: dict[str, tuple[str, str]] = {}  # qid -> (ename, evalue) its answer cell last raised
        self._watch_cells()

    def _watch_cells(self) -> None:
        """In IPython/Jupyter, remember which answer cell last raised (and clear it when it runs cleanly), so
        ``case.check`` says "the answer cell raised NameError…" instead of judging the stale ``...``."""
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
        if shell is None:
            return
        assigns = {q.id: re.compile(rf"^[ \t]*{q.id}[ \t]*(?::[^=\n]*)?=(?!=)", re.M) for q in self.scenario.questions}

        def after_cell(result) -> None:
            source = getattr(getattr(result, "info", None), "raw_cell", None) or ""
            error = result.error_in_exec or result.error_before_exec  # (before: a SyntaxError)
            for qid, pattern in assigns.items():
                if pattern.search(source):
                    if error is None:
                        self._cell_errors.pop(qid, None)
                    else:
                        self._cell_errors[qid] = (type(error).__name__, str(error))

        shell.events.register("post_run_cell", after_cell)

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

    def _journal(self, qid: str, event: str, status: str | None = None, score: float | None = None) -> None:
        if not self._journal_ok:
            return
        from caselab.practice import journal

        if not journal.may_write():  # the one rule: the grader, the guide and tests never write the journal
            return
        try:
            journal.record(self.scenario.id, qid, event, status, kind=self.scenario.question(qid).kind, score=score)
        except Exception as e:  # a journal problem must never break a learner's check
            self._journal_ok = False
            print(f"(caselab: progress not saved — {e})", file=sys.stderr)

    def check(self, qid: str, value: Any = _UNSET, /) -> Feedback:
        """Check an answer. With no value, the variable named ``qid`` in your notebook is checked."""
        question = self.scenario.question(qid)
        frame = sys._getframe(1)  # the notebook's namespace (globals there): for error carried forward
        caller = {**frame.f_globals, **frame.f_locals}
        stale = qid in self._cell_errors and (value is _UNSET or value is caller.get(qid, _UNSET))
        if value is _UNSET and qid in caller:
            value = caller[qid]
        elif value is _UNSET and not stale:
            feedback = Feedback(qid, "not_answered", f"{qid} is not defined yet: run its answer cell "
                                                     f"(`{qid} = ...`, above) first, then this check.")
            self._results[qid] = feedback
            return feedback
        if stale:  # the variable's answer cell raised since: its value is stale (often the old `...`)
            ename, evalue = self._cell_errors[qid]
            feedback = Feedback(qid, "error", answer_error_message(qid, ename, evalue) + ".")
            self._results[qid] = feedback
            return feedback  # no attempt: nothing was answered
        answer = self.solution_data.answers.get(qid)
        feedback = check_answer(question, answer, value, caller, coach=self._coach(question))
        if question.kind == "rubric" and isinstance(value, str):
            self._answers[qid] = value
        self._results[qid] = feedback
        # an open answer's result is its self-score (case.score), not this; `...` (an untouched notebook,
        # Run All) is not an attempt
        if feedback.status != "answered" and not _not_answered(value):
            self._journal(qid, "check", feedback.status)
        if feedback.passed:
            _unhide(qid)
        return feedback

    def _coach(self, question: Question):
        if question.kind != "rubric":
            return None
        from caselab.practice import coach

        return lambda text: coach.assess(question, text, self.scenario, self.solution_data, self._givens)

    def score(self, qid: str, points, /) -> Feedback:
        """Score your open answer yourself: how many rubric points you made (an int) or which (``[1, 3]``).

        The coach's coverage from your last ``case.check`` is shown beside it as an automatic estimate; your
        score is what counts.
        """
        question = self.scenario.question(qid)
        coverage = None
        if question.kind == "rubric" and qid in self._answers:
            coverage = self._coach(question)(self._answers[qid]).coverage
        feedback = self_score(question, points, coverage)
        self._results[qid] = feedback
        self._journal(qid, "self_score", feedback.status, score=feedback.share)
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
        _unhide(qid)  # the learner asked for the answer: explorers may show it too
        answer = None if question.kind == "rubric" else self.solution_data.answers[qid]
        if answer is not None and answer.code:  # code that runs in the learner notebook (setup it needs included)
            import dataclasses

            answer = dataclasses.replace(answer, code=self.solution_data.worked_code(qid))
        return _Text(f"**Worked answer ({qid})**\n\n"
                     + worked_answer(question, answer, self.solution_data.prose_givens(self._givens),
                                     model_answer=True, code=True))

    def progress(self) -> _Text:
        """What you have checked so far in this session, question by question."""
        rows = ["| question | status | |", "|---|---|---|"]
        for q in self.scenario.questions:
            fb = self._results.get(q.id)
            rows.append(f"| {q.id} | {_MARK[fb.status] + ' ' + fb.status if fb is not None else '—'} | {q.kind} |")
        score = score_line(self._results.values(), len(self.scenario.questions))
        return _Text(f"**{self.scenario.id}**: {score}\n\n" + "\n".join(rows))


def case(ref, *, variant: int | None = None, givens: dict | None = None) -> Case:
    """Open a scenario by id or spec path: ``case = caselab.case("pinterest-f1-cost")``."""
    return Case(ref, variant=variant, givens=givens)
