"""caselab.widgets: the numbers an explorer shows are the library's; a step redraws nothing.

The values are read back from the readout HTML (the text a learner sees) and compared with
caselab.metrics / caselab.curves and with scikit-learn.
"""

from __future__ import annotations

import json
import re

import matplotlib
import numpy as np
import pytest

from caselab.maths import calibration, curves, metrics
from caselab.notebooks import widgets
from caselab.scenarios.data import sentiment_scores

sk = pytest.importorskip("sklearn.metrics")


@pytest.fixture(scope="module")
def data():
    return sentiment_scores(n=4_000, prevalence=0.05, separation=2.5, seed=7)


def cell(html: str, cls: str) -> str:
    m = re.search(rf'class="cl-{cls}(?: [^"]*)?">(?:[A-Z]{{2}} <b class="cl-{cls}">)?([^<]+)<', html)
    if m is None:
        m = re.search(rf'<b class="cl-{cls}">([^<]+)</b>', html)
    assert m, f"no readout cl-{cls} in {html[:300]}"
    return m.group(1)


def num(text: str) -> float:
    return float(text.replace(",", "").replace("%", ""))


def test_threshold_readouts_equal_library_and_sklearn(data):
    y, s = data
    ex = widgets.threshold_explorer(y, s, cost_fp=2, cost_fn=30, capacity=1_000, daily_volume=200_000)
    for t in (0.0, 0.03, 0.06, 0.25, 0.5, 0.9, 1.0):
        ex.value = t
        t = ex.value  # snapped to the grid
        html = ex.readouts.value
        assert json.loads(re.search(r'data-threshold="([^"]+)"', html).group(1)) == pytest.approx(t)
        cm = metrics.confusion_at_threshold(y, s, t)
        pred = s >= t
        assert num(cell(html, "tp")) == cm.tp == int(np.sum(pred & (y == 1)))
        assert num(cell(html, "fp")) == cm.fp
        assert num(cell(html, "fn")) == cm.fn
        assert num(cell(html, "tn")) == cm.tn
        # shown to 4 decimals: exactly the library's (and scikit-learn's) value, rounded
        assert cell(html, "precision") == f"{cm.precision:.4f}" == f"{sk.precision_score(y, pred, zero_division=0):.4f}"
        assert cell(html, "recall") == f"{cm.recall:.4f}" == f"{sk.recall_score(y, pred):.4f}"
        assert cell(html, "f1") == f"{cm.f1:.4f}" == f"{sk.f1_score(y, pred, zero_division=0):.4f}"
        fpr = float(np.sum(pred & (y == 0)) / np.sum(y == 0))
        assert cell(html, "fpr") == f"{cm.fpr:.4f}" == f"{fpr:.4f}"
        assert num(cell(html, "cost")) == pytest.approx(cm.expected_cost(cost_fp=2, cost_fn=30), abs=0.005)
        assert num(cell(html, "flagged")) == int(pred.sum())
        assert ex.confusion() == cm


def test_threshold_marks_are_the_library_thresholds(data):
    y, s = data
    ex = widgets.threshold_explorer(y, s, cost_fp=2, cost_fn=30, capacity=1_000, daily_volume=200_000)
    assert ex.marks["min_cost"] == curves.min_cost_threshold(y, s, cost_fp=2, cost_fn=30).threshold
    assert ex.marks["bayes"] == curves.bayes_threshold(cost_fp=2, cost_fn=30)
    k = round(len(y) * 1_000 / 200_000)
    assert ex.capacity_k == k
    assert ex.marks["capacity"] == curves.threshold_for_capacity(s, k).threshold
    # no costs, no cost marks
    plain = widgets.threshold_explorer(y, s)
    assert plain.marks == {}
    assert "cl-cost" not in plain.readouts.value


def test_sweep_computed_once_and_steps_draw_no_figure(data, monkeypatch):
    y, s = data
    calls = {"sweep": 0, "figure": 0, "draw": 0}
    real_sweep = curves.confusion_matrix_at_thresholds

    def counting_sweep(*a, **k):
        calls["sweep"] += 1
        return real_sweep(*a, **k)

    monkeypatch.setattr(curves, "confusion_matrix_at_thresholds", counting_sweep)
    ex = widgets.threshold_explorer(y, s, cost_fp=2, cost_fn=30, capacity_k=20)
    assert calls["sweep"] == 1

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    real_init, real_draw = Figure.__init__, FigureCanvasAgg.draw

    def counting_init(self, *a, **k):
        calls["figure"] += 1
        real_init(self, *a, **k)

    def counting_draw(self, *a, **k):
        calls["draw"] += 1
        return real_draw(self, *a, **k)

    monkeypatch.setattr(Figure, "__init__", counting_init)
    monkeypatch.setattr(FigureCanvasAgg, "draw", counting_draw)
    n_options = len(ex.slider.options)
    for i in range(120):
        ex.slider.index = (i * 7) % n_options
    assert calls == {"sweep": 1, "figure": 0, "draw": 0}
    assert len(ex.update_times) >= 100
    assert np.median(ex.update_times) < 20  # ms; in practice well under 1 ms


def test_overlay_is_svg_and_marker_sits_on_the_curve(data):
    y, s = data
    ex = widgets.threshold_explorer(y, s, cost_fp=2, cost_fn=30)
    ex.value = 0.3
    svg = ex.overlay.value
    assert svg.startswith("<svg") and "<circle" in svg
    cm = ex.confusion()
    cx, cy = map(float, re.search(r'<circle cx="([^"]+)" cy="([^"]+)"', svg).groups())
    X, Y = ex.figure.px(0, [cm.recall], [cm.precision])
    assert (cx, cy) == pytest.approx((X[0], Y[0]), abs=0.06)
    left, top, right, bottom = ex.figure.box(0)
    assert left <= cx <= right and top <= cy <= bottom


def test_frames_equal_live_renders_and_are_linked(data):
    y, s = data
    live = widgets.threshold_explorer(y, s, cost_fp=2, cost_fn=30, step=0.05)
    framed = widgets.threshold_explorer(y, s, cost_fp=2, cost_fn=30, step=0.05, frames=True)
    assert framed.readouts is None
    readout_stack = framed.children[2]
    assert len(readout_stack.children) == len(framed.slider.options) == 21
    for i in (0, 5, 20):
        live.slider.index = i
        assert readout_stack.children[i].value == live.readouts.value
    links = framed._links
    assert len(links) == 2 and all(link.source[0] is framed.slider for link in links)


def test_frames_from_environment(data, monkeypatch):
    y, s = data
    monkeypatch.setenv(widgets.FRAMES_ENV, "1")
    assert widgets.threshold_explorer(y, s, step=0.1).frames is True
    monkeypatch.delenv(widgets.FRAMES_ENV)
    assert widgets.threshold_explorer(y, s, step=0.1).frames is False


def test_cost_explorer_with_data(data):
    y, s = data
    ex = widgets.cost_explorer(2, 30, y_true=y, y_score=s)
    assert ex.value == 15.0  # starts at the given ratio
    for r in (1.0, 15.0, 100.0):
        ex.value = r
        r = ex.value
        html = ex.readouts.value
        assert num(cell(html, "bayes")) == pytest.approx(curves.bayes_threshold(cost_fp=2, cost_fn=2 * r), abs=5.1e-5)
        best = curves.min_cost_threshold(y, s, cost_fp=2, cost_fn=2 * r)
        assert num(cell(html, "min-threshold")) == pytest.approx(best.threshold, abs=5.1e-5)
        assert num(cell(html, "min-cost")) == pytest.approx(best.cost, abs=0.005)
        tau = curves.bayes_threshold(cost_fp=2, cost_fn=2 * r)
        at_tau = metrics.confusion_at_threshold(y, s, tau).expected_cost(cost_fp=2, cost_fn=2 * r)
        assert num(cell(html, "cost-bayes")) == pytest.approx(at_tau, abs=0.005)


def test_cost_explorer_with_operating_points():
    pts = {"baseline": metrics.confusion_from_rates(10_000, 0.08, 0.70, 0.45),
           "new": metrics.confusion_from_rates(10_000, 0.08, 0.58, 0.66)}
    ex = widgets.cost_explorer(1, 5, points=pts, point_thresholds={"baseline": 0.5, "new": 0.3})
    html = ex.readouts.value
    assert num(cell(html, "cost-baseline")) == pytest.approx(pts["baseline"].expected_cost(cost_fp=1, cost_fn=5), abs=0.005)
    assert num(cell(html, "cost-new")) == pytest.approx(pts["new"].expected_cost(cost_fp=1, cost_fn=5), abs=0.005)
    assert "new" in re.search(r'cl-best[^>]*>([^<]+)<', html).group(1)
    b, n = pts["baseline"], pts["new"]
    assert ex.break_even == pytest.approx((n.fp - b.fp) / (b.fn - n.fn))
    ex.value = 1.0  # at C_FN = C_FP the baseline is cheaper
    assert "baseline" in re.search(r'cl-best[^>]*>([^<]+)<', ex.readouts.value).group(1)
    with pytest.raises(ValueError):
        widgets.cost_explorer(1, 5)


def test_capacity_explorer(data):
    y, s = data
    ex = widgets.capacity_explorer(y, s, items_per_day=200_000, reviews_per_day=1_000)
    assert ex.value == 1_000.0
    for reviews in (100, 1_000, 5_000):
        ex.value = reviews
        k = round(len(y) * ex.value / 200_000)
        html = ex.readouts.value
        assert num(cell(html, "k")) == max(1, k) == ex.k
        cap = curves.threshold_for_capacity(s, ex.k)
        assert num(cell(html, "threshold")) == pytest.approx(cap.threshold, abs=5.1e-5)
        cm = metrics.confusion_at_threshold(y, s, cap.threshold)
        assert num(cell(html, "precision")) == pytest.approx(cm.precision, abs=5.1e-5)
        assert num(cell(html, "recall")) == pytest.approx(cm.recall, abs=5.1e-5)
    ex.volume_slider.value = ex.volume_slider.options[0][1]  # fewer items a day: a larger share reviewed
    assert ex.k > round(len(y) * ex.value / 200_000) - 1


def test_calibration_explorer_values_and_correction():
    ex = widgets.calibration_explorer(0.01, n=20_000, seed=1)
    beta = ex.beta
    assert beta == pytest.approx(calibration.beta_for_balance(0.01))
    html_off = ex.readouts.value
    ps = calibration.undersampling_inverse(ex.p, beta)
    assert num(cell(html_off, "ece")) == pytest.approx(calibration.expected_calibration_error(ex.y, ps), abs=5.1e-5)
    assert num(cell(html_off, "brier")) == pytest.approx(calibration.brier_score(ex.y, ps), abs=5.1e-6)
    ex.correction.value = "on"
    html_on = ex.readouts.value
    p = calibration.undersampling_correction(ps, beta)
    assert num(cell(html_on, "ece")) == pytest.approx(calibration.expected_calibration_error(ex.y, p), abs=5.1e-5)
    assert num(cell(html_on, "ece")) < num(cell(html_off, "ece")) / 5
    ex.correction.value = "off"
    for method in ("Platt", "isotonic"):
        ex.method.value = method
        assert num(cell(ex.readouts.value, "ece")) < num(cell(html_off, "ece")) / 5
    ex.value = 1.0  # no undersampling: nothing to correct
    assert ex.beta == 1.0


def test_prevalence_explorer_roc_holds_pr_falls():
    ex = widgets.prevalence_explorer(2.0, n_negatives=5_000, seed=3)
    rows = ex._rows
    prevalences = [r["prevalence"] for r in rows]
    assert prevalences == sorted(prevalences, reverse=True)
    aucs = [r["roc_auc"] for r in rows]
    aps = [r["ap"] for r in rows]
    assert max(aucs) - min(aucs) < 0.06
    assert aps[0] > 0.8 and aps[-1] < 0.3
    assert rows[0]["cm"].precision > rows[-1]["cm"].precision
    ex.value = 0.01
    html = ex.readouts.value
    row = next(r for r in rows if r["prevalence"] == 0.01)
    assert num(cell(html, "pr-auc")) == pytest.approx(row["ap"], abs=5.1e-5)
    assert num(cell(html, "roc-auc")) == pytest.approx(row["roc_auc"], abs=5.1e-5)


# --------------------------------------------------------------------------------------------------
# A widget as the answer
# --------------------------------------------------------------------------------------------------
def test_answer_returns_value_and_records_it(data, monkeypatch):
    y, s = data
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    ex = widgets.threshold_explorer(y, s, cost_fp=2, cost_fn=30)
    ex.value = 0.061
    assert ex.answer("min_cost_threshold") == pytest.approx(0.06)
    bundle = shown[0]._repr_mimebundle_()
    assert bundle[widgets.ANSWER_MIME] == {"question": "min_cost_threshold", "explorer": "threshold",
                                           "value": pytest.approx(0.06)}
    assert "0.06" in bundle["text/plain"]


def test_recorded_values_from_outputs_and_widget_state():
    nb = {"metadata": {"widgets": {widgets.WIDGET_STATE_MIME: {"state": {
        "m1": {"model_name": "SelectionSliderModel",
               "state": {"_dom_classes": ["caselab-control-threshold", "caselab-control"],
                         "_options_labels": ["0", "0.005", "0.01"], "index": 2}},
        "m2": {"model_name": "SelectionSliderModel",
               "state": {"_dom_classes": ["caselab-control-cost"], "_options_labels": ["1", "15"], "index": 1}}}}}},
          "cells": [
              {"cell_type": "code", "execution_count": 9, "outputs": [
                  {"output_type": "display_data", "data": {widgets.ANSWER_MIME: {
                      "question": "q", "explorer": "threshold", "value": 0.055}}}]},
              {"cell_type": "code", "execution_count": 4, "outputs": [
                  {"output_type": "display_data", "data": {widgets.ANSWER_MIME: json.dumps({
                      "question": "q", "explorer": "threshold", "value": 0.2})}}]},
              {"cell_type": "markdown", "source": "x"}]}
    # the latest execution wins; the explicit record beats the saved slider position
    assert widgets.recorded_values(nb) == {"threshold": 0.055, "cost": 15.0}
    env = widgets.grading_env(nb)
    assert json.loads(env[widgets.PRESET_ENV]) == {"threshold": 0.055, "cost": 15.0}
    assert widgets.grading_env({"cells": [], "metadata": {}}) == {}


def test_explorer_starts_at_preset_from_env_and_function(data, monkeypatch):
    y, s = data
    monkeypatch.setenv(widgets.PRESET_ENV, json.dumps({"threshold": 0.0552, "cost": 7}))
    assert widgets.threshold_explorer(y, s).value == pytest.approx(0.055)
    assert widgets.cost_explorer(2, 30, y_true=y, y_score=s).value == pytest.approx(7.0, rel=0.1)
    monkeypatch.delenv(widgets.PRESET_ENV)
    try:
        widgets.preset(threshold=0.2)
        assert widgets.threshold_explorer(y, s).value == pytest.approx(0.2)
    finally:
        widgets.preset(None)
    assert widgets.threshold_explorer(y, s).value == 0.5


def test_widget_answer_passes_the_check_within_one_slider_step(data):
    """The accepted band of a slider question is one slider step (abs 0.005) around the min-cost threshold."""
    from caselab.practice.grading import check_answer
    from caselab.scenarios.solvers import Answer
    from caselab.scenarios.spec import Question, Tolerance

    y, s = data
    t_min = curves.min_cost_threshold(y, s, cost_fp=2, cost_fn=30).threshold
    q = Question(id="min_cost_threshold", kind="number", prompt="set the slider", unit="probability",
                 tolerance=Tolerance(abs=0.005), widget="threshold")
    ex = widgets.threshold_explorer(y, s, cost_fp=2, cost_fn=30)
    ex.value = t_min  # the nearest slider position
    assert check_answer(q, Answer(t_min), ex.value).passed
    ex.value = t_min + 0.05
    assert not check_answer(q, Answer(t_min), ex.value).passed


def test_solver_explorer_cells_run(data):
    """Each solver's explorer code runs in a namespace like the notebook's and builds its explorer."""
    import caselab
    from caselab.scenarios import casebook

    for sid in ("tiktok-threshold-capacity", "pinterest-f1-cost", "fraud-weights-undersampling"):
        scenario = casebook.load(sid)
        solution = casebook.solve(scenario, scenario.givens)
        assert scenario.explorers, sid
        ns = {"caselab": caselab, "case": caselab.case(sid), **scenario.givens}
        if solution.data_code:
            exec(solution.data_code.replace("print(", "(lambda *a, **k: None)("), ns)
        for name in scenario.explorers:
            if sid == "tiktok-threshold-capacity" and name != "threshold":
                continue  # the others are covered above; keep this test quick
            exec(solution.explorers[name], ns)
            ex = ns[f"{name}_explorer"]
            assert isinstance(ex, widgets.Explorer) and ex.name == name
    assert matplotlib.get_backend()  # no pyplot figure was opened


def test_grading_kernel_sees_the_value_the_learner_set():
    """End to end with real kernels: the learner drags the slider and reads it into the answer; the saved
    notebook records it; a fresh grading kernel started with grading_env(saved) reads the same value."""
    import os

    import nbformat
    from nbclient import NotebookClient

    from caselab.notebooks import render
    from caselab.scenarios import casebook

    scenario = casebook.load("tiktok-threshold-capacity")
    nb = render.build_notebook(scenario, "learner")
    keep = [c for c in nb.cells if c.metadata["caselab"]["role"] in ("setup", "data")
            or c.get("id") == "explorer-threshold"]
    answer = nbformat.v4.new_code_cell('min_cost_threshold = threshold_explorer.answer("min_cost_threshold")')
    drag = nbformat.v4.new_code_cell("threshold_explorer.value = 0.055  # stands for the learner's drag")
    probe = nbformat.v4.new_code_cell("print(repr(min_cost_threshold))")
    nb.cells = keep + [drag, answer]

    def run(notebook, extra_env):
        from caselab.notebooks.kernel_env import executor_env

        env = executor_env({k: v for k, v in os.environ.items() if k != widgets.PRESET_ENV})  # never the journal
        env.update({"MPLBACKEND": "Agg", **extra_env})
        NotebookClient(notebook, timeout=120, kernel_name="python3").execute(env=env)
        return notebook

    learner = run(nb, {})
    assert widgets.recorded_values(learner) == {"threshold": 0.055}
    saved = nbformat.from_dict(learner)
    saved.cells = [c for c in saved.cells if c is not saved.cells[len(keep)]] + [probe]  # no drag on re-run
    graded = run(saved, widgets.grading_env(learner))
    printed = graded.cells[-1].outputs[0]["text"].strip()
    assert float(printed) == 0.055


# --------------------------------------------------------------------------------------------------
# No spoilers: what answers a question stays hidden until the learner has answered it
# --------------------------------------------------------------------------------------------------
def _tiktok():
    import caselab
    from caselab.scenarios import casebook
    from caselab.scenarios.data import sentiment_scores

    g = casebook.load("tiktok-threshold-capacity").givens
    y, p = sentiment_scores(n=g["n_validation"], prevalence=g["prevalence"], separation=g["separation"], seed=g["seed"])
    return caselab, caselab.case("tiktok-threshold-capacity"), g, y, p


def test_marks_stay_hidden_until_case_check_accepts_the_answer(monkeypatch):
    from caselab.maths import curves
    from caselab.notebooks.widgets import base

    monkeypatch.setattr(base, "_ANSWERED", set())
    caselab, case, g, y, p = _tiktok()
    ex = widgets.threshold_explorer(y, p, cost_fp=g["cost_fp"], cost_fn=g["cost_fn"], case=case,
                                    hide_until_answered={"bayes": "bayes_threshold", "min_cost": "min_cost_threshold"})
    tau = curves.bayes_threshold(cost_fp=g["cost_fp"], cost_fn=g["cost_fn"])
    t_min = curves.min_cost_threshold(y, p, cost_fp=g["cost_fp"], cost_fn=g["cost_fn"]).threshold
    shown = ex.readouts.value + ex.overlay.value
    assert f"{tau:.4f}" not in shown and f"{tau:.3f}" not in shown and f"{t_min:.4f}" not in shown
    assert "answer <code>bayes_threshold</code> first" in ex.readouts.value
    figure = ex.children[-2].children[0].value  # the background image: its alt text is what it draws
    assert 'alt="figure: precision–recall' in figure and f"{tau:.3f}" not in figure and f"{t_min:.3f}" not in figure
    assert not case.check("bayes_threshold", 0.9).passed  # a wrong answer unlocks nothing
    assert f"{tau:.4f}" not in ex.readouts.value
    assert case.check("bayes_threshold", tau).passed
    assert f'<b class="cl-mark-bayes">{tau:.4f}</b>' in ex.readouts.value and "<polygon" in ex.overlay.value
    assert f"{t_min:.4f}" not in ex.readouts.value  # still hidden: its own question is unanswered
    # an explorer built later in the same kernel knows what was answered
    later = widgets.threshold_explorer(y, p, cost_fp=g["cost_fp"], cost_fn=g["cost_fn"], case=case,
                                       hide_until_answered={"bayes": "bayes_threshold"})
    assert f"{tau:.4f}" in later.readouts.value
    ex.reveal("min_cost_threshold")  # by question id
    assert f"{t_min:.4f}" in ex.readouts.value


def test_readouts_hide_only_at_the_start_and_reveal_shows_them(monkeypatch):
    from caselab.notebooks.widgets import base

    monkeypatch.setattr(base, "_ANSWERED", set())
    caselab, case, g, y, p = _tiktok()
    ex = widgets.capacity_explorer(y, p, items_per_day=g["daily_volume"], reviews_per_day=g["capacity"], case=case,
                                   hide_until_answered={"k": "capacity_k", "recall": "recall_at_capacity"})
    k = round(g["n_validation"] * g["capacity"] / g["daily_volume"])
    assert 'class="cl-k"><span class="cl-hidden"' in ex.readouts.value
    ex.reviews_slider.index += 1  # elsewhere the readouts answer nothing: shown
    assert 'class="cl-k"><span' not in ex.readouts.value and "cl-hidden" not in ex.readouts.value
    ex.reviews_slider.index -= 1  # back at the case's own setting: hidden again
    assert 'class="cl-recall"><span class="cl-hidden"' in ex.readouts.value
    case.solution("recall_at_capacity")  # the learner asked for the worked answer: no point hiding it
    assert 'class="cl-recall"><span' not in ex.readouts.value and "cl-hidden" in ex.readouts.value
    ex.reveal()
    assert "cl-hidden" not in ex.readouts.value and f'class="cl-k">{k:,}<' in ex.readouts.value


def test_hiding_works_with_frames_and_knows_only_the_case_questions(monkeypatch):
    from caselab.notebooks.widgets import base

    monkeypatch.setattr(base, "_ANSWERED", set())
    caselab, case, g, y, p = _tiktok()
    ex = widgets.cost_explorer(g["cost_fp"], g["cost_fn"], y_true=y, y_score=p, frames=True, case=case,
                               hide_until_answered={"bayes": "bayes_threshold", "trivial": "no_such_question"})
    assert ex.hidden_until == {"bayes": ("bayes_threshold",)}  # the case asks no "no_such_question"
    start = [leaf for prefix, leaf, _ in ex._frame_leaves if prefix == ex._start_idx][0]
    other = [leaf for prefix, leaf, _ in ex._frame_leaves if prefix != ex._start_idx][0]
    assert "cl-hidden" in start.value and "cl-hidden" not in other.value
    widgets.answered("bayes_threshold")
    assert "cl-hidden" not in start.value
    with pytest.raises(ValueError, match="no 'nope'.*'bayes'"):
        widgets.cost_explorer(1, 10, y_true=y, y_score=p, hide_until_answered={"nope": "x"})


def test_legend_names_only_the_marks_the_case_has(data):
    y, s = data
    plain = widgets.threshold_explorer(y, s)
    note = plain.children[-1].value
    assert "Marks" not in note and "min-cost" not in note and "Bayes" not in note and "capacity" not in note
    costed = widgets.threshold_explorer(y, s, cost_fp=1, cost_fn=10)
    note = costed.children[-1].value
    assert "min-cost" in note and "Bayes" in note and "capacity" not in note
    assert "capacity" not in costed.readouts.value
    assert "min-cost" in costed.readouts.value and "<polygon" in costed.overlay.value  # nothing hidden: marks drawn
