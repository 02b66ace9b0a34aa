"""Drill variants: reproducible, always valid, solved by the same solver, graded by the same rules."""

from __future__ import annotations

import pytest

from caselab.maths.metrics import confusion_from_rates
from caselab.scenarios import casebook, variants
from caselab.scenarios.spec import parse_spec

WITH_VARIANTS = [s for s in casebook.load_all() if s.variants]


def test_some_scenarios_have_variants():
    # every scenario's variants at scale (200 seeds, flips, leftover numbers, a kernel): tests/test_variants_scale.py
    assert WITH_VARIANTS


def test_draw_solved_is_draw_with_its_solution():
    s = casebook.load("pinterest-f1-cost")
    givens, solution = variants.draw_solved(s, 5)
    assert givens == variants.draw(s, 5)
    assert solution.answers["cost_new"].value == casebook.solve(s, givens).answers["cost_new"].value


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


def test_placeholders_reach_an_item_of_a_matrix_and_nothing_else():
    from caselab.scenarios.spec import PlaceholderError, fill

    givens = {"cm": [[55, 35], [25, 960]], "shares": [0.4, 1.0], "t": {"x": 0.5}}
    assert fill("{cm[1][1]:,} and {cm[0][1]}; {shares[0]:.0%}", givens) == "960 and 35; 40%"
    for bad in ("{cm[2][0]}", "{cm[0][5]}", "{shares[0][0]}", "{t.x[0]}"):
        with pytest.raises(KeyError):
            fill(bad, givens)
    for bad in ("{cm[0][0][0]}", "{cm[0].real}", "{cm[-1][0]}", "{cm[0][x]}"):
        with pytest.raises(PlaceholderError):
            fill(bad, givens)
    with pytest.raises(PlaceholderError, match="names a table"):
        fill("{cm}", givens)


def test_answer_quotes_only_after_the_question():
    """Worked text quotes answers as {facts.<question id>} (filled from Solution.prose_givens); a story,
    prompt or hint cannot: there the name is no given, so the spec is refused."""
    from caselab.scenarios import solvers
    from caselab.scenarios.spec import fill

    s = casebook.load("pinterest-f1-cost")
    solution = solvers.get(s.solver).solve(s.givens)
    prose = solution.prose_givens(s.givens)
    assert fill("F1 {facts.f1_new:.3f} → {facts.deploy}; n = {n:,}", prose) == "F1 0.617 → new; n = 10,000"
    with pytest.raises(KeyError):
        fill("{facts.f1_new}", s.givens)  # the givens alone (a story, prompt or hint) hold no answers
    base = {"id": "x", "title": "t", "solver": "operating_points", "topics": ["f1"], "story": "s",
            "source": {"company": "c", "role": "r", "round": "r", "difficulty": "easy"}, "givens": s.givens}
    ok = {**base, "questions": [{"id": "f1_new", "kind": "number", "prompt": "p",
                                 "explanation": "it is {facts.f1_new:.3f}"}]}
    assert parse_spec(ok, "x.toml").questions[0].explanation
    bad = {**base, "givens": {**s.givens, "facts": 1},
           "questions": [{"id": "f1_new", "kind": "number", "prompt": "F1 is {facts.f1_new}?",
                          "hint": "{facts.f1_new}", "explanation": "{facts.f1_new:.2z}"}]}
    with pytest.raises(Exception) as info:
        parse_spec(bad, "x.toml", check_solver=False)
    msg = str(info.value)
    assert "givens.facts: is a reserved name" in msg
    assert "questions[0].prompt: the placeholder {facts.f1_new} names no given" in msg
    assert "may appear only in worked text" in msg
    assert "questions[0].hint: the placeholder {facts.f1_new} names no given" in msg
    assert "questions[0].explanation: the placeholder {facts.f1_new:.2z} has a format caselab does not accept" in msg
