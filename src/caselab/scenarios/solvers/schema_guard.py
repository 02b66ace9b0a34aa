"""A unit change upstream (dollars → cents): what PSI, a schema check and a retraining rule each say.

Seed 001, part 5 (retraining rule, schema guard). An upstream service starts sending ``amount`` in cents.
Nothing crashes: the model happily scores 100× larger amounts. Three detectors look at it:

* **PSI on the baseline's deciles** (:func:`caselab.monitoring.psi_from_samples`): nearly every row lands
  in the top bin, the other bins empty out, and the index is several units — "major" by any convention.
* **A schema contract** (:func:`caselab.monitoring.check_schema`): types, ranges, null and unknown-category
  rates, column presence. A range check catches only the rows pushed past the maximum — most cents values
  of small purchases stay inside the range — so the guard acts on the *batch*: one violation blocks it.
  A contract whose range is loose enough for every cents value passes the batch: then only the PSI alert
  (and a distribution check, had the contract one) says anything — drill variants draw such contracts.
* **The retraining rule** fires on matured outcome metrics that stay degraded (here: PR-AUC more than
  ``max_drop`` below the baseline for ``consecutive_windows`` windows). Input drift caused by a broken
  pipeline is fixed upstream; retraining on the corrupted batch would teach the model the bug.
"""

from __future__ import annotations

import numpy as np

from caselab.maths.monitoring import ColumnSpec, check_schema, psi_from_samples, psi_level
from caselab.scenarios.data import card_transactions
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

_COLUMN = Given("one column's contract", kind="table", fields={
    "dtype": Given("numeric or categorical", kind="text", choices=("numeric", "categorical")),
    "min_value": Given("smallest allowed value (numeric)", required=False),
    "max_value": Given("largest allowed value (numeric)", required=False),
    "max_null_rate": Given("largest allowed share of missing values", kind="rate", required=False),
    "categories": Given("known vocabulary (categorical)", kind="list", each=Given("category", kind="text"),
                        required=False),
    "max_unknown_rate": Given("largest allowed share of unknown categories", kind="rate", required=False),
})

GIVENS = {
    "n_baseline": Given("transactions in the training-time (baseline) sample", kind="integer", lo=100),
    "n_current": Given("transactions in today's batch", kind="integer", lo=100),
    "seed_baseline": Given("seed of the baseline sample", kind="integer", lo=0),
    "seed_current": Given("seed of today's batch", kind="integer", lo=0),
    "median_amount": Given("median purchase in dollars", lo=0, lo_open=True, unit="$"),
    "amount_sigma": Given("log-scale spread of amounts", lo=0, lo_open=True),
    "unit_factor": Given("what the upstream change multiplies amount by (cents per dollar)", lo=0, lo_open=True),
    "n_bins": Given("quantile bins of the baseline for the PSI", kind="integer", lo=2),
    "eps": Given("empty-bin rule of the PSI", kind="rate", lo_open=True, hi=0.01),
    "schema": Given("the scoring input's contract, one entry per column", kind="mapping", each=_COLUMN,
                    min_items=1),
    "baseline_pr_auc": Given("matured PR-AUC at launch", kind="rate"),
    "weekly_matured_pr_auc": Given("matured PR-AUC of the latest weekly cohorts, oldest first", kind="list",
                                   each=Given("PR-AUC", kind="rate"), min_items=1),
    "max_drop": Given("retrain when PR-AUC is more than this below the baseline …", kind="rate"),
    "consecutive_windows": Given("… for this many consecutive windows", kind="integer", lo=1),
}

ANSWERS = {"psi_amount", "top_bin_share", "mean_ratio", "share_out_of_range", "n_violations", "batch_action",
           "retrain"}

# the tolerances the spec grades with: a mistake inside one is not offered (keep_distinct_mistakes)
TOLERANCE = {"psi_amount": Tolerance(rel=0.01), "top_bin_share": Tolerance(abs=0.001),
             "mean_ratio": Tolerance(rel=0.005), "share_out_of_range": Tolerance(abs=0.001),
             "n_violations": DEFAULT_TOLERANCE["count"]}

BATCH_ACTIONS = ["score the batch as usual", "score it and alert on the drift",
                 "block the batch and fail over to a scorer that does not use the broken field",
                 "retrain on the new batch so the model adapts"]


def batches(g: dict) -> tuple[dict, dict]:
    """The baseline sample and today's batch, with the unit change applied to today's amounts."""
    kw = {"median_amount": g["median_amount"], "amount_sigma": g["amount_sigma"]}
    baseline = card_transactions(n=g["n_baseline"], seed=g["seed_baseline"], **kw)
    current = card_transactions(n=g["n_current"], seed=g["seed_current"], **kw)
    current["amount"] = current["amount"] * g["unit_factor"]
    return baseline, current


def column_specs(schema: dict) -> list[ColumnSpec]:
    return [ColumnSpec(name, **spec) for name, spec in schema.items()]


def retrain_rule(history, baseline, max_drop, consecutive) -> bool:
    """True when each of the last ``consecutive`` windows is more than ``max_drop`` below ``baseline``."""
    recent = list(history)[-int(consecutive):]
    return len(recent) == int(consecutive) and all(baseline - v > max_drop for v in recent)


def solve(givens: dict) -> Solution:
    g = givens
    baseline, current = batches(g)
    a: dict[str, Answer] = {}

    res = psi_from_samples(baseline["amount"], current["amount"], n_bins=g["n_bins"], eps=g["eps"])
    same_units = psi_from_samples(baseline["amount"], current["amount"] / g["unit_factor"], n_bins=g["n_bins"],
                                  eps=g["eps"])
    a["psi_amount"] = Answer(
        res.psi, formula="PSI on the baseline's deciles: Σ (a_i − e_i)·ln(a_i/e_i), shares below ε set to ε",
        work=f"current shares per decile [{', '.join(f'{x:.4f}' for x in res.actual)}] → PSI = {res.psi:.3f} "
             f"({psi_level(res.psi)}); the same batch in dollars would give {same_units.psi:.4f}",
        code="psi_res = caselab.monitoring.psi_from_samples(baseline['amount'], current['amount'], "
             "n_bins=n_bins, eps=eps)\npsi_amount = psi_res.psi",
        mistakes={"the PSI of the batch in the right units (the unit change undone)": same_units.psi})
    top = float(res.actual[-1])
    a["top_bin_share"] = Answer(
        top, formula="share of today's rows above the baseline's 90th percentile (the top decile)",
        work=f"baseline 90th percentile ${res.edges[-2]:,.2f}; {top:.2%} of today's rows lie above it (expected 10%)",
        code="top_bin_share = psi_res.actual[-1]",
        mistakes={"the baseline's share of the top bin": float(res.expected[-1])})
    ratio = float(np.mean(current["amount"]) / np.mean(baseline["amount"]))
    a["mean_ratio"] = Answer(
        ratio, formula="mean(amount today) / mean(amount at baseline)",
        work=f"{np.mean(current['amount']):,.2f} / {np.mean(baseline['amount']):,.2f} = {ratio:.2f} "
             f"(the unit factor {g['unit_factor']:g}, up to sampling noise between the two samples)",
        code="mean_ratio = current['amount'].mean() / baseline['amount'].mean()",
        mistakes={"the unit factor itself — compute it from the two samples": float(g["unit_factor"])})

    specs = column_specs(g["schema"])
    violations = check_schema(current, specs)
    amount_spec = g["schema"].get("amount", {})
    hi = amount_spec.get("max_value", np.inf)
    lo = amount_spec.get("min_value", -np.inf)
    outside = float(np.mean((current["amount"] > hi) | (current["amount"] < lo)))
    a["share_out_of_range"] = Answer(
        outside, formula="share of today's rows whose amount lies outside [min_value, max_value]",
        work=f"{outside:.2%} of rows exceed {hi:,g} — the other {1 - outside:.1%} are cents values that still "
             f"look like plausible dollar amounts, so a row-level filter would let {1 - outside:.1%} of the "
             "corrupted batch through",
        code="amount_max = schema['amount']['max_value']\namount_min = schema['amount']['min_value']\n"
             "share_out_of_range = np.mean((current['amount'] > amount_max) | (current['amount'] < amount_min))",
        mistakes={"the share inside the range": 1 - outside})
    a["n_violations"] = Answer(
        float(len(violations)), formula="number of Violation records check_schema returns (one per column and kind)",
        work="; ".join(f"{v.column}: {v.kind} — {v.detail}" for v in violations) or "none",
        code="specs = [caselab.monitoring.ColumnSpec(name, **spec) for name, spec in schema.items()]\n"
             "violations = caselab.monitoring.check_schema(current, specs)\n"
             "for v in violations:\n    print(v)\n"
             "n_violations = len(violations)",
        mistakes={"the number of offending rows instead of violation records":
                  float(round(outside * len(current["amount"])))})

    blocked = len(violations) > 0
    action = BATCH_ACTIONS[2] if blocked else (BATCH_ACTIONS[1] if psi_level(res.psi) != "stable" else BATCH_ACTIONS[0])
    a["batch_action"] = Answer(
        action, formula="any schema violation → block the batch and fail over; drift without violations → score "
                        "and alert; otherwise score",
        work=f"{len(violations)} violation(s), PSI {res.psi:.2f} → {action}",
        code=f"batch_action = {BATCH_ACTIONS[2]!r} if n_violations > 0 else (\n"
             f"    {BATCH_ACTIONS[1]!r} if caselab.monitoring.psi_level(psi_amount) != 'stable' else {BATCH_ACTIONS[0]!r})",
        depends_on=("n_violations", "psi_amount"),
        recompute=lambda v: BATCH_ACTIONS[2] if v["n_violations"] > 0 else (
            BATCH_ACTIONS[1] if psi_level(max(v["psi_amount"], 0.0)) != "stable" else BATCH_ACTIONS[0]),
        mistakes={"retraining on a corrupted batch teaches the model the bug (and its labels are not in yet)":
                  BATCH_ACTIONS[3]})

    hist = g["weekly_matured_pr_auc"]
    k, drop = g["consecutive_windows"], g["max_drop"]
    fire = retrain_rule(hist, g["baseline_pr_auc"], drop, k)
    drops = [g["baseline_pr_auc"] - v for v in hist]
    a["retrain"] = Answer(
        "retrain" if fire else "do not retrain",
        formula=f"retrain when each of the last {k} matured windows is more than {drop:g} below the baseline PR-AUC",
        work=f"drops {[round(d, 3) for d in drops]} vs {drop:g}: the last {k} "
             f"{'all exceed' if fire else 'do not all exceed'} it → {'retrain' if fire else 'do not retrain'} "
             "(the PSI spike is not an input to this rule)",
        code="recent = weekly_matured_pr_auc[-consecutive_windows:]\n"
             "retrain = 'retrain' if all(baseline_pr_auc - v > max_drop for v in recent) else 'do not retrain'",
        mistakes={"a single window below the bar is not persistent degradation": "retrain"} if not fire else
                 {"the PSI spike is not the reason: the matured cohorts, which predate the incident, are each "
                  "below the bar": "do not retrain"})

    data_code = ("from caselab.scenarios.data import card_transactions\n"
                 "kw = dict(median_amount=median_amount, amount_sigma=amount_sigma)\n"
                 "baseline = card_transactions(n=n_baseline, seed=seed_baseline, **kw)\n"
                 "current = card_transactions(n=n_current, seed=seed_current, **kw)\n"
                 "current['amount'] = current['amount'] * unit_factor  # the upstream change: dollars → cents\n"
                 "print(f\"median amount: baseline {np.median(baseline['amount']):,.2f}, "
                 "today {np.median(current['amount']):,.2f}\")")
    n_out = int(round(outside * len(current["amount"])))
    if n_out:
        range_finding = (f"Only the larger purchases break the range ({outside:.1%} of the rows, those above "
                         f"${hi / g['unit_factor']:,.2f} before the change)")
    else:
        range_finding = (f"No row breaks the range: a purchase would have to exceed ${hi / g['unit_factor']:,.2f} "
                         f"to arrive above {hi:,g}, and none in today's batch does")
    if blocked:
        verdict = (f"The contract finds {len(violations)} violation(s) in today's batch, so it blocks the batch "
                   "(one violation is enough: the guard acts on the batch, not the rows).")
    else:
        verdict = (f"This contract finds no violation — its range (up to {hi:,g}) is loose enough for every cents "
                   f"value today — so by the contract the batch is scored and the PSI alert ({res.psi:.1f}, "
                   f"{psi_level(res.psi)}) goes to a person: a contract that misses a unit change needs a "
                   f"distribution check (a mean ratio of {ratio:.0f} to the baseline) that would block the batch.")
    recent = drops[-k:]
    shown = ", ".join(f"{d:.3f}" for d in recent)
    if fire:
        retrain_finding = (f"The last {k} matured cohorts each fell more than {drop:g} below launch (drops {shown}): "
                           "that is persistent degradation, on cohorts that predate the incident, so the rule "
                           "fires — retrain on matured data from before the incident.")
    else:
        retrain_finding = (f"The last {k} matured cohorts fell by {shown}: not all more than {drop:g}, so the "
                           "degradation is not persistent and the rule does not fire.")
    facts = {"median_amount_in_cents": g["median_amount"] * g["unit_factor"], "range_finding": range_finding,
             "contract_verdict": verdict, "retrain_finding": retrain_finding}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code="import numpy as np\n" + data_code,
                    facts=facts)
