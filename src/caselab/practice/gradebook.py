"""A cohort's gradebook: every learner's notebook in one table, and which mistakes the cohort made.

``caselab grade DIR`` writes it as CSV (one row per notebook: file, scenario, drill seed, score, the count
of each status, then each question's status) and as JSON (the notebooks' full reports, plus, per
scenario and question, how many learners made each named mistake). It is written only where asked and
never over an input.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from pathlib import Path

__all__ = ["mistake_counts", "gradebook_rows", "write_gradebook"]


def mistake_counts(reports) -> dict[str, dict[str, dict[str, int]]]:
    """``{scenario: {question: {mistake: learners}}}`` over the graded notebooks (most common first)."""
    counts: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for r in reports:
        if r.error is not None:
            continue
        for f in r.feedback:
            if getattr(f, "mistake", ""):
                counts[r.scenario][f.question][f.mistake] += 1
    return {s: {q: dict(c.most_common()) for q, c in qs.items()} for s, qs in sorted(counts.items())}


def gradebook_rows(reports) -> tuple[list[str], list[list[str]]]:
    """The CSV's header and rows: one row per notebook, one column per question seen in any of them."""
    from caselab.practice.grading import STATUSES

    questions: list[str] = []
    for r in reports:
        for f in r.feedback:
            if f.question not in questions:
                questions.append(f.question)
    header = ["file", "scenario", "variant", "score", "max_score", *STATUSES, "not_graded", *questions]
    rows = []
    for r in reports:
        counts = r.counts() if r.error is None else dict.fromkeys(STATUSES, 0)
        by_q = {f.question: f.status for f in r.feedback}
        rows.append([r.notebook, r.scenario or "", "" if r.variant is None else str(r.variant),
                     "" if r.error else str(r.score), "" if r.error else str(r.max_score),
                     *(str(counts.get(s, 0)) for s in STATUSES),
                     (r.error or "").splitlines()[0][:300] if r.error else "",
                     *(by_q.get(q, "") for q in questions)])
    return header, rows


def write_gradebook(reports, prefix: str | Path) -> tuple[Path, Path]:
    """Write ``PREFIX.csv`` and ``PREFIX.json``; returns their paths."""
    prefix = Path(prefix)
    csv_path, json_path = prefix.with_name(prefix.name + ".csv"), prefix.with_name(prefix.name + ".json")
    header, rows = gradebook_rows(reports)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    csv_path.write_text(buf.getvalue(), encoding="utf-8")
    data = {"notebooks": [r.to_dict() for r in reports], "mistakes": mistake_counts(reports)}
    json_path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return csv_path, json_path
