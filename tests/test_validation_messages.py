"""Every input mistake gets a specific message: what was wrong, what was seen, what is allowed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from caselab import curves, metrics
from caselab.curves import (
    average_precision,
    bayes_threshold,
    confusion_matrix_at_thresholds,
    max_fbeta_threshold,
    min_cost_threshold,
    precision_recall_curve,
    roc_auc,
    roc_curve,
    threshold_for_capacity,
    threshold_for_precision,
)
from caselab.metrics import Confusion, confusion_at_threshold, confusion_from_rates

Y, S = [0, 1, 0, 1], [0.1, 0.8, 0.4, 0.6]

# Every function that takes (y_true, y_score, ...) — checked for the shared label/score mistakes.
LABELLED = {
    "confusion_matrix_at_thresholds": lambda y, s: confusion_matrix_at_thresholds(y, s),
    "precision_recall_curve": lambda y, s: precision_recall_curve(y, s),
    "roc_curve": lambda y, s: roc_curve(y, s),
    "average_precision": lambda y, s: average_precision(y, s),
    "roc_auc": lambda y, s: roc_auc(y, s),
    "min_cost_threshold": lambda y, s: min_cost_threshold(y, s, 1, 5),
    "threshold_for_precision": lambda y, s: threshold_for_precision(y, s, 0.5),
    "max_fbeta_threshold": lambda y, s: max_fbeta_threshold(y, s),
    "confusion_at_threshold": lambda y, s: confusion_at_threshold(y, s, 0.5),
}
labelled = pytest.mark.parametrize("call", LABELLED.values(), ids=LABELLED.keys())


# --- labels and scores ------------------------------------------------------------------------

@labelled
def test_empty_labels(call):
    with pytest.raises(ValueError, match=r"y_true is empty: at least one labelled example is needed"):
        call([], [])


@labelled
def test_empty_scores(call):
    with pytest.raises(ValueError, match=r"y_score is empty: at least one score is needed"):
        call([1, 0], [])


@labelled
def test_nan_score(call):
    with pytest.raises(ValueError, match=r"y_score contains 1 NaN or infinite value\(s\) \(first at index 2: nan\)"):
        call(Y, [0.1, 0.8, math.nan, 0.6])


@labelled
def test_infinite_score(call):
    with pytest.raises(ValueError, match=r"y_score contains 2 NaN or infinite value\(s\) \(first at index 0: inf\)"):
        call(Y, [np.inf, 0.8, -np.inf, 0.6])


@labelled
def test_non_binary_labels(call):
    with pytest.raises(ValueError, match=r"y_true must be binary \(0 = negative, 1 = positive\); found the values \[0, 1, 2\]"):
        call([0, 1, 2, 1], S)


@labelled
def test_minus_one_plus_one_labels(call):
    with pytest.raises(ValueError, match=r"found the values \[-1, 1\]"):
        call([-1, 1, -1, 1], S)


@labelled
def test_string_labels(call):
    with pytest.raises(ValueError, match=r"y_true must hold the binary labels 0 and 1; got values of type <U3"):
        call(["yes", "no", "no", "yes"], S)


@labelled
def test_nan_label(call):
    with pytest.raises(ValueError, match=r"y_true contains NaN or infinity; labels must be 0 or 1"):
        call([0.0, 1.0, math.nan, 1.0], S)


@labelled
def test_length_mismatch(call):
    with pytest.raises(ValueError, match=r"y_true and y_score have different lengths: 4 labels but 3 scores"):
        call(Y, S[:3])


@labelled
def test_two_dimensional_scores(call):
    with pytest.raises(ValueError, match=r"y_score must be a 1-d array of scores; got an array of shape \(2, 2\)"):
        call(Y, [[0.1, 0.8], [0.4, 0.6]])


def test_non_numeric_scores():
    with pytest.raises(ValueError, match=r"y_score must be numeric; got values of type <U1"):
        roc_auc(Y, ["a", "b", "c", "d"])


def test_capacity_scores_are_checked_too():
    with pytest.raises(ValueError, match=r"y_score is empty"):
        threshold_for_capacity([], 1)
    with pytest.raises(ValueError, match=r"y_score contains 1 NaN"):
        threshold_for_capacity([0.2, math.nan], 1)


# --- one class only -----------------------------------------------------------------------------

@pytest.mark.parametrize("call, name", [(roc_curve, "roc_curve"), (roc_auc, "roc_auc")])
@pytest.mark.parametrize("labels, only", [([0, 0, 0], "negative"), ([1, 1, 1], "positive")])
def test_roc_needs_both_classes(call, name, labels, only):
    with pytest.raises(ValueError, match=rf"Only one class is present in y_true: all 3 labels are {only}\. "
                                         rf"{name} needs positive and negative examples"):
        call(labels, [0.2, 0.5, 0.9])


@pytest.mark.parametrize("name, call", [
    ("precision_recall_curve", lambda y, s: precision_recall_curve(y, s)),
    ("average_precision", lambda y, s: average_precision(y, s)),
    ("threshold_for_precision", lambda y, s: threshold_for_precision(y, s, 0.5)),
    ("max_fbeta_threshold", lambda y, s: max_fbeta_threshold(y, s)),
])
def test_recall_based_functions_need_a_positive(name, call):
    with pytest.raises(ValueError, match=rf"y_true has no positive examples \(all 3 labels are negative\): {name} needs at "
                                         r"least one, because recall = TP / \(number of positives\) is undefined"):
        call([0, 0, 0], [0.2, 0.5, 0.9])


# --- costs ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["cost_fp", "cost_fn", "cost_tp", "cost_tn"])
def test_negative_cost(name):
    costs = {"cost_fp": 1.0, "cost_fn": 5.0, name: -2.0}
    message = rf"{name} = -2.0 is negative\. Costs are non-negative; to model a benefit"
    with pytest.raises(ValueError, match=message):
        min_cost_threshold(Y, S, **costs)
    with pytest.raises(ValueError, match=message):
        bayes_threshold(**costs)
    with pytest.raises(ValueError, match=message):
        Confusion(1, 2, 3, 4).expected_cost(**costs)


def test_nan_and_non_numeric_costs():
    with pytest.raises(ValueError, match=r"cost_fn must be finite; got nan"):
        min_cost_threshold(Y, S, cost_fp=1, cost_fn=math.nan)
    with pytest.raises(ValueError, match=r"cost_fp must be finite; got inf"):
        bayes_threshold(cost_fp=math.inf, cost_fn=1)
    with pytest.raises(TypeError, match=r"cost_fp must be a real number; got '1' of type str"):
        bayes_threshold(cost_fp="1", cost_fn=5)
    with pytest.raises(TypeError, match=r"cost_fn must be a real number; got True of type bool"):
        Confusion(1, 1, 1, 1).expected_cost(cost_fp=1, cost_fn=True)


def test_bayes_threshold_needs_costly_false_alarms():
    with pytest.raises(ValueError, match=r"cost_fp \(2\) must exceed cost_tn \(2\): otherwise flagging a negative costs "
                                         r"no more than leaving it, so flagging everything is optimal"):
        bayes_threshold(cost_fp=2, cost_fn=5, cost_tn=2)
    with pytest.raises(ValueError, match=r"cost_fp \(0\) must exceed cost_tn \(0\)"):
        bayes_threshold(cost_fp=0, cost_fn=5)


def test_bayes_threshold_needs_costly_misses():
    with pytest.raises(ValueError, match=r"cost_fn \(5\) must exceed cost_tp \(6\): otherwise missing a positive costs "
                                         r"no more than catching it, so flagging nothing is optimal"):
        bayes_threshold(cost_fp=1, cost_fn=5, cost_tp=6)


# --- rates and counts -----------------------------------------------------------------------

def test_rates_that_imply_negative_counts():
    # P = 50, TP = 45, FP = 45·0.9/0.1 = 405 > 50 negatives → TN = 100 − 50 − 405 = −355
    with pytest.raises(ValueError, match=r"these rates imply a negative number of true negatives \(TN = -355\): with "
                                         r"prevalence 0\.5, precision 0\.1 and recall 0\.9, FP = 405 exceeds the 50 "
                                         r"negatives"):
        confusion_from_rates(100, 0.5, precision=0.1, recall=0.9)


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 0}, r"n = 0\.0 must be > 0"),
    ({"n": -10}, r"n = -10\.0 must be > 0"),
    ({"n": math.nan}, r"n must be finite; got nan"),
    ({"prevalence": 1.2}, r"prevalence = 1\.2 is outside \[0, 1\]: it is a probability or a rate"),
    ({"prevalence": -0.1}, r"prevalence = -0\.1 is outside \[0, 1\]"),
    ({"precision": 0.0}, r"precision = 0\.0 is outside \(0, 1\]"),
    ({"precision": 1.5}, r"precision = 1\.5 is outside \(0, 1\]"),
    ({"recall": 1.01}, r"recall = 1\.01 is outside \[0, 1\]"),
    ({"recall": -0.5}, r"recall = -0\.5 is outside \[0, 1\]"),
])
def test_confusion_from_rates_ranges(kwargs, message):
    args = {"n": 1000, "prevalence": 0.1, "precision": 0.5, "recall": 0.5} | kwargs
    with pytest.raises(ValueError, match=message):
        confusion_from_rates(**args)


def test_confusion_from_rates_type():
    with pytest.raises(TypeError, match=r"recall must be a real number; got '0.5' of type str"):
        confusion_from_rates(1000, 0.1, 0.5, "0.5")


@pytest.mark.parametrize("cell", ["tp", "fp", "fn", "tn"])
def test_confusion_cells_must_be_non_negative_and_finite(cell):
    cells = {"tp": 1, "fp": 2, "fn": 3, "tn": 4}
    with pytest.raises(ValueError, match=rf"{cell} = -1\.0 is negative: a confusion-matrix cell counts examples"):
        Confusion(**(cells | {cell: -1}))
    with pytest.raises(ValueError, match=rf"{cell} must be finite; got nan"):
        Confusion(**(cells | {cell: math.nan}))
    with pytest.raises(ValueError, match=rf"{cell} must be finite; got inf"):
        Confusion(**(cells | {cell: math.inf}))
    with pytest.raises(TypeError, match=rf"{cell} must be a real number; got None of type NoneType"):
        Confusion(**(cells | {cell: None}))


def test_beta_must_be_positive():
    with pytest.raises(ValueError, match=r"beta = 0\.0 must be > 0"):
        Confusion(1, 2, 3, 4).f_beta(0)
    with pytest.raises(ValueError, match=r"beta = -1\.0 must be > 0"):
        max_fbeta_threshold(Y, S, beta=-1)


def test_min_precision_range():
    with pytest.raises(ValueError, match=r"min_precision = 1\.5 is outside \[0, 1\]"):
        threshold_for_precision(Y, S, 1.5)


def test_capacity_k():
    with pytest.raises(ValueError, match=r"k = 0 must be at least 1"):
        threshold_for_capacity(S, 0)
    with pytest.raises(TypeError, match=r"k must be a whole number \(an int\); got 2\.5 of type float"):
        threshold_for_capacity(S, 2.5)
    assert threshold_for_capacity(S, np.int64(2)).threshold == 0.6  # NumPy integers are fine


def test_threshold_must_not_be_nan():
    with pytest.raises(ValueError, match=r"threshold is NaN: a threshold must be a number \(use inf to flag nothing\)"):
        confusion_at_threshold(Y, S, math.nan)
    with pytest.raises(TypeError, match=r"threshold must be a real number; got '0\.5' of type str"):
        confusion_at_threshold(Y, S, "0.5")


def test_modules_document_the_decision_rule():
    for module in (curves, metrics):
        assert "score >= threshold" in module.__doc__ or "score is >= the threshold" in module.__doc__


def test_fractional_float_labels():
    with pytest.raises(ValueError, match=r"y_true must be binary \(0 = negative, 1 = positive\); found the values \[0\.0, 0\.5\]"):
        roc_auc([0.0, 0.5, 0.0, 0.5], S)


def test_many_label_values_are_abbreviated():
    with pytest.raises(ValueError, match=r"found the values \[0, 1, 2, 3, 4\] …\. For more classes, binarise first"):
        average_precision(list(range(7)), list(range(7)))


@pytest.mark.parametrize("labels", [np.array([0, 1, 0, 1], dtype=dtype) for dtype in
                                    (bool, np.uint8, np.int8, np.int32, np.int64, np.uint64, np.float32, np.float64)])
def test_every_binary_label_dtype_is_accepted(labels):
    assert roc_auc(labels, S) == 1.0
