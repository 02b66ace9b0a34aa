"""What every explorer shares: the figure drawn once with an SVG layer for what moves, and the
:class:`Explorer` base class (controls, readouts, frames for static pages, a widget as an answer).
"""

from __future__ import annotations

import base64
import html
import io
import math
import time
import uuid
import weakref
from collections.abc import Callable, Mapping, Sequence

import ipywidgets as W
import numpy as np

from caselab.notebooks.widgets.answers import (
    _frames_default,
    _preset_for,
    _Recorded,
)

# --------------------------------------------------------------------------------------------------
# No spoilers: what an explorer keeps hidden until the learner has answered
# --------------------------------------------------------------------------------------------------
_ANSWERED: set[str] = set()  # question ids accepted by case.check in this kernel
_LIVE: weakref.WeakSet = weakref.WeakSet()  # explorers built in this kernel, to unhide what an answer unlocks


def answered(question: str) -> None:
    """Record that ``question`` was answered (``case.check`` accepted it): explorers show what it unlocks.

    Every explorer built with ``hide_until_answered={key: question}`` shows ``key`` from now on, and
    so does every explorer built later in this kernel.
    """
    _ANSWERED.add(str(question))
    for explorer in list(_LIVE):
        if any(question in qs for qs in explorer.hidden_until.values()):
            explorer._refresh()


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
        alt = html.escape(self.describe(), quote=True)
        # after a draw at the screen dpi the transforms are final; freeze them (log axes included)
        self.fig.canvas.draw()
        self._boxes = [ax.get_window_extent() for ax in self.axes]
        self._limits = [(ax.get_xlim(), ax.get_ylim()) for ax in self.axes]
        self._trans = [ax.transData.frozen() for ax in self.axes]
        return (f'<img class="cl-bg" alt="{alt}" width="{self.width}" height="{self.height}" '
                f'style="display:block;width:{self.width}px;height:{self.height}px" '
                f'src="data:image/png;base64,{data}">')

    def describe(self) -> str:
        """The figure's words (titles, axis labels, legends, notes): the background image's ``alt`` text."""
        words = []
        for ax in self.axes:
            words += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
            legend = ax.get_legend()
            words += [t.get_text() for t in ax.texts] + ([t.get_text() for t in legend.get_texts()] if legend else [])
        return "figure: " + "; ".join(w for w in words if w)

    # --- SVG marker shapes -----------------------------------------------------------------------
    def marker(self, i: int, x: float, y: float, shape: str, color: str, size: float = 6.0, title: str = "") -> str:
        """A mark drawn over the figure: ``"star"``, ``"diamond"`` or ``"square"`` centred on (x, y)."""
        if not (np.isfinite(x) and np.isfinite(y)):
            return ""
        X, Y = self.px(i, [x], [y])
        cx, cy = X[0], Y[0]
        if shape == "star":
            pts = [(cx + (size * 1.3 if k % 2 == 0 else size * 0.55) * math.sin(k * math.pi / 5),
                    cy - (size * 1.3 if k % 2 == 0 else size * 0.55) * math.cos(k * math.pi / 5)) for k in range(10)]
        elif shape == "diamond":
            pts = [(cx, cy - size), (cx + size * 0.8, cy), (cx, cy + size), (cx - size * 0.8, cy)]
        else:
            pts = [(cx - size * 0.8, cy - size * 0.8), (cx + size * 0.8, cy - size * 0.8),
                   (cx + size * 0.8, cy + size * 0.8), (cx - size * 0.8, cy + size * 0.8)]
        t = f"<title>{html.escape(title)}</title>" if title else ""
        return (f'<polygon points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in pts)}" fill="{color}" stroke="white" '
                f'stroke-width="1">{t}</polygon>')

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
.cl-readouts .cl-hidden{color:#888;font-style:italic;font-weight:normal;text-align:left}
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


# A selection slider tells assistive technology its *index* (aria-valuenow="100.0" for a threshold of
# 0.5): ipywidgets drives noUiSlider over 0 … n − 1. This script, run by the browser when the title is
# shown (an image that cannot load; a <script> set as HTML would not run), writes each slider's value
# instead, whenever noUiSlider updates it. It works the same in JupyterLab and in a static page.
_ARIA_JS = """(function(img){var V=JSON.parse(img.getAttribute('data-values')),tries=0;
function fix(h,vals){var now=h.getAttribute('aria-valuenow');if(now===h.getAttribute('data-cl-now'))return;
var i=Math.round(parseFloat(now));if(!(i>=0&&i<vals.length))return;h.setAttribute('data-cl-now',String(vals[i]));
h.setAttribute('aria-valuenow',String(vals[i]));h.setAttribute('aria-valuemin',String(vals[0]));
h.setAttribute('aria-valuemax',String(vals[vals.length-1]));}
(function attach(){var root=img.closest('.caselab-explorer'),done=0;
V.forEach(function(vals,k){var h=root&&root.querySelector('.cl-slider-'+k+' .noUi-handle');
if(!vals){done++;return;}if(!h)return;done++;if(h.getAttribute('data-cl-aria'))return;h.setAttribute('data-cl-aria','1');
fix(h,vals);new MutationObserver(function(){fix(h,vals);}).observe(h,{attributes:true,attributeFilter:['aria-valuenow']});});
if(done<V.length&&tries++<100)setTimeout(attach,100);})();})(this)"""


def _aria_values(controls: Sequence[W.Widget]) -> str:
    """The hidden image whose ``onerror`` runs :data:`_ARIA_JS` for these controls' values."""
    import json

    values = [[float(v) for _, v in c.options] if isinstance(c, W.SelectionSlider) else None for c in controls]
    if not any(values):
        return ""
    return (f'<img src="data:," alt="" style="display:none" data-values="{html.escape(json.dumps(values))}" '
            f'onerror="{html.escape(_ARIA_JS.replace(chr(10), ""), quote=True)}">')


class Explorer(W.VBox):
    """An interactive explorer: controls on a finite grid, readouts (HTML) and a figure.

    ``explorer.value`` is the value of its primary control (settable: snaps to the grid);
    ``explorer.answer("question_id")`` returns it and records it for grading; ``explorer.controls``
    the control widgets; ``explorer.readouts`` / ``explorer.overlay`` the HTML widgets that move
    (``None`` with frames); ``explorer.update_times`` the duration of each update in ms.
    """

    name = "explorer"
    HIDEABLE: dict[str, str] = {}
    """What ``hide_until_answered`` may name: ``{key: what it is}`` (a mark, or a readout at the start)."""

    # --- no spoilers ------------------------------------------------------------------------------
    def _init_hiding(self, hide_until_answered: Mapping[str, str | Sequence[str]] | None, case=None) -> None:
        """Keep readouts and marks that answer a question hidden until that question is answered.

        ``hide_until_answered`` maps a key of :attr:`HIDEABLE` to the question id (or ids, all needed)
        whose answer it would give away. A fixed mark (a threshold marked on the curves) is hidden at
        every position; a readout is hidden at the explorer's start, the case's own setting (moved
        elsewhere, it shows other numbers, which answer nothing). With ``case`` (a ``caselab.case``), only
        the questions that case asks count: a solver's explorer code serves every scenario it solves.
        """
        asked = set(case.questions) if case is not None else None
        hidden = {}
        for key, qs in (hide_until_answered or {}).items():
            if key not in self.HIDEABLE:
                raise ValueError(f"{type(self).__name__}: hide_until_answered has no {key!r}; it can hide "
                                 + ", ".join(f"{k!r} ({v})" for k, v in self.HIDEABLE.items()))
            qs = (qs,) if isinstance(qs, str) else tuple(qs)
            if asked is not None:
                qs = tuple(q for q in qs if q in asked)
            if qs:
                hidden[key] = qs
        self.hidden_until: dict[str, tuple[str, ...]] = hidden
        self._revealed: set[str] = set()
        _LIVE.add(self)

    def shows(self, key: str) -> bool:
        """True if ``key`` (a mark or readout of :attr:`HIDEABLE`) is shown: nothing hides it, its question
        was answered, or it was revealed."""
        qs = getattr(self, "hidden_until", {}).get(key)
        return qs is None or key in self._revealed or all(q in _ANSWERED for q in qs)

    def _hides(self, key: str, idx: tuple[int, ...] | None = None) -> bool:
        """True if the readout ``key`` is hidden at position ``idx`` (readouts hide only at the start)."""
        return not self.shows(key) and (idx is None or tuple(idx) == self._start_idx)

    def _hidden_cell(self, key: str) -> str:
        qs = " and ".join(f"<code>{html.escape(q)}</code>" for q in self.hidden_until[key])
        return f'<span class="cl-hidden" title="{html.escape(self.HIDEABLE[key])}">answer {qs} first</span>'

    def reveal(self, *keys: str) -> None:
        """Show hidden readouts and marks now: all of them, or those named (by key or by question id)."""
        wanted = set(keys) if keys else set(self.hidden_until)
        self._revealed |= {k for k, qs in self.hidden_until.items() if k in wanted or wanted & set(qs)}
        self._refresh()

    def _refresh(self) -> None:
        """Draw the current state again (after something was unhidden)."""
        if self.frames:
            for prefix, r_view, o_view in self._frame_leaves:
                r_view.value, o_view.value = self._render(prefix)
        else:
            self.readouts.value, self.overlay.value = self._render(self._indices())

    def _setup(self, title: str, controls: list[W.Widget], figure: _Figure | None, render: Callable,
               frames: bool | None, note: str = "") -> None:
        self._render = render
        self.controls = controls
        self.update_times: list[float] = []
        self._uid = uuid.uuid4().hex[:8]
        self._start_idx = self._indices()
        if not hasattr(self, "hidden_until"):
            self._init_hiding(None)
        if self.hidden_until:
            note = (note + " " if note else "") + (
                "<i>answer … first</i>: that number answers a question of this case; it appears once "
                f"<code>case.check</code> accepts your answer (or now, with <code>{self.name}_explorer.reveal()</code>).")
        primary = controls[0]
        # An answer is only read from a slider someone moved (or a grader preset): an untouched slider
        # sitting at its start value is "not answered", not a wrong answer.
        self._touched = False
        primary.observe(self._mark_touched, names="index")
        primary.add_class(f"caselab-control-{self.name}")
        for k, c in enumerate(controls):
            c.add_class("caselab-control")
            c.add_class(f"cl-slider-{k}")
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
        parts: list[W.Widget] = [W.HTML(_CSS + f'<div class="cl-title">{html.escape(title)}</div>'
                                        + _aria_values(controls))]
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
                leaf = W.HTML(r, layout=layout, style=style), W.HTML(o, layout=layout, style=style)
                self._frame_leaves.append((prefix, *leaf))
                return leaf
            kids = [build(level + 1, prefix + (i,)) for i in range(shape[level])]
            current = int(self.controls[level].index)
            r_stack = W.Stack([k[0] for k in kids], selected_index=current)
            o_stack = W.Stack([k[1] for k in kids], selected_index=current)
            self._links.append(W.jslink((self.controls[level], "index"), (r_stack, "selected_index")))
            self._links.append(W.jslink((self.controls[level], "index"), (o_stack, "selected_index")))
            return r_stack, o_stack

        self._links: list[W.Widget] = []
        self._frame_leaves: list[tuple[tuple[int, ...], W.HTML, W.HTML]] = []
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



def _kformatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v / 1000:g}k" if abs(v) >= 1000 else f"{v:g}")



def _ratio_grid(center: float, lo: float | None = None, hi: float | None = None, per_decade: int = 12) -> np.ndarray:
    lo = lo if lo is not None else center / 30
    hi = hi if hi is not None else center * 30
    k_lo = math.floor(math.log10(lo) * per_decade)
    k_hi = math.ceil(math.log10(hi) * per_decade)
    grid = 10 ** (np.arange(k_lo, k_hi + 1) / per_decade)
    grid = np.array([float(f"{g:.3g}") for g in grid])
    return np.unique(np.r_[grid, float(center)])
