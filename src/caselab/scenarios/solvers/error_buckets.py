"""Post-mortem arithmetic: error buckets offline, a slice online, and what to fix first.

Seed 001 part 7 and seed 000 parts 1 and 3. Error analysis tags the validation errors with buckets
(sarcasm, negation, …). Three numbers per bucket matter and are easy to confuse:

* its **error rate** (errors / items in the bucket) — how hard the bucket is;
* its **error volume** (items × error rate) and its **share of all errors** — how much fixing it can buy;
* its **expected errors removed** = volume × fixability (the share of the bucket's errors a planned fix is
  expected to remove) — what to fix first.

A small bucket with a high rate can matter less than a large bucket with a moderate one. Online, the same
question is asked of slices: a slice whose flag rate departs from the rest (a z-test on two proportions)
points to a failure mode — here a client version with a new text pipeline (training–serving skew).
"""

from __future__ import annotations

from caselab.maths.experiments import two_proportion_ztest
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

_BUCKET = Given("one error bucket", kind="table", fields={
    "count": Given("validation items in the bucket", kind="integer", lo=0),
    "error_rate": Given("share of them the model gets wrong", kind="rate"),
    "fixability": Given("share of the bucket's errors the planned fix is expected to remove", kind="rate"),
})

GIVENS = {
    "n_validation": Given("validation items", kind="integer", lo=1),
    "buckets": Given("error buckets, each with count, error rate and fixability", kind="mapping", each=_BUCKET,
                     min_items=2),
    "residual_bucket": Given("the name of the catch-all bucket (not a target for a fix)", kind="text"),
    "slice_old_posts": Given("posts scored online from the old client version", kind="integer", lo=1),
    "slice_old_flagged": Given("of which the model flagged as negative", kind="integer", lo=0),
    "slice_new_posts": Given("posts scored online from the new client version", kind="integer", lo=1),
    "slice_new_flagged": Given("of which the model flagged as negative", kind="integer", lo=0),
}

ANSWERS = {"errors_sarcasm", "errors_code_mixed", "total_errors", "error_rate", "sarcasm_share_of_errors",
           "named_share_of_errors", "largest_by_volume", "fix_first", "error_rate_after_fix", "slice_z",
           "slice_failure_mode"}

# the spec's tolerances, for keep_distinct_mistakes (tests/test_solvers.py checks they match)
TOLERANCE = {"errors_sarcasm": DEFAULT_TOLERANCE["count"], "errors_code_mixed": DEFAULT_TOLERANCE["count"],
             "total_errors": DEFAULT_TOLERANCE["count"], "error_rate": Tolerance(abs=0.0005),
             "sarcasm_share_of_errors": Tolerance(abs=0.002), "named_share_of_errors": Tolerance(abs=0.002),
             "error_rate_after_fix": Tolerance(abs=0.0005), "slice_z": DEFAULT_TOLERANCE["statistic"]}

FAILURE_MODES = ["distribution shift in the users' language", "training–serving skew in the new client's text pipeline",
                 "label noise in the validation set"]


def _errors(b: dict) -> float:
    return b["count"] * b["error_rate"]


def solve(givens: dict) -> Solution:
    g = givens
    buckets, n = g["buckets"], g["n_validation"]
    total_count = sum(b["count"] for b in buckets.values())
    if total_count != n:
        raise ValueError(f"the buckets hold {total_count:,} items but n_validation = {n:,}: every item belongs "
                         "to exactly one bucket (the residual one included).")
    errors = {k: _errors(b) for k, b in buckets.items()}
    total = sum(errors.values())
    named = {k: v for k, v in errors.items() if k != g["residual_bucket"]}
    a: dict[str, Answer] = {}

    for key in ("sarcasm", "code_mixed"):
        b = buckets[key]
        a[f"errors_{key}"] = Answer(
            errors[key], formula="errors in a bucket = items × error rate",
            work=f"{b['count']:,} × {b['error_rate']:g} = {errors[key]:,.0f}",
            code=f"errors_{key} = buckets['{key}']['count'] * buckets['{key}']['error_rate']",
            mistakes={"the error rate itself, not the count": b["error_rate"]})
    unweighted = sum(b["error_rate"] for b in buckets.values()) / len(buckets)
    a["total_errors"] = Answer(
        total, formula="Σ over buckets of items × error rate",
        work=" + ".join(f"{v:,.0f}" for v in errors.values()) + f" = {total:,.0f}",
        code="bucket_errors = {k: b['count'] * b['error_rate'] for k, b in buckets.items()}\n"
             "total_errors = sum(bucket_errors.values())",
        mistakes={"the named buckets only (the residual bucket left out)": sum(named.values())})
    a["error_rate"] = Answer(
        total / n, formula="total errors / validation items (a count-weighted average of the bucket rates)",
        work=f"{total:,.0f} / {n:,} = {total / n:.4f}",
        code="error_rate = total_errors / n_validation", depends_on=("total_errors",),
        recompute=lambda v: v["total_errors"] / n,
        mistakes={"the unweighted mean of the bucket rates": unweighted})
    share = errors["sarcasm"] / total
    a["sarcasm_share_of_errors"] = Answer(
        share, formula="bucket errors / total errors", work=f"{errors['sarcasm']:,.0f} / {total:,.0f} = {share:.4f}",
        code="sarcasm_share_of_errors = errors_sarcasm / total_errors", depends_on=("errors_sarcasm", "total_errors"),
        recompute=lambda v: v["errors_sarcasm"] / v["total_errors"],
        mistakes={"the bucket's share of the data, not of the errors": buckets["sarcasm"]["count"] / n,
                  "the bucket's error rate": buckets["sarcasm"]["error_rate"]})
    named_share = sum(named.values()) / total
    named_items = sum(buckets[k]["count"] for k in named) / n
    a["named_share_of_errors"] = Answer(
        named_share, formula="Σ named-bucket errors / total errors",
        work=f"{sum(named.values()):,.0f} / {total:,.0f} = {named_share:.4f} — from {named_items:.0%} of the data",
        code="named_share_of_errors = sum(v for k, v in bucket_errors.items() if k != residual_bucket) / total_errors",
        mistakes={"the named buckets' share of the data": named_items})

    by_volume = max(named, key=named.get)
    by_rate = max(named, key=lambda k: buckets[k]["error_rate"])
    a["largest_by_volume"] = Answer(
        by_volume, formula="argmax over the named buckets of items × error rate",
        work=", ".join(f"{k} {v:,.0f}" for k, v in sorted(named.items(), key=lambda kv: -kv[1])) +
             f" → {by_volume} (highest rate: {by_rate}, {buckets[by_rate]['error_rate']:.0%})",
        code="named = {k: v for k, v in bucket_errors.items() if k != residual_bucket}\n"
             "largest_by_volume = max(named, key=named.get)",
        mistakes={"ranked by error rate instead of error volume": by_rate} if by_rate != by_volume else {})
    removed = {k: named[k] * buckets[k]["fixability"] for k in named}
    first = max(removed, key=removed.get)
    a["fix_first"] = Answer(
        first, formula="argmax of expected errors removed = bucket errors × fixability",
        work=", ".join(f"{k} {named[k]:,.0f}×{buckets[k]['fixability']:g} = {removed[k]:,.1f}"
                       for k in sorted(removed, key=lambda k: -removed[k])) + f" → {first}",
        code="removed = {k: named[k] * buckets[k]['fixability'] for k in named}\n"
             "fix_first = max(removed, key=removed.get)",
        mistakes={**({"ranked by error rate": by_rate} if by_rate != first else {}),
                  **({"ranked by volume alone (fixability ignored)": by_volume} if by_volume != first else {})})
    after = (total - removed[first]) / n
    a["error_rate_after_fix"] = Answer(
        after, formula="(total errors − expected errors removed in the chosen bucket) / validation items",
        work=f"({total:,.0f} − {removed[first]:,.1f}) / {n:,} = {after:.4f}",
        code="error_rate_after_fix = (total_errors - removed[fix_first]) / n_validation",
        depends_on=("total_errors",),
        recompute=lambda v: (v["total_errors"] - removed[first]) / n,
        mistakes={"the bucket's whole error count removed (fixability ignored)": (total - named[first]) / n})

    t = two_proportion_ztest(g["slice_old_flagged"], g["slice_old_posts"], g["slice_new_flagged"],
                             g["slice_new_posts"])
    r_old = g["slice_old_flagged"] / g["slice_old_posts"]
    r_new = g["slice_new_flagged"] / g["slice_new_posts"]
    a["slice_z"] = Answer(
        t.z, formula="pooled two-proportion z of the flag rates, new client − old client",
        work=f"{r_new:.4f} vs {r_old:.4f}: diff {t.diff:+.4f}, SE₀ {t.se_pooled:.5f} → z = {t.z:.2f}",
        code="slice = caselab.experiments.two_proportion_ztest(slice_old_flagged, slice_old_posts,\n"
             "    slice_new_flagged, slice_new_posts)\nslice_z = slice.z",
        mistakes={"old − new (sign flipped)": -t.z})
    a["slice_failure_mode"] = Answer(
        FAILURE_MODES[1], formula="a jump confined to one client version points at the serving path — a lead, "
                                  "not proof: who upgrades when is not random, so confirm by replaying the same "
                                  "raw inputs through both pipelines",
        work=f"flag rate {r_new:.1%} on the new client vs {r_old:.1%} on the old one, z = {t.z:.1f}; the z says the "
             "difference is not chance, not what caused it",
        code=f"slice_failure_mode = {FAILURE_MODES[1]!r}",
        mistakes={"a language shift would move every client version, not mostly one": FAILURE_MODES[0]})
    facts = {"slice_rate_new": r_new, "slice_rate_old": r_old, "fix_first_errors": named[first],
             "fix_first_fixability": buckets[first]["fixability"], "fix_first_removed": removed[first],
             "named_share_of_data": named_items, "fix_first_reading": _fix_first_reading(first, by_rate, by_volume)}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), facts=facts)


def _fix_first_reading(first: str, by_rate: str, by_volume: str) -> str:
    """How the bucket to fix first compares with the highest-rate and the largest bucket, in words (worked text)."""
    if first != by_rate and first != by_volume:
        losers = (f"the bucket with both the highest error rate and the most errors ({by_rate}) loses"
                  if by_rate == by_volume else
                  f"the bucket with the highest error rate ({by_rate}) and the one with the most errors "
                  f"({by_volume}) both lose")
        return f"{losers} to {first}, whose errors × fixability are the largest"
    if first != by_rate:
        return (f"{first} holds the most errors and its fix removes the most, while the bucket with the highest error "
                f"rate ({by_rate}) is too small to compete")
    if first != by_volume:
        return (f"{first} has the highest error rate and its fix removes the most — more than the fix of the bucket "
                f"with the most errors ({by_volume}), whose errors are less fixable")
    return (f"{first} has the highest error rate and the most errors, and its fix removes the most too — the three "
            "rankings agree here, which they need not")
