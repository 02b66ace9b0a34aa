"""Interactive explorers: move a slider, watch the confusion matrix, the curves and the cost move.

Five explorers, each a widget (an ``ipywidgets.VBox``) fed with a scenario's givens or data:

``threshold_explorer(y_true, y_score, ...)``
    a threshold slider; the confusion matrix; precision, recall, F1, FPR, expected cost and the
    flagged count; PR and ROC curves with a moving operating point and the expected-cost curve, with
    the min-cost, Bayes and capacity thresholds marked.
``cost_explorer(cost_fp, cost_fn, ...)``
    a C_FN/C_FP ratio slider → the Bayes threshold, the expected-cost curve and its minimum (from
    labelled scores), or the cost of two given operating points and their break-even ratio.
``capacity_explorer(y_true, y_score, items_per_day, reviews_per_day)``
    items/day and reviews/day → k, the top-k threshold, precision@k and recall@k.
``calibration_explorer(prevalence, ...)``
    an undersampling keep-rate β slider, the Dal Pozzolo correction on/off, no / Platt / isotonic
    recalibration → the reliability diagram, ECE and Brier score.
``prevalence_explorer(separation, ...)``
    the same ranking quality at falling prevalence: ROC-AUC holds, PR-AUC and precision fall.

How an update stays fast
------------------------
Everything that does not move is computed once, when the explorer is built: the one threshold sweep
(:func:`caselab.curves.confusion_matrix_at_thresholds`), the curves, and the figure itself, which
matplotlib draws once (Agg) into a PNG *background*. What moves is drawn on top of it:

* the numbers (confusion matrix, readouts) are an HTML widget;
* the markers and moving curves are a small SVG layer over the background, placed with the axes'
  own matplotlib transforms (``ax.transData``) — blitting done by the browser. No figure is drawn
  again, and no image is encoded again, after the first.

A slider step is an index lookup (``np.searchsorted``) into the sweep plus two string assignments:
well under a millisecond in the kernel (``benchmarks/bench_widgets.py`` measures it).

Every control has a finite grid of positions (``SelectionSlider``/``ToggleButtons``), so an explorer
can also precompute one *frame* per position and link the controls to the frames in the browser
(``frames=True``, or the environment variable ``CASELAB_WIDGET_FRAMES=1``): then it needs no kernel
at all, and a page exported with :mod:`caselab.html` stays live — the slider moves the numbers and
the markers in a static page.

A widget as an answer
---------------------
A question may be answered by *setting* a slider (``widget = "threshold"`` in the spec). Its answer
cell reads the value with :meth:`Explorer.answer`, which returns the slider's value and records it in
the cell's output (MIME type :data:`ANSWER_MIME`), so the saved notebook keeps what the learner set.
A headless grader re-runs every cell in a fresh kernel, where the slider would start from its
default; :func:`grading_env` turns the values recorded in the learner's saved notebook (and, as a
fallback, JupyterLab's saved widget state) into an environment variable for the grading kernel, and
each explorer starts at the recorded value. The answer cell then reads exactly what the learner set.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
import time
import uuid
from collections.abc import Callable, Sequence

import ipywidgets as W
import numpy as np

from caselab import calibration as cal
from caselab import curves, metrics

__all__ = [
    "Explorer",
    "threshold_explorer",
    "cost_explorer",
    "capacity_explorer",
    "calibration_explorer",
    "prevalence_explorer",
    "EXPLORERS",
    "preset",
    "recorded_values",
    "grading_env",
    "ANSWER_MIME",
    "PRESET_ENV",
    "FRAMES_ENV",
]

ANSWER_MIME = "application/vnd.caselab.widget-answer+json"
PRESET_ENV = "CASELAB_WIDGET_VALUES"  # JSON {explorer name: value}: explorers start there (grading)
FRAMES_ENV = "CASELAB_WIDGET_FRAMES"  # "1": explorers precompute frames (static pages)
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"

_PRESETS: dict[str, float] = {}

COLORS = {"point": "#d62728", "min_cost": "#2ca02c", "bayes": "#ff7f0e", "capacity": "#9467bd",
          "curve": "#1f77b4", "curve2": "#17becf", "grey": "#7f7f7f"}


# --------------------------------------------------------------------------------------------------
# The figure: a matplotlib background drawn once, and an SVG layer for what moves
# --------------------------------------------------------------------------------------------------
class _Figure:
    """A matplotlib figure drawn once into a PNG, plus the data → pixel maps of its axes.

    The layout is fixed with ``subplots_adjust`` (no tight/constrained layout), so the axes sit at the
    same place at the screen resolution used for the transforms and at the 2× resolution of the PNG.
    """

    PX_PER_INCH = 90  # CSS pixels per inch of the figure

    def __init__(self, ncols: int, width: float, height: float, *, wspace: float = 0.38,
                 left: float = 0.075, right: float = 0.985, bottom: float = 0.19, top: float = 0.88):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=(width, height), dpi=self.PX_PER_INCH)
        FigureCanvasAgg(self.fig)
        self.axes = [self.fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
        self.fig.subplots_adjust(left=left, right=right, bottom=bottom, top=top, wspace=wspace)
        self.width = int(round(width * self.PX_PER_INCH))
        self.height = int(round(height * self.PX_PER_INCH))
        for ax in self.axes:
            ax.tick_params(labelsize=7.5)
            ax.grid(alpha=0.25, lw=0.6)

    def finish(self) -> str:
        """Draw once and return the background as an ``<img>`` (HTML)."""
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=2 * self.PX_PER_INCH)  # crisp on HiDPI screens
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        # after a draw at the screen dpi the transforms are final; freeze them (log axes included)
        self.fig.canvas.draw()
        self._boxes = [ax.get_window_extent() for ax in self.axes]
        self._limits = [(ax.get_xlim(), ax.get_ylim()) for ax in self.axes]
        self._trans = [ax.transData.frozen() for ax in self.axes]
        return (f'<img class="cl-bg" alt="figure" width="{self.width}" height="{self.height}" '
                f'style="display:block;width:{self.width}px;height:{self.height}px" '
                f'src="data:image/png;base64,{data}">')

    # --- data → CSS pixels (origin top-left) -----------------------------------------------------
    def px(self, i: int, x, y):
        (x0, x1), (y0, y1) = self._limits[i]
        x = np.clip(np.asarray(x, float), min(x0, x1), max(x0, x1))
        y = np.clip(np.asarray(y, float), min(y0, y1), max(y0, y1))
        pts = self._trans[i].transform(np.column_stack([np.ravel(x), np.ravel(y)]))
        return pts[:, 0], self.height - pts[:, 1]

    def box(self, i: int):
        b = self._boxes[i]
        return b.x0, self.height - b.y1, b.x1, self.height - b.y0  # left, top, right, bottom

    # --- SVG elements -------------------------------------------------------------------------
    def dot(self, i: int, x: float, y: float, color: str, r: float = 5.0, title: str = "") -> str:
        if not (np.isfinite(x) and np.isfinite(y)):
            return ""
        X, Y = self.px(i, [x], [y])
        t = f"<title>{html.escape(title)}</title>" if title else ""
        return (f'<circle cx="{X[0]:.1f}" cy="{Y[0]:.1f}" r="{r}" fill="{color}" stroke="white" '
                f'stroke-width="1.5">{t}</circle>')

    def vline(self, i: int, x: float, color: str, dash: str = "") -> str:
        if not np.isfinite(x):
            return ""
        X, _ = self.px(i, [x], [0])
        _, top, _, bottom = self.box(i)
        d = f' stroke-dasharray="{dash}"' if dash else ""
        return (f'<line x1="{X[0]:.1f}" x2="{X[0]:.1f}" y1="{top:.1f}" y2="{bottom:.1f}" stroke="{color}" '
                f'stroke-width="1.6"{d}/>')

    def hline(self, i: int, y: float, color: str, dash: str = "") -> str:
        if not np.isfinite(y):
            return ""
        _, Y = self.px(i, [self._limits[i][0][0]], [y])
        left, _, right, _ = self.box(i)
        d = f' stroke-dasharray="{dash}"' if dash else ""
        return (f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{Y[0]:.1f}" y2="{Y[0]:.1f}" stroke="{color}" '
                f'stroke-width="1.4"{d}/>')

    def polyline(self, i: int, x, y, color: str, width: float = 1.8) -> str:
        x, y = np.asarray(x, float), np.asarray(y, float)
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.sum() < 2:
            return ""
        X, Y = self.px(i, x[ok], y[ok])
        pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(X, Y, strict=True))
        return f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="{width}"/>'

    def label(self, i: int, x: float, y: float, text: str, color: str = "#222", dx: float = 6,
              dy: float = -6) -> str:
        if not (np.isfinite(x) and np.isfinite(y)):
            return ""
        X, Y = self.px(i, [x], [y])
        left, top, right, bottom = self.box(i)
        anchor = "end" if X[0] > (left + right) / 2 else "start"
        dx = -abs(dx) if anchor == "end" else abs(dx)
        return (f'<text x="{X[0] + dx:.1f}" y="{Y[0] + dy:.1f}" font-size="11" font-family="sans-serif" '
                f'text-anchor="{anchor}" fill="{color}" stroke="white" stroke-width="3" '
                f'paint-order="stroke">{html.escape(text)}</text>')

    def svg(self, parts: Sequence[str]) -> str:
        return (f'<svg class="cl-overlay" xmlns="http://www.w3.org/2000/svg" width="{self.width}" '
                f'height="{self.height}" viewBox="0 0 {self.width} {self.height}" '
                f'style="display:block">{"".join(parts)}</svg>')


def _mark_legend(ax, handles_labels):
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker=m, color=c, linestyle="none", markersize=7) for _, c, m in handles_labels]
    ax.legend(handles, [label for label, _, _ in handles_labels], fontsize=7, loc="lower left", framealpha=0.85)


# --------------------------------------------------------------------------------------------------
# Presets and recorded answers (a widget as the answer)
# --------------------------------------------------------------------------------------------------
def preset(values: dict[str, float] | None = None, **kw: float) -> dict[str, float]:
    """Make explorers start at given values, by explorer name: ``preset(threshold=0.06)``.

    Used by grading (see :func:`grading_env`, which does the same through an environment variable).
    ``preset({})`` with no arguments returns the current presets; ``preset(None)`` clears them.
    """
    if values is None and not kw:
        _PRESETS.clear()
        return {}
    _PRESETS.update({**(values or {}), **kw})
    return dict(_PRESETS)


def _preset_for(name: str) -> float | None:
    if name in _PRESETS:
        return _PRESETS[name]
    raw = os.environ.get(PRESET_ENV)
    if raw:
        try:
            value = json.loads(raw).get(name)
        except (ValueError, AttributeError):
            return None
        if isinstance(value, int | float) and math.isfinite(value):
            return float(value)
    return None


def _frames_default() -> bool:
    return os.environ.get(FRAMES_ENV, "").strip().lower() in ("1", "true", "yes", "on")


class _Recorded:
    """What :meth:`Explorer.answer` shows: the value, and a machine-readable copy for the grader."""

    def __init__(self, question: str, explorer: str, value: float, label: str):
        self.question, self.explorer, self.value, self.label = question, explorer, value, label

    def _text(self) -> str:
        return (f"{self.question} = {self.label}  (read from the {self.explorer} explorer's slider — move it and "
                "re-run this cell to change your answer)")

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self._text(),
                "text/html": f'<div style="color:#555;font-size:90%">📌 {html.escape(self._text())}</div>',
                ANSWER_MIME: {"question": self.question, "explorer": self.explorer, "value": self.value}}


def recorded_values(nb) -> dict[str, float]:
    """The explorer values a learner set, read from a saved notebook: ``{explorer name: value}``.

    Two sources, the second overriding the first:

    1. JupyterLab's saved widget state (``metadata.widgets``, when "save widget state" is on): the
       primary control of each explorer carries the CSS class ``caselab-control-<name>``;
    2. the outputs of :meth:`Explorer.answer` (MIME :data:`ANSWER_MIME`) — what the learner read into
       an answer — latest execution last.
    """
    values: dict[str, float] = {}
    meta = nb.get("metadata", {}) if isinstance(nb, dict) else {}
    state = (meta.get("widgets") or {}).get(WIDGET_STATE_MIME, {}).get("state", {})
    for model in state.values() if isinstance(state, dict) else []:
        s = model.get("state", {}) if isinstance(model, dict) else {}
        for cls in s.get("_dom_classes", []) or []:
            if isinstance(cls, str) and cls.startswith("caselab-control-"):
                labels, index = s.get("_options_labels") or [], s.get("index")
                if isinstance(index, int) and 0 <= index < len(labels):
                    try:
                        values[cls[len("caselab-control-"):]] = float(str(labels[index]).replace(",", ""))
                    except ValueError:
                        pass
    records = []
    for pos, cell in enumerate(nb.get("cells", []) if isinstance(nb, dict) else []):
        if cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []) or []:
            data = out.get("data", {}) if isinstance(out, dict) else {}
            rec = data.get(ANSWER_MIME)
            if isinstance(rec, str):
                try:
                    rec = json.loads(rec)
                except ValueError:
                    rec = None
            if isinstance(rec, dict) and isinstance(rec.get("value"), int | float) and rec.get("explorer"):
                records.append((cell.get("execution_count") or 0, pos, rec["explorer"], float(rec["value"])))
    for _, _, name, value in sorted(records):
        values[name] = value
    return values


def grading_env(nb) -> dict[str, str]:
    """Environment variables for a grading kernel, so explorers start where the learner left them.

    ``{}`` when the notebook recorded no explorer value. A grader adds these to the kernel's
    environment: ``env = {**os.environ, **caselab.widgets.grading_env(nb)}``.
    """
    values = recorded_values(nb)
    return {PRESET_ENV: json.dumps(values, sort_keys=True)} if values else {}


# --------------------------------------------------------------------------------------------------
# The explorer base class
# --------------------------------------------------------------------------------------------------
_CSS = """<style>
.cl-readouts{font-family:var(--jp-ui-font-family,sans-serif);font-size:13px;line-height:1.35;
  display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start;color:var(--jp-ui-font-color1,#222)}
.cl-readouts table{border-collapse:collapse}
.cl-readouts td,.cl-readouts th{padding:2px 8px;border:1px solid #ddd;text-align:right;
  font-variant-numeric:tabular-nums}
.cl-readouts th{background:rgba(127,127,127,.1);font-weight:600}
.cl-readouts .cl-good{background:rgba(44,160,44,.12)}.cl-readouts .cl-bad{background:rgba(214,39,40,.10)}
.cl-readouts .cl-note{color:#666;font-size:12px;max-width:320px;text-align:left}
.cl-title{font-weight:600;font-size:14px;margin:4px 0}
</style>"""


def _fmt_count(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def _fmt(x: float, digits: int = 4) -> str:
    if x is None or not np.isfinite(x):
        return "—" if x is None or np.isnan(x) else ("∞" if x > 0 else "−∞")
    return f"{x:.{digits}f}"


def _fmt_money(x: float) -> str:
    return f"{x:,.2f}"


def _label(v: float) -> str:
    """A slider label: 6 significant digits (it parses back to the value for grading from saved widget state)."""
    return f"{v:.6g}"


class Explorer(W.VBox):
    """An interactive explorer: controls on a finite grid, readouts (HTML) and a figure.

    ``explorer.value`` is the value of its primary control (settable: snaps to the grid);
    ``explorer.answer("question_id")`` returns it and records it for grading; ``explorer.controls``
    the control widgets; ``explorer.readouts`` / ``explorer.overlay`` the HTML widgets that move
    (``None`` with frames); ``explorer.update_times`` the duration of each update in ms.
    """

    name = "explorer"

    def _setup(self, title: str, controls: list[W.Widget], figure: _Figure | None, render: Callable,
               frames: bool | None, note: str = "") -> None:
        self._render = render
        self.controls = controls
        self.update_times: list[float] = []
        self._uid = uuid.uuid4().hex[:8]
        primary = controls[0]
        # An answer is only read from a slider someone moved (or a grader preset): an untouched slider
        # sitting at its start value is "not answered", not a wrong answer.
        self._touched = False
        primary.observe(self._mark_touched, names="index")
        primary.add_class(f"caselab-control-{self.name}")
        for c in controls:
            c.add_class("caselab-control")
        frames = _frames_default() if frames is None else bool(frames)
        self.frames = frames
        bg = W.HTML(figure.finish()) if figure is not None else None
        if frames:
            self.readouts, self.overlay = None, None
            readout_view, overlay_view = self._build_frames()
        else:
            r, o = self._render(self._indices())
            self.readouts, self.overlay = W.HTML(r), W.HTML(o)
            readout_view, overlay_view = self.readouts, self.overlay
            for c in controls:
                c.observe(self._on_change, names="index")
        parts: list[W.Widget] = [W.HTML(_CSS + f'<div class="cl-title">{html.escape(title)}</div>')]
        parts.append(W.VBox(controls))
        parts.append(readout_view)
        if figure is not None:
            area = W.Layout(grid_area="fig")
            bg.layout, overlay_view.layout = area, W.Layout(grid_area="fig")
            parts.append(W.GridBox([bg, overlay_view], layout=W.Layout(
                grid_template_areas='"fig"', grid_template_columns=f"{figure.width + 8}px",
                width=f"{figure.width + 12}px")))
        if note:
            parts.append(W.HTML(f'<div class="cl-readouts"><div class="cl-note" style="max-width:none">{note}</div></div>'))
        self.children = parts
        self.add_class("caselab-explorer")
        self.add_class(f"caselab-explorer-{self.name}")

    # --- controls ---------------------------------------------------------------------------------
    @staticmethod
    def _slider(description: str, values: Sequence[float], value: float, labels: Sequence[str] | None = None,
                width: str = "560px") -> W.SelectionSlider:
        values = [float(v) for v in values]
        labels = list(labels) if labels is not None else [_label(v) for v in values]
        index = int(np.argmin(np.abs(np.asarray(values) - value)))
        return W.SelectionSlider(options=list(zip(labels, values, strict=True)), index=index, description=description,
                                 continuous_update=True, style={"description_width": "150px"},
                                 layout=W.Layout(width=width))

    @staticmethod
    def _toggle(description: str, options: Sequence[str], value: str) -> W.ToggleButtons:
        return W.ToggleButtons(options=list(options), value=value, description=description,
                               style={"description_width": "150px", "button_width": "90px"})

    def _indices(self) -> tuple[int, ...]:
        return tuple(int(c.index) for c in self.controls)

    def _on_change(self, change=None) -> None:
        t0 = time.perf_counter()
        r, o = self._render(self._indices())
        self.readouts.value = r
        self.overlay.value = o
        self.update_times.append((time.perf_counter() - t0) * 1000)

    def _build_frames(self):
        """One (readouts, overlay) frame per grid position; the controls pick one in the browser."""
        shape = [len(c.options) for c in self.controls]
        # every frame shares one layout and one style model: 1 model per frame instead of 3
        from ipywidgets.widgets.widget_string import HTMLStyle

        layout, style = W.Layout(), HTMLStyle()

        def build(level: int, prefix: tuple[int, ...]):
            if level == len(shape):
                r, o = self._render(prefix)
                return W.HTML(r, layout=layout, style=style), W.HTML(o, layout=layout, style=style)
            kids = [build(level + 1, prefix + (i,)) for i in range(shape[level])]
            current = int(self.controls[level].index)
            r_stack = W.Stack([k[0] for k in kids], selected_index=current)
            o_stack = W.Stack([k[1] for k in kids], selected_index=current)
            self._links.append(W.jslink((self.controls[level], "index"), (r_stack, "selected_index")))
            self._links.append(W.jslink((self.controls[level], "index"), (o_stack, "selected_index")))
            return r_stack, o_stack

        self._links: list[W.Widget] = []
        return build(0, ())

    # --- the value, and the value as an answer --------------------------------------------------
    @property
    def value(self) -> float | str:
        """The primary control's value (a float for sliders)."""
        return self.controls[0].value

    def _mark_touched(self, change=None) -> None:
        self._touched = True

    @value.setter
    def value(self, v) -> None:
        self._touched = True
        c = self.controls[0]
        if isinstance(c, W.SelectionSlider):
            values = np.asarray([val for _, val in c.options], float)
            c.index = int(np.argmin(np.abs(values - float(v))))
        else:
            c.value = v

    @property
    def label(self) -> str:
        c = self.controls[0]
        return c.label if hasattr(c, "label") else str(c.value)

    def answer(self, question: str):
        """The primary slider's value, recorded in this cell's output for grading; returns the value."""
        from IPython.display import HTML, display

        if not self._touched:
            display(HTML(f'<div style="color:#555;font-size:90%">{html.escape(question)}: not answered yet — move the '
                         f'{html.escape(self.name)} explorer\'s slider, then re-run this cell.</div>'))
            return ...
        value = self.value
        display(_Recorded(question, self.name, float(value), self.label))
        return value

    def _apply_preset(self) -> None:
        v = _preset_for(self.name)
        if v is not None:
            self.value = v


# --------------------------------------------------------------------------------------------------
# Threshold explorer
# --------------------------------------------------------------------------------------------------
class ThresholdExplorer(Explorer):
    """A threshold slider over one precomputed sweep; see :func:`threshold_explorer`."""

    name = "threshold"

    def __init__(self, y_true, y_score, *, cost_fp: float | None = None, cost_fn: float | None = None,
                 capacity_k: int | None = None, capacity: float | None = None, daily_volume: float | None = None,
                 threshold: float = 0.5, step: float = 0.005, frames: bool | None = None,
                 title: str = "Threshold explorer"):
        super().__init__()
        y = np.asarray(y_true)
        s = np.asarray(y_score, dtype=float)
        # The one sweep (one sort). Everything below is read from it.
        self.sweep = curves.confusion_matrix_at_thresholds(y, s)
        tns, fps, fns, tps, thr = self.sweep
        self._neg_thr = -thr  # increasing: searchsorted works on it
        self.P, self.N = float(tps[-1]), float(fps[-1])
        self.n = self.P + self.N
        self.cost_fp, self.cost_fn = cost_fp, cost_fn
        self.daily_volume = daily_volume
        has_cost = cost_fp is not None and cost_fn is not None
        if capacity_k is None and capacity is not None and daily_volume:
            capacity_k = max(1, round(self.n * capacity / daily_volume))
        self.capacity_k = capacity_k
        self.capacity = capacity

        # the marked thresholds — from the library
        self.marks: dict[str, float] = {}
        if has_cost:
            self.marks["min_cost"] = curves.min_cost_threshold(y, s, cost_fp=cost_fp, cost_fn=cost_fn).threshold
            self.marks["bayes"] = curves.bayes_threshold(cost_fp=cost_fp, cost_fn=cost_fn)
        if capacity_k is not None:
            self.marks["capacity"] = curves.threshold_for_capacity(s, int(capacity_k)).threshold

        grid = np.round(np.arange(0.0, 1.0 + step / 2, step), 6)
        self.slider = self._slider("threshold", grid, threshold)

        # curves from the sweep (no second sweep): PR and ROC, and cost vs threshold
        precision = tps / np.maximum(tps + fps, 1)
        recall = tps / self.P if self.P else np.zeros_like(tps)
        fpr = fps / self.N if self.N else np.zeros_like(fps)
        fig = _Figure(3, 8.6, 2.75, wspace=0.42, left=0.07)
        ax_pr, ax_roc, ax_c = fig.axes
        ax_pr.plot(np.r_[0.0, recall], np.r_[1.0, precision], color=COLORS["curve"], lw=1.4)
        ax_pr.axhline(self.P / self.n, color=COLORS["grey"], lw=0.8, ls=":")
        ax_pr.set(xlim=(0, 1), ylim=(0, 1.02), title="precision–recall", xlabel="recall", ylabel="precision")
        ax_roc.plot(np.r_[0.0, fpr], np.r_[0.0, recall], color=COLORS["curve"], lw=1.4)
        ax_roc.plot([0, 1], [0, 1], color=COLORS["grey"], lw=0.8, ls=":")
        ax_roc.set(xlim=(0, 1), ylim=(0, 1.02), title="ROC", xlabel="false-positive rate", ylabel="recall (TPR)")
        if has_cost:
            cost = fps * cost_fp + fns * cost_fn
            xs, ys = np.r_[1.0, thr.clip(0, 1), 0.0], np.r_[self.P * cost_fn, cost, cost[-1]]
            ax_c.step(xs, ys, where="post", color=COLORS["curve"], lw=1.4)
            ax_c.set(xlim=(0, 1), ylim=(0, ys.max() * 1.05), title="expected cost", xlabel="threshold",
                     ylabel="C_FP·FP + C_FN·FN")
            ax_c.yaxis.set_major_formatter(_kformatter())
        else:
            ax_c.step(np.r_[1.0, thr.clip(0, 1)], np.r_[1.0, precision], where="post", color=COLORS["curve"],
                      lw=1.2, label="precision")
            ax_c.step(np.r_[1.0, thr.clip(0, 1)], np.r_[0.0, recall], where="post", color=COLORS["curve2"],
                      lw=1.2, label="recall")
            ax_c.set(xlim=(0, 1), ylim=(0, 1.02), title="precision, recall", xlabel="threshold")
            ax_c.legend(fontsize=7)
        legend = []
        styles = {"min_cost": ("min-cost", "*"), "bayes": ("Bayes τ*", "D"), "capacity": ("capacity", "s")}
        for key, t in self.marks.items():
            cm = self._confusion(t)
            label, marker = styles[key]
            color = COLORS[key]
            ax_pr.plot([cm.recall], [cm.precision], marker=marker, color=color, ms=8 if marker == "*" else 6,
                       mec="white", mew=0.6, zorder=5)
            ax_roc.plot([cm.fpr], [cm.recall], marker=marker, color=color, ms=8 if marker == "*" else 6,
                        mec="white", mew=0.6, zorder=5)
            ax_c.axvline(min(t, 1.0), color=color, lw=1.1, ls="--")
            legend.append((f"{label} {t:.3f}", color, marker))
        if legend:
            _mark_legend(ax_pr, legend)
        self.figure = fig
        self._setup(title, [self.slider], fig, self._render_at, frames,
                    note="Flag (positive) ⇔ score ≥ threshold. Marks: ★ min-cost threshold on this data, "
                         "◆ Bayes threshold C_FP/(C_FP + C_FN), ■ top-k capacity threshold. "
                         "Click the slider and use ← → for one step.")
        self._apply_preset()

    # one operating point: an index lookup into the sweep
    def _confusion(self, t: float) -> metrics.Confusion:
        j = int(np.searchsorted(self._neg_thr, -t, side="right"))  # how many distinct scores are ≥ t
        if j == 0:
            tp = fp = 0.0
        else:
            tp, fp = float(self.sweep.tps[j - 1]), float(self.sweep.fps[j - 1])
        return metrics.Confusion(tp=tp, fp=fp, fn=self.P - tp, tn=self.N - fp)

    def confusion(self) -> metrics.Confusion:
        """The confusion matrix at the slider's threshold."""
        return self._confusion(float(self.value))

    @property
    def threshold(self) -> float:
        return float(self.value)

    def _render_at(self, idx: tuple[int, ...]) -> tuple[str, str]:
        t = float(self.slider.options[idx[0]][1])
        cm = self._confusion(t)
        rows = [("precision", _fmt(cm.precision), "precision"), ("recall", _fmt(cm.recall), "recall"),
                ("F1", _fmt(cm.f1), "f1"), ("false-positive rate", _fmt(cm.fpr), "fpr")]
        if self.cost_fp is not None and self.cost_fn is not None:
            cost = cm.expected_cost(cost_fp=self.cost_fp, cost_fn=self.cost_fn)
            rows.append(("expected cost", _fmt_money(cost), "cost"))
        rows.append(("flagged", _fmt_count(cm.flagged), "flagged"))
        if self.daily_volume:
            per_day = cm.flagged / self.n * self.daily_volume
            cls = ""
            if self.capacity:
                cls = " cl-bad" if per_day > self.capacity else " cl-good"
            cap = f" (capacity {self.capacity:,.0f})" if self.capacity else ""
            rows.append((f"flagged per day{cap}", f"{per_day:,.0f}", "per-day" + cls))
        cmt = (f'<table class="cl-cm"><tr><th></th><th>flagged</th><th>not flagged</th></tr>'
               f'<tr><th>actual 1</th><td class="cl-good">TP <b class="cl-tp">{_fmt_count(cm.tp)}</b></td>'
               f'<td class="cl-bad">FN <b class="cl-fn">{_fmt_count(cm.fn)}</b></td></tr>'
               f'<tr><th>actual 0</th><td class="cl-bad">FP <b class="cl-fp">{_fmt_count(cm.fp)}</b></td>'
               f'<td class="cl-good">TN <b class="cl-tn">{_fmt_count(cm.tn)}</b></td></tr></table>')
        mt = "".join(f'<tr><th style="text-align:left">{k}</th><td class="cl-{c}">{v}</td></tr>' for k, v, c in rows)
        marks = ", ".join(f"{k.replace('_', '-')} {v:.4f}" for k, v in self.marks.items())
        readouts = (f'<div class="cl-readouts" data-explorer="threshold" data-threshold="{t!r}">'
                    f'<div>{cmt}<div class="cl-note">threshold <b class="cl-threshold">{t:.3f}</b>'
                    f'{" · " + marks if marks else ""}</div></div>'
                    f'<table class="cl-metrics">{mt}</table></div>')
        f = self.figure
        parts = [f.dot(0, cm.recall, cm.precision, COLORS["point"], title=f"t = {t:.3f}"),
                 f.dot(1, cm.fpr, cm.recall, COLORS["point"], title=f"t = {t:.3f}"),
                 f.vline(2, t, COLORS["point"])]
        if self.cost_fp is not None and self.cost_fn is not None:
            cost = cm.expected_cost(cost_fp=self.cost_fp, cost_fn=self.cost_fn)
            parts += [f.dot(2, t, cost, COLORS["point"]), f.label(2, t, cost, f"{cost:,.0f}")]
        return readouts, f.svg(parts)


def _kformatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v / 1000:g}k" if abs(v) >= 1000 else f"{v:g}")


def threshold_explorer(y_true, y_score, *, cost_fp: float | None = None, cost_fn: float | None = None,
                       capacity_k: int | None = None, capacity: float | None = None,
                       daily_volume: float | None = None, threshold: float = 0.5, step: float = 0.005,
                       frames: bool | None = None) -> ThresholdExplorer:
    """A threshold slider with the confusion matrix, the readouts and PR / ROC / cost curves.

    Parameters
    ----------
    y_true, y_score
        Labels (0/1) and scores (positive ⇔ score ≥ threshold).
    cost_fp, cost_fn
        Unit costs: add the expected-cost readout and curve, and mark the min-cost threshold
        (:func:`caselab.curves.min_cost_threshold`) and the Bayes threshold (:func:`~caselab.curves.bayes_threshold`).
    capacity_k, or capacity and daily_volume
        Mark the threshold that flags the top k (``k = n · capacity / daily_volume``); with
        ``daily_volume`` the flagged count is also shown per day.
    threshold, step
        The slider's start and its grid step (thresholds 0, step, …, 1).
    frames
        Precompute one frame per slider position so that it works without a kernel (static pages).
    """
    return ThresholdExplorer(y_true, y_score, cost_fp=cost_fp, cost_fn=cost_fn, capacity_k=capacity_k,
                             capacity=capacity, daily_volume=daily_volume, threshold=threshold, step=step,
                             frames=frames)


# --------------------------------------------------------------------------------------------------
# Cost explorer
# --------------------------------------------------------------------------------------------------
def _ratio_grid(center: float, lo: float | None = None, hi: float | None = None, per_decade: int = 12) -> np.ndarray:
    lo = lo if lo is not None else center / 30
    hi = hi if hi is not None else center * 30
    k_lo = math.floor(math.log10(lo) * per_decade)
    k_hi = math.ceil(math.log10(hi) * per_decade)
    grid = 10 ** (np.arange(k_lo, k_hi + 1) / per_decade)
    grid = np.array([float(f"{g:.3g}") for g in grid])
    return np.unique(np.r_[grid, float(center)])


class CostExplorer(Explorer):
    """A C_FN/C_FP ratio slider; see :func:`cost_explorer`."""

    name = "cost"

    def __init__(self, cost_fp: float, cost_fn: float, *, y_true=None, y_score=None,
                 points: dict[str, metrics.Confusion] | None = None, point_thresholds: dict[str, float] | None = None,
                 ratios: Sequence[float] | None = None, frames: bool | None = None, title: str = "Cost explorer"):
        super().__init__()
        if (y_true is None) == (points is None):
            raise ValueError("give either labelled scores (y_true, y_score) or operating points (points=...)")
        self.cost_fp, self.cost_fn = float(cost_fp), float(cost_fn)
        ratio0 = self.cost_fn / self.cost_fp
        grid = np.asarray(ratios, float) if ratios is not None else _ratio_grid(ratio0, 0.2, max(200.0, ratio0 * 10))
        self.slider = self._slider("C_FN / C_FP", grid, ratio0)
        self.ratios = np.array([v for _, v in self.slider.options])
        if points is not None:
            self._init_points(points, point_thresholds or {})
        else:
            self._init_data(y_true, y_score)
        self._setup(title, [self.slider], self.figure, self._render_at, frames, note=self._note)
        self._apply_preset()

    @property
    def ratio(self) -> float:
        return float(self.value)

    def bayes_threshold(self, ratio: float | None = None) -> float:
        r = self.ratio if ratio is None else ratio
        return curves.bayes_threshold(cost_fp=self.cost_fp, cost_fn=self.cost_fp * r)

    # --- labelled scores: the expected-cost curve over thresholds, for each ratio ----------------------
    def _init_data(self, y_true, y_score):
        y, s = np.asarray(y_true), np.asarray(y_score, float)
        self.sweep = curves.confusion_matrix_at_thresholds(y, s)
        tns, fps, fns, tps, thr = self.sweep
        self.P, self.N = float(tps[-1]), float(fps[-1])
        self._fps = np.r_[0.0, fps]  # candidate 0 flags nothing
        self._fns = np.r_[self.P, fns]
        self._thr = np.r_[np.inf, thr]
        # the library's min-cost threshold at every grid ratio (computed once)
        self._min = [curves.min_cost_threshold(y, s, cost_fp=self.cost_fp, cost_fn=self.cost_fp * r)
                     for r in self.ratios]
        # the curves are drawn on ~400 thresholds in [0, 1]
        self._xs = np.linspace(0, 1, 401)
        j = np.searchsorted(-thr, -self._xs, side="right")
        self._fp_x, self._fn_x = self._fps[j], self._fns[j]
        fig = _Figure(1, 5.6, 2.9, left=0.11, right=0.97, bottom=0.17, top=0.88)
        ax = fig.axes[0]
        ax.set(xlim=(0, 1), ylim=(0, 1.3), xlabel="threshold (flag score ≥)",
               ylabel="cost / best trivial policy", title="expected cost at this C_FN / C_FP")
        ax.axhline(1.0, color=COLORS["grey"], lw=0.8, ls=":")
        ax.text(0.99, 1.02, "flag all or none", fontsize=7, ha="right", color=COLORS["grey"])
        self.figure = fig
        self._mode = "data"
        self._note = ("Cost is shown relative to the cheaper of 'flag everything' and 'flag nothing'. "
                      "◆ orange line: Bayes threshold τ* = 1/(1 + C_FN/C_FP); green dot: the empirical minimum.")

    # --- two operating points given as counts -------------------------------------------------------
    def _init_points(self, points, point_thresholds):
        self.points = dict(points)
        self.point_thresholds = dict(point_thresholds)
        fig = _Figure(2, 8.4, 2.8, left=0.08, wspace=0.32)
        ax, ax_t = fig.axes
        palette = [COLORS["curve"], COLORS["capacity"], COLORS["min_cost"], COLORS["curve2"]]
        r = np.geomspace(self.ratios[0], self.ratios[-1], 200)
        top = 0.0
        for (name, c), color in zip(self.points.items(), palette, strict=False):
            cost = self.cost_fp * (c.fp + r * c.fn)
            top = max(top, cost.max())
            ax.plot(r, cost, color=color, lw=1.5, label=name)
        names = list(self.points)
        self.break_even = None
        if len(names) == 2:
            a, b = self.points[names[0]], self.points[names[1]]
            if a.fn != b.fn:
                be = (b.fp - a.fp) / (a.fn - b.fn)
                if be > 0:
                    self.break_even = be
                    ax.axvline(be, color=COLORS["grey"], lw=1, ls="--")
                    ax.text(be, top * 0.95, f" break-even {be:.2f}", fontsize=7, color=COLORS["grey"])
        ax.set(xscale="log", xlim=(r[0], r[-1]), ylim=(0, top * 1.05), xlabel="C_FN / C_FP",
               ylabel="expected cost", title="cost of each operating point")
        ax.yaxis.set_major_formatter(_kformatter())
        ax.legend(fontsize=7, loc="upper left")
        ax_t.plot(r, 1 / (1 + r), color=COLORS["bayes"], lw=1.5)
        for (name, t), color in zip(self.point_thresholds.items(), palette, strict=False):
            ax_t.axhline(t, color=color, lw=1, ls="--")
            ax_t.text(r[-1], t, f"{name} {t:g} ", fontsize=7, ha="right", va="bottom", color=color)
        ax_t.set(xscale="log", xlim=(r[0], r[-1]), ylim=(0, 1), xlabel="C_FN / C_FP",
                 ylabel="τ* = C_FP/(C_FP + C_FN)", title="Bayes threshold")
        self.figure = fig
        self._mode = "points"
        self._note = ("Expected cost = C_FP·FP + C_FN·FN with the points' expected counts; C_FP fixed at "
                      f"{self.cost_fp:g}. The Bayes threshold applies to calibrated probabilities.")

    def _render_at(self, idx):
        i = idx[0]
        r = float(self.ratios[i])
        tau = self.bayes_threshold(r)
        f = self.figure
        cfn = self.cost_fp * r
        head = (f'<tr><th style="text-align:left">C_FN / C_FP</th><td class="cl-ratio">{_label(r)}</td></tr>'
                f'<tr><th style="text-align:left">C_FP, C_FN</th><td>{self.cost_fp:g}, {cfn:.4g}</td></tr>'
                f'<tr><th style="text-align:left">Bayes threshold τ*</th><td class="cl-bayes">{_fmt(tau)}</td></tr>')
        if self._mode == "data":
            best = self._min[i]
            cost_x = self.cost_fp * self._fp_x + cfn * self._fn_x
            trivial = min(self.cost_fp * self.N, cfn * self.P)
            rows = head + (f'<tr><th style="text-align:left">min-cost threshold</th>'
                           f'<td class="cl-min-threshold">{_fmt(best.threshold)}</td></tr>'
                           f'<tr><th style="text-align:left">min expected cost</th>'
                           f'<td class="cl-min-cost">{_fmt_money(best.cost)}</td></tr>'
                           f'<tr><th style="text-align:left">best trivial policy</th><td>{_fmt_money(trivial)}</td></tr>')
            j = int(np.searchsorted(-self.sweep.thresholds, -tau, side="right"))
            cost_tau = self.cost_fp * self._fps[j] + cfn * self._fns[j]
            rows += (f'<tr><th style="text-align:left">cost at τ*</th><td class="cl-cost-bayes">'
                     f'{_fmt_money(cost_tau)}</td></tr>')
            scale = trivial if trivial > 0 else 1.0
            tb = min(best.threshold, 1.0)
            parts = [f.polyline(0, self._xs, cost_x / scale, COLORS["curve"]),
                     f.vline(0, tau, COLORS["bayes"], dash="5,3"),
                     f.dot(0, tb, best.cost / scale, COLORS["min_cost"], r=5.5, title="minimum"),
                     f.label(0, tb, best.cost / scale, f"min {best.threshold:.3f}", dy=16),
                     f.label(0, tau, 1.22, f"τ* {tau:.3f}", color=COLORS["bayes"], dy=0)]
        else:
            rows = head
            costs = {}
            for name, c in self.points.items():
                costs[name] = c.expected_cost(cost_fp=self.cost_fp, cost_fn=cfn)
                rows += (f'<tr><th style="text-align:left">cost of {html.escape(name)}</th>'
                         f'<td class="cl-cost-{html.escape(name)}">{_fmt_money(costs[name])}</td></tr>')
            best_name = min(costs, key=costs.get)
            rows += f'<tr><th style="text-align:left">cheaper</th><td class="cl-best cl-good">{html.escape(best_name)}</td></tr>'
            if self.break_even:
                rows += f'<tr><th style="text-align:left">break-even ratio</th><td>{self.break_even:.4f}</td></tr>'
            parts = [f.vline(0, r, COLORS["point"])]
            palette = [COLORS["curve"], COLORS["capacity"], COLORS["min_cost"], COLORS["curve2"]]
            for (name, cost), color in zip(costs.items(), palette, strict=False):
                parts.append(f.dot(0, r, cost, color, title=f"{name}: {cost:,.0f}"))
            parts += [f.vline(1, r, COLORS["point"]), f.dot(1, r, tau, COLORS["bayes"]),
                      f.label(1, r, tau, f"τ* {tau:.3f}", color=COLORS["bayes"])]
        readouts = (f'<div class="cl-readouts" data-explorer="cost" data-ratio="{r!r}">'
                    f'<table class="cl-metrics">{rows}</table></div>')
        return readouts, f.svg(parts)


def cost_explorer(cost_fp: float, cost_fn: float, *, y_true=None, y_score=None,
                  points: dict[str, metrics.Confusion] | None = None,
                  point_thresholds: dict[str, float] | None = None, ratios: Sequence[float] | None = None,
                  frames: bool | None = None) -> CostExplorer:
    """A C_FN/C_FP ratio slider (C_FP fixed) → the Bayes threshold and the expected cost.

    With labelled scores (``y_true``, ``y_score``): the expected-cost curve over thresholds, its
    empirical minimum (:func:`caselab.curves.min_cost_threshold`) and the Bayes threshold move with
    the ratio. With ``points`` (``{name: Confusion}``, e.g. two operating points given as precision
    and recall): the cost of each point, which is cheaper, and the break-even ratio.
    The slider starts at the given ``cost_fn / cost_fp``.
    """
    return CostExplorer(cost_fp, cost_fn, y_true=y_true, y_score=y_score, points=points,
                        point_thresholds=point_thresholds, ratios=ratios, frames=frames)


# --------------------------------------------------------------------------------------------------
# Capacity explorer
# --------------------------------------------------------------------------------------------------
class CapacityExplorer(Explorer):
    """items/day and reviews/day sliders → top-k threshold, precision@k, recall@k."""

    name = "capacity"

    def __init__(self, y_true, y_score, items_per_day: float, reviews_per_day: float, *,
                 frames: bool | None = None, title: str = "Capacity explorer"):
        super().__init__()
        y, s = np.asarray(y_true), np.asarray(y_score, float)
        self._s = s
        self.sweep = curves.confusion_matrix_at_thresholds(y, s)
        tns, fps, fns, tps, thr = self.sweep
        self._neg_thr = -thr
        self.P, self.N = float(tps[-1]), float(fps[-1])
        self.n = int(self.P + self.N)
        items = np.unique(np.r_[[round(items_per_day * f) for f in (0.25, 0.5, 0.75, 1.5, 2, 3, 4)], items_per_day])
        reviews = _ratio_grid(float(reviews_per_day), reviews_per_day / 10, reviews_per_day * 10, per_decade=10)
        reviews = np.unique(np.round(reviews))
        self.reviews_slider = self._slider("reviews per day", reviews, reviews_per_day)
        self.volume_slider = self._slider("items per day", items, items_per_day,
                                          labels=[f"{v:,.0f}" for v in items])
        # curves over the share of traffic reviewed, from the sweep
        share = (tps + fps) / self.n
        precision = tps / np.maximum(tps + fps, 1)
        recall = tps / max(self.P, 1)
        fig = _Figure(2, 8.4, 2.75, left=0.08, wspace=0.3)
        ax, ax_t = fig.axes
        lo = max(1 / self.n, share[0])
        ax.plot(share, precision, color=COLORS["curve"], lw=1.4, label="precision@k")
        ax.plot(share, recall, color=COLORS["curve2"], lw=1.4, label="recall@k")
        ax.set(xscale="log", xlim=(lo, 1), ylim=(0, 1.02), xlabel="share reviewed k/n = reviews / items",
               title="precision@k and recall@k")
        ax.axvline(self.P / self.n, color=COLORS["grey"], lw=0.8, ls=":")
        ax.legend(fontsize=7, loc="center left")
        ax_t.plot(share, thr, color=COLORS["capacity"], lw=1.4)
        ax_t.set(xscale="log", xlim=(lo, 1), ylim=(0, max(1.0, float(thr.max()))), xlabel="share reviewed k/n",
                 ylabel="top-k threshold", title="the threshold that flags the top k")
        self.figure = fig
        self._setup(title, [self.reviews_slider, self.volume_slider], fig, self._render_at, frames,
                    note=f"k = n · reviews/day ÷ items/day on the {self.n:,} labelled examples; the threshold is "
                         "the k-th highest score (caselab.curves.threshold_for_capacity).")
        self._apply_preset()

    def k_for(self, reviews: float, items: float) -> int:
        return int(min(self.n, max(1, round(self.n * reviews / items))))

    @property
    def k(self) -> int:
        return self.k_for(float(self.reviews_slider.value), float(self.volume_slider.value))

    def _render_at(self, idx):
        reviews = float(self.reviews_slider.options[idx[0]][1])
        items = float(self.volume_slider.options[idx[1]][1])
        k = self.k_for(reviews, items)
        cap = curves.threshold_for_capacity(self._s, k)
        j = int(np.searchsorted(self._neg_thr, -cap.threshold, side="right"))
        tp, fp = float(self.sweep.tps[j - 1]), float(self.sweep.fps[j - 1])
        cm = metrics.Confusion(tp=tp, fp=fp, fn=self.P - tp, tn=self.N - fp)
        share = cm.flagged / self.n
        rows = [("k (of n = " + f"{self.n:,})", f"{k:,}", "k"), ("top-k threshold", _fmt(cap.threshold), "threshold"),
                ("flagged (ties included)", f"{cap.n_flagged:,}", "flagged"),
                ("precision@k", _fmt(cm.precision), "precision"), ("recall@k", _fmt(cm.recall), "recall"),
                ("share of traffic", f"{share:.2%}", "share")]
        body = "".join(f'<tr><th style="text-align:left">{a}</th><td class="cl-{c}">{b}</td></tr>' for a, b, c in rows)
        readouts = (f'<div class="cl-readouts" data-explorer="capacity" data-k="{k}" data-reviews="{reviews!r}" '
                    f'data-items="{items!r}"><table class="cl-metrics">{body}</table></div>')
        f = self.figure
        parts = [f.vline(0, share, COLORS["point"]), f.dot(0, share, cm.precision, COLORS["curve"]),
                 f.dot(0, share, cm.recall, COLORS["curve2"]), f.vline(1, share, COLORS["point"]),
                 f.dot(1, share, cap.threshold, COLORS["capacity"]),
                 f.label(1, share, cap.threshold, f"{cap.threshold:.3f}")]
        return readouts, f.svg(parts)


def capacity_explorer(y_true, y_score, items_per_day: float, reviews_per_day: float, *,
                      frames: bool | None = None) -> CapacityExplorer:
    """items/day and reviews/day sliders → k = n·reviews/items, the top-k threshold, precision@k, recall@k.

    ``explorer.value`` is the reviews/day slider; ``explorer.k`` the current k.
    """
    return CapacityExplorer(y_true, y_score, items_per_day, reviews_per_day, frames=frames)


# --------------------------------------------------------------------------------------------------
# Calibration explorer
# --------------------------------------------------------------------------------------------------
def _logit(p):
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


class CalibrationExplorer(Explorer):
    """Undersampling β, the Dal Pozzolo correction, Platt vs isotonic → reliability, ECE, Brier."""

    name = "calibration"
    METHODS = ("none", "Platt", "isotonic")

    def __init__(self, prevalence: float, *, separation: float = 2.5, n: int = 100_000, seed: int = 0,
                 beta: float | None = None, betas: Sequence[float] | None = None, n_bins: int = 10,
                 frames: bool | None = None, title: str = "Calibration explorer"):
        super().__init__()
        from caselab.data import binormal_scores

        self.prevalence = float(prevalence)
        self.n_bins = n_bins
        # Calibrated probabilities under the true prior; a model trained on data whose negatives were
        # kept with rate β outputs the same evidence at odds inflated by 1/β: p_s = inverse correction.
        y, p = binormal_scores(2 * n, prevalence, separation, seed)
        self.y_cal, self.p_cal = y[:n], p[:n]  # for fitting Platt / isotonic
        self.y, self.p = y[n:], p[n:]  # for measuring
        b_bal = cal.beta_for_balance(min(self.prevalence, 0.5))
        beta0 = float(beta) if beta is not None else b_bal
        grid = np.asarray(betas, float) if betas is not None else np.unique(np.r_[
            np.geomspace(b_bal, 1.0, 9), beta0])
        grid = np.array(sorted({float(f"{g:.4g}") if g not in (beta0, 1.0) else float(g) for g in grid}))
        self.beta_slider = self._slider("β (negatives kept)", grid, beta0)
        self.correction = self._toggle("Dal Pozzolo correction", ["off", "on"], "off")
        self.method = self._toggle("recalibrate on held-out", list(self.METHODS), "none")
        self._cache: dict[tuple[int, int, int], tuple] = {}
        fig = _Figure(1, 5.4, 3.2, left=0.13, right=0.97, bottom=0.15, top=0.9)
        ax = fig.axes[0]
        lo = 10 ** math.floor(math.log10(max(self.prevalence / 20, 1e-5)))
        self._lo = lo
        ax.plot([lo, 1], [lo, 1], color=COLORS["grey"], lw=0.9, ls=":")
        ax.set(xscale="log", yscale="log", xlim=(lo, 1), ylim=(lo, 1), xlabel="mean predicted probability (bin)",
               ylabel="observed rate (bin)", title="reliability diagram (quantile bins)")
        self.figure = fig
        self._setup(title, [self.beta_slider, self.correction, self.method], fig, self._render_at, frames,
                    note=f"Synthetic: {n:,} examples at prevalence {self.prevalence:g} to fit on, {n:,} to measure. "
                         "The undersampled model's scores are p_s = p / (p + β(1 − p)); the correction maps them back "
                         "with p = βp_s / (βp_s − p_s + 1). Bins with no positive sit on the bottom edge.")
        self._apply_preset()

    def _scores(self, bi: int, ci: int, mi: int):
        key = (bi, ci, mi)
        if key not in self._cache:
            beta = float(self.beta_slider.options[bi][1])
            ps_cal = cal.undersampling_inverse(self.p_cal, beta)
            ps = cal.undersampling_inverse(self.p, beta)
            if ci == 1:  # the Dal Pozzolo correction
                ps_cal = cal.undersampling_correction(ps_cal, beta)
                ps = cal.undersampling_correction(ps, beta)
            method = self.METHODS[mi]
            if method == "Platt":
                a, b = cal.fit_platt(_logit(ps_cal), self.y_cal)
                ps = cal.platt_scaling(_logit(ps), a, b)
            elif method == "isotonic":
                ps = cal.isotonic_predict(cal.isotonic_fit(ps_cal, self.y_cal), ps)
            bins = cal.reliability_bins(self.y, ps, n_bins=self.n_bins)
            ece = cal.expected_calibration_error(self.y, ps, n_bins=self.n_bins)
            brier = cal.brier_score(self.y, ps)
            self._cache[key] = (beta, bins, ece, brier, float(np.mean(ps)))
        return self._cache[key]

    def _render_at(self, idx):
        bi, ci, mi = idx
        beta, bins, ece, brier, mean_p = self._scores(bi, ci, mi)
        base = float(np.mean(self.y))
        rows = [("β", _label(beta), "beta"), ("ECE", _fmt(ece), "ece"), ("Brier score", _fmt(brier, 5), "brier"),
                ("Brier of always-prevalence", _fmt(base * (1 - base), 5), "brier-base"),
                ("mean predicted", _fmt(mean_p), "mean"), ("observed rate", _fmt(base), "rate")]
        body = "".join(f'<tr><th style="text-align:left">{a}</th><td class="cl-{c}">{b}</td></tr>' for a, b, c in rows)
        state = f"correction {('off', 'on')[ci]}, recalibration {self.METHODS[mi]}"
        readouts = (f'<div class="cl-readouts" data-explorer="calibration" data-beta="{beta!r}">'
                    f'<table class="cl-metrics">{body}</table><div class="cl-note">{state}</div></div>')
        f = self.figure
        ok = bins.count > 0
        x = np.maximum(bins.mean_predicted[ok], self._lo)
        yv = np.maximum(bins.observed_rate[ok], self._lo)
        parts = [f.polyline(0, x, yv, COLORS["point"], width=1.4)]
        parts += [f.dot(0, a, b, COLORS["point"], r=4, title=f"n = {c:,}") for a, b, c in zip(x, yv, bins.count[ok], strict=True)]
        return readouts, f.svg(parts)

    @property
    def beta(self) -> float:
        return float(self.beta_slider.value)


def calibration_explorer(prevalence: float, *, separation: float = 2.5, n: int = 100_000, seed: int = 0,
                         beta: float | None = None, frames: bool | None = None) -> CalibrationExplorer:
    """Reliability diagram, ECE and Brier of a model trained on undersampled data.

    Synthetic data at ``prevalence`` (binormal, calibrated); the "undersampled model" outputs
    ``p_s = undersampling_inverse(p, β)``. Controls: the keep-rate β (from the 50/50 value
    :func:`caselab.calibration.beta_for_balance` up to 1 = no undersampling; starts at ``beta``),
    the Dal Pozzolo correction on/off, and recalibration (none / Platt / isotonic) fitted on a
    held-out half.
    """
    return CalibrationExplorer(prevalence, separation=separation, n=n, seed=seed, beta=beta, frames=frames)


# --------------------------------------------------------------------------------------------------
# Prevalence explorer
# --------------------------------------------------------------------------------------------------
class PrevalenceExplorer(Explorer):
    """The same scores at falling prevalence: ROC-AUC holds, PR-AUC and precision fall."""

    name = "prevalence"

    def __init__(self, separation: float = 2.0, *, n_negatives: int = 20_000, prevalence: float | None = None,
                 prevalences: Sequence[float] | None = None, seed: int = 0, frames: bool | None = None,
                 title: str = "Prevalence explorer"):
        super().__init__()
        rng = np.random.default_rng(seed)
        grid = np.asarray(prevalences, float) if prevalences is not None else np.array(
            [0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001])
        if prevalence is not None:
            grid = np.r_[grid, prevalence]
        grid = np.unique(grid)[::-1]  # falling prevalence from left to right
        n_pos_max = int(math.ceil(n_negatives * grid.max() / (1 - grid.max())))
        # one pool of each class (latent binormal scores): nested subsets, so only prevalence changes
        neg = rng.standard_normal(n_negatives)
        pos = rng.standard_normal(n_pos_max) + separation
        self.separation = separation
        self.threshold = float(np.quantile(pos, 0.2))  # a fixed threshold: recall ≈ 0.80 at every prevalence
        self._rows = []
        fig = _Figure(2, 7.8, 2.8, left=0.08, wspace=0.3)
        ax_roc, ax_pr = fig.axes
        for pi in grid:
            m = max(2, int(round(n_negatives * pi / (1 - pi))))
            y = np.r_[np.zeros(n_negatives, np.int8), np.ones(m, np.int8)]
            s = np.r_[neg, pos[:m]]
            sweep = curves.confusion_matrix_at_thresholds(y, s)
            tps, fps = sweep.tps, sweep.fps
            keep = np.unique(np.linspace(0, len(tps) - 1, 300).astype(int))
            cm = metrics.confusion_at_threshold(y, s, self.threshold)
            self._rows.append(dict(
                prevalence=float(pi), n_pos=m, roc_auc=curves.roc_auc(y, s), ap=curves.average_precision(y, s),
                cm=cm, roc=(np.r_[0, fps[keep] / fps[-1]], np.r_[0, tps[keep] / tps[-1]]),
                pr=(tps[keep] / tps[-1], tps[keep] / (tps[keep] + fps[keep]))))
        ax_roc.plot([0, 1], [0, 1], color=COLORS["grey"], lw=0.8, ls=":")
        ax_roc.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="false-positive rate", ylabel="recall",
                   title="ROC (does not see prevalence)")
        ax_pr.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="recall", ylabel="precision",
                  title="precision–recall (does)")
        self.figure = fig
        labels = [f"{pi:g}" for pi in grid]
        self.slider = self._slider("prevalence", grid, prevalence if prevalence is not None else grid[0],
                                   labels=labels)
        self._setup(title, [self.slider], fig, self._render_at, frames,
                    note=f"The same score distributions (binormal, d' = {separation:g}) at each prevalence: "
                         f"{n_negatives:,} negatives, positives subsampled. Fixed threshold {self.threshold:.3f} "
                         "(recall ≈ 0.80). Grey dotted line in PR: the no-skill precision = prevalence.")
        self._apply_preset()

    def _render_at(self, idx):
        row = self._rows[idx[0]]
        cm = row["cm"]
        rows = [("prevalence", f"{row['prevalence']:g}", "prevalence"), ("positives", f"{row['n_pos']:,}", "positives"),
                ("ROC-AUC", _fmt(row["roc_auc"]), "roc-auc"), ("PR-AUC (average precision)", _fmt(row["ap"]), "pr-auc"),
                (f"precision at {self.threshold:.2f}", _fmt(cm.precision), "precision"),
                (f"recall at {self.threshold:.2f}", _fmt(cm.recall), "recall"),
                (f"FPR at {self.threshold:.2f}", _fmt(cm.fpr), "fpr")]
        body = "".join(f'<tr><th style="text-align:left">{a}</th><td class="cl-{c}">{b}</td></tr>' for a, b, c in rows)
        readouts = (f'<div class="cl-readouts" data-explorer="prevalence" data-prevalence="{row["prevalence"]!r}">'
                    f'<table class="cl-metrics">{body}</table></div>')
        f = self.figure
        parts = [f.polyline(0, *row["roc"], COLORS["curve"]), f.dot(0, cm.fpr, cm.recall, COLORS["point"]),
                 f.polyline(1, *row["pr"], COLORS["curve"]), f.hline(1, row["prevalence"], COLORS["grey"], dash="2,3"),
                 f.dot(1, cm.recall, cm.precision, COLORS["point"]),
                 f.label(0, 0.6, 0.1, f"ROC-AUC {row['roc_auc']:.3f}", dy=0),
                 f.label(1, 0.05, 0.08, f"PR-AUC {row['ap']:.3f}", dy=0)]
        return readouts, f.svg(parts)


def prevalence_explorer(separation: float = 2.0, *, n_negatives: int = 20_000, prevalence: float | None = None,
                        seed: int = 0, frames: bool | None = None) -> PrevalenceExplorer:
    """The same ranking quality (binormal, separation d') at falling prevalence.

    ROC-AUC stays put; PR-AUC, and precision at a fixed threshold, fall with the prevalence.
    ``prevalence`` adds the scenario's own prevalence to the slider and starts there.
    """
    return PrevalenceExplorer(separation, n_negatives=n_negatives, prevalence=prevalence, seed=seed, frames=frames)


EXPLORERS: dict[str, Callable[..., Explorer]] = {
    "threshold": threshold_explorer,
    "cost": cost_explorer,
    "capacity": capacity_explorer,
    "calibration": calibration_explorer,
    "prevalence": prevalence_explorer,
}
