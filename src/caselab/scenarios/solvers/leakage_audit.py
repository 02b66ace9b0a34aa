"""A temporal split with delayed labels, and a leakage audit of a feature list.

Seed 001 part 2 (data, labels, temporal split, leakage checks), seed 000 parts 1 and 5. The rules:

* **A feature leaks** when its value could not have been computed at the moment the model scores the
  event. Two ways: its data reach past the event (``window_end_days > 0``: a snapshot taken today, a
  count over the card's lifetime, a ticket opened after the event), or it aggregates *labels* that were
  not final at event time. Labels here mature ``maturity_days`` after the event, so a label-based
  aggregate read from today's label table is safe only if its window ends at least ``maturity_days``
  before the event (``window_end_days ≤ −maturity_days``).
* **Embargo.** A model evaluated from ``validation_start`` on must be trained only on events whose
  labels were final by then: ``event_date + maturity_days ≤ validation_start``. Training events therefore
  run from ``data_start`` to ``validation_start − maturity_days`` inclusive. Without the gap, the events
  of the last ``maturity_days`` carry labels that were still immature (missing positives).
* **Random splits spread entities across the split.** If each fraudulent account makes ``k``
  transactions and transactions are assigned to the test split independently with probability ``q``,
  a test transaction's account also appears in training unless all its other ``k − 1`` transactions
  landed in test: probability ``1 − q^(k−1)``.
"""

from __future__ import annotations

import datetime as dt

from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

FEATURES = ("amount", "txn_count_30d", "account_frozen_today", "card_lifetime_chargebacks",
            "merchant_fraud_rate_all", "support_ticket_7d", "merchant_fraud_rate_90d", "merchant_fraud_rate_lagged")

_FEATURE = Given("a feature's time window", kind="table", fields={
    "window_end_days": Given("where the feature's data end, in days relative to the event (0 = at the event, "
                             "negative = before it, positive = after it; a snapshot taken today or a whole-history "
                             "aggregate reaches past every event: use the dataset span)", kind="number"),
    "uses_labels": Given("whether the feature aggregates fraud labels (chargebacks) read from today's label table",
                         kind="bool"),
})

GIVENS = {
    "data_start": Given("first event date in the data (ISO date)", kind="text"),
    "validation_start": Given("first event date of the validation window (ISO date)", kind="text"),
    "data_end": Given("last event date in the data (ISO date)", kind="text"),
    "maturity_days": Given("days after an event until its fraud label is final", kind="integer", lo=0),
    "random_test_share": Given("share of transactions a random split sends to test", kind="rate", lo_open=True,
                               hi_open=True),
    "txns_per_fraud_account": Given("transactions a fraudulent account makes before it is shut down", kind="integer",
                                    lo=1),
    "features": Given("the candidate features", kind="table", fields={f: _FEATURE for f in FEATURES}),
}

ANSWERS = {f"leak_{f}" for f in FEATURES} | {"train_days", "immature_share", "random_split_account_overlap",
                                              "split_strategy"}

SPLITS = ["random 80/10/10 shuffle", "stratified random split", "time-based split with a label-maturity embargo",
          "k-fold cross-validation on all 18 months"]


def leaks(window_end_days: float, uses_labels: bool, maturity_days: float) -> bool:
    """Whether a feature uses information not available when the event is scored."""
    return window_end_days > 0 or (uses_labels and window_end_days > -maturity_days)


def _date(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} = {text!r} is not an ISO date (YYYY-MM-DD).") from None

# the specs' tolerances, for keep_distinct_mistakes (tests/test_solvers.py checks they match)
TOLERANCE = {"train_days": Tolerance(abs=1.0), "immature_share": DEFAULT_TOLERANCE["rate"],
             "random_split_account_overlap": Tolerance(abs=0.0005)}


def solve(givens: dict) -> Solution:
    g = givens
    m = g["maturity_days"]
    start, val_start = _date(g["data_start"], "data_start"), _date(g["validation_start"], "validation_start")
    end_date = _date(g["data_end"], "data_end")
    if not start < val_start <= end_date:
        raise ValueError("the dates must satisfy data_start < validation_start ≤ data_end.")
    span = (end_date - start).days + 1
    a: dict[str, Answer] = {}

    for f in FEATURES:
        spec = g["features"][f]
        end, labels = spec["window_end_days"], spec["uses_labels"]
        verdict = "leaks" if leaks(end, labels, m) else "safe"
        if end > 0:
            why = f"its data reach {end:g} days past the event: not available when the event is scored"
        elif labels and end > -m:
            where = "at the event" if end == 0 else f"{abs(end):g} days before the event"
            why = (f"its window ends {where}, but labels take {m} days to mature: "
                   "today's label table holds chargebacks that were not known at event time")
        elif labels:
            why = f"label aggregate whose window ends {abs(end):g} ≥ {m} days before the event: every label in it was final"
        else:
            why = "computed from data up to the event only"
        mistakes = {}
        if f == "merchant_fraud_rate_90d" and verdict == "leaks":
            mistakes = {"safe: the window ends at the event, but the labels inside it were not final then": "safe"}
        if f == "merchant_fraud_rate_lagged" and verdict == "safe":
            mistakes = {"leaks: a label-based feature is fine when all of its labels had matured by event time":
                        "leaks"}
        a[f"leak_{f}"] = Answer(
            verdict, formula="leaks ⇔ data past the event (window_end > 0) or labels not yet final at event time "
                             "(uses_labels and window_end > −maturity)",
            work=why, code=f"leak_{f} = verdict(features[{f!r}])", mistakes=mistakes)

    last_train = val_start - dt.timedelta(days=m)
    train_days = (last_train - start).days + 1
    no_embargo = (val_start - start).days
    if train_days < 1:
        raise ValueError("the embargo removes every training day: validation_start is too close to data_start.")
    a["train_days"] = Answer(
        float(train_days), formula="train on event dates d with d + maturity ≤ validation_start: "
                                   "data_start … validation_start − maturity, inclusive",
        work=f"last training date {val_start} − {m} days = {last_train}; {start} … {last_train} = {train_days} days "
             f"(instead of {no_embargo} without the embargo)",
        code="last_train_date = dt.date.fromisoformat(validation_start) - dt.timedelta(days=maturity_days)\n"
             "train_days = (last_train_date - dt.date.fromisoformat(data_start)).days + 1\n"
             "print(last_train_date)",
        mistakes={"no embargo: every day up to the validation start": float(no_embargo),
                  "the embargo taken twice (once per side)": float(no_embargo - 2 * m)})
    immature = max(m - 1, 0)
    share = immature / no_embargo
    a["immature_share"] = Answer(
        share, formula="without the gap, the events after validation_start − maturity have labels not yet final "
                       "at validation_start; share = those days / all days before validation_start",
        work=f"{immature} of {no_embargo} days = {share:.4f} (counting {m} days instead gives {m / no_embargo:.4f}: "
             "both are accepted)",
        code="immature_share = (maturity_days - 1) / (dt.date.fromisoformat(validation_start) "
             "- dt.date.fromisoformat(data_start)).days",
        mistakes={"the maturity over the whole dataset's span instead of the days before validation": m / span})
    q, k = g["random_test_share"], g["txns_per_fraud_account"]
    overlap = 1 - q ** (k - 1)
    a["random_split_account_overlap"] = Answer(
        overlap, formula="P(the account of a test transaction also has a training transaction) = 1 − q^(k−1)",
        work=f"1 − {q:g}^{k - 1} = {overlap:.4f}",
        code="q, k = random_test_share, txns_per_fraud_account\nrandom_split_account_overlap = 1 - q ** (k - 1)",
        mistakes={"the share of accounts split across both sides, 1 − (1−q)^k − q^k (the question asks per test "
                  "transaction)": 1 - (1 - q) ** k - q ** k,
                  "1 − (1 − q)^(k−1): train and test shares swapped": 1 - (1 - q) ** (k - 1),
                  "the training share 1 − q (only one other transaction considered)": 1 - q})
    a["split_strategy"] = Answer(
        "time-based split with a label-maturity embargo",
        formula="evaluate as you will deploy: train on the past with matured labels, test on the future",
        work=f"train on {start} … {last_train}, validate from {val_start}; {overlap:.1%} of a random split's test "
             "fraud would share an account with training",
        code='split_strategy = "time-based split with a label-maturity embargo"',
        mistakes={"a random shuffle mixes future and past, leaks accounts across splits and hides drift":
                  "random 80/10/10 shuffle",
                  "stratifying keeps the class ratio but is still a random split across time": "stratified random split",
                  "k-fold on all 18 months trains on the future of its test folds": "k-fold cross-validation on all 18 months"})

    setup = ("import datetime as dt\n\n"
             "def verdict(f):\n"
             "    # leaks if the data reach past the event, or if it aggregates labels not yet final at event time\n"
             "    late_data = f['window_end_days'] > 0\n"
             "    immature_labels = f['uses_labels'] and f['window_end_days'] > -maturity_days\n"
             "    return 'leaks' if late_data or immature_labels else 'safe'")
    return Solution(keep_distinct_mistakes(a, TOLERANCE), setup_code=setup)
