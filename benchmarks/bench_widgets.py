"""How long does a slider step take? 200 steps per explorer, in a real Jupyter kernel.

The client plays the browser: it sends each step as the widget protocol's ``update`` comm message
(``{"method": "update", "state": {"index": i}}``) to the slider's comm, exactly as JupyterLab does
when a slider moves, and waits until the kernel has handled it (its ``idle`` status for that
message). Reported per explorer:

* ``kernel``: the explorer's own update (lookup + readout HTML + SVG markers), timed in the kernel;
* ``round trip``: message sent → kernel idle, which includes ipykernel's comm handling and the
  outgoing widget messages (the readouts and the marker layer).

For comparison it also times the redraw a naive explorer would do per step: updating the artists
in place and re-rendering the same 3-panel figure to PNG (Agg).

    python benchmarks/bench_widgets.py [--steps 200] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from jupyter_client.manager import start_new_kernel

SETUP = r"""
import json, time, io
import numpy as np
import caselab
from caselab.scenarios.data import sentiment_scores
from caselab.maths import metrics
y_val, p_val = sentiment_scores(n=20_000, prevalence=0.05, separation=2.5, seed=7)
EX = {
  "threshold": caselab.widgets.threshold_explorer(y_val, p_val, cost_fp=2, cost_fn=30, capacity=1_000,
                                                  daily_volume=200_000),
  "cost": caselab.widgets.cost_explorer(2, 30, y_true=y_val, y_score=p_val),
  "capacity": caselab.widgets.capacity_explorer(y_val, p_val, items_per_day=200_000, reviews_per_day=1_000),
  "calibration": caselab.widgets.calibration_explorer(0.001, beta=0.001 / 0.999),
  "prevalence": caselab.widgets.prevalence_explorer(2.5, prevalence=0.05),
}
for e in EX.values():
    e.update_times.clear()
print(json.dumps({k: {"comm": e.controls[0].comm.comm_id, "n": len(e.controls[0].options),
                      "index": e.controls[0].index} for k, e in EX.items()}))
"""

NAIVE = r"""
from matplotlib.figure import Figure
from matplotlib.backends.backend_agg import FigureCanvasAgg
sw = EX["threshold"].sweep
fig = Figure(figsize=(8.6, 2.75), dpi=90); FigureCanvasAgg(fig)
axs = [fig.add_subplot(1, 3, i + 1) for i in range(3)]
P, N = sw.tps[-1], sw.fps[-1]
axs[0].plot(sw.tps / P, sw.tps / np.maximum(sw.tps + sw.fps, 1)); axs[1].plot(sw.fps / N, sw.tps / P)
axs[2].plot(sw.thresholds, 2 * sw.fps + 30 * sw.fns)
m0, = axs[0].plot([0], [0], "o"); m1, = axs[1].plot([0], [0], "o"); v = axs[2].axvline(0)
times = []
for t in np.linspace(0.02, 0.98, 40):
    t0 = time.perf_counter()
    cm = EX["threshold"]._confusion(t)
    m0.set_data([cm.recall], [cm.precision]); m1.set_data([cm.fpr], [cm.recall]); v.set_xdata([t, t])
    buf = io.BytesIO(); fig.savefig(buf, format="png")
    times.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"naive_redraw_ms": float(np.median(times))}))
"""


def _run(kc, code: str, timeout: float = 300) -> str:
    msg_id = kc.execute(code)
    out = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            raise RuntimeError("\n".join(msg["content"]["traceback"]))
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(out)


def _step(kc, comm_id: str, index: int) -> float:
    """Send one slider update as the frontend would; return the seconds until the kernel is idle."""
    session = kc.session
    content = {"comm_id": comm_id, "data": {"method": "update", "state": {"index": index}, "buffer_paths": []}}
    msg = session.msg("comm_msg", content)
    t0 = time.perf_counter()
    kc.shell_channel.send(msg)
    msg_id = msg["header"]["msg_id"]
    while True:
        m = kc.get_iopub_msg(timeout=30)
        if (m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status"
                and m["content"]["execution_state"] == "idle"):
            return time.perf_counter() - t0


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        t0 = time.perf_counter()
        info = json.loads(_run(kc, SETUP).strip().splitlines()[-1])
        build_s = time.perf_counter() - t0
        results = {}
        for name, meta in info.items():
            n, i = meta["n"], meta["index"]
            trips = []
            direction = 1
            for _ in range(args.steps):  # walk the slider back and forth, one position a step
                if not 0 <= i + direction < n:
                    direction = -direction
                i += direction
                trips.append(_step(kc, meta["comm"], i) * 1000)
            kernel = json.loads(_run(kc, f"print(json.dumps(EX[{name!r}].update_times))").strip())
            results[name] = {"steps": len(trips), "round_trip_median_ms": statistics.median(trips),
                             "round_trip_p95_ms": sorted(trips)[int(0.95 * len(trips)) - 1],
                             "kernel_median_ms": statistics.median(kernel), "kernel_updates": len(kernel)}
        naive = json.loads(_run(kc, NAIVE).strip().splitlines()[-1])
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    report = {"build_all_explorers_s": round(build_s, 2), "explorers": results, **naive,
              "python": sys.version.split()[0]}
    print(f"{'explorer':12} {'steps':>5} {'kernel median':>14} {'round-trip median':>18} {'round-trip p95':>15}")
    for name, r in results.items():
        print(f"{name:12} {r['steps']:5d} {r['kernel_median_ms']:11.2f} ms {r['round_trip_median_ms']:15.2f} ms "
              f"{r['round_trip_p95_ms']:12.2f} ms")
    print(f"naive in-place redraw + PNG of the threshold figure: {naive['naive_redraw_ms']:.1f} ms a step")
    print(f"building all five explorers: {build_s:.1f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    return report


if __name__ == "__main__":
    main()
