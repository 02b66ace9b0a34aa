"""A mock interview in the terminal: one scenario, one question at a time, against the clock.

``caselab mock [--company C] [--topic T] [--minutes M]`` picks a scenario (weighted toward what you
got wrong before, from the progress journal), draws fresh numbers when the scenario has variants,
then asks its questions one at a time with the time shown at every prompt. Numbers and choices are
graded at once with the same feedback as the notebooks (misconceptions named); for open questions you
answer in prose, then see the model answer and the rubric and score yourself point by point. At the
end: a summary of your time per question and what to review.

A capstone (a scenario whose questions are organised into the parts of one interview question, e.g.
``caselab mock --scenario pinterest-capstone``) runs as one full-length interview: the time limit is the
sum of the parts' target speaking times unless ``--minutes`` says otherwise, and each part has its own
clock — shown at every prompt and, when the part ends, set against the part's target. Open parts show
the outline to speak from with the model answer, then the interviewer's follow-ups one at a time.

At any prompt: ``h`` for a hint, ``s`` to skip, ``q`` to stop. Colours only on a terminal that wants
them (``NO_COLOR`` or ``--no-color`` turns them off).
"""

from __future__ import annotations

import ast
import math
import os
import re
import sys
import textwrap
import time
from dataclasses import dataclass, field

import numpy as np

from caselab.practice import journal
from caselab.practice.grading import Feedback, check_answer
from caselab.scenarios import casebook
from caselab.scenarios.spec import Scenario, fill

__all__ = ["pick_scenario", "parse_number", "run_mock", "interview_minutes", "MockResult", "PartResult"]

SELF_SCORE_PASS = 0.6  # share of rubric points a self-scored answer needs to count as passed


class _Style:
    def __init__(self, colour: bool):
        self.colour = colour

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour else text

    def bold(self, t):
        return self._wrap("1", t)

    def dim(self, t):
        return self._wrap("2", t)

    def paint(self, status: str, text: str) -> str:
        return self._wrap({"passed": "32", "failed": "31"}.get(status, "33"), text)

    def status(self, fb: Feedback) -> str:
        return self.paint(fb.status, str(fb))


def wants_colour(stream) -> bool:
    return (hasattr(stream, "isatty") and stream.isatty() and not os.environ.get("NO_COLOR")
            and os.environ.get("TERM") != "dumb")


# --------------------------------------------------------------------------------------------------
def pick_scenario(scenarios: list[Scenario], rng: np.random.Generator, data: dict | None = None) -> Scenario:
    """Due cards first: the scenario holding the most forgotten due question (spaced repetition, FSRS).
    With nothing due, draw one with weight 1 + weakness: what you got wrong comes back more often."""
    from caselab.practice import schedule

    if not scenarios:
        raise ValueError("no scenario matches those filters")
    data = data if data is not None else journal.load()
    candidates = {s.id: s for s in scenarios}
    due = [d for d in schedule.due_cards(data.get("cards", {})) if d.scenario in candidates]
    if due:
        return candidates[due[0].scenario]
    weights = np.array([1.0 + journal.weakness(data, s.id) for s in scenarios])
    return scenarios[int(rng.choice(len(scenarios), p=weights / weights.sum()))]


_ARITH = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
          ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b}


def _arith(node) -> float:
    """Numbers and + - * / ** ( ) only: what one works out on paper in an interview."""
    if isinstance(node, ast.Expression):
        return _arith(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _arith(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        right = _arith(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 100:
            raise ValueError("exponent too large")
        return _ARITH[type(node.op)](_arith(node.left), right)
    raise ValueError("not arithmetic")


def parse_number(text: str) -> float | None:
    """A number as people type it: ``0.55``, ``1,742.34``, ``55%``, ``1/6``, ``2*0.7*0.45/(0.7+0.45)``,
    ``1e-4``; None if it is not one."""
    t = text.strip().replace(",", "").replace("_", "").replace("×", "*").replace("−", "-").replace("^", "**")
    if not t:
        return None
    scale = 1.0
    if t.endswith("%"):
        t, scale = t[:-1], 0.01
    try:
        value = _arith(ast.parse(t, mode="eval")) * scale
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError, RecursionError):
        return None
    return value if math.isfinite(value) else None


@dataclass
class QuestionResult:
    id: str
    kind: str
    status: str
    seconds: float
    message: str = ""


@dataclass
class PartResult:
    """One part of a capstone interview: its target time and the time it took."""

    label: str
    target_seconds: float
    seconds: float

    @property
    def over_seconds(self) -> float:
        return self.seconds - self.target_seconds


@dataclass
class MockResult:
    scenario: str
    variant: int | None
    results: list[QuestionResult] = field(default_factory=list)
    stopped_early: bool = False
    parts: list[PartResult] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(r.status == "passed" for r in self.results)


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_EMPH = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def _inline(text: str, bold) -> str:
    """Markdown emphasis and code spans, as a terminal shows them."""
    text = _BOLD.sub(lambda m: bold(m.group(1)), text)
    text = _EMPH.sub(r"\1", text)
    return text.replace("`", "")


def terminal_markdown(text: str, *, width: int = 92, indent: str = "  ", bold=lambda t: t) -> list[str]:
    """The few Markdown shapes the casebook uses, laid out for a terminal: paragraphs wrapped, list items
    kept apart, tables aligned in columns."""
    out: list[str] = []
    for block in text.strip().split("\n\n"):
        lines = [ln.rstrip() for ln in block.splitlines() if ln.strip()]
        if lines and all(ln.lstrip().startswith("|") for ln in lines):
            rows = [[_inline(c.strip(), bold) for c in ln.strip().strip("|").split("|")] for ln in lines
                    if not re.fullmatch(r"[\s|:-]+", ln)]
            widths = [max(len(r[i]) if i < len(r) else 0 for r in rows) for i in range(max(map(len, rows)))]
            for r in rows:
                out.append(indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip())
        elif lines and re.match(r"\s*([-*+]|\d+[.)])\s", lines[0]) and all(
                re.match(r"\s*([-*+]|\d+[.)])\s", ln) or ln.startswith((" ", "\t")) for ln in lines):
            items: list[str] = []
            for ln in lines:  # an indented line continues the item above it
                if re.match(r"\s*([-*+]|\d+[.)])\s", ln):
                    items.append(ln.strip())
                else:
                    items[-1] += " " + ln.strip()
            for item in items:
                out += textwrap.wrap(_inline(item, bold), width=width, initial_indent=indent,
                                     subsequent_indent=indent + "  ")
        else:
            out += textwrap.wrap(_inline(" ".join(" ".join(lines).split()), bold), width=width,
                                 initial_indent=indent, subsequent_indent=indent)
        out.append("")
    return out


def _fmt_clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


DEFAULT_MINUTES = 20.0


def interview_minutes(scenario: Scenario) -> float:
    """The full length of a mock on ``scenario``: a capstone's total target speaking time (rounded up to
    whole minutes), else :data:`DEFAULT_MINUTES`."""
    from caselab.notebooks.render import part_minutes

    total = part_minutes(scenario.questions) if scenario.is_capstone else 0.0
    return float(math.ceil(total)) if total else DEFAULT_MINUTES


def _over_under(delta: float) -> str:
    return f"{_fmt_clock(abs(delta))} {'over' if delta > 0 else 'under'}"


def run_mock(scenario: Scenario, *, variant: int | None = None, minutes: float | None = None, input_fn=input,
             out=None, colour: bool | None = None, clock=time.monotonic, record: bool = True) -> MockResult:
    """Run one mock interview on ``scenario`` (givens of ``variant`` if given) and return the results.

    ``minutes`` is the time limit (default: :func:`interview_minutes`). In a capstone each part also has
    its own clock, set against the part's target (the sum of its questions' ``speaking_time``).
    """
    from caselab.notebooks.render import part_minutes, speaking_time_text

    minutes = interview_minutes(scenario) if minutes is None else minutes
    out = out or sys.stdout
    style = _Style(wants_colour(out) if colour is None else colour)
    width = 92

    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    def para(text: str, indent: str = "  ") -> None:
        for line in terminal_markdown(text, width=width, indent=indent, bold=style.bold):
            say(line)

    givens = scenario.givens
    if variant is not None:
        from caselab.scenarios import variants

        givens = variants.draw(scenario, variant)
    solution = casebook.solve(scenario, givens)
    src = scenario.source

    say(style.bold(f"Mock interview — {scenario.title}"))
    say(f"{src.company} · {src.role} · {src.round} · {src.difficulty}"
        + (f" · drill variant {variant}" if variant is not None else ""))
    say(f"{len(scenario.questions)} questions, {minutes:g} minutes. At any prompt: h = hint, s = skip, q = stop.")
    parts = scenario.parts() if scenario.is_capstone else []
    if parts:
        say("One full interview, part by part; each part has its own clock and target:")
        for label, qs in parts:
            target = part_minutes(qs)
            say(f"  {label or '(unlabelled)':10} {len(qs):>2} question(s)   target {speaking_time_text(target) if target else '—'}")
    say()
    para(fill(scenario.story, givens))
    from caselab.scenarios.solvers import get
    from caselab.scenarios.text import flatten_givens

    say(style.bold("Givens"))
    rows = list(flatten_givens(givens, get(scenario.solver).GIVENS))
    name_width = min(max((len(n) for n, _, _ in rows), default=10), 40)
    doc_width = max(width - name_width - 20, 30)
    for name, value, doc in rows:
        shown = f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
        docs = textwrap.wrap(doc, doc_width) or [""]
        say(f"  {name:{name_width}} {shown:>12}   {style.dim(docs[0])}")
        for more in docs[1:]:
            say(" " * (name_width + 18) + style.dim(more))
    say()

    result = MockResult(scenario.id, variant)
    learner: dict = {}
    start = clock()
    deadline = start + minutes * 60
    part_of = {q.id: (label, part_minutes(qs) * 60) for label, qs in parts if label for q in qs}
    current: dict = {}  # the part under way: label, target (s), start

    def close_part() -> None:
        if not current:
            return
        taken = clock() - current["start"]
        result.parts.append(PartResult(current["label"], current["target"], taken))
        if current["target"]:
            say(style.dim(f"  {current['label']} took {_fmt_clock(taken)} against a target of "
                          f"{_fmt_clock(current['target'])} ({_over_under(taken - current['target'])})."))
        say()
        current.clear()

    def part_clock() -> str:
        if not current:
            return ""
        return f"{current['label']} {_fmt_clock(clock() - current['start'])}/{_fmt_clock(current['target'])} · "

    def not_reached(i: int) -> None:
        result.stopped_early = True
        for rest in scenario.questions[i - 1:]:
            result.results.append(QuestionResult(rest.id, rest.kind, "not_reached", 0.0))

    for i, q in enumerate(scenario.questions, 1):
        now = clock()
        if now >= deadline:
            close_part()
            say(style.bold(f"⏱ Time is up ({minutes:g} min). The remaining questions are not scored."))
            not_reached(i)
            break
        if q.id in part_of and current.get("label") != part_of[q.id][0]:
            close_part()
            label, target = part_of[q.id]
            current.update(label=label, target=target, start=clock())
            say(style.bold(f"━━ {label} ━━") + "  " + style.dim(f"target {speaking_time_text(target / 60)}; "
                                                               "the part clock starts now"))
        say(style.bold(f"Q{i}/{len(scenario.questions)} [{q.id}]") + "   "
            + style.dim(f"⏱ {part_clock()}{_fmt_clock(now - start)} elapsed · {_fmt_clock(deadline - now)} left"))
        para(fill(q.prompt, givens))
        if q.speaking_time and q.kind == "rubric":
            say(style.dim(f"  (answer out loud first: about {speaking_time_text(q.speaking_time)}; then type the gist)"))
        if q.options:
            for k, opt in enumerate(q.options, 1):
                say(f"    {k}. {opt}")
        q_start = clock()
        fb, stop = _ask(q, solution.answers.get(q.id), learner, givens, input_fn, say, para, style,
                        lambda: f"[{part_clock()}{_fmt_clock(deadline - clock())} left] > ",
                        answers={k: a.value for k, a in solution.answers.items()})
        seconds = clock() - q_start
        if stop:
            close_part()
            not_reached(i)
            break
        result.results.append(QuestionResult(q.id, q.kind, fb.status, seconds, fb.message))
        if record:
            try:
                journal.record(scenario.id, q.id, "mock", fb.status, seconds=seconds, kind=q.kind)
            except (OSError, journal.JournalError) as e:  # a journal problem must not end the interview
                say(style.dim(f"(progress not saved: {e})"))
        say()
    else:
        close_part()

    _summary(result, scenario, givens, say, style)
    if record:
        entry = {"scenario": scenario.id, "variant": variant, "when": time.time(), "score": result.score,
                 "questions": len(scenario.questions), "seconds": round(sum(r.seconds for r in result.results), 1)}
        if result.parts:
            entry["parts"] = [{"part": p.label, "target_seconds": round(p.target_seconds, 1),
                               "seconds": round(p.seconds, 1)} for p in result.parts]
        try:
            journal.record_mock(entry)
        except OSError:
            pass
    return result


def _ask(q, answer, learner, givens, input_fn, say, para, style, prompt, answers=None):
    """Ask one question until it is answered, skipped or the learner stops. Returns (feedback, stop)."""

    def say_feedback(fb: Feedback) -> None:
        # The notebook's advice to call case.hint() becomes this prompt's own command.
        text = re.sub(r"Try case\.hint\([^)]*\) for a nudge\.|Try case\.hint\([^)]*\)\.", "(h gives a hint)",
                      str(fb))
        lines = [w for part in text.split("\n") for w in (textwrap.wrap(part, width=90, subsequent_indent="    ")
                                                            or [""])]
        say("  " + style.paint(fb.status, lines[0]))
        for more in lines[1:]:
            say("  " + more)

    while True:
        try:
            raw = input_fn(prompt())
        except EOFError:
            return None, True
        text = raw.strip()
        if text.lower() in ("q", "quit", "exit"):
            return None, True
        if text.lower() in ("h", "hint"):
            say("  hint: " + (fill(q.hint, givens) if q.hint else "none for this one."))
            continue
        if text.lower() in ("s", "skip"):
            fb = Feedback(q.id, "not_answered", "skipped.")
            say_feedback(fb)
            return fb, False
        if text in ("?", "help"):
            say("  type your answer; h = hint, s = skip, q = stop the interview")
            continue
        if not text:
            continue
        if q.kind == "rubric":
            lines = [raw]
            say(style.dim("  (more lines if you like; an empty line ends your answer)"))
            while True:
                try:
                    more = input_fn("  … ")
                except EOFError:
                    break
                if not more.strip():
                    break
                lines.append(more)
            return _self_score(q, givens, input_fn, say, para, style, answers), False
        if q.kind == "number":
            value = parse_number(text)
            if value is None:
                say("  that is not a number (e.g. 0.55, 1,742.3, 12%, 1/6): try again, or h / s / q.")
                continue
        else:
            value = text
            if text.isdigit() and 1 <= int(text) <= len(q.options):
                value = q.options[int(text) - 1]
        fb = check_answer(q, answer, value, learner)
        learner[q.id] = value
        say_feedback(fb)
        if not fb.passed and answer is not None:
            shown = answer.value if isinstance(answer.value, str) else f"{answer.value:.6g}"
            say(style.dim(f"  the answer: {shown}" + (f" — {answer.formula}" if answer.formula else "")))
        return fb, False


def _self_score(q, givens, input_fn, say, para, style, answers=None) -> Feedback:
    if q.outline:
        say(style.bold("  Outline to speak from"))
        for k, beat in enumerate(q.outline, 1):
            for line in textwrap.wrap(fill(beat, givens, answers), width=86, initial_indent=f"   {k}. ",
                                      subsequent_indent="      "):
                say(line)
    say(style.bold("  Model answer"))
    para(fill(q.model_answer, givens, answers), indent="    ")
    say(style.bold("  Score yourself: did your answer make each point? (y/n)"))
    hit = 0
    for k, point in enumerate(q.points, 1):
        for line in textwrap.wrap(point, width=84, initial_indent=f"   {k}. ", subsequent_indent="      "):
            say(line)
        while True:
            try:
                yn = input_fn("      y/n > ").strip().lower()
            except EOFError:
                yn = "n"
            if yn in ("y", "yes", "n", "no"):
                break
            say("      please answer y or n")
        hit += yn.startswith("y")
    share = hit / len(q.points)
    status = "passed" if share >= SELF_SCORE_PASS else "failed"
    fb = Feedback(q.id, status, f"self-scored {hit}/{len(q.points)} rubric points"
                                f" ({'≥' if status == 'passed' else '<'} {SELF_SCORE_PASS:.0%} to pass).")
    say("  " + style.status(fb))
    _follow_ups(q, givens, input_fn, say, style, answers)
    return fb


def _follow_ups(q, givens, input_fn, say, style, answers=None) -> None:
    """The interviewer's follow-ups, one at a time: answer out loud, then Enter shows a short model answer."""
    if not q.follow_ups:
        return
    say(style.bold(f"  The interviewer follows up ({len(q.follow_ups)}): answer each out loud, then press Enter "
                   "for a short model answer (s skips the rest)."))
    for k, f in enumerate(q.follow_ups, 1):
        for line in textwrap.wrap(fill(f.question, givens, answers), width=86, initial_indent=f"   {k}. ",
                                  subsequent_indent="      "):
            say(line)
        try:
            reply = input_fn("      Enter > ").strip().lower()
        except EOFError:
            return
        if reply in ("s", "skip", "q"):
            return
        for line in textwrap.wrap(fill(f.answer, givens, answers), width=84, initial_indent="      → ",
                                  subsequent_indent="        "):
            say(style.dim(line))


def _summary(result: MockResult, scenario: Scenario, givens: dict, say, style) -> None:
    say(style.bold("Summary"))
    say(f"  {'question':34} {'status':12} {'time':>6}")
    for r in result.results:
        say(f"  {r.id:34} {r.status:12} {_fmt_clock(r.seconds) if r.status != 'not_reached' else '—':>6}")
    total = sum(r.seconds for r in result.results)
    say(f"  score {result.score}/{len(scenario.questions)} in {_fmt_clock(total)}")
    if result.parts:
        say()
        say(f"  {'part':12} {'target':>7} {'taken':>7}")
        for p in result.parts:
            say(f"  {p.label:12} {_fmt_clock(p.target_seconds):>7} {_fmt_clock(p.seconds):>7}   "
                + (_over_under(p.over_seconds) if p.target_seconds else ""))
    review = [r for r in result.results if r.status not in ("passed", "not_reached")]
    unreached = [r.id for r in result.results if r.status == "not_reached"]
    if review or unreached:
        say()
        say(style.bold("Review next"))
        for r in review:
            q = scenario.question(r.id)
            tip = f" — hint: {fill(q.hint, givens)}" if q.hint else ""
            say(textwrap.fill(f"- {r.id} ({r.status}){tip}", width=92, subsequent_indent="    "))
        if unreached:
            say(textwrap.fill(f"- not reached: {', '.join(unreached)}", width=92, subsequent_indent="    "))
        say(f"  topics: {', '.join(scenario.topics)}")
        say(f"  worked solution: caselab solve {scenario.id}")
    else:
        say("  clean sweep — try another company or topic, or a harder difficulty.")


def filter_scenarios(company: str | None = None, topic: str | None = None,
                     difficulty: str | None = None) -> list[Scenario]:
    """The scenarios matching the filters. A topic asks for a drill on that topic, so it leaves out the
    capstones (whole interviews whose topics span everything), unless nothing else matches."""
    out = []
    for s in casebook.load_all(check_solver=False):
        if company and company.casefold() not in s.source.company.casefold():
            continue
        if topic and not any(topic.casefold() in t for t in s.topics):
            continue
        if difficulty and s.source.difficulty != difficulty:
            continue
        out.append(s)
    if topic and any(not s.is_capstone for s in out):
        out = [s for s in out if not s.is_capstone]
    return out


def main_mock(args) -> int:
    scenarios = filter_scenarios(args.company, args.topic, args.difficulty)
    if args.scenario:
        scenarios = [casebook.load(args.scenario)]
    if not scenarios:
        print("caselab: no scenario matches those filters (see `caselab list`).", file=sys.stderr)
        return 1
    rng = np.random.default_rng(args.seed)
    scenario = pick_scenario(scenarios, rng)
    variant = None
    if scenario.variants and not args.original:
        variant = int(rng.integers(0, 1_000_000)) if args.variant is None else args.variant
    colour = False if args.no_color else None
    run_mock(scenario, variant=variant, minutes=getattr(args, "minutes", None), colour=colour)
    return 0
