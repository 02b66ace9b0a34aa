"""case.check / hint / solution / progress: the feedback a learner sees."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import caselab

FP_BASELINE = 360 * 0.3 / 0.7  # from precision = TP/(TP+FP) with TP = 0.45·800


@pytest.fixture(scope="module")
def case():
    return caselab.case("pinterest-f1-cost")


def test_correct_answers_pass_for_python_and_numpy_scalars(case):
    for value in (FP_BASELINE, np.float64(FP_BASELINE), np.float32(FP_BASELINE), 154, np.int64(154),
                  np.array(FP_BASELINE), Fraction(1080, 7)):
        fb = case.check("fp_baseline", value)
        assert fb.status == "passed", (value, fb)
        assert "accepted within ±0.5" in fb.message


@pytest.mark.parametrize("value", [..., None])
def test_not_answered(case, value):
    fb = case.check("f1_baseline", value)
    assert fb.status == "not_answered" and "replace `...`" in fb.message


@pytest.mark.parametrize(("value", "expected"), [
    ("0.5478", "wrong type: expected a single number (int or float); got the string '0.5478'"),
    ([0.5, 0.6], "got a list of 2 item(s)"),
    (np.array([0.5, 0.6]), "got an array of shape (2,)"),
    (True, "got a boolean"),
    ({"f1": 0.5}, "got a dict of 1 item(s)"),
    (float("nan"), "NaN"),
    (math.inf, "inf"),
])
def test_wrong_types_and_non_finite_values_fail_with_a_reason(case, value, expected):
    fb = case.check("f1_baseline", value)
    assert fb.status == "failed"
    assert expected in fb.message


def test_tolerance_is_stated_and_direction_given(case):
    fb = case.check("f1_baseline", 0.56)
    assert fb.status == "failed"
    assert "too high" in fb.message and "±0.001" in fb.message
    assert "0.5478" not in fb.message, "a failed check does not give the answer away"


def test_misconceptions_are_named(case):
    assert "arithmetic mean" in case.check("f1_baseline", (0.70 + 0.45) / 2).message
    assert "(1 − precision) · n" in case.check("fp_baseline", 0.3 * 10_000).message
    assert "prevalence ignored" in case.check("tp_baseline", 0.45 * 10_000).message
    assert "swapped" in case.check("cost_baseline", 5 * FP_BASELINE + 1 * 440).message


def test_error_carried_forward_from_the_learners_own_values(case):
    # A learner with a wrong FP (the (1 − P)·positives mistake) but the right method for the cost:
    fp_baseline = 0.3 * 800  # noqa: F841 - read by case.check from this frame
    fn_baseline = 440  # noqa: F841
    fb = case.check("cost_baseline", 1 * 240 + 5 * 440)
    assert fb.status == "consistent" and not fb.passed, "error carried forward is named, never counted as correct"
    assert "consistent with your own earlier answers" in fb.message and "fp_baseline = 240" in fb.message
    assert "not correct yet" in fb.message and str(fb).startswith("≈ cost_baseline")
    # the same value without those earlier answers in scope is simply wrong
    def elsewhere():  # a frame without fp_baseline and fn_baseline
        return caselab.case("pinterest-f1-cost").check("cost_baseline", 2440.0)

    assert elsewhere().status == "failed"


def test_choice_questions(case):
    assert case.check("deploy", "new").passed
    assert case.check("deploy", " New ").passed, "case and surrounding spaces do not matter"
    fb = case.check("deploy", "baseline")
    assert fb.status == "failed" and "expected cost" in fb.message
    assert "not one of the options" in case.check("deploy", "both").message
    assert "wrong type" in case.check("deploy", 1).message


def test_hint_and_solution(case):
    assert "harmonic mean" in case.hint("f1_baseline")
    sol = case.solution("fp_baseline")
    assert "154.286" in sol and "FP = TP · (1 − P) / P" in sol and "cm_baseline.fp" in sol


def test_unknown_question_suggests(case):
    with pytest.raises(KeyError, match="Did you mean 'f1_baseline'"):
        case.check("f1_basline", 0.5)


def test_progress_counts_passed(case):
    fresh = caselab.case("pinterest-f1-cost")
    fresh.check("f1_baseline", 2 * 0.7 * 0.45 / 1.15)
    fresh.check("f1_new", 0.1)
    text = fresh.progress()
    assert "1 correct, of 13" in text and "✘ failed" in text


def test_rubric_questions_show_the_rubric():
    case = caselab.case("tiktok-threshold-capacity")
    assert case.check("how_answer_changes", "short").status == "not_answered"
    fb = case.check("how_answer_changes", "Under imbalance I would use PR-AUC; with costs the Bayes threshold; "
                                          "with capacity the top k.")
    # an open answer is never passed by length: it is answered, not scored, with the coach's estimate
    assert fb.status == "answered" and not fb.passed
    assert "automatic estimate" in fb.message and "Severe imbalance" in fb.message
    assert "case.score('how_answer_changes'" in fb.message


def test_consistent_answers_are_named_apart_in_the_score():
    fresh = caselab.case("pinterest-f1-cost")
    fresh.check("f1_baseline", 2 * 0.7 * 0.45 / 1.15)
    fp_baseline, fn_baseline = 240.0, 440.0  # noqa: F841 - a wrong FP, read by case.check from this frame
    assert fresh.check("cost_baseline", 240 + 5 * 440).status == "consistent"
    text = fresh.progress()
    assert "1 correct, 1 consistent with your earlier answers, of 13" in text and "≈ consistent" in text
    from caselab.practice.grading import STATUSES, score_line

    assert "consistent" in STATUSES
    assert score_line(["passed", "failed", "not_answered"]) == "1 correct, of 3"


def test_a_failed_number_names_its_question_in_the_hint_advice(case):
    fb = case.check("tn_baseline", 1.0)
    assert "case.hint('tn_baseline')" in fb.message and "case.hint(...)" not in fb.message


def test_precision_recall_swap_carried_into_fp_is_named(case):
    positives = 10_000 * 0.08
    swapped_tp = 0.7 * positives  # TP = precision · positives
    fb = case.check("fp_baseline", swapped_tp * (1 - 0.45) / 0.45)
    assert fb.status == "failed" and fb.mistake.startswith("precision and recall swapped"), fb
    assert "too high" not in fb.message
    fb = case.check("fp_baseline", 0.45 * positives * (1 - 0.45) / 0.45)  # = FN: recall where precision belongs
    assert "false negatives, not FP" in fb.message


def test_untouched_answers_are_no_attempt_and_executors_never_write(tmp_path, monkeypatch):
    from caselab.practice import journal

    monkeypatch.setenv("CASELAB_HOME", str(tmp_path))
    monkeypatch.delenv("CASELAB_NO_JOURNAL", raising=False)
    monkeypatch.delenv("CASELAB_GRADING", raising=False)
    fresh = caselab.case("pinterest-f1-cost")
    for qid in fresh.questions:  # Run All on an untouched notebook
        assert fresh.check(qid, ...).status == "not_answered"
    assert not (tmp_path / "journal.json").exists(), "checking `...` is not an attempt"
    fresh.check("f1_baseline", 0.5)
    q = journal.load()["scenarios"]["pinterest-f1-cost"]
    assert list(q) == ["f1_baseline"] and q["f1_baseline"]["attempts"] == 1
    before = (tmp_path / "journal.json").read_bytes()
    for env in ({"CASELAB_NO_JOURNAL": "1"}, {"CASELAB_GRADING": "1"}):
        with monkeypatch.context() as m:
            for k, v in env.items():
                m.setenv(k, v)
            assert not journal.may_write()
            caselab.case("pinterest-f1-cost").check("f1_new", 0.1)
            journal.record("pinterest-f1-cost", "f1_new", "check", "failed")
    assert (tmp_path / "journal.json").read_bytes() == before, "an executor's process writes nothing"
    assert journal.may_write({"CASELAB_NO_JOURNAL": "0"}) and journal.may_write({})


def test_an_answer_cell_that_raised_gets_its_own_message_in_the_notebook():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        def run(source):
            result = shell.run_cell(source, store_history=False)
            return result.result

        run("import caselab\ncase = caselab.case('pinterest-f1-cost')\n"
            "baseline = {'threshold': 0.5, 'precision': 0.7, 'recall': 0.45}")
        fb = run("case.check('fp_baseline')")
        assert fb.status == "not_answered" and "not defined yet: run its answer cell" in fb.message
        run("fp_baseline = ...  # a number")
        run("fp_baseline = tp_basline * (1 - 0.7) / 0.7")  # a typo: NameError
        fb = run("case.check('fp_baseline')")
        assert fb.status == "error" and "replace `...`" not in fb.message, fb
        assert "NameError: name 'tp_basline' is not defined in the answer cell of fp_baseline" in fb.message
        assert "a name used there is not defined" in fb.message
        fb = run("case.check('fp_baseline', fp_baseline)")  # the old check cell, passing the stale `...`
        assert fb.status == "error" and "NameError" in fb.message
        run("fp_baseline = 360 * (1 - baseline['precison']) / 0.7")  # KeyError
        fb = run("case.check('fp_baseline')")
        assert fb.status == "error" and "KeyError: 'precison'" in fb.message and "spelling" in fb.message
        run("fp_baseline = 360 * (1 - 0.7 / 0.7")  # a SyntaxError: the cell never ran
        fb = run("case.check('fp_baseline')")
        assert fb.status == "error" and fb.message.startswith("SyntaxError"), fb
        run("fp_baseline = 360 * (1 - baseline['precision']) / baseline['precision']")
        assert run("case.check('fp_baseline')").status == "passed", "a clean run clears the error"
    finally:
        InteractiveShell.clear_instance()


def _names_bound(tree) -> set[str]:
    import ast

    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            out.add(node.name)
        elif isinstance(node, ast.arg):
            out.add(node.arg)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            out |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return out


def _names_read(tree) -> set[str]:
    import ast

    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


@pytest.mark.parametrize("scenario_id", __import__("caselab.scenarios.casebook", fromlist=["x"]).scenario_ids())
def test_worked_code_uses_only_names_the_learner_notebook_has(scenario_id):
    """`case.solution(q)` shows code a learner can paste: every name it reads is defined by the learner
    notebook's setup/data/explorer cells (its imports: caselab, numpy as np where used), an earlier question's
    answer, the code itself or a builtin — not by the solution notebook's own work cell."""
    import ast
    import builtins

    from caselab.notebooks.render import build_notebook
    from caselab.scenarios import casebook

    scenario = casebook.load(scenario_id)
    solution = casebook.solve(scenario)
    have = set(dir(builtins))  # np and caselab too only where the notebook imports them (it does, where used)
    for cell in build_notebook(scenario, "learner").cells:
        if cell.cell_type == "code" and cell.metadata["caselab"]["role"] in ("setup", "data", "explorer"):
            have |= _names_bound(ast.parse(cell.source))
    case = caselab.case(scenario_id)
    for q in scenario.questions:
        answer = solution.answers.get(q.id)
        if answer is not None and answer.code:
            shown = solution.worked_code(q.id)
            assert shown in case.solution(q.id), "case.solution shows this code"
            tree = ast.parse(shown)
            missing = _names_read(tree) - _names_bound(tree) - have
            assert not missing, f"{scenario_id}.{q.id}: the worked code reads {sorted(missing)}, which the " \
                                f"learner notebook does not define:\n{shown}"
        have.add(q.id)


@pytest.mark.parametrize("scenario_id", __import__("caselab.scenarios.casebook", fromlist=["x"]).scenario_ids())
def test_worked_code_runs_in_the_learner_notebook_and_gives_the_answer(scenario_id):
    """Each worked answer, pasted alone into the learner notebook (its setup and data cells run, the earlier
    questions answered right), computes the solver's value."""
    import math

    from caselab.notebooks.render import build_notebook
    from caselab.scenarios import casebook

    scenario = casebook.load(scenario_id)
    solution = casebook.solve(scenario)
    base: dict = {}
    for cell in build_notebook(scenario, "learner").cells:
        if cell.cell_type == "code" and cell.metadata["caselab"]["role"] in ("setup", "data"):
            exec(cell.source, base)
    earlier: dict = {}
    for q in scenario.questions:
        answer = solution.answers.get(q.id)
        if answer is None:
            continue
        namespace = {**base, **earlier}  # nothing left behind by another answer's code
        exec(solution.worked_code(q.id), namespace)
        got, want = namespace[q.id], answer.value
        if isinstance(want, str):
            assert got == want, q.id
        else:
            assert float(got) == want or math.isclose(float(got), want, rel_tol=1e-9, abs_tol=1e-12), q.id
        # as a learner writes it: a whole number as an int (a count like k = 100)
        earlier[q.id] = int(want) if isinstance(want, float) and want.is_integer() else want
