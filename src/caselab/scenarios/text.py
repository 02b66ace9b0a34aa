"""How a scenario's text reads, wherever it is shown: numbers, givens, worked answers, Markdown.

Shared by the notebooks (render), the learner API (``case.solution``) and the mock, so the same
words appear everywhere.
"""

from __future__ import annotations

import re

from caselab.scenarios.solvers import Answer
from caselab.scenarios.spec import Given, Question, fill

__all__ = ["escape_dollars", "flatten_givens", "format_number", "worked_answer"]

_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)


def escape_dollars(markdown: str) -> str:
    """Escape ``$`` outside code, so "$5 … $500" is money, not a LaTeX formula, in Jupyter's Markdown."""
    parts = _CODE.split(markdown)
    return "".join(p if i % 2 else re.sub(r"(?<!\\)\$", r"\\$", p) for i, p in enumerate(parts))


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
    """
    if question.kind == "rubric":
        parts = [f"**Model answer**\n\n{fill(question.model_answer, givens).strip()}"] if model_answer else []
        parts.append("**Rubric points**\n\n" + "\n".join(f"- {p}" for p in question.points))
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
