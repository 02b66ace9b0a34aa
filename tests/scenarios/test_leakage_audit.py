"""pinterest-temporal-split-leakage: the embargo, the immature share and the account overlap, recomputed."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from caselab.scenarios import casebook

SID = "pinterest-temporal-split-leakage"


def answers(givens: dict | None = None) -> dict:
    scenario = casebook.load(SID)
    return {k: a.value for k, a in casebook.solve(scenario, givens).answers.items()}


def test_feature_verdicts():
    a = answers()
    # known at scoring time: the amount, a backward-looking count, and a label rate lagged past the maturity
    safe = {"amount", "txn_count_30d", "merchant_fraud_rate_lagged"}
    # today's snapshot, lifetime / full-data aggregates, a post-event ticket, labels not final at event time
    leaky = {"account_frozen_today", "card_lifetime_chargebacks", "merchant_fraud_rate_all", "support_ticket_7d",
             "merchant_fraud_rate_90d"}
    for f in safe:
        assert a[f"leak_{f}"] == "safe", f
    for f in leaky:
        assert a[f"leak_{f}"] == "leaks", f
    assert a["split_strategy"] == "time-based split with a label-maturity embargo"


def test_a_longer_maturity_makes_the_lagged_rate_leak():
    g = copy.deepcopy(casebook.load(SID).givens)
    g["maturity_days"] = 90  # chargebacks now arrive up to 90 days late: a window ending 60 days back is immature
    assert answers(g)["leak_merchant_fraud_rate_lagged"] == "leaks"
    g["maturity_days"] = 30
    a = answers(g)
    assert a["leak_merchant_fraud_rate_lagged"] == "safe" and a["leak_merchant_fraud_rate_90d"] == "leaks"


def test_embargo_counts_with_numpy_dates():
    a = answers()
    days = np.arange(np.datetime64("2023-01-01"), np.datetime64("2024-03-01"))  # every day before validation
    matured = days + np.timedelta64(60, "D") <= np.datetime64("2024-03-01")
    assert a["train_days"] == matured.sum() == 366  # 2023-01-01 … 2024-01-01 (2024 is a leap year)
    assert a["immature_share"] == pytest.approx((~matured).mean())  # 59 / 425


def test_account_overlap_by_simulation():
    a = answers()
    rng = np.random.default_rng(1)
    accounts, k = 200_000, 5
    in_test = rng.random((accounts, k)) < 0.2  # each purchase to test with probability 0.2
    n_test = in_test.sum(axis=1)
    # a test purchase's account is in training unless all k purchases went to test
    shared = (n_test * (n_test < k)).sum() / n_test.sum()
    assert a["random_split_account_overlap"] == pytest.approx(shared, abs=0.001)
    assert a["random_split_account_overlap"] == pytest.approx(1 - 0.2 ** 4)
