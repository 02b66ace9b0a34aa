"""The capacity explorer: items and reviews per day, k, the top-k threshold, precision@k and recall@k."""

from __future__ import annotations

import numpy as np

from caselab.maths import curves, metrics
from caselab.notebooks.widgets.base import (
    COLORS,
    Explorer,
    _Figure,
    _fmt,
    _ratio_grid,
)


class CapacityExplorer(Explorer):
    """items/day and reviews/day sliders → top-k threshold, precision@k, recall@k."""

    name = "capacity"
    HIDEABLE = {"k": "k at the start", "threshold": "the top-k threshold at the start",
                "flagged": "the flagged count at the start", "precision": "precision@k at the start",
                "recall": "recall@k at the start", "share": "the share of traffic at the start"}

    def __init__(self, y_true, y_score, items_per_day: float, reviews_per_day: float, *,
                 frames: bool | None = None, hide_until_answered: dict | None = None, case=None,
                 title: str = "Capacity explorer"):
        super().__init__()
        self._init_hiding(hide_until_answered, case)
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
        rows = [(a, self._hidden_cell(c) if self._hides(c, idx) else b, c) for a, b, c in rows]
        body = "".join(f'<tr><th style="text-align:left">{a}</th><td class="cl-{c}">{b}</td></tr>' for a, b, c in rows)
        readouts = (f'<div class="cl-readouts" data-explorer="capacity" data-reviews="{reviews!r}" '
                    f'data-items="{items!r}"><table class="cl-metrics">{body}</table></div>')
        f = self.figure
        parts = [f.vline(0, share, COLORS["point"]), f.dot(0, share, cm.precision, COLORS["curve"]),
                 f.dot(0, share, cm.recall, COLORS["curve2"]), f.vline(1, share, COLORS["point"]),
                 f.dot(1, share, cap.threshold, COLORS["capacity"])]
        if not self._hides("threshold", idx):
            parts.append(f.label(1, share, cap.threshold, f"{cap.threshold:.3f}"))
        return readouts, f.svg(parts)


def capacity_explorer(y_true, y_score, items_per_day: float, reviews_per_day: float, *,
                      frames: bool | None = None, hide_until_answered: dict | None = None, case=None) -> CapacityExplorer:
    """items/day and reviews/day sliders → k = n·reviews/items, the top-k threshold, precision@k, recall@k.

    ``explorer.value`` is the reviews/day slider; ``explorer.k`` the current k.
    ``hide_until_answered`` (``{readout: question id}``, readouts ``"k"``, ``"threshold"``, ``"flagged"``,
    ``"precision"``, ``"recall"``, ``"share"``) keeps a readout hidden at the start (the case's own
    volume and capacity) until ``case.check`` accepts that question.
    """
    return CapacityExplorer(y_true, y_score, items_per_day, reviews_per_day, frames=frames,
                            hide_until_answered=hide_until_answered, case=case)
