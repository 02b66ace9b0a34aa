"""The casebook format: one TOML file per scenario, loaded into typed objects.

A spec is *data*: the story, the givens (numbers), the questions and hints, and
the name of the solver that computes the answers. It never holds an answer.

Loading validates everything at once and reports **every** problem in one
:class:`SpecError`, each naming the file, the field's path (``questions[2].tolerance``),
what is wrong and what is allowed — so a typo is caught with its fix, not as a
``KeyError`` three layers down.

Layout (see ``casebook/pinterest-f1-cost.toml`` for a full example)::

    id = "pinterest-f1-cost"          # = the file name; lowercase words joined by '-'
    title = "..."
    solver = "operating_points"       # a module in caselab.solvers
    topics = ["f1", "expected-cost"]
    seed_parts = ["001-4"]            # which seed question parts it covers
    story = "..."

    [source]                          # company, role, round, difficulty (easy|medium|hard)
    [givens]                          # checked against the solver's declared givens
    [[questions]]                     # id, kind, prompt, unit/tolerance, options, hint, points, model_answer
                                      # capstones also: part, speaking_time, outline, follow_ups, drills
    [[questions.points]]              # a rubric point as a table: text, evidence, number, against
    [variants]                        # optional: ranges of givens for drills
"""

from __future__ import annotations

import ast
import difflib
import keyword
import math
import operator
import re
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "FollowUp",
    "Given",
    "Question",
    "RubricPoint",
    "Scenario",
    "Source",
    "SpecError",
    "SpecProblem",
    "Tolerance",
    "DEFAULT_TOLERANCE",
    "fill",
    "PlaceholderError",
    "load_spec",
    "parse_spec",
    "validate_givens",
]

QUESTION_KINDS = ("number", "choice", "decision", "rubric")
DIFFICULTIES = ("easy", "medium", "hard")
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
QUESTION_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")  # ASCII: Python folds some Unicode names (ﬁ -> fi)
MAX_ID_LENGTH = 64
RESERVED_NAMES = frozenset({"case", "caselab", "np", "pd", "plt"})  # names the notebooks' own code uses
# A spec is data from anyone: it loads in bounded time and memory.
MAX_SPEC_BYTES = 256 * 1024  # the largest spec in the casebook is about 14 KB
MAX_TEXT_CHARS = 20_000  # one story, prompt, hint, explanation or model answer
MAX_QUESTIONS = 60
MAX_INTEGER_GIVEN = 10_000_000  # unless the solver's schema sets its own upper bound (rows of data, counts)
MAX_NUMBER_GIVEN = 1e12
SEED_PART_PATTERN = re.compile(r"^\d{3}-[0-9a-z-]+$")


# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpecProblem:
    """One problem in a spec: where it is and what to do about it."""

    path: str  # the field's path, e.g. "questions[2].tolerance"
    message: str  # what is wrong and what is allowed

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SpecError(ValueError):
    """A spec file with one or more problems; ``problems`` lists them all."""

    def __init__(self, file: str | Path, problems: list[SpecProblem]):
        self.file = str(file)
        self.problems = list(problems)
        lines = [f"{self.file}: {len(self.problems)} problem(s) in this scenario spec:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


# --------------------------------------------------------------------------------------------------
# Tolerances
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tolerance:
    """An answer ``v`` is accepted when ``|v - answer| <= max(abs, rel * |answer|)``."""

    abs: float = 0.0
    rel: float = 0.0

    def width(self, answer: float) -> float:
        return max(self.abs, self.rel * abs(answer))

    def accepts(self, value: float, answer: float) -> bool:
        # A hair of slack so that a value printed to the stated precision is not refused by float noise.
        return abs(value - answer) <= self.width(answer) * (1 + 1e-9) + 1e-12

    def describe(self) -> str:
        parts = []
        if self.abs:
            parts.append(f"±{self.abs:g}")
        if self.rel:
            parts.append(f"±{self.rel * 100:g}%")
        if len(parts) == 2:
            return f"{parts[0]} or {parts[1]}, whichever is wider"
        return parts[0] if parts else "exact"


# The tolerance a number question gets from its unit when the spec states none. Chosen so that a
# learner who rounds sensibly passes and a learner who made a real mistake does not:
DEFAULT_TOLERANCE: dict[str, Tolerance] = {
    "count": Tolerance(abs=0.5),  # expected counts: nearest whole item
    "rate": Tolerance(abs=0.005),  # precision, recall, F1, AUC, accuracy: two decimals
    "probability": Tolerance(abs=0.0005, rel=0.02),  # thresholds and small probabilities: 2% or 5e-4
    "money": Tolerance(rel=0.005),  # costs and values: 0.5%
    "ratio": Tolerance(rel=0.01),  # odds, lifts, cost ratios: 1%
    "statistic": Tolerance(rel=0.01, abs=0.01),  # z, chi-square, PSI, kappa
    "days": Tolerance(abs=0.05),
    "number": Tolerance(rel=0.01),  # anything else: 1%
}


# --------------------------------------------------------------------------------------------------
# Givens schema (declared by each solver)
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Given:
    """What a solver expects of one given: its kind, range and meaning.

    kind: ``number`` | ``integer`` | ``rate`` (a number in [0, 1]) | ``text`` | ``bool`` |
    ``table`` (fixed ``fields``) | ``mapping`` (any keys, each value checked by ``each``) |
    ``list`` (each item checked by ``each``).
    """

    doc: str
    kind: str = "number"
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    unit: str = ""
    fields: dict[str, Given] | None = None
    each: Given | None = None
    required: bool = True
    choices: tuple[str, ...] = ()
    min_items: int = 0

    def allowed(self) -> str:
        """A short phrase saying what values are allowed."""
        if self.kind in ("number", "integer", "rate"):
            lo = 0.0 if self.kind == "rate" and self.lo is None else self.lo
            hi = 1.0 if self.kind == "rate" and self.hi is None else self.hi
            what = "an integer" if self.kind == "integer" else "a number"
            if lo is not None and hi is not None:
                return f"{what} in {'(' if self.lo_open else '['}{lo:g}, {hi:g}{')' if self.hi_open else ']'}"
            if lo is not None:
                return f"{what} {'>' if self.lo_open else '≥'} {lo:g}"
            if hi is not None:
                return f"{what} {'<' if self.hi_open else '≤'} {hi:g}"
            return what
        if self.kind == "text":
            return f"one of {list(self.choices)}" if self.choices else "a string"
        if self.kind == "bool":
            return "true or false"
        if self.kind == "table":
            return f"a table with keys {sorted(self.fields or {})}"
        if self.kind == "mapping":
            return "a table of named entries"
        return "an array"


def _short(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters: messages quote a spec's values, never whole blobs."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "an array",
            dict: "a table"}.get(type(value), type(value).__name__)


def validate_givens(givens: Any, schema: dict[str, Given], path: str = "givens") -> list[SpecProblem]:
    """Check ``givens`` against a solver's schema; return every problem found."""
    problems: list[SpecProblem] = []
    if not isinstance(givens, dict):
        return [SpecProblem(path, f"must be a table; got {_type_name(givens)}.")]
    for key in givens:
        if key not in schema:
            problems.append(_unknown_key(path, key, schema))
    for key, g in schema.items():
        if key not in givens:
            if g.required:
                problems.append(SpecProblem(f"{path}.{key}", f"is missing: {g.doc} — {g.allowed()}."))
            continue
        problems += _check_given(givens[key], g, f"{path}.{key}")
    return problems


def _check_given(value: Any, g: Given, path: str) -> list[SpecProblem]:
    if g.kind in ("number", "integer", "rate"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return [SpecProblem(path, f"must be {g.allowed()} ({g.doc}); got {_type_name(value)} {value!r}.")]
        if isinstance(value, float) and not math.isfinite(value):
            return [SpecProblem(path, f"must be finite; got {value}.")]
        if g.kind == "integer" and not (isinstance(value, int) or float(value).is_integer()):
            return [SpecProblem(path, f"must be {g.allowed()} ({g.doc}); got {value!r}.")]
        if g.hi is None and abs(value) > (MAX_INTEGER_GIVEN if g.kind == "integer" else MAX_NUMBER_GIVEN):
            limit = MAX_INTEGER_GIVEN if g.kind == "integer" else MAX_NUMBER_GIVEN
            return [SpecProblem(path, f"= {value!r} is beyond what caselab accepts for {g.doc} (|value| ≤ {limit:,.0f}): "
                                      "numbers this large only overflow the answers or exhaust memory.")]
        lo = 0.0 if g.kind == "rate" and g.lo is None else g.lo
        hi = 1.0 if g.kind == "rate" and g.hi is None else g.hi
        too_low = lo is not None and (value <= lo if g.lo_open else value < lo)
        too_high = hi is not None and (value >= hi if g.hi_open else value > hi)
        if too_low or too_high:
            return [SpecProblem(path, f"= {value!r} is out of range: {g.doc} must be {g.allowed()}.")]
        return []
    if g.kind == "text":
        if not isinstance(value, str):
            return [SpecProblem(path, f"must be {g.allowed()}; got {_type_name(value)} {value!r}.")]
        if g.choices and value not in g.choices:
            return [SpecProblem(path, f"= {value!r} is not allowed: use one of {list(g.choices)}.")]
        return []
    if g.kind == "bool":
        if not isinstance(value, bool):
            return [SpecProblem(path, f"must be true or false; got {_type_name(value)} {value!r}.")]
        return []
    if g.kind == "table":
        return validate_givens(value, g.fields or {}, path)
    if g.kind == "mapping":
        if not isinstance(value, dict):
            return [SpecProblem(path, f"must be a table of named entries ({g.doc}); got {_type_name(value)}.")]
        problems = []
        if len(value) < g.min_items:
            problems.append(SpecProblem(path, f"needs at least {g.min_items} entries; got {len(value)}."))
        for name, item in value.items():
            problems += _check_given(item, g.each, f"{path}.{name}") if g.each else []
        return problems
    if g.kind == "list":
        if not isinstance(value, list):
            return [SpecProblem(path, f"must be an array ({g.doc}); got {_type_name(value)}.")]
        problems = []
        if len(value) < g.min_items:
            problems.append(SpecProblem(path, f"needs at least {g.min_items} items; got {len(value)}."))
        for i, item in enumerate(value):
            problems += _check_given(item, g.each, f"{path}[{i}]") if g.each else []
        return problems
    raise ValueError(f"unknown Given kind {g.kind!r}")  # a bug in a solver's schema, not in a spec


def _unknown_key(path: str, key: str, allowed) -> SpecProblem:
    close = difflib.get_close_matches(str(key), list(allowed), n=1)
    fix = f" Did you mean {close[0]!r}?" if close else ""
    return SpecProblem(f"{path}.{key}" if path else key,
                       f"unknown key.{fix} Allowed here: {', '.join(sorted(allowed))}.")


# --------------------------------------------------------------------------------------------------
# Placeholders: a story or prompt may say "{prevalence:.1%}" or "{baseline.precision}", so that drill
# variants (fresh givens) tell a consistent story. Literal braces are written {{ and }}.
# --------------------------------------------------------------------------------------------------
# A given, dotted into tables, optionally one item of an array of numbers (or of a matrix, an array of arrays):
# {baseline.precision}, {shares[3]}, {confusion[0][2]}.
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(\[\d{1,3}\]){0,2}$")
_ITEM = re.compile(r"^(?P<name>[^\[]*)(?P<indices>(\[\d{1,3}\]){1,2})$")
# fill, align, sign, '#', '0', width (≤ 2 digits), grouping, precision (≤ 2 digits), type: enough for
# "{prevalence:.1%}", "{n:,}", "{cost:,.2f}" and nothing that can allocate or reach into objects.
_FORMAT_SPEC = re.compile(r"^(?:[^{}]?[<>^=])?[+\- ]?#?0?\d{0,2}[,_]?(?:\.\d{1,2})?[bcdeEfFgGnosxX%]?$")


class PlaceholderError(ValueError):
    """A ``{placeholder}`` that is not a given's name with a plain format: the message says what is allowed."""


def _parts(text: str):
    """``(literal text, field name or None, format spec)`` for ``text``; every field checked."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as e:  # a lone { or }
        raise PlaceholderError(f"has a malformed placeholder ({e}); write literal braces as {{{{ and }}}}.") from None
    for literal, name, spec, conversion in parsed:
        if name is not None:
            if not _FIELD_NAME.match(name):
                raise PlaceholderError(f"the placeholder {{{name}}} is not a given's name: placeholders name givens "
                                       "(dots reach into tables, e.g. {baseline.precision}; [i] takes item i of an "
                                       "array, e.g. {shares[0]}, [i][j] an item of a matrix); no attributes, no "
                                       "expressions.")
            if conversion:
                raise PlaceholderError(f"the placeholder {{{name}!{conversion}}} uses a conversion: write {{{name}}} "
                                       f"or {{{name}:.3f}}.")
            if spec and not _FORMAT_SPEC.match(spec):
                raise PlaceholderError(f"the placeholder {{{name}:{spec}}} has a format caselab does not accept: use "
                                       "a plain number format such as :.3f, :,.0f, :.1% or :,d (width at most 99).")
        yield literal, name, spec or ""


def _lookup(givens: dict, name: str):
    """The given a placeholder names: dict keys and up to two list positions, looked up by hand (no getattr)."""
    item = _ITEM.match(name)
    value: Any = givens
    for part in (item["name"] if item else name).split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(name)
        value = value[part]
    for index in re.findall(r"\[(\d{1,3})\]", item["indices"]) if item else ():
        if not isinstance(value, list) or int(index) >= len(value):
            raise KeyError(name)
        value = value[int(index)]
    if isinstance(value, dict) or (isinstance(value, list) and not all(isinstance(v, int | float | str) for v in value)):
        raise PlaceholderError(f"the placeholder {{{name}}} names a table, not a value: name one of its entries "
                               "(e.g. {baseline.precision}, {matrix[0][1]}).")
    return value




def fill(text: str, givens: dict) -> str:
    """``text`` with its ``{given}`` placeholders replaced by the givens' values, formatted.

    A placeholder is a given's name (dots reach into tables, ``[i]`` takes item i of an array, ``[i][j]`` an
    item of a matrix) with an optional plain number format: ``{prevalence:.1%}``, ``{baseline.precision}``,
    ``{shares[3]:.0%}``, ``{n:,}``. The lookup is done here by hand on the givens' dicts and lists — never by
    ``str.format``, so no attribute access, no nested formats, bounded widths: a spec cannot reach into
    Python objects. Literal braces are written ``{{`` and ``}}``.

    Worked text — an explanation, a model answer, an outline, a follow-up, shown only after the learner has
    tried — is filled with :meth:`Solution.prose_givens <caselab.scenarios.solvers.Solution.prose_givens>`,
    whose ``facts`` table holds every answer by question id and every fact the solver computed:
    ``{facts.cost_new:,.0f}``. A story, prompt or hint is filled with the givens alone, so a ``{facts.…}``
    there names no given: it can never give an answer away.

    Raises :class:`PlaceholderError`, or ``KeyError`` naming a placeholder that names no given.
    """
    out = []
    for literal, name, spec in _parts(text):
        out.append(literal)
        if name is not None:
            value = _lookup(givens, name)
            if isinstance(value, list) and spec:
                raise PlaceholderError(f"the placeholder {{{name}:{spec}}} formats an array: write {{{name}}}.")
            try:
                out.append(format(value, spec))
            except (ValueError, TypeError) as e:
                raise PlaceholderError(f"the placeholder {{{name}:{spec}}} does not fit its value {value!r} ({e}).") \
                    from None
    return "".join(out)


class _AnyFacts(dict):
    """Stands in for the solver's facts while a spec is parsed (before solving): any ``{facts.name}``
    fills; :func:`solver_problems` then checks each name against the solution's real facts."""

    def __contains__(self, name) -> bool:
        return True

    def __missing__(self, name) -> float:
        return 0.0


def _check_placeholders(text: str, givens: dict, where: str, *, prose: bool = False) -> list[SpecProblem]:
    try:
        fill(text, {**givens, "facts": _AnyFacts()} if prose else givens)
    except KeyError as e:
        return [SpecProblem(where, f"the placeholder {{{e.args[0]}}} names no given; write literal braces as "
                                   "{{ and }}" + (" (a {facts.…} value may appear only in worked text: an explanation, "
                                                  "a model answer, an outline or a follow-up)." if
                                                  str(e.args[0]).startswith("facts.") else "."))]
    except PlaceholderError as e:
        return [SpecProblem(where, str(e))]
    return []


# --------------------------------------------------------------------------------------------------
# The scenario objects
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    company: str
    role: str
    round: str
    difficulty: str


@dataclass(frozen=True)
class RubricPoint:
    """One rubric point, as a grader would state it, with what shows it in an answer.

    ``evidence`` is a list of groups; an answer shows the point when every group appears in it. A group
    is alternatives separated by ``|`` — short phrases (matched case-insensitively) or ``re:<regex>``.
    ``number`` names a question (or a given) whose value the answer must state; ``against`` lists
    fluent wrong claims that void the point. A point written as a plain string has no evidence.
    """

    text: str
    evidence: tuple[str, ...] = ()
    number: str = ""
    against: tuple[str, ...] = ()


@dataclass(frozen=True)
class FollowUp:
    """A question an interviewer asks next, with a short model answer."""

    question: str
    answer: str


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    prompt: str
    hint: str = ""
    unit: str = "number"
    tolerance: Tolerance | None = None
    options: tuple[str, ...] = ()
    points: tuple[str, ...] = ()  # rubric points (rubric questions)
    model_answer: str = ""  # rubric questions: a model answer in prose
    explanation: str = ""  # extra words for the solution notebook
    widget: str = ""  # a question answered by setting a widget (see caselab.widgets)
    rubric: tuple[RubricPoint, ...] = ()  # rubric questions: the points with their evidence (texts = points)
    part: str = ""  # capstones: the part of the interview question it belongs to, e.g. "Part 3"
    speaking_time: float | None = None  # capstones: target minutes to answer it out loud
    outline: tuple[str, ...] = ()  # rubric questions: the beats a strong answer hits, in order
    follow_ups: tuple[FollowUp, ...] = ()  # rubric questions: what the interviewer asks next
    drills: tuple[str, ...] = ()  # ids of the scenarios that drill this part in detail
    terminal: bool = True  # answerable in a terminal (the mock)? false: it needs the notebook (data, a widget)

    @property
    def accepted(self) -> Tolerance:
        """The tolerance in force: the spec's own, else the default for the question's unit."""
        return self.tolerance or DEFAULT_TOLERANCE[self.unit]

    def prompt_text(self, givens: dict) -> str:
        """The prompt as a learner sees it: placeholders filled and, for a number question, the
        tolerance that grading applies (``accepted``) — generated here, so a spec never types it."""
        text = fill(self.prompt, givens).strip()
        if self.kind == "number":
            text += f" (Accepted within {self.accepted.describe()}.)"
        return text


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    solver: str
    topics: tuple[str, ...]
    seed_parts: tuple[str, ...]
    story: str
    source: Source
    givens: dict[str, Any]
    questions: tuple[Question, ...]
    variants: dict[str, Any] = field(default_factory=dict)
    explorers: tuple[str, ...] = ()
    path: Path | None = None

    def parts(self) -> list[tuple[str, tuple[Question, ...]]]:
        """The questions grouped into the parts of the interview, in order: ``[(part label, questions)]``.

        Consecutive questions with the same ``part`` form one group; a question without a part is a group
        of its own with the label ``""``. (The loader checks that a part's questions are consecutive.)
        """
        groups: list[tuple[str, list[Question]]] = []
        for q in self.questions:
            if q.part and groups and groups[-1][0] == q.part:
                groups[-1][1].append(q)
            else:
                groups.append((q.part, [q]))
        return [(label, tuple(qs)) for label, qs in groups]

    @property
    def is_capstone(self) -> bool:
        """True when the questions are organised into parts (a capstone interview)."""
        return any(q.part for q in self.questions)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        close = difflib.get_close_matches(qid, [q.id for q in self.questions], n=3)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise KeyError(f"scenario {self.id!r} has no question {qid!r}.{hint} "
                       f"Its questions: {', '.join(q.id for q in self.questions)}.")


TOP_KEYS = {"id", "title", "solver", "topics", "seed_parts", "story", "source", "givens", "questions",
            "variants", "explorers"}
SOURCE_KEYS = ("company", "role", "round", "difficulty")
QUESTION_KEYS = {"id", "kind", "prompt", "hint", "unit", "tolerance", "options", "points", "model_answer",
                 "explanation", "widget", "part", "speaking_time", "outline", "follow_ups", "drills", "terminal"}
POINT_KEYS = ("text", "evidence", "number", "against")
FOLLOW_UP_KEYS = ("question", "answer")
MAX_SPEAKING_MINUTES = 30


def load_spec(path: str | Path, *, check_solver: bool = True) -> Scenario:
    """Read and validate one scenario spec; raise :class:`SpecError` listing every problem."""
    path = Path(path)
    if path.is_dir():
        raise SpecError(path, [SpecProblem("", "is a folder, not a spec file: give the path of one .toml file.")])
    if path.exists() and not path.is_file():
        raise SpecError(path, [SpecProblem("", "is not a regular file (a device or a pipe?): give a .toml file.")])
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_SPEC_BYTES + 1)  # bounded: a spec is never this large
    except FileNotFoundError:
        raise SpecError(path, [SpecProblem("", "file not found.")]) from None
    except OSError as e:
        raise SpecError(path, [SpecProblem("", f"cannot be read: {e.strerror or e}.")]) from None
    if len(raw) > MAX_SPEC_BYTES:
        raise SpecError(path, [SpecProblem("", f"is larger than {MAX_SPEC_BYTES // 1024} KiB: a scenario spec is a few "
                                               "KB of text; split it or shorten it.")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SpecError(path, [SpecProblem("", f"is not UTF-8 text ({e.reason} at byte {e.start}).")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SpecError(path, [SpecProblem("", f"is not valid TOML: {e}. See https://toml.io for the syntax.")]) \
            from None
    except RecursionError:
        raise SpecError(path, [SpecProblem("", "nests arrays or tables too deeply to be a scenario spec.")]) from None
    return parse_spec(data, path, check_solver=check_solver)


def parse_spec(data: dict, path: str | Path = "<spec>", *, check_solver: bool = True) -> Scenario:
    """Validate a parsed spec (a dict) and build the :class:`Scenario`."""
    path = Path(path)
    p: list[SpecProblem] = []

    for key in data:
        if key not in TOP_KEYS:
            p.append(_unknown_key("", key, TOP_KEYS))

    def text(container: dict, key: str, where: str, required: bool = True) -> str:
        if key not in container:
            if required:
                p.append(SpecProblem(where, "is missing: a non-empty string is required."))
            return ""
        value = container[key]
        if not isinstance(value, str) or not value.strip():
            p.append(SpecProblem(where, f"must be a non-empty string; got {_type_name(value)} {_short(value)}."))
            return ""
        if len(value) > MAX_TEXT_CHARS:
            p.append(SpecProblem(where, f"is {len(value):,} characters; at most {MAX_TEXT_CHARS:,} are allowed."))
            return ""
        return value

    def strings(container: dict, key: str, where: str, pattern: re.Pattern | None = None,
                required: bool = True) -> tuple[str, ...]:
        if key not in container:
            if required:
                p.append(SpecProblem(where, "is missing: an array of strings is required."))
            return ()
        value = container[key]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            p.append(SpecProblem(where, f"must be an array of non-empty strings; got {value!r}."))
            return ()
        if required and not value:
            p.append(SpecProblem(where, "must not be empty."))
        if pattern:
            for i, v in enumerate(value):
                if not pattern.match(v):
                    p.append(SpecProblem(f"{where}[{i}]", f"= {v!r} does not match the form {pattern.pattern}."))
        return tuple(value)

    sid = text(data, "id", "id")
    if sid and (not ID_PATTERN.match(sid) or len(sid) > MAX_ID_LENGTH):
        p.append(SpecProblem("id", f"= {sid!r}: use lowercase ASCII letters, digits and single hyphens, at most "
                                   f"{MAX_ID_LENGTH} characters (e.g. 'pinterest-f1-cost')."))
    if sid and path.suffix == ".toml" and path.stem != sid:
        p.append(SpecProblem("id", f"= {sid!r} but the file is named {path.name!r}: "
                                   f"the file name must be the id ({sid}.toml)."))
    title = text(data, "title", "title")
    solver_name = text(data, "solver", "solver")
    story = text(data, "story", "story")
    topics = strings(data, "topics", "topics", ID_PATTERN)
    seed_parts = strings(data, "seed_parts", "seed_parts", SEED_PART_PATTERN, required=False)
    explorers = strings(data, "explorers", "explorers", required=False)
    from caselab.scenarios.coverage import SEED_PARTS

    for i, part in enumerate(seed_parts):
        if SEED_PART_PATTERN.match(part) and part not in SEED_PARTS:
            close = difflib.get_close_matches(part, list(SEED_PARTS), n=1)
            fix = f"Did you mean {close[0]!r}? " if close else ""
            p.append(SpecProblem(f"seed_parts[{i}]", f"= {part!r} is not a known seed part. {fix}"
                                                     "Known parts are listed in caselab/coverage.py."))

    source = Source("", "", "", "medium")
    src = data.get("source")
    if not isinstance(src, dict):
        p.append(SpecProblem("source", "is missing or not a table: give company, role, round and difficulty."))
    else:
        for key in src:
            if key not in SOURCE_KEYS:
                p.append(_unknown_key("source", key, SOURCE_KEYS))
        vals = {k: text(src, k, f"source.{k}") for k in SOURCE_KEYS}
        if vals["difficulty"] and vals["difficulty"] not in DIFFICULTIES:
            p.append(SpecProblem("source.difficulty", f"= {vals['difficulty']!r}: use one of {list(DIFFICULTIES)}."))
        source = Source(**vals)

    givens = data.get("givens", {})
    if not isinstance(givens, dict):
        p.append(SpecProblem("givens", f"must be a table; got {_type_name(givens)}."))
        givens = {}
    if "facts" in givens:
        p.append(SpecProblem("givens.facts", "is a reserved name: {facts.<name>} quotes what the solver computed "
                                             "(answers by question id, and facts) in worked text. Rename the given."))

    variants = data.get("variants", {})
    if not isinstance(variants, dict):
        p.append(SpecProblem("variants", f"must be a table of ranges; got {_type_name(variants)}."))
        variants = {}

    if variants:
        p += validate_variants(variants, givens)

    questions = _parse_questions(data.get("questions"), p)
    if story:
        p += _check_placeholders(story, givens, "story")
    for i, q in enumerate(questions):
        p += _check_placeholders(q.prompt, givens, f"questions[{i}].prompt")
        p += _check_placeholders(q.hint, givens, f"questions[{i}].hint")
        p += _check_placeholders(q.explanation, givens, f"questions[{i}].explanation", prose=True)
        p += _check_placeholders(q.model_answer, givens, f"questions[{i}].model_answer", prose=True)
    raw_questions = data.get("questions") if isinstance(data.get("questions"), list) else []
    positions = {}  # question id → its index in the file (questions with problems are not in `questions`)
    for i, raw in enumerate(raw_questions):
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            positions.setdefault(raw["id"], i)
    p += _cross_checks(sid, questions, givens, positions)

    if check_solver and solver_name and not p:
        p += solver_problems(solver_name, givens, questions, explorers)

    if p:
        raise SpecError(path, p)
    return Scenario(id=sid, title=title, solver=solver_name, topics=topics, seed_parts=seed_parts, story=story,
                    source=source, givens=givens, questions=tuple(questions), variants=variants,
                    explorers=explorers, path=path)


def _parse_questions(raw: Any, p: list[SpecProblem]) -> list[Question]:
    if raw is None:
        p.append(SpecProblem("questions", "is missing: add at least one [[questions]] table."))
        return []
    if not isinstance(raw, list) or not raw:
        p.append(SpecProblem("questions", "must be a non-empty array of [[questions]] tables."))
        return []
    if len(raw) > MAX_QUESTIONS:
        p.append(SpecProblem("questions", f"has {len(raw)} questions; at most {MAX_QUESTIONS} are allowed in one "
                                          "scenario (split it into several)."))
        return []
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for i, q in enumerate(raw):
        where = f"questions[{i}]"
        if not isinstance(q, dict):
            p.append(SpecProblem(where, f"must be a table; got {_type_name(q)}."))
            continue
        n_before = len(p)
        for key in q:
            if key not in QUESTION_KEYS:
                p.append(_unknown_key(where, key, QUESTION_KEYS))
        qid = q.get("id")
        if (not isinstance(qid, str) or not QUESTION_ID_PATTERN.match(qid) or keyword.iskeyword(qid)
                or len(qid) > MAX_ID_LENGTH or qid in RESERVED_NAMES):
            p.append(SpecProblem(f"{where}.id", f"= {qid!r}: a question id is the learner's variable name, so it "
                                                "must be a lowercase ASCII Python name: a-z first, then a-z, 0-9 or "
                                                f"'_', at most {MAX_ID_LENGTH} characters, not a Python keyword and "
                                                f"not one of the notebook's own names ({', '.join(sorted(RESERVED_NAMES))}); "
                                                "e.g. 'f1_baseline'."))
            qid = None
        elif qid in seen:
            p.append(SpecProblem(f"{where}.id", f"= {qid!r} is used twice (also questions[{seen[qid]}]): ids must be "
                                                "unique within a scenario."))
        else:
            seen[qid] = i
        kind = q.get("kind")
        if kind not in QUESTION_KINDS:
            p.append(SpecProblem(f"{where}.kind", f"= {kind!r}: use one of {list(QUESTION_KINDS)}."))
        prompt = q.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            p.append(SpecProblem(f"{where}.prompt", "is missing: every question needs a prompt (a non-empty string)."))
        hint = q.get("hint", "")
        if not isinstance(hint, str):
            p.append(SpecProblem(f"{where}.hint", f"must be a string; got {_type_name(hint)}."))
        for key in ("model_answer", "explanation", "widget"):
            if key in q and not isinstance(q[key], str):
                p.append(SpecProblem(f"{where}.{key}", f"must be a string; got {_type_name(q[key])}."))
        for key in ("prompt", "hint", "model_answer", "explanation"):
            if isinstance(q.get(key), str) and len(q[key]) > MAX_TEXT_CHARS:
                p.append(SpecProblem(f"{where}.{key}", f"is {len(q[key]):,} characters; at most {MAX_TEXT_CHARS:,} "
                                                       "are allowed."))

        unit = q.get("unit", "number")
        tolerance = None
        options: tuple[str, ...] = ()
        points: tuple[str, ...] = ()
        if kind == "number":
            if unit not in DEFAULT_TOLERANCE:
                p.append(SpecProblem(f"{where}.unit", f"= {unit!r}: use one of {list(DEFAULT_TOLERANCE)} "
                                                      "(it sets the default tolerance)."))
            if "tolerance" in q:
                tolerance = _parse_tolerance(q["tolerance"], f"{where}.tolerance", p)
        else:
            for key in ("tolerance", "unit"):
                if key in q:
                    p.append(SpecProblem(f"{where}.{key}", f"only number questions have a {key}; this one is "
                                                           f"kind = {kind!r}. Remove it."))
        if kind in ("choice", "decision"):
            opts = q.get("options")
            if not isinstance(opts, list) or len(opts) < 2 or not all(isinstance(o, str) and o for o in opts):
                p.append(SpecProblem(f"{where}.options", f"must be an array of at least two non-empty strings for a "
                                                         f"{kind} question; got {opts!r}."))
            elif len(set(opts)) != len(opts):
                p.append(SpecProblem(f"{where}.options", f"has duplicates: {opts!r}."))
            else:
                options = tuple(opts)
        elif "options" in q:
            p.append(SpecProblem(f"{where}.options", f"only choice and decision questions have options; this one is "
                                                     f"kind = {kind!r}."))
        rubric: tuple[RubricPoint, ...] = ()
        if kind == "rubric":
            rubric = _parse_points(q.get("points"), f"{where}.points", p)
            points = tuple(pt.text for pt in rubric)
            if not isinstance(q.get("model_answer"), str) or not q.get("model_answer", "").strip():
                p.append(SpecProblem(f"{where}.model_answer", "a rubric question needs a `model_answer` (prose)."))
        elif "points" in q:
            p.append(SpecProblem(f"{where}.points", f"only rubric questions have points; this one is kind = {kind!r}."))
        capstone = _parse_capstone_fields(q, kind, where, p)
        terminal = q.get("terminal", not q.get("widget"))
        if not isinstance(terminal, bool):
            p.append(SpecProblem(f"{where}.terminal", f"must be true or false (can a terminal answer it, without the "
                                                      f"notebook's data or widgets?); got {terminal!r}."))
        elif terminal and q.get("widget"):
            p.append(SpecProblem(f"{where}.terminal", f"= true, but the question is answered with the widget "
                                                      f"{q['widget']!r}, which needs the notebook: remove `terminal`."))
        if len(p) == n_before and qid:
            questions.append(Question(id=qid, kind=kind, prompt=prompt, hint=hint,
                                      unit=unit if kind == "number" else "number", tolerance=tolerance,
                                      options=options, points=points, model_answer=q.get("model_answer", ""),
                                      explanation=q.get("explanation", ""), widget=q.get("widget", ""),
                                      rubric=rubric, terminal=terminal, **capstone))
    return questions


def _string_list(raw: Any, where: str, p: list[SpecProblem], what: str, lo: int = 1, hi: int | None = None
                 ) -> tuple[str, ...]:
    """An array of non-empty strings with between ``lo`` and ``hi`` items (a problem appended otherwise)."""
    count = f"{lo} to {hi}" if hi else f"at least {lo}"
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        p.append(SpecProblem(where, f"must be an array of non-empty strings ({what}); got {raw!r}."))
        return ()
    if len(raw) < lo or (hi is not None and len(raw) > hi):
        p.append(SpecProblem(where, f"has {len(raw)} item(s): give {count} ({what})."))
        return ()
    return tuple(raw)


def evidence_alternatives(group: str) -> list[str]:
    """An evidence group's alternatives, split on ``|`` (so a ``re:`` pattern holds no ``|``: write two
    alternatives). Empty ones are dropped; the loader refuses a group that has any."""
    return [a.strip() for a in group.split("|") if a.strip()]


def _check_evidence_group(group: str, where: str, p: list[SpecProblem]) -> None:
    alternatives = [a.strip() for a in group.split("|")]
    if not all(alternatives):
        p.append(SpecProblem(where, f"= {group!r} has an empty alternative: write \"phrase a | phrase b\" with "
                                    "text on both sides of each '|'."))
        return
    for alt in alternatives:
        if alt.startswith("re:"):
            try:
                re.compile(alt[3:])
            except re.error as e:
                p.append(SpecProblem(where, f"the pattern {alt!r} is not a valid regular expression ({e}); "
                                            "a group cannot hold a '|' inside a pattern — use two alternatives."))


def _parse_points(raw: Any, where: str, p: list[SpecProblem]) -> tuple[RubricPoint, ...]:
    """Rubric points: each a string, or a table {text, evidence, number, against} (see :class:`RubricPoint`)."""
    if not isinstance(raw, list) or not raw:
        p.append(SpecProblem(where, "a rubric question needs `points`: a non-empty array of the points a good answer "
                                    "makes (strings, or [[questions.points]] tables with text and evidence)."))
        return ()
    out: list[RubricPoint] = []
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        if isinstance(item, str) and item.strip():
            out.append(RubricPoint(item))
            continue
        if not isinstance(item, dict):
            p.append(SpecProblem(at, f"must be a non-empty string or a table with `text` and `evidence`; got "
                                     f"{_type_name(item)} {item!r}."))
            continue
        n_before = len(p)
        for key in item:
            if key not in POINT_KEYS:
                p.append(_unknown_key(at, key, POINT_KEYS))
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            p.append(SpecProblem(f"{at}.text", "is missing: the point as a grader would state it (a non-empty string)."))
        evidence = _string_list(item.get("evidence"), f"{at}.evidence", p,
                                "groups of phrases that must all appear, alternatives separated by '|'")
        for j, group in enumerate(evidence):
            _check_evidence_group(group, f"{at}.evidence[{j}]", p)
        number = item.get("number", "")
        if not isinstance(number, str):
            p.append(SpecProblem(f"{at}.number", f"must be the id of a question or a given (a string); got "
                                                 f"{_type_name(number)} {number!r}."))
        against: tuple[str, ...] = ()
        if "against" in item:
            against = _string_list(item["against"], f"{at}.against", p, "fluent wrong claims that void the point")
        if len(p) == n_before:
            out.append(RubricPoint(text, evidence, number, against))
    return tuple(out)


def _parse_capstone_fields(q: dict, kind: str, where: str, p: list[SpecProblem]) -> dict[str, Any]:
    """The per-part fields of a capstone question: part, speaking_time, outline, follow_ups, drills."""
    out: dict[str, Any] = {}
    if "part" in q:
        part = q["part"]
        if not isinstance(part, str) or not part.strip() or len(part) > 40:
            p.append(SpecProblem(f"{where}.part", f"must be a short label such as \"Part 3\" (at most 40 "
                                                  f"characters); got {part!r}."))
        else:
            out["part"] = part.strip()
    if "speaking_time" in q:
        t = q["speaking_time"]
        if isinstance(t, bool) or not isinstance(t, int | float) or not math.isfinite(t) or not \
                0 < t <= MAX_SPEAKING_MINUTES:
            p.append(SpecProblem(f"{where}.speaking_time", f"must be minutes in (0, {MAX_SPEAKING_MINUTES}] (e.g. 2 "
                                                           f"or 1.5); got {t!r}."))
        else:
            out["speaking_time"] = float(t)
    for key in ("outline", "follow_ups"):
        if key in q and kind != "rubric":
            p.append(SpecProblem(f"{where}.{key}", f"only rubric questions have {key}; this one is kind = {kind!r}."))
    if "outline" in q and kind == "rubric":
        out["outline"] = _string_list(q["outline"], f"{where}.outline", p, "the beats of a strong answer, in order",
                                      lo=3, hi=8)
    if "follow_ups" in q and kind == "rubric":
        raw = q["follow_ups"]
        if not isinstance(raw, list) or not raw:
            p.append(SpecProblem(f"{where}.follow_ups", "must be a non-empty array of tables "
                                                        "{ question = \"...\", answer = \"...\" }."))
        else:
            follow_ups = []
            for i, item in enumerate(raw):
                at = f"{where}.follow_ups[{i}]"
                if not isinstance(item, dict):
                    p.append(SpecProblem(at, f"must be a table {{ question, answer }}; got {_type_name(item)}."))
                    continue
                for key in item:
                    if key not in FOLLOW_UP_KEYS:
                        p.append(_unknown_key(at, key, FOLLOW_UP_KEYS))
                vals = [item.get(k) for k in FOLLOW_UP_KEYS]
                for k, v in zip(FOLLOW_UP_KEYS, vals, strict=True):
                    if not isinstance(v, str) or not v.strip():
                        p.append(SpecProblem(f"{at}.{k}", f"is missing or empty: a follow-up needs its {k} (a non-empty string)."))
                if all(isinstance(v, str) and v.strip() for v in vals):
                    follow_ups.append(FollowUp(*vals))
            out["follow_ups"] = tuple(follow_ups)
    if "drills" in q:
        out["drills"] = _string_list(q["drills"], f"{where}.drills", p, "ids of scenarios that drill this part")
        for i, sid in enumerate(out["drills"]):
            if not ID_PATTERN.match(sid):
                p.append(SpecProblem(f"{where}.drills[{i}]", f"= {sid!r} is not a scenario id (lowercase words joined "
                                                             "by '-')."))
    return out


def _cross_checks(sid: str, questions: list[Question], givens: dict, positions: dict[str, int]
                  ) -> list[SpecProblem]:
    """What needs the whole spec: drills name existing scenarios, points' numbers name questions or givens,
    and the texts of the capstone fields have valid placeholders."""
    problems: list[SpecProblem] = []
    known: list[str] | None = None
    if any(q.drills for q in questions):
        from caselab.scenarios import casebook

        try:
            known = casebook.scenario_ids()
        except FileNotFoundError:  # an installed package without its casebook: nothing to check against
            known = None
    qids = {q.id for q in questions}
    seen_parts: dict[str, int] = {}
    for i, q in enumerate(questions):
        if not q.part:
            continue
        if q.part in seen_parts and questions[i - 1].part != q.part:
            problems.append(SpecProblem(f"questions[{positions.get(q.id, i)}].part",
                                        f"= {q.part!r} was already used by questions[{seen_parts[q.part]}] with "
                                        "other parts in between: keep a part's questions together."))
        seen_parts.setdefault(q.part, positions.get(q.id, i))
    for i, q in enumerate(questions):
        where = f"questions[{positions.get(q.id, i)}]"
        for j, drill in enumerate(q.drills):
            if drill == sid:
                problems.append(SpecProblem(f"{where}.drills[{j}]", "names this scenario itself: link the scenarios "
                                                                    "that drill the part in detail."))
            elif known is not None and drill not in known:
                close = difflib.get_close_matches(drill, known, n=1)
                fix = f" Did you mean {close[0]!r}?" if close else ""
                problems.append(SpecProblem(f"{where}.drills[{j}]", f"= {drill!r}: there is no such scenario in the "
                                                                    f"casebook.{fix}"))
        for j, point in enumerate(q.rubric):
            if point.number and point.number not in qids and not _given_path_exists(givens, point.number):
                problems.append(SpecProblem(f"{where}.points[{j}].number",
                                            f"= {point.number!r} names neither a question of this scenario nor a "
                                            f"given: use a question id ({', '.join(sorted(qids))}) or a given name."))
        for j, beat in enumerate(q.outline):
            problems += _check_placeholders(beat, givens, f"{where}.outline[{j}]", prose=True)
        for j, fu in enumerate(q.follow_ups):
            problems += _check_placeholders(fu.question, givens, f"{where}.follow_ups[{j}].question", prose=True)
            problems += _check_placeholders(fu.answer, givens, f"{where}.follow_ups[{j}].answer", prose=True)
    return problems


def _given_path_exists(givens: dict, dotted: str) -> bool:
    node: Any = givens
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return not isinstance(node, dict)


def _parse_tolerance(raw: Any, where: str, p: list[SpecProblem]) -> Tolerance | None:
    if not isinstance(raw, dict) or not raw:
        p.append(SpecProblem(where, f"must be a table like {{ abs = 0.001 }} or {{ rel = 0.01 }}; got {raw!r}."))
        return None
    ok = True
    for key, value in raw.items():
        if key not in ("abs", "rel"):
            p.append(_unknown_key(where, key, ("abs", "rel")))
            ok = False
        elif isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
            p.append(SpecProblem(f"{where}.{key}", f"must be a positive number; got {value!r}."))
            ok = False
        elif key == "rel" and value >= 1:
            p.append(SpecProblem(f"{where}.rel", f"= {value} would accept answers off by 100% or more: "
                                                 "a relative tolerance is a fraction, e.g. 0.01 for 1%."))
            ok = False
    return Tolerance(abs=float(raw.get("abs", 0.0)), rel=float(raw.get("rel", 0.0))) if ok else None


def solver_problems(solver_name: str, givens: dict, questions, explorers: tuple[str, ...] = (),
                    solve=None) -> list[SpecProblem]:
    """The solver exists, the givens fit its schema, and it answers every non-rubric question.

    ``solve(givens)`` computes the solution (default: the solver's own ``solve``; caselab.casebook passes
    a cached one, so that checking a spec and then using it solves only once).
    """
    from caselab.scenarios import solvers  # local import: solvers import this module

    try:
        solver = solvers.get(solver_name)
    except KeyError as e:
        return [SpecProblem("solver", str(e.args[0]))]
    problems = validate_givens(givens, solver.GIVENS)
    for i, q in enumerate(questions):
        if q.kind != "rubric" and q.id not in solver.ANSWERS:
            close = difflib.get_close_matches(q.id, list(solver.ANSWERS), n=1)
            fix = f" Did you mean {close[0]!r}?" if close else ""
            problems.append(SpecProblem(f"questions[{i}].id", f"= {q.id!r}: solver {solver_name!r} cannot answer it.{fix} "
                                                              f"It answers: {', '.join(sorted(solver.ANSWERS))}."))
    if problems:
        return problems
    try:
        solution = (solve or solver.solve)(givens)
    except (ValueError, ArithmeticError, MemoryError) as e:  # the library refused the givens (e.g. rates implying negative counts)
        return [SpecProblem("givens", f"the solver {solver_name!r} cannot solve these givens: {e}")]
    for i, name in enumerate(explorers):
        if name not in solution.explorers:
            problems.append(SpecProblem(f"explorers[{i}]", f"= {name!r}: solver {solver_name!r} offers no such explorer; "
                                                           f"it offers: {sorted(solution.explorers) or 'none'}."))
    for i, q in enumerate(questions):
        for key in ("explanation", "model_answer"):
            try:
                fill(getattr(q, key), solution.prose_givens(givens))
            except KeyError as e:
                problems.append(SpecProblem(f"questions[{i}].{key}", f"the placeholder {{{e.args[0]}}} names no "
                                            f"fact of solver {solver_name!r}; it offers: "
                                            f"{', '.join(sorted(solution.facts)) or 'none'}."))
        if q.widget and q.widget not in explorers:
            problems.append(SpecProblem(f"questions[{i}].widget", f"= {q.widget!r} is not an explorer of this spec: "
                                                                  f"add it to `explorers` (now {list(explorers)})."))
        if q.kind == "rubric":
            continue
        value = solution.answers[q.id].value
        if q.kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
            problems.append(SpecProblem(f"questions[{i}].kind", f"is 'number' but the solver answers {value!r}."))
        elif q.kind == "number" and not math.isfinite(value):
            problems.append(SpecProblem("givens", f"make the answer to {q.id!r} {value}: no learner can give that. "
                                                  "Use givens of a realistic size (costs, counts, rates)."))
        if q.kind in ("choice", "decision") and value not in q.options:
            problems.append(SpecProblem(f"questions[{i}].options", f"do not include the solver's answer {value!r}: "
                                                                   f"options are {list(q.options)}."))
    return problems


# --------------------------------------------------------------------------------------------------
# [variants]: ranges of givens for drills, and constraints between them (drawing is caselab.scenarios.variants)
# --------------------------------------------------------------------------------------------------
def _get(givens: dict, dotted: str):
    node = givens
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(dotted)
        node = node[part]
    return node


def _set(givens: dict, dotted: str, value) -> None:
    *parents, leaf = dotted.split(".")
    node = givens
    for part in parents:
        node = node[part]
    node[leaf] = value


# A tiny, safe evaluator for constraints: numbers, dotted given names, + - * /, comparisons, and/or.
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
        ast.Eq: operator.eq, ast.NotEq: operator.ne}


def _dotted(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    raise ValueError("only given names (dotted), numbers, + - * /, comparisons, and/or are allowed")


def _eval(node, givens: dict):
    if isinstance(node, ast.Expression):
        return _eval(node.body, givens)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.Name | ast.Attribute):
        return _get(givens, _dotted(node))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand, givens)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_eval(node.left, givens), _eval(node.right, givens))
    if isinstance(node, ast.Compare):
        left = _eval(node.left, givens)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, givens)
            if type(op) not in _OPS or not _OPS[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        values = [_eval(v, givens) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    raise ValueError("only given names (dotted), numbers, + - * /, comparisons, and/or are allowed")


def _ranges(variants: dict) -> dict:
    return {k: v for k, v in variants.items() if k != "constraints"}


def validate_variants(variants: dict, givens: dict, schema: dict | None = None) -> list[SpecProblem]:
    """Every problem with a ``[variants]`` table: unknown givens, bad ranges, bad constraints."""
    problems: list[SpecProblem] = []
    for key, spec in _ranges(variants).items():
        where = f"variants.{key}" if "." not in key else f'variants."{key}"'
        try:
            current = _get(givens, key)
        except KeyError:
            problems.append(SpecProblem(where, f"names no given: {key!r} is not in [givens] "
                                               "(use a dotted path for nested givens, e.g. \"baseline.precision\")."))
            continue
        if isinstance(spec, dict):
            choices = spec.get("choices")
            if set(spec) != {"choices"} or not isinstance(choices, list) or not choices:
                problems.append(SpecProblem(where, "must be [low, high] or { choices = [...] } with at least one "
                                                   "choice."))
            continue
        ok = (isinstance(spec, list) and len(spec) == 2
              and all(isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) for x in spec))
        if not ok:
            problems.append(SpecProblem(where, f"must be a range [low, high] of two numbers; got {spec!r}."))
        elif spec[0] >= spec[1]:
            problems.append(SpecProblem(where, f"= {spec!r}: low must be below high."))
        elif isinstance(current, bool) or not isinstance(current, int | float):
            problems.append(SpecProblem(where, f"ranges apply to numeric givens; {key!r} is {current!r}."))
    constraints = variants.get("constraints", [])
    if not isinstance(constraints, list) or not all(isinstance(c, str) for c in constraints):
        problems.append(SpecProblem("variants.constraints", "must be an array of strings like \"a.x < b.y\"."))
        constraints = []
    for i, text in enumerate(constraints):
        try:
            result = _eval(ast.parse(text, mode="eval"), givens)
        except SyntaxError as e:
            problems.append(SpecProblem(f"variants.constraints[{i}]", f"= {text!r} is not an expression: {e.msg}."))
            continue
        except KeyError as e:
            problems.append(SpecProblem(f"variants.constraints[{i}]", f"= {text!r} names no given: {e.args[0]!r}."))
            continue
        except (ValueError, TypeError, ArithmeticError) as e:
            problems.append(SpecProblem(f"variants.constraints[{i}]", f"= {text!r}: {e}."))
            continue
        if result is not True:
            problems.append(SpecProblem(f"variants.constraints[{i}]", f"= {text!r} is false for the spec's own "
                                                                      "givens: a constraint must hold for them."))
    return problems
