"""The prevalence explorer: the same ranking at falling prevalence (ROC-AUC holds, PR-AUC falls)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from caselab.maths import curves, metrics
from caselab.notebooks.widgets.base import (
    COLORS,
    Explorer,
    _Figure,
    _fmt,
)


class PrevalenceExplorer(Explorer):
    """The same scores at falling prevalence: ROC-AUC holds, PR-AUC and precision fall."""

    name = "prevalence"
    HIDEABLE = {k: f"the {k} readout at the start" for k in ("roc-auc", "pr-auc", "precision", "recall", "fpr")}

    def __init__(self, separation: float = 2.0, *, n_negatives: int = 20_000, prevalence: float | None = None,
                 prevalences: Sequence[float] | None = None, seed: int = 0, frames: bool | None = None,
                 hide_until_answered: dict | None = None, case=None, title: str = "Prevalence explorer"):
        super().__init__()
        self._init_hiding(hide_until_answered, case)
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
        rows = [(a, self._hidden_cell(c) if c in self.HIDEABLE and self._hides(c, idx) else b, c) for a, b, c in rows]
        body = "".join(f'<tr><th style="text-align:left">{a}</th><td class="cl-{c}">{b}</td></tr>' for a, b, c in rows)
        readouts = (f'<div class="cl-readouts" data-explorer="prevalence" data-prevalence="{row["prevalence"]!r}">'
                    f'<table class="cl-metrics">{body}</table></div>')
        f = self.figure
        parts = [f.polyline(0, *row["roc"], COLORS["curve"]), f.dot(0, cm.fpr, cm.recall, COLORS["point"]),
                 f.polyline(1, *row["pr"], COLORS["curve"]), f.hline(1, row["prevalence"], COLORS["grey"], dash="2,3"),
                 f.dot(1, cm.recall, cm.precision, COLORS["point"])]
        if not self._hides("roc-auc", idx):
            parts.append(f.label(0, 0.6, 0.1, f"ROC-AUC {row['roc_auc']:.3f}", dy=0))
        if not self._hides("pr-auc", idx):
            parts.append(f.label(1, 0.05, 0.08, f"PR-AUC {row['ap']:.3f}", dy=0))
        return readouts, f.svg(parts)


def prevalence_explorer(separation: float = 2.0, *, n_negatives: int = 20_000, prevalence: float | None = None,
                        seed: int = 0, frames: bool | None = None,
                        hide_until_answered: dict | None = None, case=None) -> PrevalenceExplorer:
    """The same ranking quality (binormal, separation d') at falling prevalence.

    ROC-AUC stays put; PR-AUC, and precision at a fixed threshold, fall with the prevalence.
    ``prevalence`` adds the scenario's own prevalence to the slider and starts there.
    ``hide_until_answered`` (``{readout: question id}``: ``"roc-auc"``, ``"pr-auc"``, ``"precision"``,
    ``"recall"``, ``"fpr"``) keeps a readout hidden at the start until ``case.check`` accepts that question.
    """
    return PrevalenceExplorer(separation, n_negatives=n_negatives, prevalence=prevalence, seed=seed, frames=frames,
                              hide_until_answered=hide_until_answered, case=case)
