"""Drill variants: fresh, valid numbers for a scenario, reproducible from a seed.

A spec's ``[variants]`` table gives ranges for some of its givens (dotted paths reach nested ones) and,
optionally, constraints between them::

    [variants]
    prevalence = [0.03, 0.15]             # a float range (rounded to a sensible number of decimals)
    cost_fn = [2, 10]                     # an integer range (both ends integers)
    "baseline.precision" = [0.60, 0.80]
    seed = { choices = [1, 2, 3] }        # one of a list
    constraints = ["new.recall > baseline.recall", "new.precision < baseline.precision"]

:func:`draw` turns a seed into givens: draw every range, keep the draw only if every constraint holds,
the givens fit the solver's schema, and the solver can solve them (no impossible rates); otherwise
draw again from the same seeded stream. The same seed always gives the same givens.
"""

from __future__ import annotations

import ast
import copy
import math
import operator

import numpy as np

from caselab.spec import Scenario, SpecProblem, validate_givens

__all__ = ["draw", "validate_variants", "VariantError", "MAX_TRIES"]

MAX_TRIES = 1000


class VariantError(ValueError):
    """No valid variant could be drawn (the ranges and constraints leave nothing solvable)."""


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


def _decimals(low: float, high: float) -> int:
    """Enough decimals to spread draws over the range, few enough to read: ~3 significant digits of the span."""
    return max(2, 2 - math.floor(math.log10(high - low)))


def _draw_once(rng: np.random.Generator, scenario: Scenario) -> dict:
    givens = copy.deepcopy(scenario.givens)
    for key, spec in _ranges(scenario.variants).items():
        if isinstance(spec, dict):
            choices = spec["choices"]
            value = choices[int(rng.integers(len(choices)))]
        else:
            low, high = spec
            if isinstance(low, int) and isinstance(high, int):
                value = int(rng.integers(low, high + 1))
            else:
                value = round(float(rng.uniform(low, high)), _decimals(low, high))
        _set(givens, key, value)
    return givens


def draw(scenario: Scenario, seed: int) -> dict:
    """Valid givens for drill ``seed``; raises :class:`VariantError` if none can be found."""
    from caselab import solvers

    if not scenario.variants:
        raise VariantError(f"scenario {scenario.id!r} has no [variants] table: it has no drills.")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"a variant seed is a non-negative integer; got {seed!r}")
    solver = solvers.get(scenario.solver)
    constraints = [ast.parse(c, mode="eval") for c in scenario.variants.get("constraints", [])]
    rng = np.random.default_rng([seed, 0xCA5E])
    for _ in range(MAX_TRIES):
        givens = _draw_once(rng, scenario)
        if not all(_eval(c, givens) is True for c in constraints):
            continue
        if validate_givens(givens, solver.GIVENS):
            continue
        try:
            solver.solve(givens)
        except ValueError:  # the library refused the numbers (e.g. rates implying negative counts)
            continue
        return givens
    raise VariantError(f"no valid variant of {scenario.id!r} in {MAX_TRIES} draws from seed {seed}: "
                       "the ranges and constraints in [variants] leave (almost) nothing solvable.")
