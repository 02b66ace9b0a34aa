"""Benchmark: where a learner waits — `caselab guide` (cold, warm, one spec changed) and `caselab render --check`.

    python benchmarks/bench_guide.py [--baseline-src DIR] [--jobs 2] [--no-write]

Each measurement runs the real command in a subprocess (``python -m caselab.cli …``) with this checkout's
``src`` first on PYTHONPATH, a private ``CASELAB_HOME`` and ``CASELAB_CACHE`` (empty at the start), and
reports its wall time and CPU time (the command and the kernels it starts, user + sys):

1. ``caselab guide --out SITE`` on a copy of the casebook (``CASELAB_CASEBOOK``): cold (empty SITE), warm
   (again, nothing changed), and after appending a comment line to one spec (a new fingerprint for that
   case only). The progress lines say how many cases were executed.
2. ``caselab render --check``: cold (no records in the cache folder) and warm (the records of run 1).

``--baseline-src DIR`` also times the same commands with an older ``src`` folder (e.g. ``git archive REV
src | tar -x -C DIR``) for a before/after on the same machine at the same time; the old guide needs its
npm-fetched files already in its cache. Writes the table into benchmarks/README.md under "## Study
guide and render --check" (only that section is replaced); ``--no-write`` only prints.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from readme_section import write_section  # benchmarks/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "benchmarks" / "README.md"
HEADING = "## Study guide and render --check"
EDITED = "tiktok-threshold-capacity"  # the spec edited for the one-spec-changed build


def run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """(wall s, CPU s of the command and its children, stdout) of ``python -m caselab.cli ARGS``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "caselab.cli", *args], env=env, cwd=cwd, capture_output=True,
                          text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"`caselab {' '.join(args)}` failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return wall, cpu, proc.stdout


def executed(stdout: str) -> str:
    found = re.search(r"(\d+) up to date, (\d+) to execute", stdout)
    if found:
        return f"{found.group(2)} executed, {found.group(1)} reused"
    done = re.findall(r"^ +\[ *\d+/\d+\] .* ok ", stdout, re.M)
    return f"{len(done)} executed"


def measure(src: Path, label: str, jobs: int, work: Path) -> list[tuple[str, float, float, str]]:
    casebook = work / f"casebook-{label}"
    shutil.copytree(ROOT / "casebook", casebook)
    cache = work / f"cache-{label}"
    env = {**os.environ, "PYTHONPATH": str(src), "CASELAB_HOME": str(work / f"home-{label}"),
           "CASELAB_CACHE": str(cache), "CASELAB_CASEBOOK": str(casebook)}
    site = work / f"site-{label}"
    rows = []
    if label == "before":  # the old guide fetched the widget manager with npm on first use: not timed here
        subprocess.run([sys.executable, "-c", "from caselab.notebooks import html; html.widget_assets()"], env=env, check=True)
    guide = ["guide", "--out", str(site), "--jobs", str(jobs)]
    wall, cpu, out = run(guide, env, work)
    rows.append((f"`caselab guide`, cold ({label})", wall, cpu, executed(out)))
    print(rows[-1], flush=True)
    wall, cpu, out = run(guide, env, work)
    rows.append((f"`caselab guide`, again, nothing changed ({label})", wall, cpu, executed(out)))
    print(rows[-1], flush=True)
    spec = casebook / f"{EDITED}.toml"
    spec.write_text(spec.read_text(encoding="utf-8") + "\n# benchmark edit\n", encoding="utf-8")
    wall, cpu, out = run(guide, env, work)
    rows.append((f"`caselab guide`, one spec changed ({label})", wall, cpu, executed(out)))
    print(rows[-1], flush=True)

    check_env = {**env, "CASELAB_CASEBOOK": str(ROOT / "casebook")}  # the real one, against the committed notebooks
    shutil.rmtree(cache, ignore_errors=True)
    for name in ("cold", "warm"):
        wall, cpu, out = run(["render", "--check", "--root", str(ROOT)], check_env, ROOT)
        rows.append((f"`caselab render --check`, {name} ({label})", wall, cpu, out.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-src", type=Path, help="an older src/ folder to time the same way")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-write", action="store_true", help="print only; leave benchmarks/README.md alone")
    args = parser.parse_args(argv)

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-guide-") as tmp:
        rows = measure(ROOT / "src", "now", args.jobs, Path(tmp))
        if args.baseline_src:
            rows += measure(args.baseline_src.resolve(), "before", args.jobs, Path(tmp))
    load_after = os.getloadavg()

    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} UTC on this machine ({os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after — "
        "the machine is shared, and other work inflates wall times; CPU time is steadier).",
        "",
        f"`python benchmarks/bench_guide.py{' --baseline-src DIR' if args.baseline_src else ''}` "
        f"(all {len(list((ROOT / 'casebook').glob('*.toml')))} scenarios, `--jobs {args.jobs}`):",
        "",
        "| command | wall | CPU (incl. kernels) | what ran |",
        "|---|---:|---:|---|",
    ]
    lines += [f"| {what} | {wall:.1f} s | {cpu:.1f} s | {note} |" for what, wall, cpu, note in rows]
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        write_section(HEADING, table, README)
        print(f"\n(written to {README.relative_to(ROOT)} under '{HEADING}')")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
