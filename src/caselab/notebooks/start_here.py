"""Where to start: the casebook as a path by level (easy → hard) and by seed question, with a time per case.

One model, two forms: :func:`build_notebook` (``START-HERE.ipynb`` in the learner's workspace, linking to
``cases/<id>.ipynb``) and :func:`page_html` (the study guide's ``start-here.html``, linking to
``cases/<id>.html``).

Time estimate (:func:`estimate_minutes`), stated on the page too::

    minutes = factor[difficulty] × (5 to read the story and givens
                                    + 2 per number question + 1 per choice or decision
                                    + 5 per open (rubric) answer + 1 per question answered with a slider)
    factor = 1 (easy), 1.25 (medium), 1.5 (hard); rounded up to a multiple of 5 minutes.
"""

from __future__ import annotations

import html
import math
from collections import Counter

from caselab.scenarios.coverage import SEED_PARTS, SEED_SOURCES
from caselab.scenarios.spec import Scenario
from caselab.scenarios.text import escape_dollars

__all__ = ["estimate_minutes", "one_line", "by_level", "by_seed", "markdown", "build_notebook", "page_html",
           "TIME_RULE"]

LEVELS = ("easy", "medium", "hard")
READ_MINUTES = 5
MINUTES_PER_KIND = {"number": 2, "choice": 1, "decision": 1, "rubric": 5}
SLIDER_MINUTES = 1
LEVEL_FACTOR = {"easy": 1.0, "medium": 1.25, "hard": 1.5}
TIME_RULE = ("Times are estimates: (5 min to read the story and givens + 2 per number + 1 per choice or decision "
             "+ 5 per open answer + 1 per slider question) × 1 for easy, 1.25 for medium, 1.5 for hard, rounded "
             "up to 5 minutes.")


def estimate_minutes(scenario: Scenario) -> int:
    """Minutes a first attempt at ``scenario`` takes, by the rule in the module docstring (a multiple of 5)."""
    work = READ_MINUTES + sum(MINUTES_PER_KIND.get(q.kind, 2) + (SLIDER_MINUTES if q.widget else 0)
                              for q in scenario.questions)
    minutes = work * LEVEL_FACTOR.get(scenario.source.difficulty, 1.5)
    return int(math.ceil(minutes / 5 - 1e-9) * 5)


def _kinds(scenario: Scenario) -> str:
    counts = Counter(q.kind for q in scenario.questions)
    parts = [f"{counts['number']} to compute"] if counts["number"] else []
    if counts["choice"] + counts["decision"]:
        parts.append(f"{counts['choice'] + counts['decision']} to choose")
    if counts["rubric"]:
        parts.append(f"{counts['rubric']} open")
    return ", ".join(parts)


def one_line(scenario: Scenario) -> str:
    """Plain text: ``company · difficulty · N questions (… to compute, … to choose, … open) · ≈ M min``."""
    s = scenario.source
    return (f"{s.company} · {s.difficulty} · {len(scenario.questions)} questions ({_kinds(scenario)}) · "
            f"≈ {estimate_minutes(scenario)} min")


def by_level(scenarios: list[Scenario]) -> list[tuple[str, list[Scenario]]]:
    """``[(level, scenarios)]`` easy → hard; within a level, shortest first."""
    return [(level, sorted((s for s in scenarios if s.source.difficulty == level),
                           key=lambda s: (estimate_minutes(s), s.id))) for level in LEVELS]


def by_seed(scenarios: list[Scenario]) -> list[tuple[str, str, list[tuple[str, str, list[Scenario]]]]]:
    """``[(seed, what it is, [(part, what it covers, scenarios easy → hard)])]``, in the casebook's order."""
    rank = {level: i for i, level in enumerate(LEVELS)}
    out = []
    for seed, what in SEED_SOURCES.items():
        parts = []
        for part, covers in SEED_PARTS.items():
            if part.split("-", 1)[0] != seed:
                continue
            cases = sorted((s for s in scenarios if part in s.seed_parts),
                           key=lambda s: (rank.get(s.source.difficulty, 3), estimate_minutes(s), s.id))
            parts.append((part, covers, cases))
        out.append((seed, what, parts))
    return out


# --------------------------------------------------------------------------------------------------
def _md_link(scenario: Scenario, folder: str) -> str:
    title = scenario.title.replace("[", r"\[").replace("]", r"\]")
    return f"[{title}]({folder}/{scenario.id}.ipynb)"


def markdown(scenarios: list[Scenario], cases_folder: str = "cases") -> list[str]:
    """The page as Markdown cells (``$`` escaped), linking to ``<cases_folder>/<id>.ipynb``."""
    total = sum(estimate_minutes(s) for s in scenarios)
    intro = (
        "# Start here\n\n"
        f"{len(scenarios)} interview cases on deploying binary classifiers, about {total / 60:.0f} hours in all. "
        f"Each is a notebook in `{cases_folder}/`: read the story and the givens, answer each question in its cell "
        "(replace `...`), run the check cell under it. `case.hint(\"id\")` gives a nudge; `case.solution(\"id\")` "
        "the worked answer when you give up.\n\n"
        "This folder is your **workspace**: edit freely. `caselab study` adds new cases here and never "
        "overwrites a notebook you edited (a newer version is written beside it as `<id>.new.ipynb`).\n\n"
        "In a terminal (JupyterLab's *File → New → Terminal* opens in this folder):\n\n"
        f"- `caselab grade {cases_folder}/ID.ipynb`: grade a notebook headless (your file is not changed)\n"
        "- `caselab drill ID`: the same case with fresh numbers, written to `drills/`\n"
        "- `caselab mock`: a timed mock interview in the terminal\n"
        "- `caselab progress`: what you have done, and what to review next\n\n"
        f"*{TIME_RULE}*")
    level_lines = ["## A path by level\n\nEasy first; within a level, shortest first."]
    for level, cases in by_level(scenarios):
        if not cases:
            continue
        minutes = sum(estimate_minutes(s) for s in cases)
        level_lines.append(f"\n### {level.capitalize()} — {len(cases)} cases, ≈ {minutes / 60:.1f} h\n")
        level_lines += [f"1. {_md_link(s, cases_folder)} — {one_line(s)}" for s in cases]
    seed_lines = ["## A path by seed question\n\nThe casebook was written from two interview questions and one "
                  "article. To prepare one of them, work through its parts in order; each part lists its cases "
                  "easy → hard."]
    for seed, what, parts in by_seed(scenarios):
        seed_lines.append(f"\n### {seed}: {what}\n")
        for part, covers, cases in parts:
            links = "; ".join(f"{_md_link(s, cases_folder)} ({s.source.difficulty}, ≈ {estimate_minutes(s)} min)"
                              for s in cases) or "no case yet"
            seed_lines.append(f"- **{part}** {covers}: {links}")
    return [escape_dollars(intro), escape_dollars("\n".join(level_lines)), escape_dollars("\n".join(seed_lines))]


def build_notebook(scenarios: list[Scenario], *, cases_folder: str = "cases"):
    """``START-HERE.ipynb``: Markdown only, with ``metadata.caselab.generated_hash`` so edits are detected."""
    from nbformat.v4 import new_markdown_cell, new_notebook  # (here: `caselab list` needs no nbformat)

    from caselab.notebooks.render import cells_hash

    cells = []
    for i, source in enumerate(markdown(scenarios, cases_folder)):
        cell = new_markdown_cell(source=source, metadata={"caselab": {"role": "start-here"}})
        cell["id"] = f"start-here-{i}"
        cells.append(cell)
    nb = new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"},
                   "caselab": {"kind": "start-here", "format": 1}}
    nb.metadata["caselab"]["generated_hash"] = cells_hash(nb)
    return nb


def page_html(scenarios: list[Scenario]) -> str:
    """The guide's start-here page body (HTML, every text escaped), linking to ``cases/<id>.html``."""
    esc = html.escape

    def link(s: Scenario) -> str:
        return f'<a href="cases/{esc(s.id)}.html">{esc(s.title)}</a>'

    total = sum(estimate_minutes(s) for s in scenarios)
    parts = [f"<h1>Start here</h1><p>{len(scenarios)} worked interview cases, about {total / 60:.0f} hours of "
             "practice if you answer them yourself first (<code>caselab study</code> opens them as notebooks in "
             f"your workspace). Two paths through them: by level, and by seed question.</p><p><i>{esc(TIME_RULE)}"
             "</i></p>", "<h2 id=\"by-level\">A path by level</h2>"]
    for level, cases in by_level(scenarios):
        if cases:
            parts.append(f"<h3 class=\"{level}\">{level.capitalize()}</h3><ol>" + "".join(
                f"<li>{link(s)} — {esc(one_line(s))}</li>" for s in cases) + "</ol>")
    parts.append("<h2 id=\"by-seed\">A path by seed question</h2>")
    for seed, what, seed_parts in by_seed(scenarios):
        rows = "".join(f"<tr><td>{esc(part)}</td><td>{esc(covers)}</td><td>" + (" · ".join(
            f"{link(s)} <span class=\"{s.source.difficulty}\">{s.source.difficulty}</span>, "
            f"≈ {estimate_minutes(s)} min" for s in cases) or "—") + "</td></tr>"
            for part, covers, cases in seed_parts)
        parts.append(f"<h3>{esc(seed)}: {esc(what)}</h3><table><tr><th>part</th><th>what</th><th>cases, easy → hard"
                     f"</th></tr>{rows}</table>")
    return "\n".join(parts)
