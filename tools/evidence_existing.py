"""One-off migration: evidence for the rubric points of the existing casebook specs.

Rewrites only each question's ``points = [...]`` array in place (texts kept byte for byte), as inline tables
``{ text = "...", evidence = [...], number = "...", against = [...] }``, so that concurrent edits to the
rest of the specs merge cleanly. Idempotent: run ``python tools/evidence_existing.py`` again after editing.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

M = {
    "PRAUC": "pr-auc | pr auc | prauc | auprc | auc-pr | pr curve | precision-recall | precision recall curve | "
             "average precision | ap",
    "ROCAUC": "roc-auc | roc auc | auroc | auc-roc | roc curve | area under the roc",
    "CALIB": "*calibrat* | reliability diagram | reliability curve | platt | isotonic | brier | ece",
    "HELD": "held-out | held out | holdout | hold-out | untouched | never resampled | not resampled | fresh | "
            "separate | calibration split | calibration set | validation | production prior | real prevalence | "
            "production rate | true prior | original distribution",
    "COST": "cost* | dollar* | money | loss | losses",
    "THRESH": "threshold* | cut-off | cutoff | cut | operating point | decision rule",
    "MATURE": "matur* | delay* | lag* | late | arrive* | wait* | take weeks | takes weeks | weeks later",
    "NOISE": "seed* | bootstrap* | confidence interval* | ci | standard error | se | variance | noise | noisy | "
             "error bar* | significan*",
    "AUDIT": "random audit* | random sample* | audit* | random holdout | holdout | exploration | explore* | "
             "uniform* | randomly",
    "FPR": "fpr | false positive rate | false-positive rate | false alarm rate | legitimate * blocked | "
           "share of legitimate",
    "PREV": "prevalence | base rate | prior | positive rate | fraud rate | class ratio | class balance | "
            "how rare | rarity",
    "LEAK": "leak* | contaminat*",
}


def x(group: str) -> str:
    """Expand {MACRO} names in a group."""
    return re.sub(r"\{(\w+)\}", lambda m: M[m.group(1)], group)


# (spec id, question id) -> one entry per point, in the spec's order: a list of groups, or a dict with
# evidence / number / against.
E: dict[tuple[str, str], list] = {
    ("anomaly-detection-reframe", "clarify_and_decide"): [
        ["{PREV} | how rare | rare | one in a thousand | compromise rate | re:1 ?[:i]n? ?[0-9]",
         "stable | stability | drift* | chang* | moving | shift* | vary | varies | over time"],
        ["cost* | budget | capacity | triage | alerts a day | alerts per day | review",
         "false positive* | false negative* | error* | miss* | false alarm* | {THRESH} | how many alerts"],
        ["probabilit*", "rank* | queue | score*"],
        ["label* | known compromise* | known case* | examples", "how many | number of | few | tens | twenty | "
         "homogeneous | heterogeneous | share a pattern | pattern* | scheme* | similar | diverse | varied | "
         "ten thousand"],
        ["isolation forest | one class svm | one-class svm | autoencoder* | model family | algorithm*",
         "scal* | latency | serving | high dimensional | high-dimensional | kernel | quadratic | compute | memory"],
        ["contamination | max samples | max_samples | n estimators | hybrid | first stage | two stage | "
         "{THRESH} | knob*", "capacity | triage | cost* | {PRAUC} | few labels | supervised"],
    ],
    ("balanced-weights-calibration", "deploy_plan"): [
        ["odds | refit | without weights | unweighted | prior correction | weights back",
         "divid* | w_1 | w1 | ratio | 95 | inflat* | correct* | undo* | refit | without weight*"],
        ["platt | isotonic | recalibrat*", "{HELD}"],
        ["reliability diagram | reliability curve | ece | brier | calibration curve | calibration plot",
         "brier | ece | constant | base rate | bins | equal-frequency"],
        ["c_fp | cfp | c fp | cost of a false | cost rule | cost threshold | cost-based threshold | bayes | cost*",
         "threshold | block when | flag when | once | cut"],
        ["0.5 | 0.50 | half", "{THRESH} | flags | flag | block*"],
    ],
    ("breast-cancer-threshold", "caveats"): [
        ["validation", "test"],
        ["bootstrap* | confidence interval* | interval* | ci | uncertain* | small | forty | 40 | few malignant | "
         "one extra miss", "test | sample | split | malignant"],
        ["prevalence | prior | base rate | screening | general population | 37%",
         "shift* | chang* | lower | different | adjust* | re-estimat* | recalibrat* | re-validat* | far fewer | "
         "small fraction | much rarer"],
        ["*calibrat* | reliability diagram | brier", "threshold | bayes | 1/21 | probabilit*"],
        ["cost ratio* | range of | clinical judg* | cost curve | sensitivity | several cost* | different cost*",
         "cost* | ratio* | recall floor | guardrail"],
    ],
    ("easy-ensemble-coverage", "undersampling_tradeoffs"): [
        ["undersampl* | throw* away | discard* | compute | speed | training cost | bottleneck",
         "abundant | plentiful | redundant | plenty | lots of negatives | many negatives | scarce | class weight* | "
         "compute | faster | cheap*"],
        ["easyensemble | easy ensemble | ensemble | subsets | ten learners | several learners",
         "variance | cover* | 9.6% | 10% | see only | overlap* | most negatives | fraction of the negatives"],
        ["disjoint | partition* | without replacement | cut them into | every negative exactly once",
         "every negative | each negative | all negatives | cover* | exactly once | 99 blocks | fewest"],
        ["dal pozzolo | pozzolo | prior correction | beta | β | recalibrat* | correct* the scores | "
         "overstate*", "50/50 | balanced | prior | probabilit* | held-out | held out"],
        ["class weight* | scale_pos_weight | scale pos weight | baseline* | tuned threshold",
         "compar* | same folds | against | versus | vs"],
    ],
    ("fbeta-vs-expected-cost", "when_fbeta"): [
        {"evidence": ["f-beta | fbeta | f beta | f_β | fβ | f1 | f-score",
                      "true negatives | not an expected cost | not minimi* | not the same | ratio | differ* | "
                      "not cost | lower threshold | costs more | structural"],
         "against": ["re:f-?beta (with|using) (β|beta)[^.]{0,40}(is|equals) (the )?(cost|expected cost)[ -]optimal",
                     "maximising f-beta minimises cost", "maximizing f-beta minimizes cost"]},
        ["c_fp/(c_fp + c_fn) | c_fp / (c_fp + c_fn) | cfp/(cfp+cfn) | 1/6 | bayes | cost-optimal | cost optimal",
         "f_β*/(1 + β²) | f*/(1+β²) | depends on the data | lower | data-dependent | usually lower | f-beta "
         "threshold | fbeta threshold"],
        ["minimi* | lowest | bayes | scan",
         "expected cost | cost* | per day"],
        ["unknown | disputed | contested | not known | uncertain | no agreed",
         "f-beta | fbeta | f beta | f1 | single summary | summary"],
        ["pr curve | operating point | precision | flag volume | how many | flagged | trade-off | tradeoff",
         "recall | alongside | next to | trade-off | tradeoff | volume | hides"],
    ],
    ("fintech-delayed-labels-monitoring", "monitoring_design"): [
        ["cohort* | event date | transaction date | vintage*", "matur* | age | 55 | adjust* | provisional"],
        ["psi | score distribution | flag rate | leading indicator* | no labels | without labels | proxies | "
         "proxy | disputes", "early | leading | before | no labels | without labels | warning"],
        ["retrain* | alert*", "persist* | several | consecutive | stays below | multiple | sustained | matur*"],
        ["maturation curve | chargeback feed | chargeback pipeline | label delay | delay curve | reporting lag | "
         "how fast chargebacks arrive", "track* | monitor* | re-measure* | watch* | slow* | measure* | changes"],
        ["blocked | never charged back | never get* | censor* | selective label* | only for flagged | "
         "flagged items | what is flagged | label what", "random holdout | holdout | audit* | random sample* | "
         "unbiased | exploration"],
    ],
    ("focal-loss-numerics", "explain_focal"): [
        ["same constant | every positive | whole class | per class | class weight*",
         "(1 - p_t)^γ | (1 - p_t) | (1-p)^γ | (1 − p_t) | per example | each example | easy examples | hard "
         "examples | easy ones | down-weight* | confident | fade"],
        ["0.25 | quarter | 4x | 4 × | 4 times | four times | 2,500 | 2500",
         "0.5 | unsure | uncertain | hard | not nearly full | 2,500 | 2500 | easy"],
        ["α | alpha", "0.25 & 0.75 | not a rare-class boost | not up-weight* | does not up-weight | negatives "
         "0.75 | weights positives 0.25 | down-weights positives | not a boost"],
        ["detector* | detection | anchor* | object detection | retinanet | tabular | lightgbm | gbm | "
         "gradient boost* | tree*", "easy | background | custom objective | focus* | bottleneck | concentrat* | "
         "already | flood | dominat*"],
        ["*calibrat* | distort* | probabilit*", "scale_pos_weight | scale pos weight | cost threshold | "
         "threshold | held-out | held out | costs"],
    ],
    ("forum-duplicate-leakage", "dedup_plan"): [
        ["minhash | lsh | locality sensitive | locality-sensitive | shingl* | embedding* | cosine | simhash | "
         "hash*", "normalis* | normaliz* | threshold | exact | near-duplicate* | near duplicate* | similar*"],
        ["group* | cluster* | groupkfold | groupshufflesplit", "split* | fold* | validation | early stopping | "
         "hyperparameter* | tuning | test"],
        ["deduplicat* | de-duplicat* | down-weight* | downweight* | weight* | dedup*",
         "training | cluster* | over-weight* | overweight* | repost* | copies"],
        ["label*", "consistent | conflict* | different labels | noise | emoji | leak* | contradict*"],
        ["fresh | duplicated | duplicate share | slice* | separately",
         "report* | monitor* | production | accuracy | metric*"],
    ],
    ("fraud-accuracy-paradox", "clarifying_questions"): [
        ["{PREV} | how common | how often | how frequent", "stable | stability | drift* | chang* | season* | "
         "over time | regime | moderate | severe | mov* | year"],
        ["cost* | what does a missed | expensive | how costly", "false positive* | false negative* | missed fraud | miss* | block* | "
         "good customer | c_fp | ratio | threshold"],
        ["probabilit* | *calibrat*", "rank* | review queue | queue | automatic | who consumes | consum* | pricing"],
        ["how many | absolute | number of fraud | number of positives | count | fifty | tens | a thousand",
         "fraud* | positive* | case* | smote | label*"],
        ["model family | which model | gradient boost* | xgboost | lightgbm | logistic regression | neural",
         "scale_pos_weight | scale pos weight | class weight* | focal | depend* | weighting | knobs | differ*"],
        {"evidence": ["metric | precision | recall | {PRAUC} | expected cost",
                      "not accuracy | instead of accuracy | accuracy alone | accuracy is misleading | accuracy "
                      "of never | never fraud | no better than | majority | beyond accuracy | rather than accuracy | "
                      "accuracy hides | accuracy says nothing | precision and recall | recall"],
         "against": ["re:accuracy is (fine|good|a good|the right|an adequate)", "re:(99|98)(\\.\\d)?% accuracy "
                     "(is|means) (good|great|excellent)"]},
    ],
    ("fraud-amount-cents-schema-guard", "retrain_and_contract"): [
        ["retrain*", "matur* | pr-auc | pr auc | recall | o/e | observed over expected | consecutive | persist* | "
         "schedule | below launch"],
        ["drift | psi", "investigat* | not a retrain | not retrain | does not retrain | doesn't retrain | not by "
         "itself | alone | without outcome"],
        ["schema | contract | column* | type* | range* | null*",
         "distribution | mean | median | ratio | unit* | cents | every batch | before scoring"],
        ["block* | reject* | quarantin* | stop* | halt*", "fallback | fall back | last good | previous model | "
         "rules engine | page* | out of training | never reaches a training"],
        ["rollback | roll back | rolled back | revert*", "previous | last good | deployable | guardrail* | "
         "breach* | prior version"],
    ],
    ("fraud-bayes-threshold-costs", "metric_roles"): [
        ["primary", "expected cost | cost | dollar* | recall at"],
        ["{PRAUC} | *calibrat* | reliability | brier | ece", "diagnos* | compar* | rank* | threshold"],
        ["slice* | segment* | merchant | country | amount band* | per-segment | by segment",
         "precision | recall | cost | error*"],
        ["guardrail* | customer* | complaint* | legitimate", "{FPR} | complaint* | contact rate | blocked | "
         "friction | churn"],
        ["queue | capacity | flags per day | review volume | latency", "guardrail* | capacity | latency | "
         "volume | limit*"],
        {"evidence": ["accuracy | roc-auc | roc auc", "majority | prevalence | ignores | not primary | not in any "
                      "role | dominated | misleading | not the"],
         "against": ["re:(roc-?auc|accuracy) (is|as|should be) (the )?primary"]},
    ],
    ("fraud-drift-psi-calibration", "monitoring_design"): [
        ["0.1 | 0.25 | rule of thumb | convention | credit scor* | cut-offs | cutoff*",
         "bins | binning | sampl* | noise | volume | history | own history | not a statistical | not statistical"],
        ["drift* | psi", "investigat* | not harm | outcome* | o/e | page on | matured | not a reason to page | "
         "not evidence"],
        ["ε | epsilon | empty bin* | eps", "new categor* | unknown categor* | unknown-category | smart_tv | "
         "schema guard | smoothing"],
        ["*calibrat* | o/e | observed/expected | observed over expected",
         "matur* | chargebacks lag | label* arrive | enough expected | count*"],
        ["bug | pipeline | unit | schema change", "real | genuine | population | promotion | new accounts | "
         "fraud ring"],
    ],
    ("fraud-example-dependent-costs", "in_production"): [
        ["*calibrat* | reliability", "amount band* | band* | large | high-value | small purchases | per band | "
         "amount*"],
        ["recover* | chargeback* | net | insurance", "amount | loss | cost"],
        ["step-up | step up | 3-d secure | 3ds | manual review | review | third action | three actions | "
         "authentication", "cheapest | cost | three | option* | action*"],
        ["weight* | cost-sensitive | cost sensitive", "amount | once | not applied again | twice | both"],
        ["monitor* | watch*", "amount band* | band* | high-value | high value | prob* amounts | just below | "
         "around the"],
        ["money | dollar* | loss*", "report* | not only precision | rather than precision | instead of "
         "precision | measure*"],
    ],
    ("fraud-recall-at-precision-vs-fpr", "which_sla"): [
        ["denominator* | among the blocked | of the blocked | blocked ones | fp / (fp + tn) | fp/(fp+tn) | "
         "legitimate users | legitimate transactions", "precision | fpr | false-positive rate | false positive "
         "rate"],
        ["imbalance* | 0.5% | rare | low prevalence | few fraud | so few | huge number | many false positive*",
         "block* | false positive* | low precision | precision is low | tiny | thousand*"],
        ["precision", "prevalence | fraud rate | base rate | prior", "mov* | chang* | depend* | shift* | "
         "drift*"],
        ["fpr cap | cap on the false | cap on fpr | fpr as a guardrail | expected cost | block budget | capacity | "
         "cost of a wrongly | support", "contract | constraint | sla | agree* | threshold | cap | guardrail"],
        ["monitor* | watch* | track* | after launch", "matur* | chargeback* | appeal* | complaint* | fraud rate | "
         "block rate | segment"],
    ],
    ("fraud-roc-vs-pr-prevalence", "when_roc_auc_is_useful"): [
        {"evidence": ["{ROCAUC} | tpr | fpr", "rank* | within one class | among the fraud | each class | "
                      "prevalence | base rate | class ratio", "does not move | doesn't move | invariant | not "
                      "depend | independent | insensitive | unaffected | stayed | stays | unchanged | regardless | "
                      "neither depends | same | not affected | ranking only | only the ranking | measures only | never enters | doesn't care | does not care | sat at | mix of"],
         "against": ["roc-auc is robust to imbalance and therefore the best primary metric"]},
        ["compar* | track* | check*", "window* | dataset* | segment* | decay* | drift* | over time | "
         "different base rate* | base rates differ | different prevalence*"],
        {"evidence": ["{PRAUC} | precision", "prevalence | base rate | baseline | fraud rate", "depend* | chang* | "
                      "mov* | confound* | mix* | baseline | against | fell | fall* | drop*"],
         "against": ["re:pr-?auc[^.]{0,40}(is )?just noise", "re:(metric|pr-?auc)[^.]{0,60}is broken"]},
        ["{ROCAUC}", "hides | low fpr | tiny fpr | far left | left part | early part | partial auc | partial "
         "area | false alarm* | low false positive rate", "{PRAUC} | partial | recall at | precision | false "
         "alarms"],
        {"evidence": ["primary", "expected cost | cost | recall at | capacity | precision at | business | decision"],
         "against": ["re:(roc-?auc|auroc) (is|as|should be|would be) (the|my|our) primary",
                     "re:primary metric (is|should be|would be) (the )?(roc-?auc|auroc)",
                     "re:(roc-?auc|auroc) is robust to (class )?imbalance"]},
    ],
    ("fraud-weights-undersampling", "what_else"): [
        ["{HELD} | production", "never resampled | not resampled | production prior | not the balanced | "
         "not on the balanced | original | real fraud rate | real prevalence | true prior | production rate | "
         "real rate | actual fraud rate"],
        ["reliability diagram | reliability curve | calibration curve | calibration plot | predicted probability "
         "against | predicted vs observed | observed rate | observed frequency | observed fraud rate",
         "ece | brier | equal-frequency | bins | expected calibration error"],
        ["platt | isotonic | recalibrat*", "{HELD}"],
        ["smote | class weight* | weights", "no closed form | no closed-form | recalibrat* | no correction | "
         "no formula"],
        ["threshold | cost", "drift* | re-check | recheck | monitor* | only after | only then | then apply | "
         "after that | prior shift*"],
    ],
    ("pinterest-ab-test-design", "guardrails_and_peeking"): [
        ["guardrail* | must not degrade | watch | non-inferiority | hurt | harm | margin",
         "creator* | appeal* | complaint* | engagement | retention | sessions | saves | revenue | latency | "
         "error rate"],
        ["srm | sample ratio | a/a | pre-period | balance check* | randomi*",
         "user level | per user | by user | users | mismatch | balance | check*"],
        ["peek* | daily | every day | first p < 0.05 | repeated look* | sequential | alpha spending | "
         "alpha-spending | always-valid | pre-regist*", "false-positive rate | false positive | inflat* | "
         "sequential | alpha spending | alpha-spending | always-valid | in advance | pre-regist* | beforehand | "
         "written down | fixed horizon | 20% | 22%"],
        ["stop* | halt* | roll back | rollback | end the test | kill*", "harm | hurt* | guardrail breach | breach* | "
         "regression | never to declare a win | not for a win | only for harm | not an early"],
        {"evidence": ["multiple comparison* | multiplicity | bonferroni | holm | false discovery | fdr",
                      "segment* | metrics | correct*"],
         "against": ["re:multiple comparisons (only )?(throws?|wastes?|loses?)", "re:plain 0\\.05",
                     "re:peeking is not (really )?a problem"]},
    ],
    ("pinterest-bias-variance-depth", "hyperparameters"): [
        ["max_depth | max depth | depth | max_leaf_nodes | leaf nodes | leaves",
         "min_samples_leaf | min samples leaf | l2 | regulari* | max_features | subsampl* | max_bins"],
        ["learning rate | learning_rate | shrinkage", "early stopping | number of trees | max_iter | iterations"],
        ["random search | bayesian | optuna | hyperopt | grid search | search",
         "{PRAUC} | temporal | time-based | validation"],
        ["seed* | bootstrap* | confidence interval* | noise", "simplest | within noise | top few | test | "
         "untouched | repeat*"],
        ["variance | overfit* | gap | learning curve",
         "more data | more positives | regulari* | min_samples_leaf | label* | not a deeper | not more depth | "
         "not deeper | shallower"],
    ],
    ("pinterest-feature-group-ablation", "ablation_plan"): [
        ["2x2 | 2 × 2 | 2×2 | full factorial | all four | four configurations | leave-one-group-out | leave one "
         "out | every combination", "table | design | run* | configuration* | ablation"],
        ["conditional | interaction | overlap* | shapley | depends on what is already", "gain* | credit* | "
         "interaction | order*"],
        ["seed* | standard error | se | noise | z", "differen* | distinguish* | significan* | noise | per "
         "configuration | per cell"],
        ["pair* | same seeds | same split* | same folds", "differen* | tighter | se | standard error | noise | "
         "variance"],
        ["cost | latency | maintenance | nightly | batch job | acquisition | fairness", "gain* | weigh* | "
         "against | trade*"],
    ],
    ("pinterest-follow-ups", "confounded_changes"): [
        ["confound* | at once | together | simultaneous* | three changes | cannot credit | can't credit | "
         "tangled | entangled | can't tell | cannot tell | can't say | cannot say | same time | hard to know",
         "cause* | credit* | attribut* | which one | gain | separate | helped | which change"],
        {"evidence": ["*calibrat* | platt | isotonic", "monoton* | order | ranking", "roc-auc | roc auc | pr-auc | "
                      "pr auc | auc | ranking | top k | cannot change | doesn't change | does not change | unchanged | "
                      "preserv*"],
         "against": ["re:better calibrated scores separate", "re:calibrat[^.]{0,60}(raises|improves|increases) "
                     "(both )?(roc-?auc|auc|recall|the ranking)"]},
        {"evidence": ["threshold", "along | same curve | trade* | recall | precision | moves along | same pr curve | "
                      "alone"],
         "against": ["re:threshold[^.]{0,40}(can be ignored|is just a consequence)"]},
        {"evidence": ["*calibrat*", "threshold | c_fp/(c_fp + c_fn) | bayes | valid | what a given threshold means | "
                      "means"],
         "against": ["re:better calibrated scores separate", "re:threshold[^.]{0,40}(can be ignored|is just a "
                     "consequence)"]},
        ["ablation | baseline", "pr-auc | pr auc | {PRAUC} | seed* | with and without | baseline+x | "
         "baseline + x | same pipeline"],
        ["grid | each model at | old threshold | both thresholds | own threshold | own optimal | own min-cost | "
         "own cost", "model* | feature effect | threshold effect"],
    ],
    ("pinterest-segment-regression-rollback", "rollback_plan"): [
        ["segment* | long-tail | long tail | locale* | language* | device* | new users | small creators",
         "pre-regist* | before the test | in advance | harm threshold | corrected | bonferroni | α/10 | "
         "alpha/10 | beforehand | up front | upfront"],
        ["ramp* | staged | stages | 5% | 1%", "rollback | roll back | roll-back | guardrail* | config | revert*"],
        ["route* | fall back | fallback | old model | previous model | segment threshold | segment-specific",
         "segment | android | non-english | that traffic | those users | the rest"],
        ["underpowered | power | detect | minimum detectable | mde | few users | small sample | 4,000",
         "segment* | regression* | keep watching | after launch | confirm* | fresh traffic"],
        ["error bucket* | slice* | offline | tokeni* | feature coverage | missing features | null* | training "
         "data | training examples | score distribution", "segment | language | device | android | locale | "
         "cause"],
    ],
    ("pinterest-shadow-canary-ab-ladder", "ladder_rubric"): [
        ["shadow", "latency | error* | feature* | parity | skew | flag rate | distribution | agreement | no user* | "
         "exposes nobody | zero exposure | no exposure | never shown | cannot say | can't say"],
        ["canary", "small | 1% | breakage | broken | catastroph* | crash* | 2,800 | 40% | power | not evidence | "
         "only detect*"],
        ["a/b | ab test | a b test | experiment", "sized | power | 147k | mde | guardrail* | full weeks | two "
         "weeks | whole weeks | stop-for-harm | pre-regist*"],
        ["gate* | rollback | roll back | one step | automatic*", "pre-set | in advance | latency | error rate | "
         "flag-rate | flag rate | current model | every stage | each stage"],
        ["ramp* | holdback | hold-back | long-term holdout | holdout", "segment* | feedback loop* | lasting | "
         "long-term | drift | calibration | monitor*"],
    ],
    ("pinterest-temporal-split-leakage", "leakage_checks"): [
        ["point-in-time | point in time | as-of | as of | timestamp* | time travel | history table* | replay*",
         "event time | before the event | at or before | feature store | snapshot* | history"],
        ["univariate auc | near-perfect | near perfect | dominat* | importance | too good | suspicious*",
         "feature | collapse* | later | shadow | online"],
        ["target encod* | label-derived | chargeback* | labels | merchant fraud rate",
         "final | lag* | before the event | out-of-fold | out of fold | matur* | only from"],
        ["drop* | remov* | replace* | as of the event", "ticket* | frozen | freeze* | refund* | post-event | "
         "after the event | future"],
        ["shadow | online", "distribution* | skew | compare* | training table"],
    ],
    ("proper-scoring-rules", "metric_policy"): [
        ["proper scor* | log loss | log-loss | logloss | cross-entropy | brier", "primary | headline | "
         "select* | main | minimi* | true probabilit*"],
        ["{ROCAUC} | {PRAUC} | f1 | rank*", "monoton* | increasing transform* | invariant | blind | tie | "
         "ties | same ranking | cannot see | can't see | don't see | do not see"],
        ["reliability | ece", "not proper | gamed | gam* | base rate | constant | diagnos* | where"],
        ["expected cost | business | cost of the", "deployed | decision | decline rule | τ* | threshold | "
         "rule"],
        ["recalibrat* | platt | isotonic | temperature", "held-out | held out | holdout | compar* | again"],
    ],
    ("ranking-losses-logq", "staff_answer"): [
        ["pairwise | listwise | sampled softmax | sampled-softmax | softmax | bpr | ranknet | ranking loss | "
         "contrastive", "negative* | rank* | compar*"],
        ["in-batch | in batch | batch negatives", "logq | log q | ln q | popularity | frequency | correct* | "
         "subtract*"],
        ["hard negative*", "random | easy | mix* | false negative* | non-click* | near-duplicate*"],
        {"evidence": ["ads | ctr | auction | pointwise | probabilit*", "rebalanc* | down-sampl* | downsampl* | "
                      "negative sampl* | subsampl* | recalibrat*"],
         "against": ["re:(big|large) (ads|recsys|companies|teams) never rebalance",
                     "re:never (need to )?rebalance"]},
        ["recall@k | recall at k | ndcg | mrr | hit rate | map@k", "evaluat* | offline | logs | held-out | "
         "held out | metric*"],
    ],
    ("reviews-macro-micro-f1", "evaluation_plan"): [
        ["per-class | per class | each class | macro", "f1 | precision | recall | averag* | accuracy | micro"],
        ["binary | one-vs-rest | one vs rest | its own | pr curve | {PRAUC}", "threshold | capacity | cost* | "
         "argmax | routing | rout*"],
        ["bootstrap* | confidence interval* | interval* | noisy | ±10 | uncertain* | enlarge | more labels | "
         "label more", "rare | negatives | sample | 100"],
        ["class weight* | resampl* | oversampl* | weights", "*calibrat*"],
        ["confus* | error analysis | slice* | read the | sarcas* | mixed", "neutral | negative* | error* | "
         "next"],
    ],
    ("sentiment-mcc-vs-f1", "what_to_report"): [
        ["positive class | pos_label | pos label | class the product acts on | acts on",
         "negative review* | negative sentiment | negative class | negatives"],
        ["majority | all-positive | all positive | predicting positive | never finds | never surfaces | trivial",
         "f1 | hides | high | score* | rewards"],
        ["mcc | matthews | balanced accuracy", "both classes | all four | swap* | encoding | 0 | zero | symmetric"],
        ["baseline* | trivial | random", "compar* | next to | against | read"],
        ["operating point | threshold | capacity | support team | how many reviews | per day | a day",
         "precision | recall | cost | share | negative"],
    ],
    ("smote-categorical-features", "when_smote"): [
        ["smote | interpolat* | synthetic", "segment | line | between | midpoint | neighbour* | neighbor*",
         "false | not | impossible | nonsense | invalid | doesn't | does not | unrealistic | half of each | "
         "meaningless | make sense"],
        ["smote-nc | smote nc | smotenc | smote-n | categorical | one-hot | one hot",
         "round* | fraction* | patch | real card type | mixed"],
        ["gradient boost* | xgboost | lightgbm | boosting | strong learner* | elor",
         "class weight* | scale_pos_weight | threshold | little | random oversampling | no better"],
        ["inside | within | only on the training | training fold* | pipeline", "fold* | pipeline | split* | "
         "recalibrat* | imblearn | imbalanced-learn"],
        ["few | tens | dozen | handful | small number", "label* | anomaly | simpler | interpolat*"],
    ],
    ("smote-cv-leakage", "review_note"): [
        ["validation fold* | validation set | evaluated on synthetic | synthetic positives | half synthetic | "
         "50% | prevalence", "synthetic | inflat* | 50% | half | not comparable | prevalence"],
        ["pipeline | inside each | inside the training | within each | only touches training | training folds only",
         "imblearn | imbalanced-learn | training fold* | fold*"],
        ["backwards | lower | direction", "leak-free | leak free | honest | removing | remov* | scores lower"],
        ["model-dependent | depends on the model | knn | k-nn | nearest neighbour* | memoris* | memoriz* | "
         "trees", "size | how much | measure* | small | large | roughly"],
        ["no smote | no resampling | without smote | class weight*", "compar* | against | versus | baseline | "
         "tuned threshold"],
    ],
    ("social-prevalence-shift-deployment", "monitor_and_respond"): [
        ["prior | prevalence | base rate", "without labels | mean of | average* | em | saerens | black-box | "
         "black box | confusion matrix | estimat*"],
        ["flag rate | score distribution | flags per", "audit* | random sample | monitor* | watch | signal"],
        ["odds | prior correction | re-weight* | reweight* | move the threshold | threshold | recalibrat*",
         "ratio | multiply | τ* | 0.45 | fresh | recent | production prior | correct*"],
        ["p(x | y) | p(x|y) | scams themselves | concept drift | new scam* | features drift | conditional | "
         "not enough", "retrain* | recalibrat* | not enough | correction"],
        ["capacity | queue | workload | volume", "precision | moderator* | recheck | re-check | change*"],
    ],
    ("tiktok-feedback-loop-exploration", "feedback_loop_rubric"): [
        ["only * flag* | only what | only review | never labelled | never reviewed | never enters | misses | "
         "missed", "training | retrain* | label* | invisible | its own | selection"],
        ["recall", "1 | one | by construction | perfect | 100%", "log"],
        ["random | exploration | explor* | holdout | epsilon | ε", "unflagged | review* | not act | 2% | "
         "estimate* | miss*"],
        ["inverse-propensity | inverse propensity | propensit* | 1/ε | weight* | ipw", "train* | explored | "
         "base rate | log*"],
        ["moderator* | automation bias | blind | appeal*", "flag | blind | anchor* | matur* | late | appeal*"],
    ],
    ("tiktok-labels-kappa-model-choice", "labelling_plan"): [
        ["disagreement* | confusion* | where they disagree", "sarcas* | negation | quot* | guideline* | "
         "emoji | rules"],
        ["pilot | re-pilot | rerun | re-run", "κ | kappa | agreement | per annotator | per category | gold"],
        ["adjudicat* | senior | majority | third annotator | tie-break*", "soft label* | votes | ambigu* | "
         "disagreement*"],
        ["test set | evaluation | validation | eval", "adjudicat* | cleaner | clean | gold | ceiling | noise"],
        ["chance | κ | kappa", "raw agreement | 80% | not label quality | corrects | chance"],
    ],
    ("tiktok-labels-kappa-model-choice", "model_tradeoffs"): [
        ["tf-idf | tfidf | bag of words | bag-of-words | logistic regression | linear model | lr",
         "negation | sarcasm | word order | order | interpret* | coefficient* | fast | cheap | additive | sum"],
        ["transformer* | bert | roberta | distil*", "context* | negation | sarcasm | gpu* | cost* | expensive | "
         "explain* | attribution* | brittle | slang | robust*"],
        ["latency | p99 | budget | 25 ms | 85 ms", "distil* | quantis* | quantiz* | int8 | breaks | budget"],
        ["bootstrap* | confidence interval* | seed* | same test set | adjudicated test", "gap | real | "
         "significan* | pr-auc | 0.05 | noise"],
        ["baseline | fallback | fall back | cascade", "tf-idf | tfidf | linear | logistic | cheap model | first "
         "stage"],
    ],
    ("tiktok-labels-kappa-model-choice", "iterative_refinement"): [
        ["error analysis | bucket* | false positives and false negatives | categorise the errors",
         "volume | how many | fixab* | rank* | prioriti* | not by their error rate | size"],
        ["targeted | active learning | label more | more data | guideline | feature | pre-processing | "
         "preprocessing", "retrain* | top bucket | slice | fix*"],
        ["test set", "fixed | same | untouched | never tune | adjudicat* | held-out | held out"],
        ["one change at a time | one thing at a time | ablat* | κ | kappa | slice metric* | per bucket | "
         "per slice", "track* | measur* | attribut* | know which | each | over iterations | helped"],
        ["next time | differently | learning | lesson*", "guideline* | gold | test set | baseline | slice "
         "monitoring | label* | before any modelling"],
    ],
    ("tiktok-moderation-metric-audit", "metric_audit_rubric"): [
        {"evidence": ["precision", "threshold | flag* less | fewer | rais* | gam* | bought", "recall | caught | "
                      "harm | misses | miss*"],
         "against": ["re:precision (is|would be) (a good|the right|the best) (success|primary) metric"]},
        ["selection bias | only see what | only flagged | only for flagged | only what the model flags | "
         "labels exist only", "random audit* | audit* | random sample* | inverse | uniform*"],
        ["appeal* | escalat* | delay* | overturn* | revers*", "matur* | cohort* | wait* | weeks | days later"],
        ["leak* | automation bias | anchor* | see the score | see the model's score | banner",
         "moderator* | feature* | blind | report count* | past removals"],
        ["recall | harm prevented | share of harmful", "primary | capacity | audit | main"],
    ],
    ("tiktok-sentiment-postmortem-buckets", "two_failure_modes"): [
        ["slang | meme* | code-mixed | code mixed | new language* | language drift | distribution shift | "
         "drift | emoji", "bucket* | slice* | language | locale | freshly labelled | fresh* | out-of-vocabulary | "
         "oov | hashtag*"],
        ["training-serving skew | training–serving skew | training serving skew | serving path | preprocess* | "
         "normalis* | normaliz* | tokeni*", "client version | app version | 31.3 | version | replay* | "
         "slice*"],
        ["psi | distribution* | replay* | label a sample | compare", "confirm* | score* | token* | precision | "
         "both pipelines"],
        ["volume | how many errors | errors removed | fixab* | rank*", "prioriti* | fix* | first | not by the "
         "highest rate | rate"],
        ["label noise | annotator agreement | agreement | κ | kappa | noisy labels", "sarcas* | hard bucket* | "
         "cap* | bucket*"],
    ],
    ("tiktok-threshold-capacity", "how_answer_changes"): [
        {"evidence": ["{PRAUC} | precision and recall | precision/recall | precision-recall | recall and "
                      "precision", "imbalance* | accuracy | roc | rare | operating point | threshold"],
         "against": ["re:(roc-?auc|auroc) is robust to (class )?imbalance",
                     "re:accuracy is (fine|good|a good metric|the right metric)"]},
        {"evidence": ["c_fp/(c_fp + c_fn) | c_fp / (c_fp + c_fn) | cfp/(cfp + cfn) | bayes | cost-optimal | "
                      "cost optimal | lowest total cost | min-cost | minimum cost | scan",
                      "*calibrat* | threshold | flag when | validation"],
         "number": ""},
        ["once | both | twice | double* | already | baked", "weight* | resampl* | recalibrat* | correct* | "
         "threshold"],
        ["capacity | 1,000 | 1000 | review team | reviewers", "top k | top-k | top 1,000 | top 1000 | rank* | "
         "quantile | precision@k | recall@k | precision at k | recall at k"],
        ["volume | prevalence | overflow* | flag rate", "shift* | monitor* | chang* | overflow* | rule"],
    ],
    ("undersampling-pozzolo-reliability", "review_comments"): [
        ["50/50 | balanced | resampled | undersampled | training sample", "meaningless | wrong | not the "
         "production | prior | misleading | production rate | held-out | held out"],
        ["dal pozzolo | pozzolo | β | beta | correction", "p = β | direction | odds | wrong way | formula | "
         "β·p_s | apply | realised | 0.005"],
        ["roc-auc | roc auc | rank* | ap | average precision", "unchanged | does not move | doesn't move | "
         "monoton* | cannot show | can't show | never flagged | invariant"],
        ["reliability diagram | reliability curve | calibration curve", "ece | brier | equal-frequency | bins"],
        ["platt | isotonic", "separate | untouched | held-out | held out | calibration split | another"],
        ["smote", "no closed form | no closed-form | recalibrat* | no formula"],
    ],
}


def _pieces(raw_array: str) -> list[str]:
    """The TOML source of each top-level item of an array literal's body (strings or inline tables)."""
    items, depth, i, start, n = [], 0, 0, None, len(raw_array)
    while i < n:
        c = raw_array[i]
        if c in "\"'":
            triple = raw_array[i:i + 3] == c * 3
            q = c * 3 if triple else c
            if start is None and depth == 0:
                start = i
            j = i + len(q)
            while True:
                k = raw_array.index(q, j)
                if q == '"' and raw_array[k - 1] == "\\" and raw_array[k - 2] != "\\":
                    j = k + 1
                    continue
                break
            i = k + len(q)
            continue
        if c in "[{":
            if start is None and depth == 0:
                start = i
            depth += 1
        elif c in "]}":
            depth -= 1
        elif c == "," and depth == 0 and start is not None:
            items.append(raw_array[start:i].strip())
            start = None
        i += 1
    if start is not None and raw_array[start:].strip():
        items.append(raw_array[start:].strip())
    return items


def _text_source(piece: str) -> str:
    """The TOML string literal of a point's text: the piece itself, or the inline table's ``text`` value."""
    if piece.startswith("{"):
        m = re.match(r'\{\s*text\s*=\s*("(?:[^"\\]|\\.)*")', piece)
        assert m, piece
        return m.group(1)
    return piece


def rewrite(path: Path, qid: str, entries: list) -> bool:
    src = path.read_text(encoding="utf-8")
    m = re.search(rf'^id = "{qid}"\n', src, re.M)
    assert m, (path, qid)
    start = src.index("\npoints = [\n", m.end()) + 1
    end = src.index("\n]\n", start) + 3
    body = src[start + len("points = [\n"):end - 3]
    pieces = _pieces(body)
    assert len(pieces) == len(entries), (path.name, qid, len(pieces), len(entries))
    lines = ["points = ["]
    for piece, entry in zip(pieces, entries, strict=True):
        entry = {"evidence": entry} if isinstance(entry, list) else dict(entry)
        fields = [f"text = {_text_source(piece)}",
                  "evidence = " + json.dumps([x(g) for g in entry["evidence"]], ensure_ascii=False)]
        if entry.get("number"):
            fields.append(f"number = {json.dumps(entry['number'])}")
        if entry.get("against"):
            fields.append("against = " + json.dumps(entry["against"], ensure_ascii=False))
        lines.append("  { " + ", ".join(fields) + " },")
    lines.append("]")
    new = src[:start] + "\n".join(lines) + "\n" + src[end:]
    tomllib.loads(new)
    if new != src:
        path.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":
    only = set(sys.argv[1:])
    changed = 0
    for (sid, qid), entries in E.items():
        if only and sid not in only:
            continue
        changed += rewrite(ROOT / "casebook" / f"{sid}.toml", qid, entries)
    print(f"{changed} question(s) rewritten")
