"""The study-guide site: every worked solution as a static page, an index, and a formula cheat sheet.

``caselab guide --out site/`` executes each scenario's solution notebook (two kernels at a time, each
running notebook after notebook), turns it into an HTML page whose widgets still move (their state is
embedded and the widget manager's JavaScript, shipped in the package, is copied to ``site/static/`` —
no CDN, no npm, it works offline), and writes:

* ``index.html`` — the cases by topic, by company and by difficulty, with the seed parts each covers;
* ``cases/<id>.html`` — one page per scenario: story, worked answers, plots, live explorers;
* ``start-here.html`` — where to start: a path by level and by seed question, a time per case
  (:mod:`caselab.notebooks.start_here`);
* ``cheatsheet.html`` — every formula the answers use, each linked to the scenarios that use it.

Open ``index.html`` in a browser (``file://`` is fine) or serve the folder with any static server.

The build is incremental: ``site/.caselab-guide.json`` records, per case, the fingerprint of its inputs
(:func:`caselab.fingerprint.scenario_key`: the spec's bytes, caselab's code but the other solvers, the
versions of numpy, nbconvert, …) and the hash of the page written. A case whose fingerprint and page
are unchanged is not executed again; editing one spec re-executes that case only, editing a solver
the cases that use it, editing shared code (the library, the renderer, this module) every case.
``force=True`` (``caselab guide --force``) rebuilds everything.
"""

from __future__ import annotations

import hashlib
import html
import re
import time
from collections import defaultdict
from pathlib import Path

from caselab.notebooks import start_here
from caselab.scenarios import casebook
from caselab.scenarios.coverage import SEED_PARTS
from caselab.scenarios.spec import Scenario

__all__ = ["build_guide", "formula_index", "formula_html", "MANIFEST"]

MANIFEST = ".caselab-guide.json"  # in the site folder: per case, the inputs' fingerprint and the page's hash

_CSS = """
body{font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1050px;margin:0 auto;padding:0 18px 40px;color:#1f2328}
h1{margin-top:28px} h2{margin-top:32px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
table{border-collapse:collapse;width:100%;margin:8px 0 18px} th,td{border:1px solid #d0d7de;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa} a{color:#0969da;text-decoration:none} a:hover{text-decoration:underline}
.tag{display:inline-block;background:#ddf4ff;border-radius:10px;padding:0 8px;margin:1px;font-size:13px}
.easy{color:#1a7f37}.medium{color:#9a6700}.hard{color:#cf222e} nav{padding:10px 0;border-bottom:1px solid #d0d7de}
code{background:#f6f8fa;padding:1px 4px;border-radius:4px}
"""
_NAV = ('<nav class="caselab-nav" style="font:15px system-ui,sans-serif;padding:8px 16px;border-bottom:1px solid '
        '#d0d7de"><a href="{up}index.html">caselab study guide</a> · <a href="{up}start-here.html">start here</a> · '
        '<a href="{up}cheatsheet.html">formula cheat sheet</a></nav>')


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>{_CSS}</style></head>"
            f"<body>{_NAV.format(up='')}\n{body}\n</body></html>\n")


def _case_link(s: Scenario, up: str = "") -> str:
    return f'<a href="{up}cases/{s.id}.html">{html.escape(s.title)}</a>'


def _index(scenarios: list[Scenario]) -> str:
    by_id = {s.id: s for s in scenarios}
    rows = []
    for s in sorted(scenarios, key=lambda s: (s.source.company, s.id)):
        tags = " ".join(f'<span class="tag">{html.escape(t)}</span>' for t in s.topics)
        rows.append(f"<tr><td>{_case_link(s)}<br><code>{s.id}</code></td><td>{html.escape(s.source.company)}</td>"
                    f"<td class=\"{s.source.difficulty}\">{s.source.difficulty}</td><td>{tags}</td>"
                    f"<td>{', '.join(s.seed_parts)}</td></tr>")
    parts = [f"<h1>caselab study guide</h1><p>{len(scenarios)} worked interview cases on deploying binary "
             "classifiers: thresholds, costs, imbalance, calibration, capacity, monitoring and A/B tests. Each page "
             "is a worked solution with live explorers (move the sliders). The <a href=\"cheatsheet.html\">cheat "
             "sheet</a> lists every formula with the cases that use it. New here? <a href=\"start-here.html\">Start "
             "here</a>: a path by level and by seed question, with a time per case.</p>",
             _capstones(scenarios),
             "<h2 id=\"all\">All cases</h2><table><tr><th>case</th><th>company</th><th>difficulty</th>"
             "<th>topics</th><th>seed parts</th></tr>" + "".join(rows) + "</table>"]

    topics: dict[str, list[Scenario]] = defaultdict(list)
    for s in scenarios:
        for t in s.topics:
            topics[t].append(s)
    parts.append("<h2 id=\"topics\">By topic</h2><table><tr><th>topic</th><th>cases</th></tr>" + "".join(
        f"<tr><td id=\"topic-{t}\">{html.escape(t)}</td><td>{' · '.join(_case_link(s) for s in ss)}</td></tr>"
        for t, ss in sorted(topics.items())) + "</table>")

    companies: dict[str, list[Scenario]] = defaultdict(list)
    for s in scenarios:
        companies[s.source.company].append(s)
    parts.append("<h2 id=\"companies\">By company</h2><table><tr><th>company</th><th>cases</th></tr>" + "".join(
        f"<tr><td>{html.escape(c)}</td><td>{' · '.join(_case_link(s) for s in ss)}</td></tr>"
        for c, ss in sorted(companies.items())) + "</table>")

    parts.append("<h2 id=\"difficulty\">By difficulty</h2><table><tr><th>difficulty</th><th>cases</th></tr>" + "".join(
        f"<tr><td class=\"{d}\">{d}</td><td>{' · '.join(_case_link(s) for s in scenarios if s.source.difficulty == d)}"
        "</td></tr>" for d in ("easy", "medium", "hard")) + "</table>")

    cover: dict[str, list[str]] = defaultdict(list)
    for s in scenarios:
        for p in s.seed_parts:
            cover[p].append(s.id)
    parts.append("<h2 id=\"seeds\">Seed parts covered</h2><table><tr><th>part</th><th>what</th><th>cases</th></tr>"
                 + "".join(f"<tr><td>{p}</td><td>{html.escape(what)}</td><td>"
                           + (" · ".join(_case_link(by_id[i]) for i in cover[p]) or "—") + "</td></tr>"
                           for p, what in SEED_PARTS.items()) + "</table>")
    return _page("caselab study guide", "\n".join(parts))


def _capstones(scenarios: list[Scenario]) -> str:
    """The capstones first: each is a whole interview question, to rehearse out loud part by part."""
    from caselab.notebooks.render import part_minutes, speaking_time_text

    caps = [s for s in scenarios if s.is_capstone]
    if not caps:
        return ""
    rows = []
    for s in caps:
        parts = [label for label, _ in s.parts() if label]
        rows.append(f"<tr><td>{_case_link(s)}<br><code>{s.id}</code></td><td>{html.escape(s.source.company)}</td>"
                    f"<td>{len(parts)} parts</td><td>about {speaking_time_text(part_minutes(s.questions))}</td>"
                    f"<td><code>caselab mock --scenario {s.id}</code></td></tr>")
    return ("<h2 id=\"capstones\">Capstones: rehearse a whole interview</h2><p>One project carried through every "
            "part of a seed interview question, in the order the interviewer asks: per part a target speaking "
            "time, an outline, a model answer, the follow-ups, and links to the cases that drill it.</p>"
            "<table><tr><th>capstone</th><th>company</th><th>parts</th><th>target time</th><th>timed mock</th></tr>"
            + "".join(rows) + "</table>")


def _formulas(scenario: Scenario) -> list[tuple[str, str]]:
    """``[(question id, formula)]`` of a scenario's computed answers that state a formula, in question order."""
    answers = casebook.solve(scenario).answers
    return [(q.id, answers[q.id].formula.strip()) for q in scenario.questions
            if q.id in answers and answers[q.id].formula]


def formula_index(scenarios: list[Scenario], formulas: dict[str, list] | None = None,
                  ) -> dict[str, list[tuple[Scenario, str]]]:
    """``{formula: [(scenario, question id), …]}`` over every computed answer that states a formula.

    ``formulas`` maps scenario ids to their ``[(question id, formula)]`` where already known (the guide's
    manifest keeps them); the other scenarios are solved.
    """
    index: dict[str, list[tuple[Scenario, str]]] = defaultdict(list)
    for s in scenarios:
        known = (formulas or {}).get(s.id)
        for qid, formula in (_formulas(s) if known is None else known):
            index[formula].append((s, qid))
    return index


# Sub- and superscripts in the formulas' plain-text notation, set as HTML (the pages need no MathJax):
# x_{…} and x^{…}, x^(…) (kept in brackets), and a single-letter base with a one-token index (C_FN, a_i,
# p^γ, N^2); a longer word with an underscore (score_samples, n_class…) is a name and stays as it is.
_SUB_BRACED = re.compile(r"_\{([^{}]*)\}")
_SUP_BRACED = re.compile(r"\^\{([^{}]*)\}")
_SUP_PAREN = re.compile(r"\^(\([^()]*\))")
_SUB_TOKEN = re.compile(r"(?<![\w.])([A-Za-zα-ωΑ-Ω])_([A-Za-z0-9α-ωΑ-Ω∅]+)(?![\w(])")
_SUP_TOKEN = re.compile(r"\^([A-Za-z0-9α-ωΑ-Ω′]+|[−-][A-Za-z0-9]+)")


def formula_html(formula: str) -> str:
    """A formula in caselab's plain-text notation as escaped HTML with ``<sub>``/``<sup>``.

    >>> formula_html("z_{1−α/2}·√(p(1 − p)) and (1 − m/N)^k for C_FN > 0")
    'z<sub>1−α/2</sub>·√(p(1 − p)) and (1 − m/N)<sup>k</sup> for C<sub>FN</sub> &gt; 0'
    """
    return _subsup(html.escape(formula, quote=False))


def _subsup(text: str) -> str:
    """:func:`formula_html` of text already escaped for HTML."""
    for _ in range(2):  # one level of nesting: e^{s_j}
        text = _SUB_BRACED.sub(r"<sub>\1</sub>", text)
        text = _SUP_BRACED.sub(r"<sup>\1</sup>", text)
    text = _SUP_PAREN.sub(r"<sup>\1</sup>", text)
    text = _SUB_TOKEN.sub(r"\1<sub>\2</sub>", text)
    return _SUP_TOKEN.sub(r"<sup>\1</sup>", text)


def _cheatsheet(scenarios: list[Scenario], formulas: dict[str, list] | None = None) -> str:
    index = formula_index(scenarios, formulas)
    # Group formulas by the first topic of the scenario that uses them most, so related rules sit together.
    groups: dict[str, list[str]] = defaultdict(list)
    for formula, uses in index.items():
        topic_count: dict[str, int] = defaultdict(int)
        for s, _ in uses:
            topic_count[s.topics[0]] += 1
        groups[max(sorted(topic_count), key=topic_count.get)].append(formula)
    parts = ["<h1>Formula cheat sheet</h1><p>Every formula behind a worked answer in the casebook, grouped by "
             "topic, with the cases (and questions) that use it. Positive means <i>score ≥ threshold</i> "
             "throughout.</p>"]
    for topic in sorted(groups):
        rows = []
        for formula in sorted(groups[topic], key=lambda f: (-len(index[f]), f)):
            seen, links = set(), []
            for s, qid in index[formula]:
                if (s.id, qid) not in seen:
                    seen.add((s.id, qid))
                    links.append(f'<a href="cases/{s.id}.html">{s.id}</a> <code>{qid}</code>')
            rows.append(f"<tr><td class=\"formula\">{formula_html(formula)}</td><td>{'<br>'.join(links)}</td></tr>")
        parts.append(f"<h2>{html.escape(topic)}</h2><table><tr><th style=\"width:55%\">formula</th><th>used in</th>"
                     "</tr>" + "".join(rows) + "</table>")
    return _page("caselab formula cheat sheet", "\n".join(parts))


def _case_html(scenario: Scenario, executed_nb, assets_url: str) -> str:
    from caselab.notebooks.html import notebook_html

    page = notebook_html(executed_nb, static_url=assets_url, title=scenario.title)
    # Links between notebooks (a capstone's drills) become links between the site's pages.
    page = re.sub(r'href="([a-z0-9]+(?:-[a-z0-9]+)*)\.ipynb"', r'href="\1.html"', page)
    # The worked answers' "**Formula**: …" lines, with sub- and superscripts like the cheat sheet's
    # (the text up to the first tag; it is already escaped).
    page = _FORMULA_LINE.sub(lambda m: m.group(1) + _subsup(m.group(2)), page)
    # A way back to the index, added right after <body>.
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + _NAV.format(up="../"), page, count=1)


_FORMULA_LINE = re.compile(r"(<strong>Formula</strong>: )([^<]*)")


def _page_keys(scenarios: list[Scenario]) -> dict[str, str | None]:
    """The fingerprint of each case page's inputs (None for a scenario built in memory: never reused)."""
    from caselab.notebooks.fingerprint import scenario_keys

    on_disk = [s for s in scenarios if s.path is not None]
    keys = scenario_keys([(s.path, s.solver) for s in on_disk], "guide-page")
    return {s.id: None for s in scenarios} | {s.id: k for s, k in zip(on_disk, keys, strict=True)}


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def build_guide(out_dir: str | Path, scenarios: list[Scenario] | None = None, *, jobs: int = 2,
                progress=print, force: bool = False) -> Path:
    """Build the site into ``out_dir``; returns the path of its ``index.html``.

    Only the cases whose inputs changed since the last build into ``out_dir`` (or whose page is missing
    or was altered) are executed; ``force`` executes every case. ``scenarios`` may be loaded without the
    solver check (``casebook.load_all(check_solver=False)``): the cases to build are checked here.
    """
    from caselab.notebooks.fingerprint import read_cache, write_cache
    from caselab.notebooks.html import copy_assets, execute_notebooks
    from caselab.notebooks.render import build_notebook

    out = Path(out_dir)
    scenarios = scenarios if scenarios is not None else casebook.load_all(check_solver=False)
    (out / "cases").mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    copy_assets(out)
    manifest_path = out / MANIFEST
    pages: dict[str, dict] = {} if force else dict(read_cache(manifest_path).get("pages", {}))
    keys = _page_keys(scenarios)
    todo = [s for s in scenarios
            if keys[s.id] is None or pages.get(s.id, {}).get("key") != keys[s.id]
            or _sha256(out / "cases" / f"{s.id}.html") != pages[s.id].get("sha256")]
    progress(f"caselab guide: {len(scenarios)} case(s) → {out}/: {len(scenarios) - len(todo)} up to date, "
             f"{len(todo)} to execute" + (f" ({jobs} kernel(s))" if todo else ""))

    failures, notebooks, runnable = [], [], []
    for s in todo:
        pages.pop(s.id, None)
        try:
            checked = casebook.load(s.path) if s.path is not None else s  # the solver check, for cases to build
            notebooks.append(build_notebook(checked, "solution"))
            runnable.append(checked)
        except Exception as e:
            failures.append((s.id, e))
            progress(f"  {s.id:54} FAILED: {type(e).__name__}: {_first_line(e)}")
    formulas = {sid: [tuple(f) for f in entry.get("formulas", [])] for sid, entry in pages.items()}
    done = 0
    for i, result in execute_notebooks(notebooks, jobs=jobs):
        s = runnable[i]
        done += 1
        try:
            if isinstance(result, Exception):
                raise result
            page = out / "cases" / f"{s.id}.html"
            page.write_text(_case_html(s, result, "../static"), encoding="utf-8")
            formulas[s.id] = _formulas(s)
            if keys[s.id] is not None:
                pages[s.id] = {"key": keys[s.id], "sha256": _sha256(page), "formulas": formulas[s.id]}
                write_cache(manifest_path, {"pages": pages})  # after each page: an interrupted build keeps it
            status = "ok"
        except Exception as e:  # one broken notebook must not sink the whole site
            failures.append((s.id, e))
            status = f"FAILED: {type(e).__name__}: {_first_line(e)}"
        progress(f"  [{done:>2}/{len(runnable)}] {s.id:48} {status}  ({time.monotonic() - started:.0f} s)")
    write_cache(manifest_path, {"pages": pages})
    built = [s for s in scenarios if s.id not in {sid for sid, _ in failures}]
    (out / "index.html").write_text(_index(scenarios), encoding="utf-8")
    (out / "cheatsheet.html").write_text(_cheatsheet(built, formulas), encoding="utf-8")
    progress(f"wrote {out / 'index.html'} and {out / 'cheatsheet.html'} in {time.monotonic() - started:.1f} s")
    (out / "start-here.html").write_text(_page("caselab: start here", start_here.page_html(scenarios)), encoding="utf-8")
    if failures:
        raise RuntimeError(f"{len(failures)} case page(s) failed: " + "; ".join(f"{i}: {e}" for i, e in failures))
    return out / "index.html"


def _first_line(e: Exception) -> str:
    return str(e).splitlines()[0] if str(e) else ""
