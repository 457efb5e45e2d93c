#!/usr/bin/env python3
"""Writes tests/loss/operating_point_vectors.hpp: the reference values mldp::loss::operating_point is
checked against, from scikit-learn 1.2 (Debian's python3-sklearn).

For every case:
  - the curve: sklearn.metrics.roc_curve(drop_intermediate=False) (thresholds, fpr, tpr) and
    sklearn.metrics.precision_recall_curve (precision), re-ordered to mldp's order (thresholds
    descending, "predict nothing" first). scikit-learn 1.2 labels that first point thresholds[0] + 1;
    mldp (and scikit-learn >= 1.3) labels it +inf, which is what is written here;
  - per threshold t, by brute force on the predictions (score >= t): confusion_matrix (tn, fp, fn, tp),
    accuracy_score, fbeta_score for beta 0.5, 1, 2 (all with sample_weight where the case has one);
  - the thresholds each criterion picks, found by brute force over all those thresholds with numpy
    (argmin / argmax take the first index, i.e. the highest threshold, on ties).
Small cases embed their inputs; the two large cases are generated on both sides by integer-only
recipes (see large_inputs), so the C++ test rebuilds them bit for bit.
Weights are multiples of 1/4, so every weighted sum is exact and ties are ties on both sides.
Usage: python3 tests/oracles/operating_point_vectors.py > tests/loss/operating_point_vectors.hpp
"""
import os
import sys
import math
import warnings

import numpy as np
import sklearn
from sklearn.metrics import (accuracy_score, confusion_matrix, fbeta_score, precision_recall_curve,
                             recall_score, roc_curve)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stats_vectors import r as num  # noqa: E402  (the shared number formatter)

warnings.simplefilter("ignore")  # UndefinedMetricWarning on the one-class cases is expected


def large_inputs(weighted):
    """scores_i = ((i * 7919) % 1000) / 1000, labels_i = ((i * 104729) % 7) < 3,
    weights_i = ((i * 31) % 5) / 4 (so some are 0), for i < 2000."""
    n = 2000
    scores = [((i * 7919) % 1000) / 1000.0 for i in range(n)]
    labels = [1 if ((i * 104729) % 7) < 3 else 0 for i in range(n)]
    weights = [((i * 31) % 5) / 4.0 for i in range(n)] if weighted else []
    return scores, labels, weights


def arr(values):
    """A braced initialiser, wrapped at about 110 columns when long."""
    items = [num(v) for v in values]
    if len(items) <= 16:
        return "{" + ", ".join(items) + "}"
    lines, line = [], ""
    for item in items:
        if line and len(line) + len(item) > 104:
            lines.append(line.rstrip())
            line = ""
        line += item + ", "
    lines.append(line.rstrip(", "))
    return "{\n        " + "\n        ".join(lines) + "}"


def analyse(scores, labels, weights):
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=int)
    w = np.asarray(weights, dtype=float) if len(weights) else None
    fpr, tpr, thr = roc_curve(y, s, sample_weight=w, drop_intermediate=False)
    precision, recall, pr_thr = precision_recall_curve(y, s, sample_weight=w)
    # precision_recall_curve: ascending thresholds, then the appended (precision 1, recall 0) point
    # that stands for "predict nothing"; reverse into roc_curve's order.
    prec = np.r_[precision[-1], precision[:-1][::-1]]
    assert np.array_equal(pr_thr[::-1], thr[1:])
    ours_thr = np.r_[np.inf, thr[1:]]
    per = {k: [] for k in ("tp", "fp", "tn", "fn", "accuracy", "recall", "f05", "f1", "f2")}
    for t in thr:  # thr[0] = max + 1 predicts nothing positive, like mldp's +inf
        pred = (s >= t).astype(int)
        tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1], sample_weight=w).ravel()
        per["tp"].append(tp)
        per["fp"].append(fp)
        per["tn"].append(tn)
        per["fn"].append(fn)
        per["accuracy"].append(accuracy_score(y, pred, sample_weight=w))
        per["recall"].append(recall_score(y, pred, sample_weight=w, zero_division=0))
        per["f05"].append(fbeta_score(y, pred, beta=0.5, sample_weight=w))
        per["f1"].append(fbeta_score(y, pred, beta=1.0, sample_weight=w))
        per["f2"].append(fbeta_score(y, pred, beta=2.0, sample_weight=w))
    per = {k: np.asarray(v, dtype=float) for k, v in per.items()}
    positives = per["tp"][0] + per["fn"][0]

    def choice(i, objective):
        return "{%s, %s, %d}" % (num(ours_thr[i]), num(objective[i]), i)

    choices = []
    for c_fp, c_fn in ((1.0, 1.0), (1.0, 5.0), (4.0, 1.0)):
        cost = c_fp * per["fp"] + c_fn * per["fn"]
        choices.append(choice(int(np.argmin(cost)), cost))
    for floor in (0.0, 0.8, 0.95):
        # with no positive labels the floor is vacuous (mldp's documented convention)
        feasible = np.ones_like(per["recall"], dtype=bool) if positives == 0 else per["recall"] >= floor
        acc = np.where(feasible, per["accuracy"], -1.0)
        choices.append(choice(int(np.argmax(acc)), per["accuracy"]))
    for key in ("f05", "f1", "f2"):
        choices.append(choice(int(np.argmax(per[key])), per[key]))
    return {"thr": ours_thr, "fpr": fpr, "tpr": tpr, "prec": prec, "per": per, "choices": choices}


small = [
    # scikit-learn's roc_curve docstring example
    ("sklearn_docstring", [0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], []),
    # ties across classes at 0.8, 0.7 and 0.4
    ("ties", [0.9, 0.8, 0.8, 0.7, 0.7, 0.7, 0.4, 0.4, 0.2, 0.1, 0.8, 0.4],
     [1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1], []),
    # the same with weights; zero weights, one of them on the only 0.55 score (scikit-learn drops it)
    ("ties_weighted", [0.9, 0.8, 0.8, 0.7, 0.7, 0.7, 0.4, 0.4, 0.2, 0.1, 0.8, 0.4, 0.55],
     [1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1, 1],
     [1.0, 0.5, 2.0, 0.25, 1.5, 0.0, 3.0, 1.0, 0.75, 2.5, 1.25, 0.0, 0.0]),
    # one class only: tpr (no positives) or fpr (no negatives) is 0/0
    ("all_negative", [0.3, 0.6, 0.6, 0.1], [0, 0, 0, 0], []),
    ("all_positive", [0.2, 0.5, 0.9], [1, 1, 1], [2.0, 0.5, 1.0]),
]
large = [("large_recipe", False), ("large_recipe_weighted", True)]

out = []
out.append("// Generated by tests/oracles/operating_point_vectors.py with scikit-learn %s, numpy %s; do not edit."
           % (sklearn.__version__, np.__version__))
out.append("#pragma once\n#include <cmath>\n#include <cstddef>\n#include <vector>\n")
out.append("namespace oracle::operating_point {\n")
out.append("""// The threshold a criterion picks (brute force over every scikit-learn threshold), the criterion's
// value there and the index of that point in the curve.
struct choice {
    double threshold, objective;
    std::size_t index;
};

struct curve_case {
    const char* name;
    int recipe;  // 0: inputs below; 1: large recipe unweighted; 2: large recipe weighted
    std::vector<double> scores, labels, weights;
    // roc_curve(drop_intermediate=False) and precision_recall_curve, in mldp's order (+inf first)
    std::vector<double> thresholds, fpr, tpr, precision;
    // brute force per threshold: confusion_matrix, accuracy_score, fbeta_score(beta = 0.5, 1, 2)
    std::vector<double> tp, fp, tn, fn, accuracy, f_half, f1, f2;
    // min_expected_cost with (C_FP, C_FN) = (1, 1), (1, 5), (4, 1); max accuracy with recall >= 0,
    // 0.8, 0.95; max F-beta with beta = 0.5, 1, 2
    choice cost_1_1, cost_1_5, cost_4_1, floor_0, floor_080, floor_095, f_beta_05, f_beta_1, f_beta_2;
};
""")
out.append("inline const std::vector<curve_case> cases = {")
entries = [(name, 0, s, y, w) for name, s, y, w in small]
entries += [(name, 2 if weighted else 1) + large_inputs(weighted) for name, weighted in large]
for name, recipe, s, y, w in entries:
    r = analyse(s, y, w)
    p = r["per"]
    inputs = "{}, {}, {}" if recipe else "%s, %s, %s" % (arr(s), arr(y), arr(w))
    full = recipe == 0
    out.append("    {\"%s\", %d," % (name, recipe))
    out.append("     %s," % inputs)
    keys = [r["thr"], r["fpr"], r["tpr"], r["prec"], p["tp"], p["fp"], p["tn"], p["fn"]]
    for a in keys:
        out.append("     %s," % arr(a))
    if full:
        for key in ("accuracy", "f05", "f1", "f2"):
            out.append("     %s," % arr(p[key]))
    else:
        out.append("     {}, {}, {}, {},  // per-point metrics checked on the small cases only")
    out.append("     " + ", ".join(r["choices"][:3]) + ",")
    out.append("     " + ", ".join(r["choices"][3:6]) + ",")
    out.append("     " + ", ".join(r["choices"][6:]) + "},")
out.append("};\n")
out.append("}  // namespace oracle::operating_point")
print("\n".join(out))
