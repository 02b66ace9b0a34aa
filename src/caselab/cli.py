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

from caselab import casebook
from caselab.spec import Scenario, SpecError, fill

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


def _load(ref: str, *, check_solver: bool = True) -> Scenario:
    try:
        return casebook.load(ref, check_solver=check_solver)
    except casebook.UnknownScenario as e:
        raise SystemExit(f"caselab: {e}") from None
    except SpecError as e:
        raise SystemExit(f"caselab: {e}") from None


def _spec_path(ref: str) -> Path:
    """The spec file of a scenario id or path (a clear exit if there is none)."""
    path = Path(ref) if casebook._is_path(ref) else casebook.casebook_dir() / f"{ref}.toml"
    if not path.is_file():
        _load(ref)  # exits naming close matches
    return path


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
    from caselab.render import _flatten
    from caselab.solvers import get

    for name, value, doc in _flatten(s.givens, get(s.solver).GIVENS):
        print(f"  {name:28} {value!s:>12}   {doc}")
    print("\nQuestions:")
    for i, q in enumerate(s.questions, 1):
        extra = f"  (options: {', '.join(q.options)})" if q.options else ""
        print(f"  Q{i}. [{q.id}] ({q.kind})")
        print(_wrap(fill(q.prompt, s.givens) + extra, indent="      "))
    return 0


def cmd_solve(args) -> int:
    s = _load(args.scenario)
    try:
        solution = casebook.solve(s)
    except ValueError as e:
        raise SystemExit(f"caselab: cannot solve {s.id}: {e}") from None
    if args.json:
        out = {}
        for q in s.questions:
            if q.kind == "rubric":
                out[q.id] = {"model_answer": fill(q.model_answer, s.givens).strip(), "points": list(q.points)}
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
            print("    model answer:")
            print(_wrap(fill(q.model_answer, s.givens), indent="      "))
            print("    rubric points:")
            for p in q.points:
                print(_wrap(p, indent="      - ").replace("      - ", "      - ", 1))
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
    from caselab._fastimport import skip_iri_grammar

    skip_iri_grammar()  # nbformat's import is ~1 s faster; the notebooks' bytes are the same
    from caselab import render

    root = _project_root(args)
    specs = [_spec_path(ref) for ref in (args.scenarios or casebook.scenario_ids())]
    total = len(specs)

    def progress(i, sid):
        if not args.quiet and sys.stderr.isatty():
            print(f"\r  [{i}/{total}] {sid:50}", end="" if i < total else "\n", file=sys.stderr)

    # Specs whose fingerprint is known are not even loaded (render_specs compares hashes).
    results = render.render_specs(specs, root, check=args.check, progress=progress, orphans=not args.scenarios,
                                  load=_load)
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


def cmd_grade(args) -> int:
    # `-p no:caselab` first: the plugin is also an entry point named "caselab", and loading one module
    # under two names is an error in pytest; this way it loads once, even with plugin autoload disabled.
    cmd = [sys.executable, "-m", "pytest", "-p", "no:caselab", "-p", "caselab.pytest_plugin", "--caselab", "-q",
           "--no-header", "-p", "no:cacheprovider", "--rootdir", os.getcwd(),
           f"--caselab-timeout={args.timeout}", f"--caselab-jobs={args.jobs}"]
    if args.report:
        cmd.append(f"--caselab-report={args.report}")
    cmd += [str(p) for p in args.paths]
    proc = subprocess.Popen(cmd)
    try:
        return proc.wait()
    except KeyboardInterrupt:  # pytest got the same Ctrl-C: let it stop its kernels and print what it graded
        try:
            return proc.wait(timeout=60)
        except (KeyboardInterrupt, subprocess.TimeoutExpired):
            proc.kill()
            return 130


def cmd_drill(args) -> int:
    from caselab import render, variants

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
    from caselab.mock import main_mock

    return main_mock(args)


def cmd_progress(args) -> int:
    from caselab import journal

    data = journal.load()
    rows = journal.summary(data)
    if args.json:
        print(json.dumps({"journal": str(journal.journal_path()), "scenarios": rows,
                          "mocks": data.get("mocks", [])}, indent=1))
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
    known = set(casebook.scenario_ids())
    scenarios = [casebook.load(r["scenario"], check_solver=False) for r in rows if r["scenario"] in known]
    topics = journal.review_topics(scenarios, data)
    if topics:
        print("\nreview next: " + ", ".join(t for t, _ in topics))
        print("(`caselab mock --topic TOPIC` drills one; `caselab list --topic TOPIC` shows the cases)")
    return 0


def cmd_guide(args) -> int:
    from caselab._fastimport import skip_iri_grammar

    skip_iri_grammar()  # nbformat/nbconvert import ~1 s faster
    from caselab import guide
    from caselab.html import AssetsUnavailable

    # Structure only: the solver check (which solves) is done by build_guide for the cases it executes.
    scenarios = ([_load(i, check_solver=False) for i in args.scenarios] if args.scenarios
                 else casebook.load_all(check_solver=False))
    try:
        index = guide.build_guide(args.out, scenarios, jobs=args.jobs, force=args.force)
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

    p = sub.add_parser("grade", help="grade notebooks headless: one result per question, and a score")
    p.add_argument("paths", nargs="+", metavar="PATH", help="notebooks, or folders of notebooks")
    p.add_argument("--report", metavar="FILE", help="also write the results as JSON to FILE")
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
    p.add_argument("--minutes", type=float, default=20, help="time limit (default 20)")
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
    p.add_argument("--jobs", type=int, default=2, help="kernels executing notebooks at once (default 2)")
    p.add_argument("--force", action="store_true",
                   help="execute every case again (default: only cases whose spec or code changed)")
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
