"""The ``caselab`` command: list, show, solve, render, grade, study."""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from caselab.scenarios import casebook
from caselab.scenarios.spec import Scenario, SpecError, fill

EPILOG = """\
examples:
  caselab list --topic threshold          scenarios about choosing a threshold
  caselab show pinterest-f1-cost          the story, givens and questions
  caselab solve pinterest-f1-cost         the worked solution, step by step
  caselab solve my-spec.toml --json       answers of a spec anywhere on disk, as JSON
  caselab render                          regenerate notebooks/ and solutions/ from casebook/
  caselab render --check                  fail if a committed notebook is out of date
  caselab grade notebooks/                grade notebooks headless (pytest + a Jupyter kernel)
  caselab drill pinterest-f1-cost         the same case with fresh numbers
  caselab mock --topic threshold          a timed mock interview in the terminal
  caselab progress                        what you have done, and what to review next
  caselab guide --out site                the study guide as a static site that works offline
  caselab study                           open JupyterLab on the learner notebooks
"""


def _wrap(text: str, indent: str = "  ") -> str:
    width = min(shutil.get_terminal_size((100, 20)).columns, 100)
    paras = [p.strip() for p in text.strip().split("\n\n")]
    return "\n\n".join(textwrap.fill(" ".join(p.split()), width=width, initial_indent=indent,
                                     subsequent_indent=indent) for p in paras if p)


def _load(ref: str) -> Scenario:
    try:
        return casebook.load(ref)
    except casebook.UnknownScenario as e:
        raise SystemExit(f"caselab: {e}") from None
    except SpecError as e:
        raise SystemExit(f"caselab: {e}") from None


def _fmt_value(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and math.isinf(value):
        return str(value)
    return f"{value:,.6g}" if abs(value) >= 1000 else f"{value:.6g}"


# --------------------------------------------------------------------------------------------------
def cmd_list(args) -> int:
    rows = []
    for sid in casebook.scenario_ids():
        try:
            s = casebook.load(sid, check_solver=False)  # structure only: listing need not run every solver
        except SpecError as e:
            print(f"caselab: skipping a broken spec — {e}", file=sys.stderr)
            continue
        if args.company and args.company.casefold() not in s.source.company.casefold():
            continue
        if args.topic and not any(args.topic.casefold() in t for t in s.topics):
            continue
        if args.difficulty and s.source.difficulty != args.difficulty:
            continue
        if args.seed_part and not any(p.startswith(args.seed_part) for p in s.seed_parts):
            continue
        rows.append((s.id, s.source.company, s.source.difficulty, ", ".join(s.topics)))
    if args.json:
        print(json.dumps([dict(zip(("id", "company", "difficulty", "topics"), r, strict=True)) for r in rows], indent=1))
        return 0
    if not rows:
        print("no scenario matches those filters.")
        return 1
    widths = [max(len(r[i]) for r in rows + [("id", "company", "difficulty", "topics")]) for i in range(3)]
    print(f"{'id':{widths[0]}}  {'company':{widths[1]}}  {'difficulty':{widths[2]}}  topics")
    for r in rows:
        print(f"{r[0]:{widths[0]}}  {r[1]:{widths[1]}}  {r[2]:{widths[2]}}  {r[3]}")
    print(f"\n{len(rows)} scenario(s). `caselab show ID` for one, `caselab solve ID` for its worked answers.")
    return 0


def cmd_show(args) -> int:
    s = _load(args.scenario)
    src = s.source
    print(f"{s.title}\n{'=' * len(s.title)}")
    print(f"{src.company} · {src.role} · {src.round} · {src.difficulty}    [{s.id}]")
    print(f"topics: {', '.join(s.topics)}" + (f"    seed parts: {', '.join(s.seed_parts)}" if s.seed_parts else ""))
    print("\n" + _wrap(fill(s.story, s.givens)))
    print("\nGivens:")
    from caselab.scenarios.solvers import get
    from caselab.scenarios.text import flatten_givens

    for name, value, doc in flatten_givens(s.givens, get(s.solver).GIVENS):
        print(f"  {name:28} {value!s:>12}   {doc}")
    print("\nQuestions:")
    for i, q in enumerate(s.questions, 1):
        extra = f"  (options: {', '.join(q.options)})" if q.options else ""
        from caselab.notebooks.render import speaking_time_text

        part = f" — {q.part}" if q.part else ""
        timed = f", about {speaking_time_text(q.speaking_time)}" if q.speaking_time else ""
        print(f"  Q{i}. [{q.id}] ({q.kind}{timed}){part}")
        print(_wrap(fill(q.prompt, s.givens) + extra, indent="      "))
    return 0


def cmd_solve(args) -> int:
    s = _load(args.scenario)
    try:
        solution = casebook.solve(s)
    except ValueError as e:
        raise SystemExit(f"caselab: cannot solve {s.id}: {e}") from None
    values = {k: a.value for k, a in solution.answers.items()}
    if args.json:
        out = {}
        for q in s.questions:
            if q.kind == "rubric":
                out[q.id] = {"model_answer": fill(q.model_answer, s.givens, values).strip(), "points": list(q.points)}
                if q.outline:
                    out[q.id]["outline"] = [fill(b, s.givens, values) for b in q.outline]
                if q.follow_ups:
                    out[q.id]["follow_ups"] = [{"question": fill(f.question, s.givens, values), "answer": fill(f.answer, s.givens, values)}
                                               for f in q.follow_ups]
            else:
                v = solution.answers[q.id].value
                out[q.id] = v if isinstance(v, str) or math.isfinite(v) else str(v)
        print(json.dumps(out, indent=1, ensure_ascii=False))
        return 0
    print(f"{s.title} — worked solution  [{s.id}]\n")
    for i, q in enumerate(s.questions, 1):
        print(f"Q{i}. {q.id}")
        print(_wrap(fill(q.prompt, s.givens), indent="    "))
        if q.kind == "rubric":
            if q.outline:
                print("    outline to speak from:")
                for k, beat in enumerate(q.outline, 1):
                    print(_wrap(fill(beat, s.givens, values), indent="        ").replace("        ", f"    {k:>2}. ", 1))
            print("    model answer:")
            print(_wrap(fill(q.model_answer, s.givens, values), indent="      "))
            print("    rubric points:")
            for p in q.points:
                print(_wrap(p, indent="      - ").replace("      - ", "      - ", 1))
            if q.follow_ups:
                print("    follow-ups:")
                for f in q.follow_ups:
                    print(_wrap(fill(f.question, s.givens, values), indent="         ").replace("         ", "      Q: ", 1))
                    print(_wrap(fill(f.answer, s.givens, values), indent="         ").replace("         ", "      A: ", 1))
            print()
            continue
        a = solution.answers[q.id]
        print(f"    answer:  {_fmt_value(a.value)}")
        if a.formula:
            print(f"    formula: {a.formula}")
        if a.work:
            print(f"    numbers: {a.work}")
        if q.kind == "number":
            print(f"    accepted within {q.accepted.describe()}")
        print()
    return 0


def _project_root(args) -> Path:
    root = Path(args.root) if getattr(args, "root", None) else casebook.project_dir()
    if root is None:
        raise SystemExit("caselab: no project folder with notebooks/ and solutions/ found; pass --root DIR.")
    return root


def cmd_render(args) -> int:
    from caselab.notebooks import render

    root = _project_root(args)
    ids = args.scenarios or casebook.scenario_ids()
    scenarios = [_load(i) for i in ids]
    total = len(scenarios)

    def progress(i, s):
        if not args.quiet and sys.stderr.isatty():
            print(f"\r  [{i}/{total}] {s.id:50}", end="" if i < total else "\n", file=sys.stderr)

    results = render.render_all(scenarios, root, check=args.check, progress=progress, orphans=not args.scenarios)
    if args.check:
        stale = [r for r in results if r.status in ("stale", "orphan")]
        for r in stale:
            why = "out of date" if r.status == "stale" else "has no spec in casebook/"
            print(f"{r.path.relative_to(root) if r.path.is_relative_to(root) else r.path}: {why}")
        if stale:
            print(f"\n{len(stale)} notebook(s) out of date with casebook/: run `caselab render`.", file=sys.stderr)
            return 1
        print(f"all {len(results)} notebooks are up to date with casebook/.")
        return 0
    changed = [r for r in results if r.status != "unchanged"]
    for r in changed:
        print(r.describe())
    print(f"rendered {total} scenario(s): {len(changed)} file(s) changed, {len(results) - len(changed)} unchanged.")
    return 0


def _notebooks_to_grade(paths: list[str]) -> tuple[list[Path], list[str]]:
    """The notebooks named or found in folders (learner notebooks only), and a message per bad path."""
    found: list[Path] = []
    problems: list[str] = []
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            if p.suffix == ".ipynb":
                problems.append(f"{arg}: is a folder named like a notebook; pass the notebook files inside it, or "
                                "rename the folder.")
                continue
            inside = sorted(q for q in p.rglob("*.ipynb")
                            if ".ipynb_checkpoints" not in q.parts and not q.name.endswith(".new.ipynb")
                            and not q.stem.endswith("-solution"))  # worked drills are no learner's answers
            if not inside:
                problems.append(f"{arg}: no notebooks (.ipynb) in this folder.")
            found += inside
        elif p.is_file() or p.is_symlink():
            found.append(p)
        else:
            problems.append(f"{arg}: no such file or folder.")
    return found, problems


def cmd_grade(args) -> int:
    """Grade with pytest and caselab's plugin, in a process that takes nothing from the graded folders.

    No conftest.py, pytest.ini/pyproject/tox.ini, plugin or module beside the notebooks is imported:
    ``--noconftest``, an empty ini file of our own, plugin autoload off (only caselab's plugin is
    loaded), Python's safe-path mode (the working folder is not on ``sys.path``), and only ``.ipynb``
    files are passed to pytest (so no ``test_*.py`` of a submission is collected).
    """
    import json
    import math
    import tempfile

    if not (math.isfinite(args.timeout) and args.timeout > 0):
        raise SystemExit(f"caselab grade: --timeout must be a number of seconds above 0; got {args.timeout}.")
    if args.jobs < 1:
        raise SystemExit(f"caselab grade: --jobs must be at least 1; got {args.jobs}.")
    notebooks, problems = _notebooks_to_grade(args.paths)
    for message in problems:
        print(f"caselab grade: {message}", file=sys.stderr)
    if not notebooks:
        print("caselab grade: nothing to grade.", file=sys.stderr)
        return 2
    gradebook = args.gradebook
    if gradebook is None and any(Path(a).is_dir() for a in args.paths):
        gradebook = "gradebook"  # a cohort: ./gradebook.csv and ./gradebook.json
    with tempfile.TemporaryDirectory(prefix="caselab-grade-") as tmp:
        ini = Path(tmp) / "pytest.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
        names: dict[str, str] = {}
        targets = []
        for i, nb in enumerate(notebooks):
            if "::" in str(nb) or str(nb).startswith("-"):  # pytest reads these as node ids / options: use a link
                link = Path(tmp) / f"notebook-{i}.ipynb"
                link.symlink_to(nb.resolve())
                names[str(link)] = str(nb)
                targets.append(str(link))
            else:
                targets.append(str(nb))
        # `-p no:caselab` first: the plugin is also an entry point named "caselab"; loading one module under
        # two names is an error in pytest (and with autoload off the entry point is not loaded anyway).
        cmd = [sys.executable, "-P", "-m", "pytest", "-p", "no:caselab", "-p", "caselab.practice.pytest_plugin",
               "--caselab", "-q", "--no-header", "-p", "no:cacheprovider", "-p", "no:doctest", "--noconftest",
               "-c", str(ini), "--rootdir", os.getcwd(),
               f"--caselab-timeout={args.timeout}", f"--caselab-jobs={args.jobs}"]
        if names:
            names_file = Path(tmp) / "names.json"
            names_file.write_text(json.dumps(names), encoding="utf-8")
            cmd.append(f"--caselab-names={names_file}")
        if args.report:
            cmd.append(f"--caselab-report={args.report}")
        if gradebook:
            cmd.append(f"--caselab-gradebook={gradebook}")
        env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONSAFEPATH": "1"}
        proc = subprocess.Popen([*cmd, "--", *targets], env=env)
        try:
            code = proc.wait()
        except KeyboardInterrupt:  # pytest got the same Ctrl-C: it stops its kernels and prints what it graded
            try:
                proc.wait(timeout=60)
            except (KeyboardInterrupt, subprocess.TimeoutExpired):
                proc.kill()
            print("caselab grade: interrupted — the table above shows what was graded.", file=sys.stderr)
            return 130
    return 2 if problems and code == 0 else code


def cmd_drill(args) -> int:
    from caselab.notebooks import render
    from caselab.scenarios import variants

    s = _load(args.scenario)
    if not s.variants:
        with_variants = [i for i in casebook.scenario_ids() if casebook.load(i).variants]
        raise SystemExit(f"caselab: {s.id} has no [variants] table, so it has no drills. "
                         f"Scenarios with drills: {', '.join(with_variants) or 'none yet'}.")
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(3), "big")
    try:
        givens = variants.draw(s, seed)
    except variants.VariantError as e:
        raise SystemExit(f"caselab: {e}") from None
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    kinds = ("learner", "solution") if args.solution else ("learner",)
    for kind in kinds:
        nb = render.build_notebook(s, kind, givens=givens, variant=seed)
        suffix = "" if kind == "learner" else "-solution"
        path = out / f"{s.id}-drill-{seed}{suffix}.ipynb"
        if path.exists() and render.is_edited(path):
            print(f"kept {path} (you edited it); nothing written")
            continue
        path.write_bytes(render.notebook_bytes(nb))
        print(f"wrote {path}")
    print(f"drill {seed} of {s.id}: fresh numbers, same questions. Grade it with `caselab grade {out}`.")
    return 0


def cmd_mock(args) -> int:
    from caselab.practice.mock import main_mock

    return main_mock(args)


SEED_TITLES = {"000": "TikTok: a threshold for a sentiment classifier", "001": "Pinterest: an ML project end to end",
               "002": "the imbalanced-classification article"}


def _bar(value: float, width: int = 20) -> str:
    full = int(round(max(0.0, min(1.0, value)) * width))
    return "█" * full + "·" * (width - full)


def _journal_or_exit():
    from caselab.practice import journal

    try:
        return journal.load()
    except journal.JournalError as e:
        raise SystemExit(f"caselab: {e}") from None


def cmd_progress(args) -> int:
    from caselab.practice import journal, schedule

    data = _journal_or_exit()
    rows = journal.summary(data)
    cards = data.get("cards", {})
    due = schedule.due_cards(cards)
    known = set(casebook.scenario_ids())
    seen = sorted({k.partition("/")[0] for k in cards} | {r["scenario"] for r in rows})
    scenarios = {sid: casebook.load(sid, check_solver=False) for sid in seen if sid in known}
    by_topic = schedule.retention_by(cards, {sid: s.topics for sid, s in scenarios.items()})
    by_seed = schedule.retention_by(cards, {sid: sorted({p.split("-")[0] for p in s.seed_parts})
                                            for sid, s in scenarios.items()})
    if args.json:
        print(json.dumps({"journal": str(journal.journal_path()), "scenarios": rows,
                          "mocks": data.get("mocks", []), "cards": len(cards), "due": len(due),
                          "due_cards": [{"scenario": d.scenario, "question": d.question,
                                         "retention": round(d.retrievability, 3)} for d in due],
                          "retention_by_topic": {k: round(v[0], 3) for k, v in by_topic.items()},
                          "retention_by_seed_question": {k: round(v[0], 3) for k, v in by_seed.items()}},
                         indent=1))
        return 0
    if not rows:
        print(f"no progress yet (journal: {journal.journal_path()}). Open a notebook (`caselab study`) or "
              "try `caselab mock`.")
        return 0
    import time

    print(f"{'scenario':40} {'passed':>9} {'attempts':>8} {'hints':>5} {'solutions':>9}  last seen")
    for r in rows:
        last = time.strftime("%Y-%m-%d %H:%M", time.localtime(r["last"])) if r["last"] else "—"
        print(f"{r['scenario']:40} {r['passed']:>4}/{r['questions']:<4} {r['attempts']:>8} {r['hints']:>5} "
              f"{r['solutions']:>9}  {last}")
    mocks = data.get("mocks", [])
    if mocks:
        print(f"\n{len(mocks)} mock interview(s); last: {mocks[-1]['scenario']} "
              f"{mocks[-1]['score']}/{mocks[-1]['questions']}")
    print(f"\n{len(cards)} question card(s) reviewed; {len(due)} due now "
          "(estimated retention: the chance you recall the answer today, FSRS)")
    if by_topic:
        print("\nretention by topic")
        for topic, (r, n) in sorted(by_topic.items(), key=lambda kv: kv[1][0]):
            print(f"  {topic:28} {_bar(r)} {r:5.0%}  ({n} card{'s' if n != 1 else ''})")
    if by_seed:
        print("\nretention by seed question")
        for seed, (r, n) in sorted(by_seed.items()):
            title = SEED_TITLES.get(seed, "")
            print(f"  seed {seed:4} {_bar(r)} {r:5.0%}  ({n} card{'s' if n != 1 else ''})  {title}")
    if due:
        print("\n`caselab next` opens what is due.")
    else:
        topics = journal.review_topics(list(scenarios.values()), data)
        if topics:
            print("\nreview next: " + ", ".join(t for t, _ in topics))
            print("(`caselab mock --topic TOPIC` drills one; `caselab list --topic TOPIC` shows the cases)")
    return 0


def cmd_next(args) -> int:
    """What is due for review (spaced repetition), and opening it: a drill, the notebook, or the mock."""
    from caselab.practice import schedule

    data = _journal_or_exit()
    due = schedule.due_cards(data.get("cards", {}))
    known = set(casebook.scenario_ids())
    due = [d for d in due if d.scenario in known]
    if not due:
        cards = data.get("cards", {})
        if not cards:
            print("nothing reviewed yet: open a scenario (`caselab study`) or try `caselab mock`; every check, "
                  "hint and mock answer schedules its question for review.")
            return 0
        from fsrs import Card

        soonest = min(Card.from_dict(c).due for c in cards.values())
        print(f"nothing is due. The next review falls due {soonest:%Y-%m-%d %H:%M} UTC.")
        return 0
    by_scenario: dict[str, list] = {}
    for d in due:
        by_scenario.setdefault(d.scenario, []).append(d)
    print(f"{len(due)} question(s) due in {len(by_scenario)} scenario(s), most forgotten first:")
    for sid, ds in list(by_scenario.items())[:args.limit]:
        qs = ", ".join(d.question for d in ds[:4]) + (", …" if len(ds) > 4 else "")
        print(f"  {sid:40} {len(ds):>2} due  (retention now ~{min(d.retrievability for d in ds):.0%}): {qs}")
    top = next(iter(by_scenario))
    scenario = casebook.load(top)
    if args.mock:
        from caselab.practice.mock import run_mock

        variant = int.from_bytes(os.urandom(3), "big") if scenario.variants else None  # a fresh variant
        run_mock(scenario, variant=variant, colour=False if args.no_color else None)
        return 0
    if scenario.variants:
        seed = int.from_bytes(os.urandom(3), "big")
        print(f"\nnext: {top} with fresh numbers — `caselab drill {top} --seed {seed}`, or "
              f"`caselab next --mock` to answer it in the terminal.")
        if args.open:
            drill_args = argparse.Namespace(scenario=top, seed=seed, out=args.out, solution=False)
            cmd_drill(drill_args)
    else:
        print(f"\nnext: {top} — open notebooks/{top}.ipynb (`caselab study`), or `caselab next --mock`.")
    return 0


def cmd_guide(args) -> int:
    from caselab.notebooks import guide
    from caselab.notebooks.html import AssetsUnavailable

    scenarios = [_load(i) for i in args.scenarios] if args.scenarios else casebook.load_all()
    try:
        index = guide.build_guide(args.out, scenarios, jobs=args.jobs)
    except AssetsUnavailable as e:
        raise SystemExit(f"caselab: {e}") from None
    except RuntimeError as e:
        print(f"caselab: {e}", file=sys.stderr)
        return 1
    print(f"open {index.resolve().as_uri()} in a browser (works offline)")
    return 0


def cmd_study(args) -> int:
    root = Path(args.dir) if args.dir else (casebook.project_dir() or Path.cwd()) / "notebooks"
    if not root.is_dir():
        raise SystemExit(f"caselab: no folder {root}; pass the folder of your notebooks.")
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}"] + args.jupyter_args
    print("starting JupyterLab on", root, "(Ctrl-C to stop)")
    return subprocess.call(cmd)


# --------------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="caselab",
        description="Interview prep for deploying binary classifiers: worked, graded scenarios on thresholds, "
                    "costs, imbalance, calibration, capacity, monitoring and A/B tests.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    from caselab import __version__

    parser.add_argument("--version", action="version", version=f"caselab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", help="list the scenarios (filter by company, topic, difficulty)")
    p.add_argument("--company", help="only this company (substring, any case)")
    p.add_argument("--topic", help="only scenarios with a topic containing this (e.g. threshold, calibration)")
    p.add_argument("--difficulty", choices=["easy", "medium", "hard"])
    p.add_argument("--seed-part", help="only scenarios covering this seed part (e.g. 001-4, or 002)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="print a scenario's story, givens and questions")
    p.add_argument("scenario", metavar="ID|PATH", help="a scenario id (see `caselab list`) or a spec file")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("solve", help="print the worked solution: each answer with its formula and numbers")
    p.add_argument("scenario", metavar="ID|PATH", help="a scenario id or the path of a spec file anywhere on disk")
    p.add_argument("--json", action="store_true", help="print one JSON object {question_id: answer}")
    p.set_defaults(func=cmd_solve)

    p = sub.add_parser("render", help="generate notebooks/ and solutions/ from casebook/")
    p.add_argument("scenarios", nargs="*", metavar="ID", help="only these scenarios (default: all)")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 naming every notebook that is out of date")
    p.add_argument("--root", help="the project folder holding notebooks/ and solutions/ (default: this checkout)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("next", help="what is due for review (spaced repetition), and open it")
    p.add_argument("--mock", action="store_true", help="answer the most forgotten due scenario in a mock interview")
    p.add_argument("--open", action="store_true", help="write a drill of it with fresh numbers (or say which notebook)")
    p.add_argument("--out", default="drills", help="where --open writes the drill (default: ./drills)")
    p.add_argument("--limit", type=int, default=8, help="scenarios to list (default 8)")
    p.add_argument("--no-color", action="store_true", help="plain text in the mock")
    p.set_defaults(func=cmd_next)

    p = sub.add_parser("grade", help="grade notebooks headless: one result per question, and a score")
    p.add_argument("paths", nargs="+", metavar="PATH", help="notebooks, or folders of notebooks")
    p.add_argument("--report", metavar="FILE", help="also write the results as JSON to FILE (never over a notebook)")
    p.add_argument("--gradebook", metavar="PREFIX",
                   help="write PREFIX.csv (a row per notebook) and PREFIX.json (with each question's named mistakes "
                        "counted); default when grading a folder: ./gradebook.csv and ./gradebook.json")
    p.add_argument("--timeout", type=float, default=30, help="seconds a cell may run (default 30)")
    p.add_argument("--jobs", type=int, default=2, help="notebooks graded at once, one kernel each (default 2)")
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("drill", help="a learner notebook of a scenario with fresh numbers (a variant)")
    p.add_argument("scenario", metavar="ID|PATH", help="a scenario with a [variants] table")
    p.add_argument("--seed", type=int, help="variant seed (default: random); the same seed gives the same numbers")
    p.add_argument("--out", default="drills", help="folder to write to (default: ./drills)")
    p.add_argument("--solution", action="store_true", help="also write the worked notebook of the variant")
    p.set_defaults(func=cmd_drill)

    p = sub.add_parser("mock", help="a timed mock interview in the terminal, graded as you go")
    p.add_argument("--company", help="pick among this company's scenarios")
    p.add_argument("--topic", help="pick among scenarios with this topic")
    p.add_argument("--difficulty", choices=["easy", "medium", "hard"])
    p.add_argument("--scenario", metavar="ID", help="this scenario exactly")
    p.add_argument("--minutes", type=float, default=None,
                   help="time limit (default 20, or a capstone's full length: the sum of its parts' targets)")
    p.add_argument("--seed", type=int, help="seed for the pick and the variant (default: random)")
    p.add_argument("--variant", type=int, help="this drill variant (default: a random one)")
    p.add_argument("--original", action="store_true", help="the casebook's own numbers, not a variant")
    p.add_argument("--no-color", action="store_true", help="plain text, no terminal colours")
    p.set_defaults(func=cmd_mock)

    p = sub.add_parser("progress", help="your progress journal: attempts, passes, hints; what to review next")
    p.add_argument("--json", action="store_true", help="print the journal summary as JSON")
    p.set_defaults(func=cmd_progress)

    p = sub.add_parser("guide", help="build the static study-guide site (worked cases, live widgets, cheat sheet)")
    p.add_argument("scenarios", nargs="*", metavar="ID", help="only these scenarios (default: all)")
    p.add_argument("--out", default="site", help="folder to write the site to (default: ./site)")
    p.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    p.set_defaults(func=cmd_guide)

    p = sub.add_parser("study", help="open JupyterLab on the learner notebooks")
    p.add_argument("dir", nargs="?", help="folder to open (default: notebooks/ of this checkout)")
    p.add_argument("jupyter_args", nargs=argparse.REMAINDER, help="further options passed to JupyterLab")
    p.set_defaults(func=cmd_study)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `caselab list | head`
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
