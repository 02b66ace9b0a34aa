"""The calibration explorer: undersampling, the Dal Pozzolo correction and recalibration, on a
reliability diagram."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from caselab.maths import calibration as cal
from caselab.notebooks.widgets.base import (
    COLORS,
    Explorer,
    _Figure,
    _fmt,
    _label,
)


def _logit(p):
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


class CalibrationExplorer(Explorer):
    """Undersampling β, the Dal Pozzolo correction, Platt vs isotonic → reliability, ECE, Brier."""

    name = "calibration"
    METHODS = ("none", "Platt", "isotonic")
    HIDEABLE = {k: f"the {k} readout at the start" for k in ("beta", "ece", "brier", "mean")}

    def __init__(self, prevalence: float, *, separation: float = 2.5, n: int = 100_000, seed: int = 0,
                 beta: float | None = None, betas: Sequence[float] | None = None, n_bins: int = 10,
                 frames: bool | None = None, hide_until_answered: dict | None = None, case=None,
                 title: str = "Calibration explorer"):
        super().__init__()
        self._init_hiding(hide_until_answered, case)
        from caselab.scenarios.data import binormal_scores

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
        rows = [(a, self._hidden_cell(c) if c in self.HIDEABLE and self._hides(c, idx) else b, c) for a, b, c in rows]
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
                         beta: float | None = None, betas: Sequence[float] | None = None, frames: bool | None = None,
                         hide_until_answered: dict | None = None, case=None) -> CalibrationExplorer:
    """Reliability diagram, ECE and Brier of a model trained on undersampled data.

    Synthetic data at ``prevalence`` (binormal, calibrated); the "undersampled model" outputs
    ``p_s = undersampling_inverse(p, β)``. Controls: the keep-rate β (from the 50/50 value
    :func:`caselab.calibration.beta_for_balance` up to 1 = no undersampling; starts at ``beta``),
    the Dal Pozzolo correction on/off, and recalibration (none / Platt / isotonic) fitted on a
    held-out half. ``betas`` replaces the slider's grid of keep-rates. ``hide_until_answered``
    (``{readout: question id}``: ``"beta"``, ``"ece"``, ``"brier"``, ``"mean"``) keeps a readout hidden at
    the start until ``case.check`` accepts that question.
    """
    return CalibrationExplorer(prevalence, separation=separation, n=n, seed=seed, beta=beta, betas=betas,
                               frames=frames, hide_until_answered=hide_until_answered, case=case)
