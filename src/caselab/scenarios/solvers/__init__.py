"""Solvers: a scenario's givens in, its answers (with the worked steps) out.

One module per scenario family. Each module declares

``GIVENS``
    ``{name: caselab.spec.Given}`` — what it needs, with ranges; a spec is checked against it.
``ANSWERS``
    the question ids it can answer.
``solve(givens) -> Solution``
    computes every answer *from the givens alone* by calling the reference library, so changing a
    number in a spec changes the answers.

An :class:`Answer` carries the value and what a learner needs to see how it was reached: the formula,
the numbers substituted, the Python that computes it in the solution notebook, the wrong values that
known mistakes produce, and — for answers built on earlier ones — how to recompute it from a learner's
own earlier values (error carried forward).
"""

from __future__ import annotations

import difflib
import importlib
import math
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType

from caselab.scenarios.spec import Tolerance

__all__ = ["Answer", "Solution", "available", "distinct_mistakes", "get"]


@dataclass
class Answer:
    """One computed answer.

    value
        the answer: a float for number questions, one of the options for choice/decision ones.
    formula
        the general rule, e.g. ``"F1 = 2·P·R / (P + R)"``.
    work
        the rule with this scenario's numbers, e.g. ``"2·0.70·0.45 / (0.70 + 0.45) = 0.5478"``.
    code
        Python that assigns the question's variable in the solution notebook, using the givens (bound
        as variables) and names set up by :attr:`Solution.setup_code`.
    mistakes
        ``{description of a mistake: the value it produces}`` — used to name a learner's misconception.
    depends_on, recompute
        the question ids this answer is computed from, and ``recompute(values)`` giving this answer
        from a dict of (a learner's) values of those — so a wrong earlier answer is not punished twice.
    """

    value: float | str
    formula: str = ""
    work: str = ""
    code: str = ""
    mistakes: dict[str, float | str] = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()
    recompute: Callable[..., float | str] | None = None


@dataclass
class Solution:
    """All answers of a scenario, plus the code the notebooks share.

    data_code
        shown in *both* notebooks after the givens: builds the data a learner works on (e.g. a seeded
        validation set) from the givens.
    setup_code
        solution notebook only: intermediate objects the answers' code uses.
    explorers
        ``{explorer name: code}`` — the cell that shows an interactive explorer (``caselab.widgets``)
        fed with this scenario's givens or data; a spec's ``explorers = [...]`` picks which to embed.
    facts
        ``{name: value}`` — numbers the solver computes for the spec's worked text that no question
        asks for (e.g. how many times over capacity the Bayes threshold flags). An ``explanation`` or a
        rubric's ``model_answer`` reaches them — and every answer's value, by question id — as
        ``{facts.name:.2f}``: a number that depends on the givens is computed, never typed into a spec.
    """

    answers: dict[str, Answer]
    data_code: str = ""
    setup_code: str = ""
    explorers: dict[str, str] = field(default_factory=dict)
    facts: dict[str, float | str] = field(default_factory=dict)

    def prose_givens(self, givens: dict) -> dict:
        """The givens plus ``facts`` (every answer's value and every fact, by name): what worked text —
        an explanation or a model answer, shown after the learner has tried — is filled with."""
        return {**givens, "facts": {**{qid: a.value for qid, a in self.answers.items()}, **self.facts}}


def distinct_mistakes(truth: float, mistakes: dict[str, float | str], tolerance: Tolerance) -> dict[str, float | str]:
    """The named mistakes that feedback can tell apart from the key: those ``tolerance`` does not accept.

    A mistake whose value lies inside the accepted band ``|v − truth| ≤ max(abs, rel·|truth|)`` is a wrong
    method that passes, so its message could never show (the grader skips it too). Which mistakes fall
    inside depends on the givens — the inverse of a break-even ratio near 1, the Neyman χ² (÷ O) of a
    near-50/50 split — so a solver filters them here rather than dropping them for every variant.

    Parameters
    ----------
    truth
        the answer's value.
    mistakes
        ``{description: value}``; values that are not finite numbers (an option's text) are kept.
    tolerance
        the tolerance the question is graded with: the spec's ``tolerance``, else
        ``spec.DEFAULT_TOLERANCE[unit]``. A solver keeps these in a module-level ``TOLERANCE = {question
        id: Tolerance}``; ``tests/test_solvers.py`` checks each equals what every spec asking that question
        applies, and ``tests/test_learner_text.py`` that no offered mistake lies within it, in the base case
        and in 1,000 drill variants.

    Returns
    -------
    dict
        the mistakes outside the band, in their original order.
    """
    return {m: v for m, v in mistakes.items()
            if not (isinstance(v, int | float) and math.isfinite(v) and tolerance.accepts(v, truth))}


def _modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def available() -> list[str]:
    """The names of every solver module."""
    return _modules()


def get(name: str) -> ModuleType:
    """The solver module ``name``; a ``KeyError`` with close matches if there is none."""
    names = _modules()
    if name not in names:
        close = difflib.get_close_matches(name, names, n=3)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise KeyError(f"there is no solver {name!r}.{hint} Solvers: {', '.join(names)}.")
    module = importlib.import_module(f"{__name__}.{name}")
    for attr in ("GIVENS", "ANSWERS", "solve"):
        if not hasattr(module, attr):  # a bug in the package, not in a spec
            raise AttributeError(f"solver module caselab.solvers.{name} lacks {attr}")
    return module
