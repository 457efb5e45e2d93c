#!/usr/bin/python3
"""Writes tests/quality/label_vectors.hpp: the reference values mldp/quality/label_checks.hpp is checked
against, with numpy 1.24, scipy 1.10 and statsmodels 0.13 (Debian's python3-numpy, python3-scipy,
python3-statsmodels).

  - Confident learning. cleanlab is not packaged for Debian, so this script carries a numpy
    transcription of cleanlab 2.x's published algorithm, vectorised as cleanlab writes it (the C++ is
    written as loops, so the two are independent):
      cleanlab/count.py   get_confident_thresholds, compute_confident_joint, calibrate_confident_joint
      cleanlab/internal/util.py   round_preserving_sum, round_preserving_row_totals
      cleanlab/filter.py  find_label_issues, _keep_at_least_n_per_class, _reduce_prune_counts,
                          _prune_by_count, _prune_by_class, and count.py _reduce_issues / num_label_issues
      cleanlab/rank.py    get_self_confidence_for_each_label, get_normalized_margin_for_each_label
    The data (labels and predicted probabilities) come from an integer recipe (lcg below) and are
    written out in full, so the C++ test reads exactly these doubles. cleanlab sorts with numpy's
    default argsort, which is not stable for more than 16 elements; the script asserts that no tie
    decides a result (so any sort gives cleanlab's answer) and uses kind='stable' where ties could
    occur (rows of at most 16 entries, where numpy 1.24's default is an insertion sort, so stable too).
  - source_consistency: numpy.median, scipy.stats.median_abs_deviation, scipy.stats.mannwhitneyu and
    ks_2samp of each source against the rest, statsmodels multipletests(method='holm').

Usage: /usr/bin/python3 tests/oracles/label_vectors.py > tests/quality/label_vectors.hpp
"""
import os
import sys
import math

import numpy as np
import scipy
import scipy.stats
import statsmodels
from statsmodels.stats.multitest import multipletests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stats_vectors import r as num  # noqa: E402  (the shared number formatter)

FLOATING_POINT_COMPARISON = 1e-6
CONFIDENT_THRESHOLDS_LOWER_BOUND = 2 * FLOATING_POINT_COMPARISON
TINY_VALUE = 1e-100


# ---- cleanlab 2.x, transcribed ---------------------------------------------------------------------

def get_confident_thresholds(labels, pred_probs):
    K = pred_probs.shape[1]
    unique = set(labels.tolist())
    t = [np.mean(pred_probs[:, k][labels == k]) if k in unique else 2 for k in range(K)]
    return np.clip(t, a_min=CONFIDENT_THRESHOLDS_LOWER_BOUND, a_max=None)


def round_preserving_sum(iterable):
    floats = np.asarray(iterable, dtype=float)
    ints = floats.round()
    orig_sum = np.sum(floats).round()
    int_sum = np.sum(ints).round()
    while abs(int_sum - orig_sum) > FLOATING_POINT_COMPARISON:
        diff = np.round(orig_sum - int_sum)
        increment = -1 if int(diff < 0.0) else 1
        changes = min(int(abs(diff)), len(iterable))
        indices = np.argsort(floats - ints, kind="stable")[::-increment][:changes]
        for i in indices:
            ints[i] = ints[i] + increment
        int_sum = np.sum(ints).round()
    return ints.astype(int)


def round_preserving_row_totals(cj):
    return np.apply_along_axis(func1d=round_preserving_sum, axis=1, arr=cj).astype(int)


def calibrate_confident_joint(confident_joint, labels):
    K = len(confident_joint)
    label_counts = np.bincount(labels, minlength=K)
    calibrated = (confident_joint.T / np.clip(confident_joint.sum(axis=1), a_min=TINY_VALUE, a_max=None)
                  * label_counts).T
    calibrated = calibrated / np.clip(np.sum(calibrated), a_min=TINY_VALUE, a_max=None) * sum(label_counts)
    return round_preserving_row_totals(calibrated)


def compute_confident_joint(labels, pred_probs, calibrate=True):
    thresholds = get_confident_thresholds(labels, pred_probs)
    pred_probs_bool = pred_probs >= thresholds - 1e-6
    num_confident_bins = pred_probs_bool.sum(axis=1)
    at_least_one = num_confident_bins > 0
    more_than_one = num_confident_bins > 1
    true_label_guess = np.where(more_than_one, pred_probs.argmax(axis=1), pred_probs_bool.argmax(axis=1))
    true_confident = true_label_guess[at_least_one]
    labels_confident = labels[at_least_one]
    K = pred_probs.shape[1]
    # sklearn.metrics.confusion_matrix(y_true=true_confident, y_pred=labels_confident).T
    cj = np.zeros((K, K), dtype=np.int64)
    np.add.at(cj, (labels_confident, true_confident), 1)
    np.fill_diagonal(cj, cj.diagonal().clip(min=1))
    if calibrate:
        cj = calibrate_confident_joint(cj, labels)
    indices = np.arange(len(labels))[at_least_one][true_confident != labels_confident]
    return cj, indices


def reduce_prune_counts(pcm, frac_noise):
    new_mat = pcm * frac_noise
    np.fill_diagonal(new_mat, pcm.diagonal())
    np.fill_diagonal(new_mat, pcm.diagonal() + np.sum(pcm - new_mat, axis=0))
    return new_mat.astype(int)


def keep_at_least_n_per_class(pcm, n, frac_noise):
    diag = np.diagonal(pcm)
    new_diag = np.maximum(diag, n)
    diff = new_diag - diag
    num = np.maximum(np.count_nonzero(pcm, axis=0) - 1.0, 1.0)
    new_mat = pcm - diff / num
    new_mat[new_mat < 0] = 0
    np.fill_diagonal(new_mat, new_diag)
    new_mat = reduce_prune_counts(new_mat, frac_noise)
    return round_preserving_row_totals(new_mat).astype(int)


def no_tie(values, count):
    """True when the first `count` of a sort of `values` is the same set however ties are broken."""
    if count <= 0 or count >= len(values):
        return True
    s = np.sort(values)
    return s[count - 1] != s[count]


def prune_by_count(k, pred_probs_k, pcm_col, min_examples):
    n_k = pred_probs_k.shape[0]
    mask = np.zeros(n_k, dtype=bool)
    if n_k <= min_examples:
        return mask
    for j in range(pred_probs_k.shape[1]):
        num2prune = pcm_col[j]
        if k != j and num2prune > 0:
            margin = pred_probs_k[:, j] - pred_probs_k[:, k]
            assert no_tie(-margin, num2prune), "a tie decides _prune_by_count"
            order = np.argsort(-margin, kind="stable")
            mask[order[:num2prune]] = True
    return mask


def prune_by_class(k, pred_probs_k, pcm_col, min_examples):
    n_k = pred_probs_k.shape[0]
    mask = np.zeros(n_k, dtype=bool)
    if n_k > min_examples:
        num_issues = n_k - pcm_col[k]
        if num_issues >= 1:
            assert no_tie(pred_probs_k[:, k], num_issues), "a tie decides _prune_by_class"
            order = np.argsort(pred_probs_k[:, k], kind="stable")
            mask[order[:num_issues]] = True
    return mask


def reduce_issues(pred_probs, labels):
    copy = np.copy(pred_probs)
    copy[np.arange(len(labels)), labels] += FLOATING_POINT_COMPARISON
    return copy.argmax(axis=1) == labels


def self_confidence(labels, pred_probs):
    return pred_probs[np.arange(labels.shape[0]), labels]


def normalized_margin(labels, pred_probs):
    sc = self_confidence(labels, pred_probs)
    N, K = pred_probs.shape
    del_indices = np.arange(N) * K + labels
    max_not = np.max(np.delete(pred_probs, del_indices, axis=None).reshape(N, K - 1), axis=-1)
    return (sc - max_not + 1) / 2


def find_label_issues(labels, pred_probs, filter_by="prune_by_noise_rate", frac_noise=1.0, min_examples=1):
    K = pred_probs.shape[1]
    cj, cl_error_indices = compute_confident_joint(labels, pred_probs)
    if filter_by in ["low_normalized_margin", "low_self_confidence"]:
        scores = self_confidence(labels, pred_probs) if filter_by == "low_self_confidence" \
            else normalized_margin(labels, pred_probs)
        # count.num_label_issues(estimation_method='off_diagonal')
        _, off = compute_confident_joint(labels, pred_probs, calibrate=False)
        m = np.zeros(len(labels), dtype=bool)
        m[off] = True
        m[reduce_issues(pred_probs, labels)] = False
        num_errors = int(np.sum(m))
        assert no_tie(scores, num_errors), "a tie decides the low-score filters"
        cl_error_indices = np.argsort(scores, kind="stable")[:num_errors]
    if filter_by in ["prune_by_noise_rate", "prune_by_class", "both"]:
        pcm = keep_at_least_n_per_class(cj.T, min_examples, frac_noise)
        by_class = {k: pred_probs[labels == k] for k in range(K)}
        cols = {k: pcm[:, k] for k in range(K)}
    if filter_by in ["prune_by_class", "both"]:
        mask = np.zeros(len(labels), dtype=bool)
        for k in range(K):
            mk = prune_by_class(k, by_class[k], cols[k], min_examples)
            if len(mk) > 1:
                mask[labels == k] = mk
        mask_by_class = mask
    if filter_by in ["prune_by_noise_rate", "both"]:
        mask = np.zeros(len(labels), dtype=bool)
        for k in range(K):
            mk = prune_by_count(k, by_class[k], cols[k], min_examples)
            if len(mk) > 1:
                mask[labels == k] = mk
    if filter_by == "both":
        mask = mask & mask_by_class
    if filter_by in ["confident_learning", "low_normalized_margin", "low_self_confidence"]:
        mask = np.zeros(len(labels), dtype=bool)
        mask[cl_error_indices] = True
    if filter_by == "predicted_neq_given":
        mask = pred_probs.argmax(axis=1) != labels
    if filter_by not in ["low_self_confidence", "low_normalized_margin"]:
        mask[reduce_issues(pred_probs, labels)] = False
    return np.flatnonzero(mask)


# ---- data -------------------------------------------------------------------------------------------

class lcg:
    """Knuth's MMIX linear congruential generator, top 31 bits."""

    def __init__(self, seed):
        self.s = seed

    def next(self, m):
        self.s = (self.s * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (self.s >> 33) % m


def make_case(seed, n, K, flip_percent, class_weights, absent=()):
    """True class drawn by class_weights; weights 1..1000 for the other classes and 1200..4200 for the
    true one (one row in eight is ambiguous: 1..1000 for every class); the given label is the true class,
    or with probability flip_percent another class (never one in `absent`)."""
    g = lcg(seed)
    total = sum(class_weights)
    labels, probs = [], []
    for _ in range(n):
        r = g.next(total)
        t = 0
        while r >= class_weights[t]:
            r -= class_weights[t]
            t += 1
        ambiguous = g.next(8) == 0
        w = [1 + g.next(1000) for _ in range(K)]
        if not ambiguous:
            w[t] = 1200 + g.next(3000)
        given = t
        if g.next(100) < flip_percent:
            others = [c for c in range(K) if c != t and c not in absent]
            given = others[g.next(len(others))]
        if given in absent:
            given = [c for c in range(K) if c not in absent][0]
        s = float(sum(w))
        labels.append(given)
        probs.append([x / s for x in w])
    return np.array(labels, dtype=np.int64), np.array(probs, dtype=np.float64)


def ints(xs):
    return "{" + ", ".join(str(int(x)) for x in xs) + "}"


def doubles(xs):
    return "{" + ", ".join(num(x) for x in xs) + "}"


FILTERS = ["prune_by_noise_rate", "prune_by_class", "both", "confident_learning", "predicted_neq_given",
           "low_self_confidence", "low_normalized_margin"]

CASES = [
    # name, seed, n, K, flip %, class weights, absent labels, (frac_noise, min_examples) settings
    ("three_classes", 11, 150, 3, 18, [5, 4, 3], (), [(1.0, 1), (0.5, 1), (1.0, 45)]),
    ("four_classes_rare", 29, 240, 4, 15, [9, 6, 4, 1], (), [(1.0, 1), (0.7, 5), (1.0, 18)]),
    ("absent_class", 47, 60, 3, 20, [3, 3, 1], (2,), [(1.0, 1)]),
]

# Small cases found by searching for data on which cleanlab's edge rules decide the answer (each would
# change if the rule were dropped), given as labels and integer weights (probability = weight / row sum;
# the dyadic ones are exact, so probabilities can equal thresholds):
#   slack_reduce  - _reduce_issues' 1e-6 for the given label: rows 0 and 5 are (0.5, 0.5);
#   slack_bins    - compute_confident_joint's `>= threshold - 1e-6`: row 4 sits exactly on t_1 = 0.625;
#   keep_divisor  - _keep_at_least_n_per_class' count_nonzero - 1 (min_examples_per_class 5);
#   one_member    - find_label_issues applies a class's mask only when the class has two or more rows
#                   (class 0 has one; min_examples_per_class 0).
EDGE_CASES = [
    ("slack_reduce", [0, 0, 0, 1, 1, 1, 1], [[2, 2], [3, 1], [0, 4], [4, 0], [1, 3], [2, 2], [4, 0]], [(1.0, 1)]),
    ("slack_bins", [1, 1, 1, 0, 1, 1], [[1, 1], [0, 8], [8, 0], [8, 0], [3, 5], [0, 8]], [(1.0, 2)]),
    ("keep_divisor", [0, 2, 0, 1, 2, 2, 0, 0, 2, 1, 2, 0, 0, 2],
     [[71, 2, 27], [49, 10, 187], [168, 5, 63], [59, 222, 27], [11, 20, 247], [16, 54, 55], [38, 70, 48], [61, 21, 57],
      [90, 40, 7], [44, 75, 57], [87, 34, 26], [69, 80, 86], [170, 47, 5], [72, 35, 57]], [(1.0, 5)]),
    ("one_member", [0, 1, 1, 1, 1, 1], [[0, 4], [1, 0], [2, 0], [3, 1], [0, 1], [4, 4]], [(1.0, 0)]),
]

out = []
out.append("// Generated by tests/oracles/label_vectors.py with numpy %s, scipy %s, statsmodels %s;"
           % (np.__version__, scipy.__version__, statsmodels.__version__))
out.append("// do not edit.")
out.append("#pragma once\n#include <cstddef>\n#include <cstdint>\n#include <string>\n#include <vector>\n")
out.append("namespace oracle::labels {\n")
out.append("""// find_label_issues with one filter and setting (cleanlab.filter.find_label_issues, the flagged rows).
struct flagged {
    std::string filter;
    double frac_noise;
    std::size_t min_examples_per_class;
    std::vector<std::size_t> rows;
};

// One data set: labels, predicted probabilities (n x K, row-major), cleanlab's confident thresholds,
// the confident joint before and after calibration (K x K, row-major: given label x true label), the
// rows counted off the diagonal, the label quality scores and the flagged rows per filter.
struct cl_case {
    std::string name;
    std::size_t n, k;
    std::vector<std::int64_t> labels;
    std::vector<double> pred_probs;
    std::vector<double> thresholds;
    std::vector<std::int64_t> joint_raw, joint_calibrated;
    std::vector<std::size_t> off_diagonal;
    std::vector<double> self_confidence, normalized_margin;
    std::vector<flagged> results;
};
""")
out.append("inline const std::vector<cl_case> cl_cases = {")
def all_cases():
    for name, seed, n, K, flip, cw, absent, settings in CASES:
        labels, P = make_case(seed, n, K, flip, cw, absent)
        yield name, n, K, absent, settings, labels, P
    for name, labels, weights, settings in EDGE_CASES:
        P = np.array([[w / float(sum(row)) for w in row] for row in weights])
        yield name, len(labels), P.shape[1], (), settings, np.array(labels, dtype=np.int64), P


for name, n, K, absent, settings, labels, P in all_cases():
    for a in absent:
        assert a not in set(labels.tolist())
    thr = get_confident_thresholds(labels, P)
    raw, off = compute_confident_joint(labels, P, calibrate=False)
    cal, _ = compute_confident_joint(labels, P, calibrate=True)
    assert (cal.sum(axis=1) == np.bincount(labels, minlength=K)).all()
    res = []
    for frac, mn in settings:
        for f in FILTERS:
            if f not in ["prune_by_noise_rate", "prune_by_class", "both"] and (frac, mn) != (1.0, 1):
                continue
            rows = find_label_issues(labels, P, f, frac, mn)
            res.append('        {"%s", %s, %d, %s},' % (f, num(frac), mn, ints(rows)))
    out.append('    {"%s", %d, %d,' % (name, n, K))
    out.append("     %s," % ints(labels))
    out.append("     %s," % doubles(P.reshape(-1)))
    out.append("     %s," % doubles(thr))
    out.append("     %s," % ints(raw.reshape(-1)))
    out.append("     %s," % ints(cal.reshape(-1)))
    out.append("     %s," % ints(off))
    out.append("     %s," % doubles(self_confidence(labels, P)))
    out.append("     %s," % doubles(normalized_margin(labels, P)))
    out.append("     {")
    out.extend(res)
    out.append("     }},")
out.append("};\n")

# The reference vector: labels [0,0,0,1,1,1], P(class 1) = [.1,.2,.9,.8,.7,.9].
ref_labels = np.array([0, 0, 0, 1, 1, 1])
p1 = [0.1, 0.2, 0.9, 0.8, 0.7, 0.9]
ref_P = np.array([[1.0 - p, p] for p in p1])
ref_thr = get_confident_thresholds(ref_labels, ref_P)
ref_cal, _ = compute_confident_joint(ref_labels, ref_P)
ref_rows = find_label_issues(ref_labels, ref_P)
assert abs(ref_thr[0] - 0.6) < 1e-12 and abs(ref_thr[1] - 0.8) < 1e-12
assert ref_cal.tolist() == [[2, 1], [0, 3]] and ref_rows.tolist() == [2]
out.append("// The reference vector through this transcription (P(class 0) = 1 - P(class 1)): thresholds,")
out.append("// calibrated joint and flagged rows.")
out.append("inline const std::vector<double> reference_thresholds = %s;" % doubles(ref_thr))
out.append("inline const std::vector<std::int64_t> reference_joint = %s;" % ints(ref_cal.reshape(-1)))
out.append("inline const std::vector<std::size_t> reference_rows = %s;\n" % ints(ref_rows))

# ---- source_consistency ------------------------------------------------------------------------------
# 27 rows from three sources; source C is shifted up by about 3 MADs. No ties anywhere (so
# mannwhitneyu's automatic method is exact for C, with 7 values, and asymptotic for A and B).
g = lcg(5)
src_names = ["A", "B", "C"]
sources, values = [], []
for i in range(27):
    s = "C" if i % 4 == 2 else ("A" if i % 2 == 0 else "B")
    base = 10.0 + (g.next(2001) - 1000) / 250.0
    if s == "C":
        base += 6.0
    sources.append(s)
    values.append(round(base, 3) + i * 1e-4)
vals = np.array(values)
assert len(set(values)) == len(values)
med = np.median(vals)
mad = scipy.stats.median_abs_deviation(vals)
out.append("// source_consistency: value and source per row; numpy.median and scipy.stats.median_abs_deviation")
out.append("// (scale 1) of all values; per source (A, B, C): rows, median, offset = (median - pooled median) /")
out.append("// (1.4826 * MAD), scipy.stats.mannwhitneyu(source, rest) and ks_2samp(source, rest) statistic and")
out.append("// p-value (two-sided, automatic method), statsmodels multipletests(p, method='holm') of each.")
out.append("inline const std::vector<double> source_values = %s;" % doubles(values))
out.append("inline const std::vector<std::string> source_names = {%s};"
           % ", ".join('"%s"' % s for s in sources))
out.append("inline constexpr double pooled_median = %s;" % num(med))
out.append("inline constexpr double pooled_mad = %s;" % num(mad))
out.append("""struct source_reference {
    std::string source;
    std::vector<std::size_t> rows;
    double median, offset, mwu_statistic, mwu_p, mwu_holm, ks_statistic, ks_p, ks_holm;
};""")
entries = []
mw, ks = [], []
for s in src_names:
    idx = [i for i, x in enumerate(sources) if x == s]
    a = vals[idx]
    rest = vals[[i for i, x in enumerate(sources) if x != s]]
    m = scipy.stats.mannwhitneyu(a, rest)
    k = scipy.stats.ks_2samp(a, rest)
    mw.append(m)
    ks.append(k)
    entries.append((s, idx, np.median(a), (np.median(a) - med) / (1.4826 * mad)))
mw_holm = multipletests([m.pvalue for m in mw], method="holm")[1]
ks_holm = multipletests([k.pvalue for k in ks], method="holm")[1]
out.append("inline const std::vector<source_reference> source_references = {")
for (s, idx, m, off), a, b, ah, bh in zip(entries, mw, ks, mw_holm, ks_holm):
    out.append('    {"%s", %s, %s, %s, %s, %s, %s, %s, %s, %s},'
               % (s, ints(idx), num(m), num(off), num(a.statistic), num(a.pvalue), num(ah), num(b.statistic),
                  num(b.pvalue), num(bh)))
out.append("};\n")
out.append("}  // namespace oracle::labels")
print("\n".join(out))
