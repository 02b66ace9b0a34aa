"""The reference library: the maths the questions are about, small and readable — open it to see how.

Numbers in, numbers out; nothing here imports the rest of caselab.

``metrics``      the confusion matrix and every rate built on it, expected cost (zero division in one place)
``curves``       one sort-and-count sweep behind PR/ROC curves, AP, ROC-AUC and every threshold selector
``calibration``  reliability bins, ECE, Brier score, log loss, Platt and isotonic recalibration, prior shifts
``imbalance``    class weights, resampling arithmetic, focal loss, the Dal Pozzolo correction
``experiments``  A/B tests: sample size, power, MDE, duration, SRM, z-test, Bonferroni, peeking
``monitoring``   drift (PSI), calibration in production, delayed labels, schema checks
``ranking``      ranking losses, sampled softmax and the logQ correction
"""
