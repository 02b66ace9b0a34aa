"""The study-guide site: every worked solution as a static page, an index, and a formula cheat sheet.

``caselab guide --out site/`` executes each scenario's solution notebook (two kernels at a time),
turns it into an HTML page whose widgets still move (their state is embedded and the widget manager's
JavaScript is served from ``site/static/`` — no CDN, it works offline), and writes:

* ``index.html`` — the cases by topic, by company and by difficulty, with the seed parts each covers;
* ``cases/<id>.html`` — one page per scenario: story, worked answers, plots, live explorers;
* ``start-here.html`` — where to start: a path by level and by seed question, a time per case
  (:mod:`caselab.notebooks.start_here`);
* ``cheatsheet.html`` — every formula the answers use, each linked to the scenarios that use it.

Open ``index.html`` in a browser (``file://`` is fine) or serve the folder with any static server.
"""

from __future__ import annotations

import html
import re
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from caselab.notebooks import start_here
from caselab.scenarios import casebook
from caselab.scenarios.coverage import SEED_PARTS
from caselab.scenarios.spec import Scenario

__all__ = ["build_guide", "formula_index"]

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


def formula_index(scenarios: list[Scenario]) -> dict[str, list[tuple[Scenario, str]]]:
    """``{formula: [(scenario, question id), …]}`` over every computed answer that states a formula."""
    index: dict[str, list[tuple[Scenario, str]]] = defaultdict(list)
    for s in scenarios:
        answers = casebook.solve(s).answers
        for q in s.questions:
            a = answers.get(q.id)
            if a is not None and a.formula:
                index[a.formula.strip()].append((s, q.id))
    return index


def _cheatsheet(scenarios: list[Scenario]) -> str:
    index = formula_index(scenarios)
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
            rows.append(f"<tr><td>{html.escape(formula)}</td><td>{'<br>'.join(links)}</td></tr>")
        parts.append(f"<h2>{html.escape(topic)}</h2><table><tr><th style=\"width:55%\">formula</th><th>used in</th>"
                     "</tr>" + "".join(rows) + "</table>")
    return _page("caselab formula cheat sheet", "\n".join(parts))


def _case_page(scenario: Scenario, assets_url: str) -> str:
    from caselab.notebooks.html import execute_notebook, notebook_html
    from caselab.notebooks.render import build_notebook

    nb = execute_notebook(build_notebook(scenario, "solution"))
    page = notebook_html(nb, static_url=assets_url, title=scenario.title)
    # Links between notebooks (a capstone's drills) become links between the site's pages.
    page = re.sub(r'href="([a-z0-9]+(?:-[a-z0-9]+)*)\.ipynb"', r'href="\1.html"', page)
    # A way back to the index, added right after <body>.
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + _NAV.format(up="../"), page, count=1)


def build_guide(out_dir: str | Path, scenarios: list[Scenario] | None = None, *, jobs: int = 2,
                progress=print) -> Path:
    """Build the site into ``out_dir``; returns the path of its ``index.html``."""
    from caselab.notebooks.html import copy_assets

    out = Path(out_dir)
    scenarios = scenarios if scenarios is not None else casebook.load_all()
    (out / "cases").mkdir(parents=True, exist_ok=True)
    progress(f"caselab guide: {len(scenarios)} case(s) → {out}/")
    copy_assets(out)
    started = time.monotonic()
    failures = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(_case_page, s, "../static"): s for s in scenarios}
        for done, future in enumerate(as_completed(futures), 1):
            s = futures[future]
            try:
                (out / "cases" / f"{s.id}.html").write_text(future.result(), encoding="utf-8")
                status = "ok"
            except Exception as e:  # one broken notebook must not sink the whole site
                failures.append((s.id, e))
                status = f"FAILED: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            progress(f"  [{done:>2}/{len(scenarios)}] {s.id:48} {status}  ({time.monotonic() - started:.0f} s)")
    (out / "index.html").write_text(_index(scenarios), encoding="utf-8")
    (out / "cheatsheet.html").write_text(_cheatsheet(scenarios), encoding="utf-8")
    (out / "start-here.html").write_text(_page("caselab: start here", start_here.page_html(scenarios)), encoding="utf-8")
    progress(f"wrote {out / 'index.html'} and {out / 'cheatsheet.html'} in {time.monotonic() - started:.0f} s")
    if failures:
        raise RuntimeError(f"{len(failures)} case page(s) failed: " + "; ".join(f"{i}: {e}" for i, e in failures))
    return out / "index.html"
