"""Benchmark: the rubric coach (caselab.practice.coach) against careful human grading.

    PYTHONPATH=src python benchmarks/bench_coach.py [--no-write] [--show-errors]

The labelled corpus is tests/coach_corpus/*.toml: per open question, answers of six kinds (strong,
partial, weak, off-topic, a bare keyword list, a fluent but wrong answer), each labelled with the rubric
points a careful grader awards. Each file says its split: ``tune`` (the evidence of those questions was
adjusted while looking at the coach's errors on them) or ``heldout`` (evidence written before the
answers, not adjusted after — the honest numbers).

Reported per split and overall:

* point level: precision, recall and F1 of "the coach says covered" against "the grader awards it";
* answer level: pass/fail at the one pass mark (caselab.practice.coach.PASS_MARK) — the grader's label share vs the
  coach's coverage — agreement and Cohen's κ (sklearn.metrics.cohen_kappa_score);
* time per answer (mean and max of the best of three runs, ms) and the slowest first call (cold: the
  question's phrases compiled and its model answer parsed), coach only (the solver's answers are computed
  once per scenario).

Writes the table into benchmarks/README.md under "## Rubric coach" (that section only); ``--no-write``
only prints. Goals (asserted by tests/test_coach.py on the whole corpus): point F1 ≥ 0.8, κ ≥ 0.7, and no
keyword list or fluent-wrong answer reaches the pass mark.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "coach_corpus"
README = ROOT / "benchmarks" / "README.md"
HEADING = "## Rubric coach"
KINDS = ("strong", "partial", "weak", "off-topic", "keywords", "fluent-wrong")
GOALS = {"f1": 0.8, "kappa": 0.7}


@dataclass
class Graded:
    """One labelled answer and the coach's reading of it."""

    file: str
    scenario: str
    question: str
    split: str
    kind: str
    n_points: int
    label: frozenset[int]  # 1-based points the grader awards
    coach: frozenset[int]  # 1-based points the coach finds
    coverage: float
    seconds: float  # best of three runs
    cold: float  # the first run (phrases compiled, model answer parsed)
    text: str
    reasons: dict[int, str]


def load_corpus(folder: Path = CORPUS) -> list[dict]:
    """Every corpus file, parsed and checked (answers of the six kinds, labels within the rubric)."""
    from caselab.scenarios import casebook

    out = []
    known = set(casebook.scenario_ids())
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if data["scenario"] not in known:  # a scenario of another branch, not merged here yet
            print(f"(skipped {path.name}: no scenario {data['scenario']!r} in this casebook)")
            continue
        scenario = casebook.load(data["scenario"])
        question = scenario.question(data["question"])
        assert question.kind == "rubric", f"{path.name}: {question.id} is not an open question"
        assert data["split"] in ("tune", "heldout"), f"{path.name}: split must be tune or heldout"
        kinds = [a["kind"] for a in data["answers"]]
        assert set(KINDS) <= set(kinds), f"{path.name}: needs answers of every kind {KINDS}; has {kinds}"
        for a in data["answers"]:
            assert all(1 <= p <= len(question.points) for p in a["points"]), f"{path.name}: label out of range"
        out.append({"path": path, "data": data, "scenario": scenario, "question": question})
    return out


def grade_corpus(corpus: list[dict]) -> list[Graded]:
    from caselab.practice import coach
    from caselab.scenarios import casebook

    graded = []
    for entry in corpus:
        scenario, question, data = entry["scenario"], entry["question"], entry["data"]
        solution = casebook.solve(scenario)
        for a in data["answers"]:
            times = []
            for _ in range(3):  # the first call of a question also compiles its phrases (cold)
                start = time.perf_counter()
                report = coach.assess(question, a["text"], scenario, solution)
                times.append(time.perf_counter() - start)
            cold, seconds = times[0], min(times)
            graded.append(Graded(entry["path"].name, scenario.id, question.id, data["split"], a["kind"],
                                 len(question.points), frozenset(a["points"]),
                                 frozenset(k for k, p in enumerate(report.points, 1) if p.covered),
                                 report.coverage, seconds, cold, a["text"],
                                 {k: p.reason for k, p in enumerate(report.points, 1) if not p.covered}))
    return graded


def label_passes(g: Graded) -> bool:
    from caselab.practice.coach import PASS_MARK

    return len(g.label) / g.n_points >= PASS_MARK - 1e-12


def coach_passes(g: Graded) -> bool:
    from caselab.practice.coach import PASS_MARK

    return g.coverage >= PASS_MARK - 1e-12


def scores(graded: list[Graded]) -> dict:
    """Point-level precision/recall/F1, pass/fail agreement and κ, time per answer."""
    from sklearn.metrics import cohen_kappa_score

    tp = sum(len(g.label & g.coach) for g in graded)
    fp = sum(len(g.coach - g.label) for g in graded)
    fn = sum(len(g.label - g.coach) for g in graded)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    human = [label_passes(g) for g in graded]
    machine = [coach_passes(g) for g in graded]
    agree = sum(h == m for h, m in zip(human, machine, strict=True)) / len(graded)
    kappa = cohen_kappa_score(human, machine) if len(set(human) | set(machine)) > 1 else 1.0
    ms = [g.seconds * 1000 for g in graded]
    return {"answers": len(graded), "questions": len({(g.scenario, g.question) for g in graded}),
            "points": sum(g.n_points for g in graded), "tp": tp, "fp": fp, "fn": fn,
            "precision": precision, "recall": recall, "f1": f1, "agreement": agree, "kappa": kappa,
            "mean_ms": sum(ms) / len(ms), "max_ms": max(ms), "cold_max_ms": max(g.cold * 1000 for g in graded),
            "bad_passes": [f"{g.file}:{g.kind}" for g in graded
                           if g.kind in ("keywords", "fluent-wrong") and coach_passes(g)]}


def table(graded: list[Graded]) -> list[str]:
    rows = ["| split | questions | answers | point precision | point recall | point F1 | pass/fail agreement "
            "| Cohen's κ | ms / answer (mean, max) | first call, cold (max ms) |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for name, part in (("tune", [g for g in graded if g.split == "tune"]),
                       ("held-out", [g for g in graded if g.split == "heldout"]), ("all", graded)):
        if not part:
            continue
        s = scores(part)
        rows.append(f"| {name} | {s['questions']} | {s['answers']} | {s['precision']:.2f} | {s['recall']:.2f} | "
                    f"{s['f1']:.2f} | {s['agreement']:.0%} | {s['kappa']:.2f} | {s['mean_ms']:.1f}, "
                    f"{s['max_ms']:.1f} | {s['cold_max_ms']:.1f} |")
    return rows


def errors(graded: list[Graded]) -> list[str]:
    out = []
    for g in graded:
        for k in sorted(g.coach - g.label):
            out.append(f"FP {g.file} [{g.kind}] point {k}")
        for k in sorted(g.label - g.coach):
            out.append(f"FN {g.file} [{g.kind}] point {k}: {g.reasons.get(k, '')}")
    return out


def write_readme(lines: list[str]) -> None:
    # (imported here: the tests load this module for its corpus reader, from another working folder)
    from readme_section import write_section  # benchmarks/ is on sys.path when run as a script

    write_section(HEADING, "\n".join(lines).rstrip("\n"), README)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-write", action="store_true", help="print only; leave benchmarks/README.md alone")
    ap.add_argument("--show-errors", action="store_true", help="list every point the coach gets wrong")
    args = ap.parse_args()
    from caselab.practice.coach import PASS_MARK

    graded = grade_corpus(load_corpus())
    rows = table(graded)
    s = scores(graded)
    lines = [
        "Run: `PYTHONPATH=src python benchmarks/bench_coach.py` (corpus: tests/coach_corpus/, labels by a careful "
        "human grader).",
        "",
        f"Point level: the coach's covered/missing per rubric point against the grader's award. Answer level: "
        f"pass when the share of points reaches the pass mark {PASS_MARK:.0%} (caselab.practice.coach.PASS_MARK) — "
        "labels vs the coach's coverage. *Tune*: questions whose evidence was adjusted after reading the "
        "coach's errors on them; *held-out*: evidence written before the answers and not adjusted since.",
        "",
        *rows,
        "",
        f"Goals: point F1 ≥ {GOALS['f1']}, κ ≥ {GOALS['kappa']}; keyword lists and fluent-wrong answers that reach "
        f"the pass mark: {len(s['bad_passes'])} ({', '.join(s['bad_passes']) or 'none'}).",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores shared with other jobs (load average "
        f"{os.getloadavg()[0]:.1f} at the run), Python {platform.python_version()}; times are the coach alone "
        "(solver answers computed once per scenario).",
    ]
    print("\n".join(lines))
    if args.show_errors:
        print("\n".join(errors(graded)))
    if not args.no_write:
        write_readme(lines)


if __name__ == "__main__":
    main()
