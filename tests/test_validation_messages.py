"""Every input mistake gets a specific message: what was wrong, what was seen, what is allowed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.exceptions import UndefinedMetricWarning

from caselab.maths import calibration, curves, metrics
from caselab.maths.curves import (
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
from caselab.maths.metrics import Confusion, confusion_at_threshold, confusion_from_rates

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
    with pytest.raises(ValueError, match=r"y_true must be binary \(two classes\); found the values \[0, 1, 2\]"):
        call([0, 1, 2, 1], S)


@labelled
def test_string_labels_need_pos_label(call):
    with pytest.raises(ValueError, match=r"y_true holds the labels \['no', 'yes'\] and pos_label is not given, so "
                                         r"which class is positive is ambiguous: pass pos_label= the positive class "
                                         r"\(e\.g\. pos_label='yes'\), or encode the labels as \{0, 1\} or \{-1, 1\}"):
        call(["yes", "no", "no", "yes"], S)


@labelled
def test_nan_label(call):
    with pytest.raises(ValueError, match=r"y_true contains NaN or infinity; labels must be class labels such as 0 and 1"):
        call([0.0, 1.0, math.nan, 1.0], S)


@labelled
def test_integers_beyond_2_to_the_53_are_refused(call):
    # float64 would merge 2**62 + 1 and 2**62 into one score (roc_auc would say 0.5; the truth is 0.0)
    with pytest.raises(ValueError, match=r"y_score holds integers beyond ±2\*\*53 \(e\.g\. 4611686018427387905\), which "
                                         r"float64 .* cannot hold exactly: distinct scores such as 4611686018427387905 "
                                         r"and 4611686018427387904 would become ties\. .* or cast to float64 yourself "
                                         r"if ties are acceptable\."):
        call([0, 1, 0, 1], np.array([2**62 + 1, 2**62, 0, 1]))
    with pytest.raises(ValueError, match=r"beyond ±2\*\*53 \(e\.g\. -9007199254740993\)"):
        call([0, 1, 0, 1], np.array([-(2**53) - 1, 0, 1, 2]))
    with pytest.raises(ValueError, match=r"beyond ±2\*\*53 \(e\.g\. 18446744073709551615\)"):
        call([0, 1, 0, 1], np.array([2**64 - 1, 0, 1, 2], dtype=np.uint64))


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
    # scikit-learn (1.9) only warns and returns NaN, as the curves module says
    with pytest.warns(UndefinedMetricWarning, match="Only one class is present in y_true"):
        assert math.isnan(skm.roc_auc_score(labels, [0.2, 0.5, 0.9]))


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
    with pytest.raises(ValueError, match=r"y_true holds the labels \[0\.0, 0\.5\] and pos_label is not given"):
        roc_auc([0.0, 0.5, 0.0, 0.5], S)


def test_many_label_values_are_abbreviated():
    with pytest.raises(ValueError, match=r"found the values \[0, 1, 2, 3, 4\] …\. For more classes, binarise first"):
        average_precision(list(range(7)), list(range(7)))


@pytest.mark.parametrize("labels", [np.array([0, 1, 0, 1], dtype=dtype) for dtype in
                                    (bool, np.uint8, np.int8, np.int32, np.int64, np.uint64, np.float32, np.float64)])
def test_every_binary_label_dtype_is_accepted(labels):
    assert roc_auc(labels, S) == 1.0


# --- labels other than 0/1: scikit-learn's pos_label rule, in one place -------------------------

Y5, S5 = np.array([0, 1, 1, 0, 1]), np.array([0.1, 0.8, 0.4, 0.6, 0.3])  # both classes, not separable



def _kw(pos_label):
    return {} if pos_label is None else {"pos_label": pos_label}


# Every public function that takes labels (threshold_for_fpr aside, see below).
LABEL_TAKING = {
    "confusion_matrix_at_thresholds": lambda y, s, **k: confusion_matrix_at_thresholds(y, s, **k),
    "precision_recall_curve": lambda y, s, **k: precision_recall_curve(y, s, **k),
    "roc_curve": lambda y, s, **k: roc_curve(y, s, **k),
    "average_precision": lambda y, s, **k: average_precision(y, s, **k),
    "roc_auc": lambda y, s, **k: roc_auc(y, s, **k),
    "min_cost_threshold": lambda y, s, **k: min_cost_threshold(y, s, 1, 5, **k),
    "threshold_for_precision": lambda y, s, **k: threshold_for_precision(y, s, 0.5, **k),
    "threshold_for_recall": lambda y, s, **k: curves.threshold_for_recall(y, s, 0.6, **k),
    "max_fbeta_threshold": lambda y, s, **k: max_fbeta_threshold(y, s, **k),
    "confusion_at_threshold": lambda y, s, **k: confusion_at_threshold(y, s, 0.5, **k),
    "reliability_bins": lambda y, s, **k: calibration.reliability_bins(y, s, n_bins=3, **k),
    "expected_calibration_error": lambda y, s, **k: calibration.expected_calibration_error(y, s, n_bins=3, **k),
    "brier_score": lambda y, s, **k: calibration.brier_score(y, s, **k),
    "log_loss": lambda y, s, **k: calibration.log_loss(y, s, **k),
    "fit_platt": lambda y, s, **k: calibration.fit_platt(s, y, **k),
    "isotonic_fit": lambda y, s, **k: calibration.isotonic_fit(s, y, **k),
}
label_taking = pytest.mark.parametrize("call", LABEL_TAKING.values(), ids=LABEL_TAKING.keys())


def assert_same_result(a, b):
    """Equal results, whatever their type (a float, a named tuple of arrays, a Confusion)."""
    if isinstance(a, tuple):
        assert type(a) is type(b)
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)
    else:
        assert a == b


# (labels, pos_label): each encodes Y5 (positive where Y5 == 1)
ENCODINGS = {
    "-1/1": (np.where(Y5 == 1, 1, -1), None),
    "-1.0/1.0": (np.where(Y5 == 1, 1.0, -1.0), None),
    "1/2, pos 2": (Y5 + 1, 2),
    "strings": (np.where(Y5 == 1, "fraud", "legit"), "fraud"),
    "object strings": (np.where(Y5 == 1, "fraud", "legit").astype(object), "fraud"),
    "0/1, pos 1": (Y5, 1),
    "0/1 flipped, pos 0": (1 - Y5, 0),
    "bool, pos True": (Y5.astype(bool), True),
    "int64 -1/1, pos numpy int": (np.where(Y5 == 1, 1, -1), np.int64(1)),
}


@label_taking
@pytest.mark.parametrize("encoding", ENCODINGS.values(), ids=ENCODINGS.keys())
def test_any_two_labels_with_pos_label_give_the_0_1_answer(call, encoding):
    labels, pos_label = encoding
    assert_same_result(call(labels, S5, **_kw(pos_label)), call(Y5, S5))


@label_taking
@pytest.mark.parametrize("labels, shown", [(Y5 + 1, r"\[1, 2\]"), (np.where(Y5 == 1, "b", "a"), r"\['a', 'b'\]"),
                                           (Y5 * 2.0, r"\[0\.0, 2\.0\]")])
def test_labels_other_than_0_1_or_minus_1_1_need_pos_label(call, labels, shown):
    with pytest.raises(ValueError, match=rf"y_true holds the labels {shown} and pos_label is not given, so which class "
                                         r"is positive is ambiguous: pass pos_label="):
        call(labels, S5)


@label_taking
def test_pos_label_must_be_one_of_two_labels(call):
    with pytest.raises(ValueError, match=r"pos_label='Fraud' is not one of the labels in y_true \(\['fraud', 'legit'\]\): "
                                         r"pass one of them"):
        call(np.where(Y5 == 1, "fraud", "legit"), S5, pos_label="Fraud")


@label_taking
def test_three_labels_with_pos_label_are_not_binary(call):
    with pytest.raises(ValueError, match=r"y_true must be binary \(two classes\); found the values \['a', 'b', 'c'\]\. "
                                         r"For more classes, binarise first"):
        call(["a", "b", "c", "a", "b"], S5, pos_label="a")


@label_taking
def test_pos_label_of_the_wrong_kind(call):
    with pytest.raises(ValueError, match=r"pos_label='1' is a string but y_true holds numbers \(\[0\]\): pass the "
                                         r"positive label as it appears in the data"):
        call([0, 0, 0, 0, 0], S5, pos_label="1")
    with pytest.raises(ValueError, match=r"pos_label=1 is a number but y_true holds strings \(\['a'\]\)"):
        call(["a"] * 5, S5, pos_label=1)
    with pytest.raises(TypeError, match=r"pos_label must be one label \(a number, a bool or a string\); got \[1\] of type list"):
        call(Y5, S5, pos_label=[1])


def test_one_label_that_is_not_pos_label_is_all_negative():
    sweep = confusion_matrix_at_thresholds(["legit"] * 3, [0.2, 0.5, 0.5], pos_label="fraud")
    assert sweep.tps.tolist() == [0.0, 0.0] and sweep.fps.tolist() == [2.0, 3.0]
    with pytest.raises(ValueError, match=r"y_true has no positive examples \(all 3 labels are negative\)"):
        average_precision(["legit"] * 3, [0.2, 0.5, 0.5], pos_label="fraud")


def test_threshold_for_fpr_takes_minus_one_one_labels():
    # (its signature is owned elsewhere; the shared default rule reaches it all the same)
    assert curves.threshold_for_fpr(np.where(Y5 == 1, 1, -1), S5, 0.5) == curves.threshold_for_fpr(Y5, S5, 0.5)


def test_labels_held_as_python_objects():
    # numbers in an object array (e.g. a pandas object column) count as numbers
    assert roc_auc(np.array([0, 1, 0, 1], dtype=object), S) == roc_auc([0, 1, 0, 1], S)
    assert roc_auc(np.array([-1, 1, -1, 1], dtype=object), S) == roc_auc([0, 1, 0, 1], S)
    with pytest.raises(ValueError, match=r"y_true holds the labels \['a', None\] and pos_label is not given"):
        roc_auc(np.array(["a", None, "a", None], dtype=object), S)
    assert roc_auc(np.array([None, "a", None, "a"], dtype=object), S, pos_label="a") == 1.0
