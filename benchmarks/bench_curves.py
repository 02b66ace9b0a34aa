"""Time caselab's threshold sweep against np.argsort, scikit-learn and the naive loop.

    PYTHONPATH=src python benchmarks/bench_curves.py                 # n = 1e5, 1e6, 1e7
    PYTHONPATH=src python benchmarks/bench_curves.py --sizes 1e6 --repeats 5

For each n and prevalence, every function runs on the same scores: continuous, mostly distinct
floats (a logistic of a normal, positives shifted up: ROC-AUC ≈ 0.86). Each timing is the best of
``--repeats`` runs after one warm-up run, the functions taking turns (the warm-up also pre-faults memory, which matters on VMs);
``--clock cpu`` times this process's CPU time instead of elapsed time, for a machine shared with others.

Columns after "argsort (s)" are times divided by the time of a bare ``np.argsort`` of the same
scores (the floor for any argsort-based sweep, scikit-learn's included); the last two are ours
divided by scikit-learn's. "`_sweep` core" is the sort-and-count helper on already validated input;
every public function also validates its input (labels, finite scores: ~3 passes over the data).

The naive loop — for every distinct threshold recompute all predictions, O(n·u) — runs only at the
``--naive-sizes`` (default 1e3 and 1e4); it is compared with ``min_cost_threshold``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import sklearn
from sklearn import metrics as skm

from caselab.maths import curves


def make_scores(n: int, prevalence: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = (rng.random(n) < prevalence).astype(np.int64)  # int64 labels, as most pipelines produce them
    scores = 1 / (1 + np.exp(-(rng.normal(size=n) - 2.0 + 1.5 * y)))  # mostly distinct floats in (0, 1)
    return y, scores


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = time.perf_counter


def best_time(function, repeats: int) -> float:
    return best_times({"f": function}, repeats)["f"]


def best_times(functions: dict, repeats: int) -> dict:
    """Best-of-``repeats`` time of each function, after one warm-up run of each.

    The functions take turns (round robin), so a burst of load from other processes on a shared
    machine hits them all alike instead of spoiling one function's every run.
    """
    for function in functions.values():
        function()  # warm-up
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(repeats):
        for name, function in functions.items():
            start = clock()
            function()
            best[name] = min(best[name], clock() - start)
    return best


def time_functions(y: np.ndarray, scores: np.ndarray, repeats: int) -> dict:
    y8 = y.astype(np.int8)  # what the validation hands to the core sweep
    return best_times({
        "argsort": lambda: np.argsort(scores),
        "sort": lambda: np.sort(scores),
        "core": lambda: curves._sweep(y8, scores),
        "sweep": lambda: curves.confusion_matrix_at_thresholds(y, scores),
        "min_cost": lambda: curves.min_cost_threshold(y, scores, 1.0, 5.0),
        "pr": lambda: curves.precision_recall_curve(y, scores),
        "ap": lambda: curves.average_precision(y, scores),
        "sk_pr": lambda: skm.precision_recall_curve(y, scores),
        "sk_ap": lambda: skm.average_precision_score(y, scores),
    }, repeats)


def time_naive(y: np.ndarray, scores: np.ndarray, repeats: int) -> tuple[float, float, bool]:
    naive = best_time(lambda: naive_min_cost_threshold(y, scores, 1.0, 5.0), max(1, repeats // 3))
    ours = best_time(lambda: curves.min_cost_threshold(y, scores, 1.0, 5.0), repeats)
    same = naive_min_cost_threshold(y, scores, 1.0, 5.0) == tuple(curves.min_cost_threshold(y, scores, 1.0, 5.0))
    return naive, ours, same


def naive_min_cost_threshold(y, scores, cost_fp, cost_fn):
    """The loop-over-thresholds version: O(n) work for each of the u distinct scores."""
    best_threshold, best_cost = np.inf, cost_fn * y.sum()  # flag nothing
    positive = y == 1
    for t in np.unique(scores)[::-1]:
        flagged = scores >= t
        fp = np.count_nonzero(flagged & ~positive)
        fn = np.count_nonzero(~flagged & positive)
        cost = cost_fp * fp + cost_fn * fn
        if cost < best_cost:
            best_threshold, best_cost = t, cost
    return best_threshold, best_cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=float, nargs="+", default=[1e5, 1e6, 1e7])
    parser.add_argument("--prevalences", type=float, nargs="+", default=[0.001, 0.05, 0.5])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--naive-sizes", type=float, nargs="*", default=[1e3, 1e4])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--clock", choices=CLOCKS, default="wall",
                        help="wall: elapsed time; cpu: this process's CPU time (steadier on a busy machine)")
    args = parser.parse_args()
    global clock
    clock = CLOCKS[args.clock]
    rng = np.random.default_rng(args.seed)

    print(f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, Python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} cores, {args.clock} clock, best of {args.repeats} after a warm-up")
    print()
    print("| n | prevalence | argsort (s) | np.sort | `_sweep` core | confusion_matrix_at_thresholds "
          "| min_cost_threshold | precision_recall_curve | average_precision | sklearn PR curve | sklearn AP "
          "| PR curve: ours / sklearn | AP: ours / sklearn |")
    print("|" + "---|" * 13)
    for size in args.sizes:
        n = int(size)
        for prevalence in args.prevalences:
            y, scores = make_scores(n, prevalence, rng)
            t = time_functions(y, scores, args.repeats)
            a = t["argsort"]
            print(f"| {n:.0e} | {prevalence:.1%} | {a:.3g} | {t['sort'] / a:.2f} | {t['core'] / a:.2f} | {t['sweep'] / a:.2f} "
                  f"| {t['min_cost'] / a:.2f} | {t['pr'] / a:.2f} | {t['ap'] / a:.2f} | {t['sk_pr'] / a:.2f} "
                  f"| {t['sk_ap'] / a:.2f} | {t['pr'] / t['sk_pr']:.2f} | {t['ap'] / t['sk_ap']:.2f} |", flush=True)

    if args.naive_sizes:
        print()
        print("| n | distinct scores | naive loop (s) | min_cost_threshold (s) | naive / ours | same answer |")
        print("|---|---|---|---|---|---|")
        for size in args.naive_sizes:
            n = int(size)
            y, scores = make_scores(n, 0.05, rng)
            naive, ours, same = time_naive(y, scores, args.repeats)
            print(f"| {n:.0e} | {np.unique(scores).size:,} | {naive:.4f} | {ours:.5f} | {naive / ours:,.0f}x | {same} |",
                  flush=True)


if __name__ == "__main__":
    main()
