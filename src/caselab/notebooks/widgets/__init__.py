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

No spoilers
-----------
An explorer fed with a case's own numbers may show an answer before the learner has tried: a marked
min-cost threshold, the cost of an operating point at the case's own cost ratio. A solver's explorer
code names those with ``hide_until_answered={readout or mark: question id}``; each is shown as
"answer … first" until ``case.check`` accepts that question (:func:`answered`, called by the check) or
the learner calls ``explorer.reveal()``. A fixed mark is hidden at every position; a readout only at the
explorer's start — the case's own setting —, since moved elsewhere it shows numbers no question asks.

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

from collections.abc import Callable

from caselab.notebooks.widgets.answers import (
    ANSWER_MIME,
    FRAMES_ENV,
    PRESET_ENV,
    WIDGET_STATE_MIME,
    grading_env,
    preset,
    recorded_values,
)
from caselab.notebooks.widgets.base import Explorer, answered
from caselab.notebooks.widgets.calibration import CalibrationExplorer, calibration_explorer
from caselab.notebooks.widgets.capacity import CapacityExplorer, capacity_explorer
from caselab.notebooks.widgets.cost import CostExplorer, cost_explorer
from caselab.notebooks.widgets.prevalence import PrevalenceExplorer, prevalence_explorer
from caselab.notebooks.widgets.threshold import ThresholdExplorer, threshold_explorer

__all__ = [
    "Explorer",
    "answered",
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
    "WIDGET_STATE_MIME",
    "ThresholdExplorer",
    "CostExplorer",
    "CapacityExplorer",
    "CalibrationExplorer",
    "PrevalenceExplorer",
]


EXPLORERS: dict[str, Callable[..., Explorer]] = {
    "threshold": threshold_explorer,
    "cost": cost_explorer,
    "capacity": capacity_explorer,
    "calibration": calibration_explorer,
    "prevalence": prevalence_explorer,
}
