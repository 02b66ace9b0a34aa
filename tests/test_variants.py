"""Drill variants: reproducible, always valid, solved by the same solver, graded by the same rules."""

from __future__ import annotations

import pytest

from caselab.maths.metrics import confusion_from_rates
from caselab.scenarios import casebook, solvers, variants
from caselab.scenarios.spec import parse_spec, validate_givens

WITH_VARIANTS = [s for s in casebook.load_all() if s.variants]


def test_some_scenarios_have_variants():
    assert WITH_VARIANTS


@pytest.mark.parametrize("scenario", WITH_VARIANTS, ids=lambda s: s.id)
def test_a_thousand_seeds_give_valid_solvable_givens(scenario):
    solver = solvers.get(scenario.solver)
    constraints = scenario.variants.get("constraints", [])
    seen = set()
    for seed in range(1000):
        givens = variants.draw(scenario, seed)
        assert not validate_givens(givens, solver.GIVENS)
        for c in constraints:
            assert variants._eval(__import__("ast").parse(c, mode="eval"), givens) is True
        solution = solver.solve(givens)
        for q in scenario.questions:
            if q.kind in ("choice", "decision"):
                assert solution.answers[q.id].value in q.options
        seen.add(repr(sorted(givens.items())))
    assert len(seen) > 900, "seeds give different numbers"


def test_same_seed_same_givens_and_a_variant_follows_its_numbers():
    s = casebook.load("pinterest-f1-cost")
    g = variants.draw(s, 42)
    assert g == variants.draw(s, 42) and g != variants.draw(s, 43)
    answers = casebook.solve(s, g).answers
    b = g["baseline"]
    cm = confusion_from_rates(g["n"], g["prevalence"], b["precision"], b["recall"])
    assert answers["cost_baseline"].value == pytest.approx(cm.fp * g["cost_fp"] + cm.fn * g["cost_fn"])


def test_bad_variants_tables_are_reported():
    s = casebook.load("pinterest-f1-cost")
    data = {"id": "x", "title": "t", "solver": "operating_points", "topics": ["f1"], "story": "s",
            "source": {"company": "c", "role": "r", "round": "r", "difficulty": "easy"},
            "givens": s.givens, "questions": [{"id": "f1_baseline", "kind": "number", "prompt": "p"}],
            "variants": {"prevalance": [0.1, 0.2], "cost_fn": [5, 1], "n": "big",
                         "constraints": ["new.recall < baseline.recall", "nope >"]}}
    with pytest.raises(Exception) as info:
        parse_spec(data, "x.toml")
    msg = str(info.value)
    assert "variants.prevalance: names no given" in msg
    assert "variants.cost_fn: = [5, 1]: low must be below high" in msg
    assert "variants.n: must be a range [low, high]" in msg
    assert "variants.constraints[0]: = 'new.recall < baseline.recall' is false for the spec's own givens" in msg
    assert "variants.constraints[1]: = 'nope >' is not an expression" in msg


def test_impossible_ranges_raise_a_clear_error():
    s = casebook.load("pinterest-f1-cost")
    impossible = {**s.variants, "constraints": ["new.recall > 2"]}
    object.__setattr__(s, "variants", impossible)
    try:
        with pytest.raises(variants.VariantError, match="leave .almost. nothing solvable"):
            variants.draw(s, 1)
    finally:
        casebook.clear_caches()
