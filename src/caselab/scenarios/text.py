"""How a scenario's text reads, wherever it is shown: numbers, givens, worked answers, Markdown.

Shared by the notebooks (render), the learner API (``case.solution``) and the mock, so the same
words appear everywhere.
"""

from __future__ import annotations

import ast
import re

from caselab.scenarios.solvers import Answer
from caselab.scenarios.spec import Given, Question, evidence_alternatives, fill

__all__ = ["escape_dollars", "escape_markdown", "python_string_literal", "flatten_givens", "format_number",
           "worked_answer"]

_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")  # what CommonMark reads as raw HTML: a tag, a comment, <!...>, <?...>
_UNSAFE_URL = re.compile(r"\]\(\s*(?=(?:javascript|vbscript|data|file):)", re.I)


def escape_dollars(markdown: str) -> str:
    """Escape ``$`` outside code, so "$5 … $500" is money, not a LaTeX formula, in Jupyter's Markdown."""
    parts = _CODE.split(markdown)
    return "".join(p if i % 2 else re.sub(r"(?<!\\)\$", r"\\$", p) for i, p in enumerate(parts))


def escape_markdown(markdown: str) -> str:
    """Markdown from a spec made safe to show: ``$`` is money (see :func:`escape_dollars`), and no raw HTML.

    A spec is data from anyone, and Markdown passes raw HTML through: ``<script>`` or ``onerror=`` would
    run in the study guide's pages (nbconvert) and in any HTML export. Outside code, a ``<`` that would open
    a tag, a comment or a declaration becomes ``&lt;`` (it still reads as ``<``; "p < 0.5" is left as it
    is, since CommonMark never reads that as HTML) and links to ``javascript:``,
    ``data:``, ``vbscript:`` or ``file:`` URLs lose their link. Code spans and blocks are left as written.
    """
    parts = _CODE.split(escape_dollars(markdown))
    safe = []
    for i, part in enumerate(parts):
        if not i % 2:
            part = _UNSAFE_URL.sub("] (", _TAG_START.sub("&lt;", part))
        safe.append(part)
    return "".join(safe)


def python_string_literal(text: str) -> str:
    """``text`` as Python source: a readable triple-quoted block when it round-trips exactly, else ``repr``.

    The block form is checked with Python's own parser, so no text — a stray ``\"\"\"``, a backslash, code
    after a quote — can end the string early and become statements in a notebook.
    """
    block = '"""\n' + text + '\n"""'
    if "\\" in text:  # escapes would change the text (and invalid ones warn): repr says it exactly
        return repr("\n" + text + "\n")
    try:
        node = ast.parse(block, mode="eval").body
        exact = isinstance(node, ast.Constant) and node.value == "\n" + text + "\n"
    except SyntaxError:
        exact = False
    return block if exact else repr("\n" + text + "\n")


def flatten_givens(givens: dict, schema: dict[str, Given] | None, prefix: str = ""):
    """Every given as ``(dotted name, value, meaning)``, nested tables and mappings flattened."""
    for key, value in givens.items():
        g = (schema or {}).get(key)
        name = f"{prefix}{key}"
        if isinstance(value, dict) and (g is None or g.kind in ("table", "mapping")):
            sub = g.fields if g is not None and g.kind == "table" else None
            if g is not None and g.kind == "mapping" and g.each is not None and g.each.fields:
                for k2, v2 in value.items():
                    yield from flatten_givens(v2, g.each.fields, f"{name}.{k2}.")
                continue
            yield from flatten_givens(value, sub, f"{name}.")
        else:
            yield name, value, (g.doc if g else "")


def format_number(x: float) -> str:
    """A number as feedback and worked answers show it: 6 significant digits, thousands separated."""
    if x == 0 or 1e-3 <= abs(x) < 1e6:
        return f"{x:,.6g}" if abs(x) >= 1000 else f"{x:.6g}"
    return f"{x:.4g}"


def worked_answer(question: Question, answer: Answer | None, givens: dict, *, model_answer: bool = False,
                  code: bool = False) -> str:
    """The worked answer as Markdown — the same words in ``case.solution`` and in the solution notebook.

    Number and option questions: the answer, its formula, the numbers, optionally the code, the spec's
    explanation, and the tolerance. Rubric questions: optionally the model answer, then the rubric points.
    ``answers`` (``{question id: value}``, the whole solution's) fills the ``{answers.<id>}`` placeholders
    of the explanation, outline, model answer and follow-ups.
    """
    if question.kind == "rubric":
        parts = []
        if question.outline:
            parts.append("**Outline to speak from**\n\n" + "\n".join(
                f"{k}. {fill(beat, givens)}" for k, beat in enumerate(question.outline, 1)))
        if model_answer:
            parts.append(f"**Model answer**\n\n{fill(question.model_answer, givens).strip()}")
        if any(p.evidence for p in question.rubric):
            parts.append("**Rubric points** (and what the coach looks for in an answer)\n\n"
                         + "\n".join(f"- {p.text}{_evidence_note(p)}" for p in question.rubric))
        else:
            parts.append("**Rubric points**\n\n" + "\n".join(f"- {p}" for p in question.points))
        if question.follow_ups:
            parts.append("**Follow-ups the interviewer asks next**\n\n" + "\n\n".join(
                f"- *{fill(f.question, givens).strip()}*  \n  {fill(f.answer, givens).strip()}"
                for f in question.follow_ups))
        return "\n\n".join(parts)
    parts = []
    if answer is not None:
        shown = answer.value if isinstance(answer.value, str) else format_number(float(answer.value))
        parts.append(f"**Answer**: `{shown}`")
        if answer.formula:
            parts.append(f"**Formula**: {answer.formula}")
        if answer.work:
            parts.append(f"**Numbers**: {answer.work}")
        if code and answer.code:
            parts.append(f"```python\n{answer.code}\n```")
    if question.explanation:
        parts.append(fill(question.explanation, givens).strip())
    if question.kind == "number":
        parts.append(f"*Accepted within {question.accepted.describe()}.*")
    return "\n\n".join(parts)


def _evidence_note(point) -> str:
    """A point's evidence in brief: the first alternatives of each group (the spec holds the full list)."""
    if not point.evidence:
        return ""
    groups = []
    for group in point.evidence:
        alts = [a.removeprefix("re:") for a in evidence_alternatives(group)]
        shown = " / ".join(f"`{a}`" for a in alts[:3])
        groups.append(shown + (" …" if len(alts) > 3 else ""))
    return "  \n  *coach looks for:* " + " **and** ".join(groups)
