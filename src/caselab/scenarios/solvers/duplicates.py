"""Near-duplicates across train and test: how much a random split inflates the test score.

Beyond the seeds; seed 001 part 2 (leakage checks) and seed 000 part 5 (what makes a metric
misleading). Reposted texts form clusters of near-identical posts. With a random split sending each
post to test with probability q, a test post from a cluster of size k has a twin in training unless
all its k − 1 twins also went to test. If a share s of posts belong to such clusters:

    d = share of test posts with a near-duplicate in training = s · (1 − q^(k−1))

The reported accuracy mixes the two kinds of test post:

    reported = d · acc_dup + (1 − d) · acc_fresh   ⇒   acc_fresh = (reported − d · acc_dup) / (1 − d)

acc_fresh is the de-duplicated estimate (what a split by cluster measures, assuming unseen clustered
posts behave like fresh ones); production accuracy is the same mix at production's duplicate share.
"""

from __future__ import annotations

from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import Given, Tolerance

GIVENS = {
    "clustered_share": Given("share of posts that belong to a cluster of near-duplicate reposts", kind="rate",
                             hi_open=True),
    "cluster_size": Given("posts per repost cluster", kind="integer", lo=2),
    "test_share": Given("share of posts a random split sends to test", kind="rate", lo_open=True, hi_open=True),
    "reported_accuracy": Given("accuracy on the random-split test set", kind="rate"),
    "dup_accuracy": Given("accuracy on the test posts that have a near-duplicate in training", kind="rate"),
    "prod_dup_share": Given("share of production posts with a near-duplicate in the training data", kind="rate"),
}

ANSWERS = {"dup_share", "fresh_accuracy", "inflation", "production_accuracy", "split_choice", "report_which"}

# the specs' tolerances, for keep_distinct_mistakes (tests/test_solvers.py checks they match)
TOLERANCE = {"dup_share": Tolerance(abs=0.002), "fresh_accuracy": Tolerance(abs=0.002),
             "inflation": Tolerance(abs=0.002), "production_accuracy": Tolerance(abs=0.002)}


def solve(givens: dict) -> Solution:
    g = givens
    s, k, q = g["clustered_share"], g["cluster_size"], g["test_share"]
    rep, acc_dup, prod = g["reported_accuracy"], g["dup_accuracy"], g["prod_dup_share"]
    d = s * (1 - q ** (k - 1))
    fresh = (rep - d * acc_dup) / (1 - d)
    if not 0 <= fresh <= 1:
        raise ValueError(f"these givens imply a fresh-post accuracy of {fresh:.4f}, outside [0, 1]: the reported "
                         "and duplicate accuracies are inconsistent with the duplicate share.")
    infl = rep - fresh
    prod_acc = prod * acc_dup + (1 - prod) * fresh
    a: dict[str, Answer] = {}

    a["dup_share"] = Answer(
        d, formula="d = s · (1 − q^(k−1)): a clustered test post lacks a training twin only if all k − 1 twins "
                   "went to test too",
        work=f"{s:g} · (1 − {q:g}^{k - 1}) = {s:g} · {1 - q ** (k - 1):.4f} = {d:.4f}",
        code="dup_share = clustered_share * (1 - test_share ** (cluster_size - 1))",
        mistakes={"the clustered share itself (as if every clustered post had a twin in training)": s,
                  "s · (1 − q): only one twin considered": s * (1 - q),
                  "s · (1 − q)^(k−1): the chance that all twins went to *training*": s * (1 - q) ** (k - 1)})
    a["fresh_accuracy"] = Answer(
        fresh, formula="acc_fresh = (reported − d · acc_dup) / (1 − d)",
        work=f"({rep:g} − {d:.4f} · {acc_dup:g}) / (1 − {d:.4f}) = {rep - d * acc_dup:.5f} / {1 - d:.4f} = {fresh:.4f}",
        code="fresh_accuracy = (reported_accuracy - dup_share * dup_accuracy) / (1 - dup_share)",
        depends_on=("dup_share",),
        recompute=lambda v: (rep - v["dup_share"] * acc_dup) / (1 - v["dup_share"]),
        mistakes={"the reported accuracy (no correction)": rep,
                  "reported − d · acc_dup, not divided by (1 − d)": rep - d * acc_dup})
    a["inflation"] = Answer(
        infl, formula="inflation = reported − de-duplicated (fresh) accuracy",
        work=f"{rep:g} − {fresh:.4f} = {infl:.4f}",
        code="inflation = reported_accuracy - fresh_accuracy",
        depends_on=("fresh_accuracy",), recompute=lambda v: rep - v["fresh_accuracy"],
        mistakes={"duplicate − fresh accuracy (the gap per duplicated post, not the effect on the average)":
                  acc_dup - fresh})
    a["production_accuracy"] = Answer(
        prod_acc, formula="production accuracy = p · acc_dup + (1 − p) · acc_fresh, p = production's duplicate share",
        work=f"{prod:g} · {acc_dup:g} + {1 - prod:g} · {fresh:.4f} = {prod_acc:.4f}",
        code="production_accuracy = prod_dup_share * dup_accuracy + (1 - prod_dup_share) * fresh_accuracy",
        depends_on=("fresh_accuracy",), recompute=lambda v: prod * acc_dup + (1 - prod) * v["fresh_accuracy"],
        mistakes={"the reported random-split accuracy": rep, "the fresh accuracy alone": fresh})
    a["split_choice"] = Answer(
        "group split by repost cluster", formula="keep every near-duplicate cluster on one side of the split",
        work=f"a random split puts a training twin behind {d:.1%} of test posts; grouping by cluster makes it 0",
        code='split_choice = "group split by repost cluster"',
        mistakes={"stratifying balances labels, not duplicates": "stratified random split",
                  "dropping exact duplicates misses near-duplicates (edited reposts, added emoji)":
                  "random split after removing exact duplicates"})
    a["report_which"] = Answer(
        "the production-mix accuracy",
        formula="an estimate of production performance weights fresh and duplicated posts as production does",
        work=f"random split {rep:g} (duplicates {d:.1%}), fresh {fresh:.4f}, production mix ({prod:.0%} duplicates) "
             f"{prod_acc:.4f}",
        code='report_which = "the production-mix accuracy"',
        mistakes={"the random-split test set over-represents training twins": "the random-split accuracy"})
    return Solution(keep_distinct_mistakes(a, TOLERANCE))
