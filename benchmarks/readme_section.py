"""Write a benchmark's result table into benchmarks/README.md, under its own heading, leaving the rest."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def write_section(heading: str, body: str, readme: Path = README) -> None:
    """Put ``body`` under ``heading`` (a ``## `` line), replacing only what a run writes: up to the next ``## ``
    heading or the first ``### `` one (hand-written notes on the numbers, kept)."""
    section = f"{heading}\n\n{body}\n"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == heading), None)
    if start is None:
        readme.write_text((text.rstrip("\n") + "\n\n" if text else "") + section, encoding="utf-8")
        return
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(("## ", "### "))), len(lines))
    tail = "".join(lines[end:])
    readme.write_text("".join(lines[:start]) + section + ("\n" + tail if tail else ""), encoding="utf-8")
