"""Example-dependent costs: one threshold per transaction (seed 002, condition 3; beyond the seeds).

When a missed fraud costs its amount A and a wrongly blocked purchase costs C_FP, the Bayes rule
still compares expected costs — but the threshold now depends on the transaction::

    block  ⇔  (1 − p)·C_FP ≤ p·A  ⇔  p ≥ τ(A) = C_FP / (C_FP + A)

A $12 coffee needs p ≥ 0.29 before blocking pays; a $50,000 wire is worth blocking at p = 0.0001.
A single global threshold computed from the *average* loss blocks cheap purchases it should allow and
allows expensive ones it should block (Elkan 2001; Bahnsen et al. 2014 on example-dependent costs).
"""

from __future__ import annotations

from caselab.maths.curves import bayes_threshold
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

NAMES = ("coffee", "laptop", "wire")

_TX = Given("a transaction", kind="table", fields={
    "amount": Given("amount at risk if it is fraud, $", lo=0, lo_open=True),
    "p": Given("calibrated fraud probability", kind="rate"),
})

GIVENS = {
    "cost_fp": Given("cost of blocking a legitimate transaction, $", lo=0, lo_open=True),
    "global_fraud_loss": Given("the average fraud loss behind the team's single global threshold, $", lo=0,
                               lo_open=True),
    "transactions": Given("the three transactions", kind="table", fields={name: _TX for name in NAMES}),
}

ANSWERS = {f"{m}_{n}" for m in ("tau", "cost_allow", "cost_block", "decision") for n in NAMES} | {
    "decisions_changed_by_global", "total_cost_per_example", "total_cost_global"}


# A mistake is named only when it lands clearly away from the key: within a few percent a learner who made it
# passes anyway (every τ question here is graded within 2 % or tighter), and its message could never show.
DISTINCT = 0.05
# the spec's tolerance of every number question: keep_distinct_mistakes drops a mistake a variant puts inside it
# (e.g. the global-threshold total when the changed decision was nearly a tie)
TOLERANCE = {"tau_coffee": DEFAULT_TOLERANCE["probability"], "tau_laptop": Tolerance(rel=0.005),
             "tau_wire": Tolerance(rel=0.02), "decisions_changed_by_global": DEFAULT_TOLERANCE["count"],
             **{f"cost_{k}_{n}": Tolerance(abs=0.01) for k in ("allow", "block") for n in NAMES},
             "total_cost_per_example": Tolerance(abs=0.01), "total_cost_global": Tolerance(abs=0.01)}


def _tau_mistakes(tau: float, amount: float, c_fp: float, tau_global: float) -> dict[str, float]:
    candidates = {
        "the inverted formula A / (C_FP + A)": amount / (c_fp + amount),
        "the one global threshold from the average loss": tau_global,
        # C_FP/A is the exact threshold times 1 + C_FP/A: for large amounts the two agree, and either is fine
        "C_FP / A": c_fp / amount,
    }
    return {m: v for m, v in candidates.items() if abs(v - tau) > DISTINCT * tau}


def solve(givens: dict) -> Solution:
    c_fp = givens["cost_fp"]
    txs = givens["transactions"]
    a: dict[str, Answer] = {}
    tau_global = bayes_threshold(cost_fp=c_fp, cost_fn=givens["global_fraud_loss"])
    best_total = 0.0
    global_total = 0.0
    changed = 0
    for name in NAMES:
        amount, p = txs[name]["amount"], txs[name]["p"]
        tau = bayes_threshold(cost_fp=c_fp, cost_fn=amount)
        allow, block = p * amount, (1 - p) * c_fp
        decision = "block" if block <= allow else "allow"
        a[f"tau_{name}"] = Answer(
            tau, formula="τ(A) = C_FP / (C_FP + A): the Bayes threshold with C_FN = the amount",
            work=f"{c_fp:g} / ({c_fp:g} + {amount:,g}) = {tau:.5g}",
            code=f"tau_{name} = caselab.curves.bayes_threshold(cost_fp=cost_fp, cost_fn=transactions['{name}']['amount'])",
            mistakes=_tau_mistakes(tau, amount, c_fp, tau_global))
        a[f"cost_allow_{name}"] = Answer(
            allow, formula="E[cost | allow] = p · A", work=f"{p:g} · {amount:,g} = {allow:,.4g}",
            code=f"cost_allow_{name} = transactions['{name}']['p'] * transactions['{name}']['amount']",
            mistakes={"the full amount, not its expectation": float(amount), "(1 − p) · A": (1 - p) * amount})
        a[f"cost_block_{name}"] = Answer(
            block, formula="E[cost | block] = (1 − p) · C_FP", work=f"(1 − {p:g}) · {c_fp:g} = {block:.4g}",
            code=f"cost_block_{name} = (1 - transactions['{name}']['p']) * cost_fp",
            mistakes={"C_FP on every block, even when it is fraud": float(c_fp), "p · C_FP": p * c_fp}
            if abs(block - c_fp) > 0.005 * block else {"p · C_FP": p * c_fp})
        a[f"decision_{name}"] = Answer(
            decision, formula="the cheaper action; equivalently block ⇔ p ≥ τ(A)",
            work=f"allow {allow:,.4g} vs block {block:.4g} → {decision} (p = {p:g}, τ = {tau:.4g})",
            code=f'decision_{name} = "block" if cost_block_{name} <= cost_allow_{name} else "allow"',
            depends_on=(f"cost_allow_{name}", f"cost_block_{name}"),
            recompute=lambda v, name=name: "block" if v[f"cost_block_{name}"] <= v[f"cost_allow_{name}"] else "allow",
            mistakes={f"the global threshold {tau_global:.4f} decides the other way: costs scale with the amount":
                      ("block" if p >= tau_global else "allow")} if (p >= tau_global) != (decision == "block") else {})
        best_total += min(allow, block)
        global_decision = "block" if p >= tau_global else "allow"
        global_total += block if global_decision == "block" else allow
        changed += global_decision != decision

    n_blocked = sum(txs[n]["p"] >= tau_global for n in NAMES)
    a["decisions_changed_by_global"] = Answer(
        float(changed), formula="count the transactions where p ≥ τ_global disagrees with p ≥ τ(A)",
        work=f"global τ = {givens['cost_fp']:g} / ({givens['cost_fp']:g} + {givens['global_fraud_loss']:,g}) = "
             f"{tau_global:.4f} → {changed} of {len(NAMES)} decisions differ",
        code="tau_global = caselab.curves.bayes_threshold(cost_fp=cost_fp, cost_fn=global_fraud_loss)\n"
             "decisions_changed_by_global = sum(\n"
             "    (t['p'] >= tau_global) != (t['p'] >= caselab.curves.bayes_threshold(cost_fp=cost_fp, cost_fn=t['amount']))\n"
             "    for t in transactions.values())",
        mistakes={"the number of transactions the global threshold blocks, not the number it decides differently":
                  float(n_blocked)} if n_blocked != changed else {})
    a["total_cost_per_example"] = Answer(
        best_total, formula="Σ min(E[cost | allow], E[cost | block]) with per-transaction thresholds",
        work=" + ".join(f"{min(txs[n]['p'] * txs[n]['amount'], (1 - txs[n]['p']) * c_fp):.4g}" for n in NAMES)
             + f" = {best_total:.4f}",
        code="total_cost_per_example = sum(min(cost_allow, cost_block) for cost_allow, cost_block in [\n"
             "    (cost_allow_coffee, cost_block_coffee), (cost_allow_laptop, cost_block_laptop),\n"
             "    (cost_allow_wire, cost_block_wire)])",
        depends_on=tuple(f"cost_{k}_{n}" for n in NAMES for k in ("allow", "block")),
        recompute=lambda v: sum(min(v[f"cost_allow_{n}"], v[f"cost_block_{n}"]) for n in NAMES),
        # with no decision changed the two totals are the same number: nothing to tell apart
        mistakes={"the cost of the global-threshold decisions": global_total} if changed else {})
    a["total_cost_global"] = Answer(
        global_total, formula="Σ expected cost of the decision p ≥ τ_global (τ from the average loss)",
        work=f"{global_total:.4f} vs {best_total:.4f} with per-transaction thresholds",
        code="total_cost_global = sum(\n"
             "    (1 - t['p']) * cost_fp if t['p'] >= tau_global else t['p'] * t['amount'] for t in transactions.values())",
        mistakes={"the per-transaction optimum": best_total} if changed else {})
    return Solution(keep_distinct_mistakes(a, TOLERANCE))
