"""A widget as an answer: explorers that start at preset values, and the values a learner set.

See :mod:`caselab.notebooks.widgets` for how a graded widget answer travels.
"""

from __future__ import annotations

import html
import json
import math
import os

ANSWER_MIME = "application/vnd.caselab.widget-answer+json"
PRESET_ENV = "CASELAB_WIDGET_VALUES"  # JSON {explorer name: value}: explorers start there (grading)
FRAMES_ENV = "CASELAB_WIDGET_FRAMES"  # "1": explorers precompute frames (static pages)
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"

_PRESETS: dict[str, float] = {}

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
