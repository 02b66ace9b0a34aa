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
import functools
import importlib
import math
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import ModuleType

from caselab.scenarios.spec import Tolerance

__all__ = ["Answer", "Solution", "available", "distinct_mistakes", "get", "keep_distinct_mistakes",
           "single_threaded"]


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

    def worked_code(self, qid: str) -> str:
        """The code of answer ``qid`` as a learner can run it in the *learner* notebook.

        An answer's :attr:`Answer.code` may use names that only the solution notebook defines (its
        :attr:`setup_code`, or a helper an earlier answer's code assigned). Those statements are put in
        front, in their order — only the ones it needs, found by the names each statement assigns and
        reads (:mod:`ast`), transitively. Earlier questions' own variables are left to the learner's
        answers (error carried forward); ``print`` calls are left out, and a setup call that assigns
        nothing (e.g. ``threadpool_limits(1)``, so the numbers match) comes along when a setup statement
        after it does.
        """
        code = self.answers[qid].code
        if not code:
            return code
        import ast

        order = list(self.answers)
        earlier = order[: order.index(qid)]
        pool: list[tuple[str, set[str], set[str], bool]] = []  # (source, assigns, reads, from setup_code)
        for k, source in enumerate([self.setup_code] + [self.answers[q].code for q in earlier]):
            if not source:
                continue
            for stmt in ast.parse(source).body:
                if _is_print(stmt):
                    continue
                assigned, read = _names(stmt)
                pool.append((ast.get_source_segment(source, stmt) or ast.unparse(stmt), assigned - set(earlier),
                             read, k == 0))
        needed = set(_free_names(code))
        chosen: list[int] = []
        for i in range(len(pool) - 1, -1, -1):
            src, assigned, read, setup = pool[i]
            side_effect = setup and not assigned and any(pool[j][3] for j in chosen)
            if assigned & needed or side_effect:
                chosen.append(i)
                needed |= read - (assigned - read)
        if not chosen:
            return code
        return "\n".join(pool[i][0] for i in sorted(chosen)) + "\n" + code



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
        applies, and ``tests/test_learner_text.py`` and ``tests/test_variants_scale.py`` that no offered
        mistake lies within it, in the base case and in hundreds of drill variants.

    Returns
    -------
    dict
        the mistakes outside the band, in their original order.
    """
    return {m: v for m, v in mistakes.items()
            if not (isinstance(v, int | float) and math.isfinite(v) and tolerance.accepts(v, truth))}



def keep_distinct_mistakes(answers: dict[str, Answer], tolerance: dict[str, Tolerance]) -> dict[str, Answer]:
    """Every answer with only the mistakes feedback can tell apart from it, for a solver with many questions.

    A number question named in ``tolerance`` keeps :func:`distinct_mistakes` of its mistakes; a choice or
    decision answer drops a mistake whose option *is* the key (a variant's givens can make the "wrong"
    option right). Other answers are returned unchanged.

    Parameters
    ----------
    answers
        ``{question id: Answer}`` as a solver built it.
    tolerance
        the solver's module-level ``TOLERANCE``: ``{number question id: the tolerance its spec grades with}``.

    Returns
    -------
    dict
        ``{question id: Answer}`` in the original order; an answer whose mistakes change is a copy.
    """
    kept = {}
    for qid, answer in answers.items():
        if qid in tolerance:
            mistakes = distinct_mistakes(float(answer.value), answer.mistakes, tolerance[qid])
        elif isinstance(answer.value, str):
            mistakes = {m: v for m, v in answer.mistakes.items() if v != answer.value}
        else:
            mistakes = answer.mistakes
        kept[qid] = answer if mistakes == answer.mistakes else replace(answer, mistakes=mistakes)
    return kept

@functools.cache
def _thread_pools():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def single_threaded():
    """A context in which BLAS and OpenMP use one thread: a solver's small scikit-learn fit is quickest so on a
    shared machine (several threads spin for a 1 ms fit). The thread pools are found once per process: finding
    them reads every loaded library (~10 ms), which ``threadpool_limits(1)`` would do at each call."""
    return _thread_pools().limit(limits=1)


_MUTATORS = {"append", "extend", "insert", "update", "add", "setdefault", "pop", "remove", "clear", "sort",
             "fill", "put"}  # methods that change their object in place


def _names(stmt) -> tuple[set[str], set[str]]:
    """The names a statement assigns (or mutates: ``d[k] = v`` counts for ``d``) and the names it reads."""
    import ast

    assigned, read = set(), set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name):
            (assigned if isinstance(node.ctx, ast.Store | ast.Del) else read).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            assigned.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            assigned |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and isinstance(node.func.value, ast.Name) and node.func.attr in _MUTATORS):
            assigned.add(node.func.value.id)  # gains.append(x) changes gains: it counts as assigning it
            read.add(node.func.value.id)
        elif isinstance(node, ast.Subscript | ast.Attribute) and isinstance(node.ctx, ast.Store):
            base = node.value
            while isinstance(base, ast.Subscript | ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name):
                assigned.add(base.id)
                read.add(base.id)  # d[k] = v changes d: it needs d to exist
    bound = {node.arg for node in ast.walk(stmt) if isinstance(node, ast.arg)}  # lambda/def parameters
    return assigned, read - bound


def _free_names(code: str) -> set[str]:
    """The names ``code`` reads that it does not assign itself."""
    import ast

    assigned, read = set(), set()
    for stmt in ast.parse(code).body:
        a, r = _names(stmt)
        read |= r - assigned
        assigned |= a
    return read


def _is_print(stmt) -> bool:
    import ast

    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id == "print")


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
