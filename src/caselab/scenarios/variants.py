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

import numpy as np

from caselab.scenarios.spec import (
    Scenario,
    _eval,
    _ranges,
    _set,
    validate_givens,
    validate_variants,
)

__all__ = ["draw", "draw_solved", "candidates", "validate_variants", "VariantError", "MAX_TRIES"]

MAX_TRIES = 1000


class VariantError(ValueError):
    """No valid variant could be drawn (the ranges and constraints leave nothing solvable)."""


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


def candidates(scenario: Scenario, seed: int):
    """The givens drill ``seed`` tries, in order: each draw (at most ``MAX_TRIES``) that meets the
    ``constraints`` and the solver's schema. :func:`draw_solved` keeps the first the solver can solve; how a
    story prints givens can be checked on the first, without solving."""
    from caselab.scenarios import solvers

    schema = solvers.get(scenario.solver).GIVENS
    constraints = [ast.parse(c, mode="eval") for c in scenario.variants.get("constraints", [])]
    rng = np.random.default_rng([seed, 0xCA5E])
    for _ in range(MAX_TRIES):
        givens = _draw_once(rng, scenario)
        if all(_eval(c, givens) is True for c in constraints) and not validate_givens(givens, schema):
            yield givens


def draw(scenario: Scenario, seed: int) -> dict:
    """Valid givens for drill ``seed``; raises :class:`VariantError` if none can be found."""
    return draw_solved(scenario, seed)[0]


def draw_solved(scenario: Scenario, seed: int):
    """``(givens, solution)`` for drill ``seed``: :func:`draw` and the solver's solution of those givens,
    solved once (drawing has to solve them anyway, to know they are solvable)."""
    from caselab.scenarios import solvers

    if not scenario.variants:
        raise VariantError(f"scenario {scenario.id!r} has no [variants] table: it has no drills.")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"a variant seed is a non-negative integer; got {seed!r}")
    solver = solvers.get(scenario.solver)
    for givens in candidates(scenario, seed):
        try:
            solution = solver.solve(givens)
        except ValueError:  # the library refused the numbers (e.g. rates implying negative counts)
            continue
        return givens, solution
    raise VariantError(f"no valid variant of {scenario.id!r} in {MAX_TRIES} draws from seed {seed}: "
                       "the ranges and constraints in [variants] leave (almost) nothing solvable.")
