"""The threshold explorer: one sweep, a slider, the confusion matrix and the PR/ROC/cost curves."""

from __future__ import annotations

import re

import numpy as np

from caselab.maths import curves, metrics
from caselab.notebooks.widgets.base import (
    COLORS,
    Explorer,
    _Figure,
    _fmt,
    _fmt_count,
    _fmt_money,
    _kformatter,
)

# how each marked threshold is drawn: label, SVG shape, the symbol used in the text
MARK_STYLES = {"min_cost": ("min-cost", "star", "★", "min-cost threshold on this data"),
               "bayes": ("Bayes τ*", "diamond", "◆", "Bayes threshold C_FP/(C_FP + C_FN)"),
               "capacity": ("capacity", "square", "■", "top-k capacity threshold")}
READOUTS = ("confusion", "precision", "recall", "f1", "fpr", "cost", "flagged", "per_day")


class ThresholdExplorer(Explorer):
    """A threshold slider over one precomputed sweep; see :func:`threshold_explorer`."""

    name = "threshold"
    HIDEABLE = {**{k: f"the {v[3]} (a mark)" for k, v in MARK_STYLES.items()},
                **{k: f"the {k.replace('_', ' ')} readout at the start" for k in READOUTS}}

    def __init__(self, y_true, y_score, *, cost_fp: float | None = None, cost_fn: float | None = None,
                 capacity_k: int | None = None, capacity: float | None = None, daily_volume: float | None = None,
                 threshold: float = 0.5, step: float = 0.005, frames: bool | None = None,
                 hide_until_answered: dict | None = None, case=None, title: str = "Threshold explorer"):
        super().__init__()
        self._init_hiding(hide_until_answered, case)
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
        # the marks are drawn over the figure (not into it), so that one can stay hidden until answered
        self._mark_cms = {key: self._confusion(t) for key, t in self.marks.items()}
        self.figure = fig
        self._setup(title, [self.slider], fig, self._render_at, frames,
                    note="Flag (positive) ⇔ score ≥ threshold." + (
                        " Marks: " + ", ".join(f"{MARK_STYLES[k][2]} {MARK_STYLES[k][3]}" for k in self.marks) + "."
                        if self.marks else "") + " Click the slider and use ← → for one step.")
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
        if self._hides("confusion", idx):
            for cls in ("tp", "fn", "fp", "tn"):
                cmt = re.sub(f'<b class="cl-{cls}">[^<]*</b>', self._hidden_cell("confusion"), cmt)
        rows = [(k, self._hidden_cell(c.split()[0].replace("-", "_")) if self._hides(c.split()[0].replace("-", "_"), idx)
                 else v, c) for k, v, c in rows]
        mt = "".join(f'<tr><th style="text-align:left">{k}</th><td class="cl-{c}">{v}</td></tr>' for k, v, c in rows)
        marks = "<br>".join(
            f'<span style="color:{COLORS[k]}">{MARK_STYLES[k][2]}</span> {MARK_STYLES[k][0]} '
            + (f'<b class="cl-mark-{k}">{v:.4f}</b>' if self.shows(k) else self._hidden_cell(k))
            for k, v in self.marks.items())
        readouts = (f'<div class="cl-readouts" data-explorer="threshold" data-threshold="{t!r}">'
                    f'<div>{cmt}<div class="cl-note">threshold <b class="cl-threshold">{t:.3f}</b>'
                    f'{"<br>" + marks if marks else ""}</div></div>'
                    f'<table class="cl-metrics">{mt}</table></div>')
        f = self.figure
        parts = []
        for key, mt_t in self.marks.items():
            if not self.shows(key):
                continue
            mcm, (label, shape, _, _) = self._mark_cms[key], MARK_STYLES[key]
            title = f"{label} {mt_t:.4f}"
            parts += [f.vline(2, min(mt_t, 1.0), COLORS[key], dash="5,3"),
                      f.marker(0, mcm.recall, mcm.precision, shape, COLORS[key], title=title),
                      f.marker(1, mcm.fpr, mcm.recall, shape, COLORS[key], title=title)]
        parts += [f.dot(0, cm.recall, cm.precision, COLORS["point"], title=f"t = {t:.3f}"),
                  f.dot(1, cm.fpr, cm.recall, COLORS["point"], title=f"t = {t:.3f}"),
                  f.vline(2, t, COLORS["point"])]
        if self.cost_fp is not None and self.cost_fn is not None and not self._hides("cost", idx):
            cost = cm.expected_cost(cost_fp=self.cost_fp, cost_fn=self.cost_fn)
            parts += [f.dot(2, t, cost, COLORS["point"]), f.label(2, t, cost, f"{cost:,.0f}")]
        return readouts, f.svg(parts)



def threshold_explorer(y_true, y_score, *, cost_fp: float | None = None, cost_fn: float | None = None,
                       capacity_k: int | None = None, capacity: float | None = None,
                       daily_volume: float | None = None, threshold: float = 0.5, step: float = 0.005,
                       frames: bool | None = None, hide_until_answered: dict | None = None, case=None) -> ThresholdExplorer:
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
    hide_until_answered
        ``{mark or readout: question id}``: what would answer a question of the case stays hidden until
        ``case.check`` accepts that question (or ``explorer.reveal()``). Marks: ``"min_cost"``,
        ``"bayes"``, ``"capacity"`` (hidden everywhere); readouts: ``"confusion"``, ``"precision"``,
        ``"recall"``, ``"f1"``, ``"fpr"``, ``"cost"``, ``"flagged"``, ``"per_day"`` (hidden at the start
        threshold only).
    """
    return ThresholdExplorer(y_true, y_score, cost_fp=cost_fp, cost_fn=cost_fn, capacity_k=capacity_k,
                             capacity=capacity, daily_volume=daily_volume, threshold=threshold, step=step,
                             frames=frames, hide_until_answered=hide_until_answered, case=case)
