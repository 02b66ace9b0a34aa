"""caselab.runner: grading notebooks headless in a real kernel.

The corpus is built in a temporary folder from the rendered notebooks (notebooks/, solutions/) by
editing answer cells; it is graded once, two kernels at a time (module fixture), and each test checks
the statuses *and* the messages. Every graded file must keep its bytes.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import math
from pathlib import Path

import nbformat
import numpy as np
import pytest

from caselab.notebooks import render, widgets
from caselab.practice import kernel, runner, values
from caselab.practice.grading import check_answer
from caselab.scenarios import casebook

ROOT = Path(__file__).resolve().parents[1]
PINTEREST = "pinterest-f1-cost"
TIKTOK = "tiktok-threshold-capacity"


# --------------------------------------------------------------------------------------------------
# Building the corpus
# --------------------------------------------------------------------------------------------------
def rendered(scenario_id: str, kind: str = "learner"):
    """The rendered notebook (the committed file if there is one, else built in memory)."""
    path = ROOT / ("notebooks" if kind == "learner" else "solutions") / f"{scenario_id}.ipynb"
    if path.exists():
        return nbformat.read(path, as_version=4)
    return render.build_notebook(casebook.load(scenario_id), kind)


def cells_of(nb, role: str, qid: str | None = None):
    return [c for c in nb.cells if c.metadata.get("caselab", {}).get("role") == role
            and (qid is None or c.metadata["caselab"].get("question") == qid)]


def answer(nb, qid: str, source: str) -> None:
    (cell,) = cells_of(nb, "answer", qid)
    cell.source = source


def without_explorers(nb):
    """The notebook without its widget explorers (slow to draw; irrelevant to a short time limit)."""
    nb.cells = [c for c in nb.cells if c.metadata.get("caselab", {}).get("role") != "explorer"]
    return nb


def delete_question_cells(nb, qid: str, roles=("answer", "check")) -> None:
    nb.cells = [c for c in nb.cells if not (c.metadata.get("caselab", {}).get("question") == qid
                                            and c.metadata["caselab"].get("role") in roles)]


def add_cell(nb, source: str) -> None:
    nb.cells.append(nbformat.v4.new_code_cell(source))


def write(nb, path: Path, explorers: bool | tuple = False) -> Path:
    """Write the notebook without its widget explorers (slow to draw, beside the point), unless asked:
    ``explorers=True`` keeps them all, a tuple of names keeps those."""
    if explorers is not True:
        nb = copy.deepcopy(nb)
        nb.cells = [c for c in nb.cells if c.metadata.get("caselab", {}).get("role") != "explorer"
                    or explorers and c.get("id", "").removeprefix("explorer-") in explorers]
    path.write_bytes(render.notebook_bytes(nb))
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_corpus(folder: Path) -> dict[str, Path]:
    learner = rendered(PINTEREST)
    out = {}

    nb = copy.deepcopy(learner)  # values of every kind
    answer(nb, "f1_baseline", "p, r = baseline['precision'], baseline['recall']\nf1_baseline = 2 * p * r / (p + r)")
    answer(nb, "f1_new", "f1_new = '0.61'")
    answer(nb, "tp_baseline", "tp_baseline = float('nan')")
    answer(nb, "fp_baseline", "fp_baseline = 1 / 0")
    answer(nb, "fn_baseline", "fn_baseline = float('inf')")
    answer(nb, "tn_baseline", "tn_baseline = [1, 2, 3]")
    answer(nb, "tp_new", "import numpy as np\ntp_new = np.float64(0.66 * 800)")
    answer(nb, "fp_new", "import numpy as np\nfp_new = np.arange(5)")
    answer(nb, "fn_new", "fn_new = None")
    answer(nb, "tn_new", "tn_new = range(3)")
    answer(nb, "cost_baseline", "cost_baseline = {'fp': 1}")
    answer(nb, "cost_new", "cost_new = 3 + 4j")
    answer(nb, "deploy", "deploy = True")
    out["kinds"] = write(nb, folder / "kinds.ipynb")

    nb = copy.deepcopy(learner)  # deleted answer cells
    delete_question_cells(nb, "f1_new")
    delete_question_cells(nb, "tp_new")
    add_cell(nb, "tp_new = 528  # answered in a cell of my own")
    answer(nb, "fn_new", "# I will do this later")
    answer(nb, "cost_new", "")
    out["deleted"] = write(nb, folder / "deleted.ipynb")

    nb = copy.deepcopy(learner)  # answers to the tiktok scenario pasted in
    answer(nb, "f1_baseline", "bayes_threshold = 1 / 6")
    add_cell(nb, "capacity_k = 300\nmin_cost_threshold = 0.2\nprimary_metric = 'precision'")
    out["pasted"] = write(nb, folder / "pasted.ipynb")

    nb = copy.deepcopy(learner)  # the setup cell raises: only what depends on it fails
    (setup,) = cells_of(nb, "setup")
    setup.source = "import caselab_no_such_module\n" + setup.source
    answer(nb, "f1_baseline", "p, r = baseline['precision'], baseline['recall']\nf1_baseline = 2 * p * r / (p + r)")
    answer(nb, "tp_baseline", "tp_baseline = 360")
    delete_question_cells(nb, "fp_baseline")
    out["setup_broken"] = write(nb, folder / "setup_broken.ipynb")

    nb = copy.deepcopy(learner)  # error carried forward
    answer(nb, "tp_baseline", "tp_baseline = 360")
    answer(nb, "fp_baseline", "fp_baseline = 200  # wrong")
    answer(nb, "fn_baseline", "fn_baseline = 440")
    answer(nb, "tn_baseline", "tn_baseline = 9200 - fp_baseline")
    answer(nb, "cost_baseline", "cost_baseline = cost_fp * fp_baseline + cost_fn * fn_baseline")
    answer(nb, "cost_new", "cost_new = 1234.5  # a guess")
    out["ecf"] = write(nb, folder / "ecf.ipynb")
    nb = copy.deepcopy(learner)  # a NameError and a KeyError in answer cells
    answer(nb, "tp_baseline", "tp_baseline = baseline['recal'] * n * prevalence")
    answer(nb, "fp_baseline", "fp_baseline = tp_basline * (1 - 0.7) / 0.7")
    out["name_errors"] = write(nb, folder / "name_errors.ipynb")

    nb = rendered(TIKTOK)  # rubric questions are checked like the others
    tiktok = casebook.load(TIKTOK)
    (rubric,) = [q.id for q in tiktok.questions if q.kind == "rubric"]
    answer(nb, rubric, f'{rubric} = """' + "The threshold moves with the cost ratio and the capacity: " * 3 + '"""')
    (choice,) = [q for q in tiktok.questions if q.kind == "choice"][:1]
    answer(nb, choice.id, f"{choice.id} = 'not an option'")
    nb2 = copy.deepcopy(nb)
    answer(nb2, rubric, f"{rubric} = 'too short'")
    # a question answered with a slider: the saved notebook records the value the learner set (an output
    # of the answer cell); the grading kernel's explorer must start there
    for q in (q for q in tiktok.questions if q.widget):
        (cell,) = cells_of(nb, "answer", q.id)
        cell.execution_count = 7
        cell.outputs = [nbformat.v4.new_output("display_data", data={
            widgets.ANSWER_MIME: {"question": q.id, "explorer": q.widget,
                                  "value": float(casebook.solve(tiktok).answers[q.id].value)}})]
    keep = tuple(q.widget for q in tiktok.questions if q.widget)
    out["rubric"] = write(nb, folder / "rubric.ipynb", explorers=keep)
    out["rubric_short"] = write(nb2, folder / "rubric_short.ipynb", explorers=keep)

    # a drill variant: its givens are drill 7's, recomputed from the seed by the grader
    from caselab.scenarios import variants

    scenario = casebook.load(PINTEREST)
    givens = variants.draw(scenario, 7)
    nb = render.build_notebook(scenario, "solution", givens=givens)
    out["variant_nometa"] = write(nb, folder / "variant_nometa.ipynb")
    nb = copy.deepcopy(nb)
    nb.metadata["caselab"]["givens"] = givens
    nb.metadata["caselab"]["variant"] = 7
    out["variant"] = write(nb, folder / "variant.ipynb")
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    paths = build_corpus(folder)
    # the rendered notebooks as they are (explorers included), copied: others may re-render meanwhile
    for key, kind, sub in (("solution", "solution", "solutions"), ("learner", "learner", "notebooks")):
        original = ROOT / sub / f"{PINTEREST}.ipynb"
        paths[key] = folder / f"{key}.ipynb"
        if original.exists():
            paths[key].write_bytes(original.read_bytes())
        else:
            write(rendered(PINTEREST, kind), paths[key], explorers=True)
    (folder / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    paths["broken"] = folder / "broken.ipynb"
    before = {k: sha(p) for k, p in paths.items()}
    listing = {folder: sorted(x.name for x in folder.iterdir())}
    keys = list(paths)
    reports = runner.grade_many([paths[k] for k in keys], jobs=2, timeout=30)
    return {"paths": paths, "before": before, "listing": listing, "reports": dict(zip(keys, reports, strict=True))}


def statuses(report) -> dict[str, str]:
    return {f.question: f.status for f in report.feedback}


def msg(report, qid: str) -> str:
    return report[qid].message


# --------------------------------------------------------------------------------------------------
# Whole notebooks
# --------------------------------------------------------------------------------------------------
def test_files_are_never_written(corpus):
    for key, path in corpus["paths"].items():
        assert sha(path) == corpus["before"][key], f"{key} changed while grading"
    for folder, names in corpus["listing"].items():
        assert sorted(x.name for x in folder.iterdir()) == names, f"something was written into {folder}"


def test_solution_notebook_gets_full_marks(corpus):
    report = corpus["reports"]["solution"]
    assert report.error is None
    assert report.score == report.max_score == len(casebook.load(PINTEREST).questions)
    assert set(statuses(report).values()) == {"passed"}
    d = report.to_dict()
    assert set(d) == {"notebook", "scenario", "variant", "score", "consistent", "max_score", "cell_timeout_seconds",
                      "questions"}
    assert d["scenario"] == PINTEREST and d["score"] == d["max_score"] and d["consistent"] == 0
    assert d["questions"][0] == {"id": "f1_baseline", "status": "passed", "message": report.feedback[0].message}
    json.dumps(d)  # JSON-able


def test_rendered_learner_notebook_is_all_not_answered(corpus):
    report = corpus["reports"]["learner"]
    assert report.score == 0 and report.max_score == 13
    assert set(statuses(report).values()) == {"not_answered"}
    assert msg(report, "f1_baseline") == "not answered yet: replace `...` with a number."
    assert msg(report, "deploy") == "not answered yet: replace `...` with one of the options."
    assert report.counts()["not_answered"] == 13


def test_values_of_every_kind(corpus):
    r = corpus["reports"]["kinds"]
    assert statuses(r) == {
        "f1_baseline": "passed", "f1_new": "failed", "tp_baseline": "failed", "fp_baseline": "error",
        "fn_baseline": "failed", "tn_baseline": "failed", "tp_new": "passed", "fp_new": "failed",
        "fn_new": "not_answered", "tn_new": "failed", "cost_baseline": "failed", "cost_new": "failed",
        "deploy": "failed"}
    assert msg(r, "f1_baseline").startswith("correct — 0.547826")
    assert "got the string '0.61' (remove the quotes)" in msg(r, "f1_new")
    assert msg(r, "tp_baseline").startswith("your answer is NaN (not a number)")
    assert msg(r, "fp_baseline") == "ZeroDivisionError: division by zero in the answer cell of fp_baseline."
    assert msg(r, "fn_baseline").startswith("your answer is inf: a division by zero upstream?")
    assert "got a list of 3 item(s)" in msg(r, "tn_baseline")
    assert msg(r, "tp_new").startswith("correct — 528")  # a numpy scalar is a number
    assert "got an array of shape (5,)" in msg(r, "fp_new")
    assert msg(r, "fn_new").startswith("not answered yet")  # None
    assert "got a value of type range" in msg(r, "tn_new")
    assert "got a dict of 1 item(s)" in msg(r, "cost_baseline")
    assert "got a complex number ((3+4j))" in msg(r, "cost_new")
    assert msg(r, "deploy") == "wrong type: expected one of the options as a string ('baseline', 'new'); got True."
    assert r.score == 2


def test_deleted_answer_cells(corpus):
    r = corpus["reports"]["deleted"]
    assert r["f1_new"].status == "not_answered"
    assert r["f1_new"].message.startswith("the answer cell of f1_new is missing (deleted?) and f1_new is not "
                                          "defined anywhere in the notebook")
    assert r["tp_new"].status == "passed"  # the variable defined in a cell of the learner's own counts
    assert r["fn_new"].status == "not_answered"
    assert r["fn_new"].message.startswith("fn_new is not defined: its answer cell ran but does not assign it")
    assert r["cost_new"].status == "not_answered"
    assert r["cost_new"].message == "the answer cell of cost_new is empty: write `cost_new = <your answer>` in it."


def test_answers_pasted_from_another_scenario(corpus):
    r = corpus["reports"]["pasted"]
    assert set(statuses(r).values()) == {"not_answered"}
    assert "its answer cell ran but does not assign it" in msg(r, "f1_baseline")
    for qid in ("f1_baseline", "tp_baseline"):
        assert f"questions of {TIKTOK}, not of {PINTEREST}" in msg(r, qid)
        assert "capacity_k" in msg(r, qid)


def test_a_failing_setup_cell_fails_only_what_depends_on_it(corpus):
    r = corpus["reports"]["setup_broken"]
    f1 = r["f1_baseline"]
    assert f1.status == "error"
    assert f1.message.startswith("NameError: name 'baseline' is not defined in the answer cell of f1_baseline")
    assert ("probably because an earlier cell failed: ModuleNotFoundError: No module named "
            "'caselab_no_such_module' in the setup cell (cell 4)") in f1.message
    assert r["tp_baseline"].status == "passed"  # does not depend on the setup cell
    fp = r["fp_baseline"]  # deleted answer cell + undefined variable: blamed on the failing cell
    assert fp.status == "error"
    assert fp.message.startswith("fp_baseline is not defined because an earlier cell raised: ModuleNotFoundError")
    assert r["fn_baseline"].status == "not_answered"  # still `...`


def test_error_carried_forward_is_consistent_never_correct(corpus):
    r = corpus["reports"]["ecf"]
    assert r["fp_baseline"].status == "failed"
    assert r["cost_baseline"].status == "consistent"
    assert "consistent with your own earlier answers" in r["cost_baseline"].message
    assert "fp_baseline = 200" in r["cost_baseline"].message
    assert r["tn_baseline"].status == "consistent" and "consistent" in r["tn_baseline"].message
    assert r["cost_new"].status == "failed"
    assert r.score == 2 and r.consistent == 2  # tp and fn correct; tn and cost consistent, not counted
    assert r.counts()["consistent"] == 2 and r.counts()["passed"] == 2
    d = r.to_dict()
    assert (d["score"], d["consistent"], d["max_score"]) == (2, 2, 13)
    assert [q["status"] for q in d["questions"] if q["id"] == "cost_baseline"] == ["consistent"]
    assert r.score_line() == "2 correct, 2 consistent with your earlier answers, of 13"
    assert r.summary().splitlines()[0].endswith(": 2 correct, 2 consistent with your earlier answers, of 13")


def test_name_and_key_errors_in_answer_cells_get_their_own_message(corpus):
    r = corpus["reports"]["name_errors"]
    assert r["tp_baseline"].status == r["fp_baseline"].status == "error"
    assert r["tp_baseline"].message.startswith("KeyError: 'recal' in the answer cell of tp_baseline: that key is "
                                               "not in the dictionary")
    assert r["fp_baseline"].message.startswith("NameError: name 'tp_basline' is not defined in the answer cell of "
                                               "fp_baseline: a name used there is not defined — a typo")
    assert "replace `...`" not in r["fp_baseline"].message


def test_rubric_questions(corpus):
    questions = casebook.load(TIKTOK).questions
    rubric = next(q.id for q in questions if q.kind == "rubric")
    choice = next(q for q in questions if q.kind == "choice")
    r = corpus["reports"]["rubric"]
    assert r[rubric].status == "answered"  # an open answer is the learner's to score, not the grader's
    assert r[rubric].message.startswith("answered, not scored")
    assert "Coach on how_answer_changes (automatic estimate" in r[rubric].message
    assert r[choice.id].status == "failed" and "'not an option' is not one of the options" in r[choice.id].message
    short = corpus["reports"]["rubric_short"][rubric]
    assert short.status == "not_answered" and short.message.startswith("too short to score (9 characters)")


def test_a_question_answered_with_a_slider_reads_the_recorded_value(corpus):
    slider_questions = [q.id for q in casebook.load(TIKTOK).questions if q.widget]
    assert slider_questions, "the tiktok scenario has a slider-answered question"
    for qid in slider_questions:
        recorded, untouched = corpus["reports"]["rubric"][qid], corpus["reports"]["rubric_short"][qid]
        assert recorded.status == "passed", recorded  # the explorer started where the learner left it
        assert untouched.status == "not_answered"  # never moved: `...`


def test_variant_givens_are_used(corpus):
    with_meta, without = corpus["reports"]["variant"], corpus["reports"]["variant_nometa"]
    assert with_meta.score == with_meta.max_score == 13
    assert with_meta.variant == 7
    assert without.score < 13  # the same answers judged against the casebook's givens
    assert without["f1_baseline"].status == "failed"


def test_grade_many_reports_a_broken_notebook_and_goes_on(corpus):
    r = corpus["reports"]["broken"]
    assert r.error is not None and r.feedback == [] and r.max_score == 0
    assert "is not valid JSON" in r.error
    d = r.to_dict()
    assert d["error"] == r.error and d["questions"] == [] and d["scenario"] is None
    assert corpus["reports"]["solution"].error is None  # the others were graded


def test_cell_records(corpus):
    r = corpus["reports"]["kinds"]
    by_role = {}
    for c in r.cells:
        by_role.setdefault(c.role, []).append(c)
    assert all(c.status == "skipped" for c in by_role["check"])  # unchanged check cells are not run
    assert all(c.status == "skipped" for c in by_role["prompt"])
    assert by_role["setup"][0].status == "ok"
    (fp,) = [c for c in by_role["answer"] if c.question == "fp_baseline"]
    assert (fp.status, fp.ename, fp.evalue) == ("error", "ZeroDivisionError", "division by zero")
    assert "without encryption" not in r.kernel_stderr


# --------------------------------------------------------------------------------------------------
# A cell that never ends
# --------------------------------------------------------------------------------------------------
def test_infinite_loop_times_out_and_the_run_goes_on(tmp_path):
    nb = without_explorers(rendered(PINTEREST))
    answer(nb, "fp_baseline", "while True:\n    pass")
    answer(nb, "f1_baseline", "f1_baseline = 0.5478")
    answer(nb, "fn_baseline", "fn_baseline = 440")  # after the loop: the kernel must still be usable
    answer(nb, "tn_baseline", "import time\nfor _ in range(100):\n    time.sleep(0.1)\ntn_baseline = 0")
    path = write(nb, tmp_path / "loop.ipynb")
    before = sha(path)
    report = asyncio.run(runner.grade_notebook_async(path, timeout=3))
    assert sha(path) == before
    assert report["fp_baseline"].status == "timeout", report.summary()
    assert report["fp_baseline"].message.startswith("the answer cell of fp_baseline ran longer than 3 s and was stopped")
    assert report["tn_baseline"].status == "timeout"
    assert report["f1_baseline"].status == "passed"
    assert report["fn_baseline"].status == "passed"
    assert report["tp_baseline"].status == "not_answered", report.summary()


def test_a_kernel_that_never_gets_ready_is_reported_as_such(tmp_path, monkeypatch):
    """The report says why the kernel failed; and nbclient's second clean-up (an atexit callback it leaves
    registered when the kernel never got ready) does nothing, instead of printing an AssertionError when the
    grader exits."""
    from jupyter_client.asynchronous.client import AsyncKernelClient

    clients = []
    grading_client = kernel._client_class()

    class Recorded(grading_client):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            clients.append(self)

    monkeypatch.setattr(kernel, "_client_class", lambda: Recorded)

    async def never_ready(self, timeout=None):  # as jupyter_client says it when the time is up
        raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    monkeypatch.setattr(AsyncKernelClient, "wait_for_ready", never_ready)
    path = write(without_explorers(rendered(PINTEREST)), tmp_path / "case.ipynb")
    [report] = runner.grade_many([path], jobs=1, timeout=10)
    assert report.error == "grading failed: RuntimeError: Kernel didn't respond in 60 seconds", report.error
    [client] = clients
    client._cleanup_kernel()  # what atexit runs: no AssertionError


def test_a_dead_or_deaf_kernel_is_restarted_and_the_earlier_cells_replayed(tmp_path, monkeypatch):
    monkeypatch.setattr(kernel, "INTERRUPT_GRACE", 1.0)
    nb = without_explorers(rendered(PINTEREST))
    answer(nb, "f1_baseline", "p, r = baseline['precision'], baseline['recall']\nf1_baseline = 2 * p * r / (p + r)")
    answer(nb, "fp_baseline", "import os\nos._exit(1)")
    answer(nb, "fn_baseline", "fn_baseline = n * prevalence * (1 - baseline['recall'])")  # needs the setup cell
    answer(nb, "tn_baseline", "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                              "while True:\n    time.sleep(0.05)")
    answer(nb, "tp_new", "tp_new = n * prevalence * new['recall']")
    path = write(nb, tmp_path / "crash.ipynb")
    report = runner.grade_notebook(path, timeout=3)
    assert report["fp_baseline"].status == "error", report.summary()
    assert report["fp_baseline"].message.startswith("DeadKernelError: the kernel died while running this cell")
    assert report["tn_baseline"].status == "timeout"  # ignores the interrupt: the kernel is restarted
    for qid in ("f1_baseline", "fn_baseline", "tp_new"):
        assert report[qid].status == "passed", report[qid]


# --------------------------------------------------------------------------------------------------
# Notebooks that cannot be graded: one clear error
# --------------------------------------------------------------------------------------------------
def test_invalid_json(tmp_path):
    path = tmp_path / "bad.ipynb"
    path.write_text('{"cells": [{"cell_type": "code",', encoding="utf-8")
    with pytest.raises(runner.NotebookError) as e:
        runner.grade_notebook(path)
    text = str(e.value)
    assert text.startswith(f"{path}: the file is damaged: it is not valid JSON (line 1, column")
    assert "fix: restore it from version control" in text and "caselab render" in text
    path.write_bytes(b"")
    with pytest.raises(runner.NotebookError, match="it is empty"):
        runner.load_notebook(path)


def test_not_a_notebook(tmp_path):
    path = tmp_path / "list.ipynb"
    path.write_text("[1, 2, 3]", encoding="utf-8")
    with pytest.raises(runner.NotebookError, match="is JSON but not a Jupyter notebook"):
        runner.load_notebook(path)
    with pytest.raises(runner.NotebookError, match="no such file"):
        runner.load_notebook(tmp_path / "missing.ipynb")


def test_notebook_without_caselab_metadata(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    path = tmp_path / "plain.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(runner.NotebookError) as e:
        runner.load_notebook(path)
    assert "is not a caselab notebook: it has no metadata.caselab.scenario" in str(e.value)
    assert "fix: grade a notebook generated by `caselab render`" in str(e.value)


def test_unknown_scenario(tmp_path):
    nb = rendered(PINTEREST)
    nb.metadata["caselab"]["scenario"] = "pinterest-f1-costs"
    path = write(nb, tmp_path / "unknown.ipynb")
    with pytest.raises(runner.NotebookError) as e:
        runner.grade_notebook(path)
    text = str(e.value)
    assert "answers scenario 'pinterest-f1-costs', which this caselab does not have" in text
    assert "Did you mean: pinterest-f1-cost" in text
    assert "fix: check metadata.caselab.scenario" in text


# --------------------------------------------------------------------------------------------------
# Encoding values (no kernel): the grader says what case.check says
# --------------------------------------------------------------------------------------------------
class Thing:
    pass


class MyList(list):
    pass


# (10 ** 400 is left out: grading.as_number raises OverflowError on it; the grader reads it as inf)
VALUES = [Ellipsis, None, True, np.bool_(False), 0.5478, 3, -2.5e300, float("nan"), float("inf"),
          float("-inf"), np.float32(0.25), np.int64(528), np.float64("nan"), "0.5478", "new", " NEW ", [1, 2, 3],
          (1,), {"a": 1}, {1, 2}, frozenset({3}), np.arange(6).reshape(2, 3), np.array(0.5),
          np.array(["a"]), 2 + 1j, Thing(), range(4), b"bytes"]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_decoded_value_gets_the_same_feedback(value):
    scenario = casebook.load(PINTEREST)
    solution = casebook.solve(scenario)
    enc = runner.encode_value(value)
    json.dumps(enc, allow_nan=False)  # strict JSON: nan/inf travel as strings
    decoded = runner.decode_value(json.loads(json.dumps(enc)))
    for q in scenario.questions:
        if q.id in ("f1_baseline", "deploy"):
            assert check_answer(q, solution.answers[q.id], decoded) == check_answer(q, solution.answers[q.id], value)


class Hangs(float):
    def __float__(self):  # would hang the collector (and every question with it) if the grader called it
        raise AssertionError("the encoder called a learner's __float__")

    def __len__(self):
        raise AssertionError("the encoder called a learner's __len__")


@pytest.mark.parametrize("value", [MyList([1, 2]), Hangs(0.5), Thing()], ids=lambda v: type(v).__name__)
def test_values_of_a_learners_own_classes_are_described_by_type_alone(value):
    enc = runner.encode_value(value)  # runs no method of the learner's class
    assert enc == {"t": "other", "type": type(value).__name__}
    scenario = casebook.load(PINTEREST)
    q = scenario.question("f1_baseline")
    fb = check_answer(q, casebook.solve(scenario).answers[q.id], runner.decode_value(enc))
    assert fb.status == "failed" and type(value).__name__ in fb.message


def test_decode_specifics():
    assert runner.decode_value({"t": "missing"}) is runner.MISSING
    assert runner.decode_value(runner.encode_value([1, 2, 3])) == [None, None, None]
    big = runner.decode_value({"t": "ndarray", "shape": [10 ** 6, 1000], "dtype": "<f8"})
    assert big.shape == (10 ** 6, 1000)  # a zero-strided view: no memory
    assert math.isnan(runner.decode_value(runner.encode_value(float("nan"))))
    assert runner.decode_value(runner.encode_value(10 ** 400)) == math.inf
    assert "an integer of about 5001 digits" in repr(runner.decode_value(runner.encode_value(10 ** 5000)))
    assert runner.encode_value("x" * 300_000)["v"] == "x" * 200_000


def test_kernel_start_up_noise_is_filtered():
    text = ("[IPKernelApp] WARNING | Kernel is running over TCP without encryption. All communication ...\n"
            "\n"
            "something the learner's code wrote to fd 2\n")
    assert kernel._kernel_stderr_filtered(text) == "something the learner's code wrote to fd 2"


def test_the_collector_cell_is_valid_python():
    source = values._collector_source(["f1_baseline", "deploy"])
    compile(source, "<collector>", "exec")
    assert "def encode_value(value):" in source
