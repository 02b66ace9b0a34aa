"""The cost explorer: a C_FN/C_FP ratio slider, the Bayes threshold and the expected-cost curve."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from caselab.maths import curves, metrics
from caselab.notebooks.widgets.base import (
    COLORS,
    Explorer,
    _Figure,
    _fmt,
    _fmt_money,
    _kformatter,
    _label,
    _ratio_grid,
)


class CostExplorer(Explorer):
    """A C_FN/C_FP ratio slider; see :func:`cost_explorer`."""

    name = "cost"
    HIDEABLE = {"bayes": "the Bayes threshold τ* at the start ratio",
                "min_threshold": "the min-cost threshold at the start ratio (labelled scores)",
                "min_cost": "the min expected cost at the start ratio (labelled scores)",
                "cost_at_bayes": "the cost at τ* at the start ratio (labelled scores)",
                "trivial": "the cost of the best trivial policy at the start ratio (labelled scores)",
                "costs": "the cost of each operating point at the start ratio (operating points)",
                "cheaper": "which operating point is cheaper at the start ratio (operating points)",
                "break_even": "the break-even ratio of two operating points (a mark)"}

    def __init__(self, cost_fp: float, cost_fn: float, *, y_true=None, y_score=None,
                 points: dict[str, metrics.Confusion] | None = None, point_thresholds: dict[str, float] | None = None,
                 ratios: Sequence[float] | None = None, frames: bool | None = None,
                 hide_until_answered: dict | None = None, case=None, title: str = "Cost explorer"):
        super().__init__()
        self._init_hiding(hide_until_answered, case)
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
                      "orange dashed line: Bayes threshold τ* = 1/(1 + C_FN/C_FP); green dot: the empirical minimum.")

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
                    self.break_even = be  # drawn over the figure (it may be an answer: then hidden until answered)
        self._top = top
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

        def cell(key, text):  # a readout, or "answer … first" where it would answer a question
            return self._hidden_cell(key) if self._hides(key, idx) else text

        head = (f'<tr><th style="text-align:left">C_FN / C_FP</th><td class="cl-ratio">{_label(r)}</td></tr>'
                f'<tr><th style="text-align:left">C_FP, C_FN</th><td>{self.cost_fp:g}, {cfn:.4g}</td></tr>'
                f'<tr><th style="text-align:left">Bayes threshold τ*</th><td class="cl-bayes">'
                f'{cell("bayes", _fmt(tau))}</td></tr>')
        show_tau = not self._hides("bayes", idx)
        if self._mode == "data":
            best = self._min[i]
            cost_x = self.cost_fp * self._fp_x + cfn * self._fn_x
            trivial = min(self.cost_fp * self.N, cfn * self.P)
            rows = head + (f'<tr><th style="text-align:left">min-cost threshold</th>'
                           f'<td class="cl-min-threshold">{cell("min_threshold", _fmt(best.threshold))}</td></tr>'
                           f'<tr><th style="text-align:left">min expected cost</th>'
                           f'<td class="cl-min-cost">{cell("min_cost", _fmt_money(best.cost))}</td></tr>'
                           f'<tr><th style="text-align:left">best trivial policy</th>'
                           f'<td>{cell("trivial", _fmt_money(trivial))}</td></tr>')
            j = int(np.searchsorted(-self.sweep.thresholds, -tau, side="right"))
            cost_tau = self.cost_fp * self._fps[j] + cfn * self._fns[j]
            rows += (f'<tr><th style="text-align:left">cost at τ*</th><td class="cl-cost-bayes">'
                     f'{cell("cost_at_bayes", _fmt_money(cost_tau))}</td></tr>')
            scale = trivial if trivial > 0 else 1.0
            tb = min(best.threshold, 1.0)
            parts = [f.polyline(0, self._xs, cost_x / scale, COLORS["curve"])]
            if show_tau:
                parts += [f.vline(0, tau, COLORS["bayes"], dash="5,3"),
                          f.label(0, tau, 1.22, f"τ* {tau:.3f}", color=COLORS["bayes"], dy=0)]
            if not (self._hides("min_threshold", idx) or self._hides("min_cost", idx)):
                parts += [f.dot(0, tb, best.cost / scale, COLORS["min_cost"], r=5.5, title="minimum"),
                          f.label(0, tb, best.cost / scale, f"min {best.threshold:.3f}", dy=16)]
        else:
            rows = head
            costs = {}
            for name, c in self.points.items():
                costs[name] = c.expected_cost(cost_fp=self.cost_fp, cost_fn=cfn)
                rows += (f'<tr><th style="text-align:left">cost of {html.escape(name)}</th>'
                         f'<td class="cl-cost-{html.escape(name)}">{cell("costs", _fmt_money(costs[name]))}</td></tr>')
            best_name = min(costs, key=costs.get)
            rows += (f'<tr><th style="text-align:left">cheaper</th><td class="cl-best cl-good">'
                     f'{cell("cheaper", html.escape(best_name))}</td></tr>')
            if self.break_even:
                shown = f"{self.break_even:.4f}" if self.shows("break_even") else self._hidden_cell("break_even")
                rows += f'<tr><th style="text-align:left">break-even ratio</th><td class="cl-break-even">{shown}</td></tr>'
            parts = [f.vline(0, r, COLORS["point"])]
            if self.break_even and self.shows("break_even"):
                parts += [f.vline(0, self.break_even, COLORS["grey"], dash="5,3"),
                          f.label(0, self.break_even, self._top * 0.95, f"break-even {self.break_even:.2f}",
                                  color=COLORS["grey"], dy=0)]
            palette = [COLORS["curve"], COLORS["capacity"], COLORS["min_cost"], COLORS["curve2"]]
            if not (self._hides("costs", idx) or self._hides("cheaper", idx)):
                for (name, cost), color in zip(costs.items(), palette, strict=False):
                    parts.append(f.dot(0, r, cost, color, title=f"{name}: {cost:,.0f}"))
            parts += [f.vline(1, r, COLORS["point"])]
            if show_tau:
                parts += [f.dot(1, r, tau, COLORS["bayes"]), f.label(1, r, tau, f"τ* {tau:.3f}", color=COLORS["bayes"])]
        readouts = (f'<div class="cl-readouts" data-explorer="cost" data-ratio="{r!r}">'
                    f'<table class="cl-metrics">{rows}</table></div>')
        return readouts, f.svg(parts)


def cost_explorer(cost_fp: float, cost_fn: float, *, y_true=None, y_score=None,
                  points: dict[str, metrics.Confusion] | None = None,
                  point_thresholds: dict[str, float] | None = None, ratios: Sequence[float] | None = None,
                  frames: bool | None = None, hide_until_answered: dict | None = None, case=None) -> CostExplorer:
    """A C_FN/C_FP ratio slider (C_FP fixed) → the Bayes threshold and the expected cost.

    With labelled scores (``y_true``, ``y_score``): the expected-cost curve over thresholds, its
    empirical minimum (:func:`caselab.curves.min_cost_threshold`) and the Bayes threshold move with
    the ratio. With ``points`` (``{name: Confusion}``, e.g. two operating points given as precision
    and recall): the cost of each point, which is cheaper, and the break-even ratio.
    The slider starts at the given ``cost_fn / cost_fp``.

    ``hide_until_answered`` (``{readout: question id}``) keeps a readout that answers a question of the
    case hidden at the start ratio (or the break-even mark everywhere) until ``case.check`` accepts that
    question; see :attr:`CostExplorer.HIDEABLE` for the names.
    """
    return CostExplorer(cost_fp, cost_fn, y_true=y_true, y_score=y_score, points=points,
                        point_thresholds=point_thresholds, ratios=ratios, frames=frames,
                        hide_until_answered=hide_until_answered, case=case)
