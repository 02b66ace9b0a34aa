"""No spoilers: nothing an untouched learner notebook shows reveals one of its answers.

Every committed learner notebook is executed as a learner's Run All would (a real kernel, explorers live,
widget state stored), and everything on screen is searched for every numeric answer of its scenario, in
each way the notebook could print it:

* outputs of every cell: text, HTML, Markdown, streams, errors;
* the widget state (``metadata.widgets``): explorers' readouts, their SVG overlays and the text of their
  figures (an explorer's background image carries its titles, labels and legend in its ``alt`` text;
  the image bytes themselves are not searched);
* the Markdown cells (story, givens table, prompts) and the code cells' sources.

How an answer is written, and what counts as a hit
---------------------------------------------------
A number is searched as a whole token (no letter, digit, ``.`` or ``,`` digit around it), in the formats
the notebooks use: an integer with and without thousands separators (``6162``, ``6,162``, ``6,162.00``);
any other number with 4 and 3 decimals (``0.0570``, ``0.057``) and ``:g``; from 1 up also with 2 decimals,
with and without separators (``2,354.29``, ``2354.29``), and from 100 up rounded to 0 or 1 decimal; a number in (0, 1) also as a percentage with 2 and 1 decimals
(``5.70%``, ``5.7%``). Negative numbers with ``-`` and ``−``.

What is *not* a spoiler:

* a format with fewer than two significant digits (``0.003``, ``5%``) and an integer below 10: they occur
  everywhere by chance;
* an answer that equals a given (the givens are on screen by design), and any format of an answer that is
  also how a given is written (``prevalence = 0.05`` and an answer of 0.0500); the number of questions
  counts as a given (``case.progress()`` prints "0 / 15 passed");
* a number written as part of a ratio (``50/50``, ``99:1``);
* HTML attributes kept for scripts (``data-*``, ``on*`` handlers): nobody sees them;
* a selection slider's stops other than its current one (a ruler, 0, 0.005, …, 1, not a readout), and a
  widget model's private fields and numbers (an index, a width);
* a number the interviewer says in the story for the learner to check: the reviewed list :data:`QUOTED`;
* choice, decision and open answers (the options are listed under every prompt).
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from caselab.scenarios import casebook
from caselab.scenarios.text import flatten_givens

ROOT = Path(__file__).resolve().parents[1]
IDS = casebook.scenario_ids()
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")
# HTML attributes nobody reads: data for scripts (data-values="[0, 0.005, …]") and the scripts themselves
UNSEEN_ATTRIBUTES = re.compile(r"""\s(?:data-[\w-]+|on\w+)=(?:"[^"]*"|'[^']*')""")


# --------------------------------------------------------------------------------------------------
# The search (pure functions, tested on crafted notebooks below)
# --------------------------------------------------------------------------------------------------
def _significant_digits(text: str) -> int:
    """Significant digits of a printed number (trailing zeros of an integer do not count)."""
    digits = re.sub(r"\D", "", text).lstrip("0")
    return len(digits) if "." in text else len(digits.rstrip("0"))


def number_formats(value: float) -> set[str]:
    """The ways a notebook may print ``value`` that are specific enough to count as revealing it."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return set()
    v = float(value)
    if abs(v - round(v)) < 1e-9:
        n = int(round(v))
        if abs(n) < 10:
            return set()
        return {f"{n}", f"{n:,}", f"{n:,.2f}", f"{n:.2f}"} | ({f"−{-n}", f"−{-n:,}"} if n < 0 else set())
    out = {f"{v:.4f}", f"{v:.3f}", f"{v:g}"}
    if abs(v) >= 1:  # 2 decimals are how money and counts are shown; "0.10" would not reveal a rate
        out |= {f"{v:,.2f}", f"{v:.2f}"}
    if abs(v) >= 100:
        out |= {f"{v:,.0f}", f"{v:.0f}", f"{v:,.1f}", f"{v:.1f}"}
    if 0 < abs(v) < 1:
        out |= {f"{v:.2%}", f"{v:.1%}"}
    out = {f for f in out if _significant_digits(f.replace("%", "")) >= 2}
    return out | {f.replace("-", "−") for f in out if f.startswith("-")}


def _pattern(fmt: str) -> re.Pattern:
    # a whole number: not part of a longer one, a word, or a ratio written "50/50" or "99:1"
    after = r"(?![\w%/:])(?![.,]\d)" if not fmt.endswith("%") else ""
    return re.compile(r"(?<![\w.,/:])" + re.escape(fmt) + after)


@dataclass(frozen=True)
class Hit:
    question: str
    value: float
    shown_as: str
    where: str
    context: str

    def __str__(self) -> str:
        return f"{self.question} = {self.value:g} shown as {self.shown_as!r} in {self.where}: …{self.context}…"


def searchable_answers(answers: dict[str, float], givens: dict, n_questions: int = 0) -> dict[str, set[str]]:
    """``{question: formats}`` to search for; answers equal to a given, and formats a given shares, dropped.

    The number of questions counts as a given (``case.progress()`` shows "0 / 15 passed").
    """
    given_values = [v for _, v, _ in flatten_givens(givens, None) if isinstance(v, int | float)
                    and not isinstance(v, bool)] + ([n_questions] if n_questions else [])
    given_values += [x for _, v, _ in flatten_givens(givens, None) if isinstance(v, list)
                     for x in v if isinstance(x, int | float) and not isinstance(x, bool)]
    given_formats = set().union(*(number_formats(g) for g in given_values)) if given_values else set()
    out = {}
    for qid, value in answers.items():
        if any(math.isclose(value, g, rel_tol=1e-9, abs_tol=1e-12) for g in given_values):
            continue
        formats = number_formats(value) - given_formats
        if formats:
            out[qid] = formats
    return out


def _texts(nb) -> list[tuple[str, str]]:
    """(where, text) for everything a learner sees in an executed notebook."""
    texts = []
    owner: dict[str, str] = {}  # widget model id → the cell that displays it
    for i, cell in enumerate(nb.get("cells", [])):
        name = f"cell {i} ({cell.get('id', '?')})"
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        # the generated "(Accepted within ±…)" of a prompt states a tolerance, not an answer
        texts.append((f"{name} source", re.sub(r"\(Accepted within [^)]*\)", "", src)))
        for out in cell.get("outputs", []) or []:
            if "text" in out:
                texts.append((f"{name} output", "".join(out["text"]) if isinstance(out["text"], list) else out["text"]))
            if "traceback" in out:
                texts.append((f"{name} error", "\n".join(out["traceback"])))
            for mime, data in (out.get("data") or {}).items():
                if mime.startswith("image/"):
                    continue
                if mime == "application/vnd.jupyter.widget-view+json":
                    owner[data.get("model_id", "")] = name
                    continue
                text = "".join(data) if isinstance(data, list) else (data if isinstance(data, str) else json.dumps(data))
                texts.append((f"{name} output {mime}", text))
    state = ((nb.get("metadata") or {}).get("widgets") or {}).get("application/vnd.jupyter.widget-state+json", {})
    models = state.get("state", {}) if isinstance(state, dict) else {}
    # a model belongs to the cell that displays it, or to the cell that displays its parent
    changed = True
    while changed:
        changed = False
        for mid, model in models.items():
            if mid not in owner:
                continue
            for ref in json.dumps(model.get("state", {})).split('"IPY_MODEL_')[1:]:
                child = ref.split('"', 1)[0]
                if child not in owner:
                    owner[child] = owner[mid]
                    changed = True
    for mid, model in models.items():
        texts.append((f"widget state of {owner.get(mid, 'no cell')} (model {mid[:8]})",
                      "\n".join(_shown_strings(model.get("state", {})))))
    return texts


def _shown_strings(state: dict) -> list[str]:
    """The strings a widget model shows: its text values, and a slider's current position (label).

    A selection slider's other positions are a ruler (0, 0.005, …, 1), not a readout; a model's
    private fields (``_model_name``, ``_dom_classes``) and numbers (an index, a width) are not shown.
    """
    out = []
    labels, index = state.get("_options_labels"), state.get("index")
    if isinstance(labels, list) and isinstance(index, int) and 0 <= index < len(labels):
        out.append(str(labels[index]))
    for key, value in state.items():
        if key.startswith("_") or not isinstance(value, str | list):
            continue
        out += [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)
                                                         and not v.startswith("IPY_MODEL_")]
    return out


def find_spoilers(nb, answers: dict[str, float], givens: dict, n_questions: int = 0) -> list[Hit]:
    """Every place in ``nb`` that shows one of ``answers`` (see the module docstring for the rule)."""
    wanted = searchable_answers(answers, givens, n_questions)
    hits = []
    for where, text in _texts(nb):
        text = UNSEEN_ATTRIBUTES.sub(" ", DATA_URI.sub("data:…", text))
        for qid, formats in wanted.items():
            for fmt in sorted(formats):
                m = _pattern(fmt).search(text)
                if m:
                    hits.append(Hit(qid, answers[qid], fmt, where, text[max(0, m.start() - 60):m.end() + 30]))
                    break
    return hits


def numeric_answers(scenario, givens=None) -> dict[str, float]:
    solution = casebook.solve(scenario, givens)
    kinds = {q.id: q.kind for q in scenario.questions}
    return {qid: float(a.value) for qid, a in solution.answers.items()
            if kinds.get(qid) == "number" and isinstance(a.value, int | float) and not isinstance(a.value, bool)}


# --------------------------------------------------------------------------------------------------
# The search can fail: crafted notebooks
# --------------------------------------------------------------------------------------------------
def _nb(*outputs: str, markdown: str = "", widget_html: str = ""):
    cells = [nbformat.v4.new_markdown_cell(markdown)] if markdown else []
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": o}) for o in outputs]
    cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=cells)
    if widget_html:
        cell.outputs.append(nbformat.v4.new_output(
            "display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "box", "version_major": 2}}))
        nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {
            "box": {"state": {"children": ["IPY_MODEL_leaf"]}},
            "leaf": {"state": {"value": widget_html}}}}}
    return nb


def test_search_finds_an_answer_in_any_format():
    answers = {"cost_new": 1742.34, "bayes": 0.0625, "k": 100.0, "min_cost": 6162.0, "recall": 0.10357}
    for shown, qid in [("cost of new <b>1,742.34</b>", "cost_new"), ("1742.34", "cost_new"),
                       ("τ* 0.0625", "bayes"), ("τ* = 0.062", "bayes"), ("6.25% flagged", "bayes"),
                       ("k 100 of n", "k"), ("min cost 6,162.00", "min_cost"), ("6162", "min_cost"),
                       ("recall@k 0.1036", "recall"), ("(10.36%)", "recall")]:
        hits = find_spoilers(_nb(shown), answers, {})
        assert [h.question for h in hits] == [qid], (shown, hits)
        assert "cell 0" in hits[0].where


def test_search_looks_in_markdown_and_widget_state_and_names_the_cell():
    hits = find_spoilers(_nb("nothing", markdown="The answer is 0.9633."), {"t": 0.96331}, {})
    assert len(hits) == 1 and hits[0].where.startswith("cell 0 (") and hits[0].where.endswith(" source")
    hits = find_spoilers(_nb("nothing", widget_html="<td>0.9633</td>"), {"t": 0.96331}, {})
    assert len(hits) == 1 and hits[0].where.startswith("widget state of cell 0") and hits[0].shown_as == "0.9633"


def test_search_ignores_other_numbers_small_integers_and_givens():
    answers = {"k": 100.0, "two": 2.0, "prevalence_echo": 0.05, "near": 0.0503}
    # 100 inside 100,000 or 0.100 or x100y is not 100; 2 is too small to mean anything;
    # an answer equal to a given is on screen by design; 0.0503 is not 0.0500 nor 0.05
    text = "100,000 items, 0.100, v100, 1000, 2 models, prevalence 0.05 (5.00%), 0.0500, Q2"
    assert find_spoilers(_nb(text), answers, {"daily_volume": 100_000, "prevalence": 0.05}) == []
    # without the given, the echo of the prevalence is a hit
    assert [h.question for h in find_spoilers(_nb("5.00%"), {"p": 0.05}, {})] == ["p"]
    # a slider shows its current stop, not the others; an index is not text
    slider = {"_options_labels": ["0.46", "0.465", "0.47"], "index": 1, "_model_name": "SelectionSliderModel"}
    assert _shown_strings(slider) == ["0.465"]
    assert _shown_strings({**slider, "index": 0, "description": "threshold"}) == ["0.46", "threshold"]
    # nor is what an element keeps for its scripts
    assert find_spoilers(_nb('<img data-values="[0.0625, 1]" onerror="f(0.0625)" alt="">'), {"b": 0.0625}, {}) == []
    assert len(find_spoilers(_nb('<img data-values="[1]" alt="τ* 0.0625">'), {"b": 0.0625}, {})) == 1
    # a base64 image is not text
    assert find_spoilers(_nb('<img src="data:image/png;base64,AAA0.0625BBB">'), {"b": 0.0625}, {}) == []


def test_search_catches_an_explorer_that_hides_nothing(monkeypatch):
    """The real thing, in-process: tiktok's threshold explorer without its hide_until_answered gives answers away."""
    import caselab
    from caselab.notebooks import widgets
    from caselab.notebooks.widgets import base
    from caselab.scenarios.data import sentiment_scores

    monkeypatch.setattr(base, "_ANSWERED", set())  # nothing answered yet in this process

    sid = "tiktok-threshold-capacity"
    scenario = casebook.load(sid)
    g = scenario.givens
    y, p = sentiment_scores(n=g["n_validation"], prevalence=g["prevalence"], separation=g["separation"], seed=g["seed"])
    kw = dict(cost_fp=g["cost_fp"], cost_fn=g["cost_fn"], capacity=g["capacity"], daily_volume=g["daily_volume"])
    answers = numeric_answers(scenario)
    bare = widgets.threshold_explorer(y, p, **kw)
    hits = {h.question for h in find_spoilers(_nb(bare.readouts.value, bare.overlay.value), answers, g)}
    assert {"bayes_threshold", "min_cost_threshold", "capacity_threshold"} <= hits
    hiding = widgets.threshold_explorer(y, p, **kw, case=caselab.case(sid), hide_until_answered={
        "min_cost": ["min_cost_threshold", "min_cost_threshold_slider"], "bayes": "bayes_threshold",
        "capacity": "capacity_threshold"})
    assert find_spoilers(_nb(hiding.readouts.value, hiding.overlay.value), answers, g) == []


# A number the interviewer says in the story, for the learner to check, is part of the question: these
# stories quote a claim whose numbers a question asks to verify (and the learner does not know whether
# the claim is right until they have worked it out). Reviewed one by one; only the story may quote them.
QUOTED = {
    "fraud-weights-undersampling": {
        "weight_negative": "claim 1 quotes the weights {0: 0.505, 1: 50.0} for checking",
        "weight_positive": "claim 1 quotes the weights {0: 0.505, 1: 50.0} for checking",
        "per_example_ratio": "claim 1: 'a 99:1 dataset', '100× more' — the question checks the claim",
        "scale_pos_weight_article": "claim 2 is the article's own 100 × 99 = 9,900, quoted to be judged",
    },
    "pinterest-feature-group-ablation": {
        "gain_b_alone": "the interviewer quotes two teammates: 'B adds 0.018', 'B adds 0.013' — who is right?",
        "gain_b_given_a": "the interviewer quotes two teammates: 'B adds 0.018', 'B adds 0.013' — who is right?",
    },
}


# --------------------------------------------------------------------------------------------------
# The acceptance check: every untouched learner notebook, executed
# --------------------------------------------------------------------------------------------------
async def _execute_all(paths: list[Path], jobs: int = 2, timeout: float = 180):
    import os

    from nbclient import NotebookClient

    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1", "MPLBACKEND": "Agg", "CASELAB_NO_JOURNAL": "1"}
    env.pop("CASELAB_WIDGET_FRAMES", None)  # as in JupyterLab: explorers live, no precomputed frames
    gate = asyncio.Semaphore(jobs)
    out: dict[Path, object] = {}

    async def one(path: Path):
        async with gate:
            nb = nbformat.read(path, as_version=4)
            client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                                    allow_errors=True, resources={"metadata": {"path": str(path.parent)}})
            await client.async_execute(env=env)
            out[path] = nb

    await asyncio.gather(*(one(p) for p in paths))
    return out


@pytest.fixture(scope="module")
def executed():
    """Every learner notebook, executed once (the journal is the test run's own: see conftest.py)."""
    t0 = time.perf_counter()
    nbs = asyncio.run(_execute_all([ROOT / "notebooks" / f"{sid}.ipynb" for sid in IDS]))
    print(f"\nexecuted {len(nbs)} learner notebooks in {time.perf_counter() - t0:.1f} s")
    return {p.stem: nb for p, nb in nbs.items()}


@pytest.mark.parametrize("sid", IDS)
def test_untouched_learner_notebook_shows_no_answer(executed, sid):
    nb = executed[sid]
    scenario = casebook.load(sid)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, [e.get("ename") + ": " + e.get("evalue") for e in errors]
    hits = [h for h in find_spoilers(nb, numeric_answers(scenario), scenario.givens, len(scenario.questions))
            if not (h.question in QUOTED.get(sid, {}) and h.where.endswith("(story) source"))]
    assert not hits, f"{sid}: " + "\n".join(map(str, hits))
