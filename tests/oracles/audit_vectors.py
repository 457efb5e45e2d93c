#!/usr/bin/python3
"""Generates tests/audit/audit_vectors.hpp: reference values from scikit-learn, scipy, numpy and
statsmodels for tests/audit/{slices,summary,representativeness}_test.cpp.

Inputs are small literal lists, or integer-only recipes that C++ reproduces exactly:
  sliced metrics (slices_test.cpp, recipe_case):
      s_i     = ((i * 7919) % 101) / 100.0               scores in [0, 1] with ties, 0 and 1 included
      u_i     = ((i * 104729) % 997) / 997.0
      slice_i = "tiny" if i % 50 == 0 else ["north", "south", "east", "west"][(i * 7) % 4]
      y_i     = (u_i < 0.5) if slice_i == "west" else (u_i < s_i)   ("west": the model knows nothing)
  representativeness: the LCG samples of tests/stats/recipe.hpp (draws / sample of stats_vectors.py),
      categories = names[floor(u * k)] (population, unbiased sample) or names[floor(u * u * k)] (biased).

Run with Debian's interpreter:  /usr/bin/python3 tests/oracles/audit_vectors.py > tests/audit/audit_vectors.hpp
"""
import math
import os
import sys
import warnings

import numpy as np
import scipy
import scipy.stats as st
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score
import statsmodels
from statsmodels.stats.multitest import multipletests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stats_vectors import draws, r, sample  # noqa: E402  (the LCG twin of tests/stats/recipe.hpp)


def arr(a):
    return "{" + ", ".join(r(v) for v in a) + "}"


def strs(a):
    return "{" + ", ".join('"%s"' % v for v in a) + "}"


# ---------------------------------------------------------------------------------------------- slices

def ece_numpy(y, s, bins=10):
    """Expected calibration error, computed here independently of sklearn: right-closed equal-width bins
    (numpy.searchsorted on the inner edges of numpy.linspace(0, 1, bins + 1)), weighted by bin counts."""
    y = np.asarray(y, float)
    s = np.asarray(s, float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    ids = np.searchsorted(edges[1:-1], s)
    total = 0.0
    for b in range(bins):
        m = ids == b
        if m.any():
            total += m.sum() / len(s) * abs(y[m].mean() - s[m].mean())
    # cross-check with sklearn.calibration.calibration_curve(strategy="uniform")
    prob_true, prob_pred = calibration_curve(y, s, n_bins=bins, strategy="uniform")
    counts = np.bincount(ids, minlength=bins)
    counts = counts[counts > 0]
    via_sklearn = float(np.sum(counts / len(s) * np.abs(prob_true - prob_pred)))
    assert abs(via_sklearn - total) <= 1e-12 * max(1.0, total), (via_sklearn, total)
    return total


def metrics(y, s, thr):
    y = np.asarray(y, float)
    s = np.asarray(s, float)
    pred = (s >= thr).astype(float)
    try:
        auc = roc_auc_score(y, s)
    except ValueError:  # one class only
        auc = float("nan")
    return dict(count=len(y), positives=int(y.sum()), predicted=int(pred.sum()),
                accuracy=accuracy_score(y, pred),
                precision=precision_score(y, pred, zero_division=0),
                recall=recall_score(y, pred, zero_division=0),
                f1=f1_score(y, pred, zero_division=0), roc_auc=auc, ece=ece_numpy(y, s))


def sliced(y, s, slices, thr):
    rows = [("(all)", metrics(y, s, thr))]
    for name in sorted(set(slices)):
        idx = [i for i, v in enumerate(slices) if v == name]
        rows.append((name, metrics([y[i] for i in idx], [s[i] for i in idx], thr)))
    return rows


def recipe_inputs(n):
    s = [((i * 7919) % 101) / 100.0 for i in range(n)]
    u = [((i * 104729) % 997) / 997.0 for i in range(n)]
    names = ["north", "south", "east", "west"]
    sl = ["tiny" if i % 50 == 0 else names[(i * 7) % 4] for i in range(n)]
    y = [float(u[i] < 0.5) if sl[i] == "west" else float(u[i] < s[i]) for i in range(n)]
    return y, s, sl


SLICE_CASES = [
    # name, inputs (None: the recipe), threshold
    ("ties_small",
     ([0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0],
      [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.1, 0.35, 0.6, 0.6, 0.35],
      ["a", "b", "a", "b", "a", "b", "a", "b", "a", "b", "c", "c"]), 0.5),
    ("ties_small_low_threshold",
     ([0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0],
      [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.1, 0.35, 0.6, 0.6, 0.35],
      ["a", "b", "a", "b", "a", "b", "a", "b", "a", "b", "c", "c"]), 0.35),
    ("one_class_slice",
     ([0, 0, 0, 1, 1, 0, 1, 0], [0.2, 0.7, 0.0, 1.0, 0.3, 0.5, 0.5, 0.9],
      ["neg", "neg", "neg", "mix", "mix", "mix", "pos", "mix"]), 0.5),
    ("recipe_600", None, 0.5),
    ("recipe_600_threshold_07", None, 0.7),
]


def slices_block(w):
    w("// sliced_metrics: per case, row 0 = every row, then one row per slice in sorted order. accuracy_score,")
    w("// precision_score / recall_score / f1_score (zero_division=0) at score >= threshold, roc_auc_score")
    w("// (NaN where it raises: one class only), ECE by numpy (ece_numpy in the script, equal to the one from")
    w("// sklearn.calibration.calibration_curve(n_bins=10, strategy='uniform') weighted by bin counts).")
    w("struct metric_row {")
    w("    const char* slice;")
    w("    std::size_t count, positives, predicted_positives;")
    w("    double accuracy, precision, recall, f1, roc_auc, ece;")
    w("};")
    w("struct slice_case {")
    w("    const char* name;")
    w("    bool recipe;  // inputs from the integer recipe of slices_test.cpp (n = 600) instead of the lists")
    w("    std::vector<double> y, s;")
    w("    std::vector<std::string> slices;")
    w("    double threshold;")
    w("    std::vector<metric_row> rows;")
    w("};")
    w("inline const std::vector<slice_case> slice_cases = {")
    for name, inputs, thr in SLICE_CASES:
        recipe = inputs is None
        y, s, sl = recipe_inputs(600) if recipe else inputs
        rows = sliced(y, s, sl, thr)
        w('    {"%s", %s, %s, %s, %s, %s, {' % (name, "true" if recipe else "false", "{}" if recipe else arr(y),
                                             "{}" if recipe else arr(s), "{}" if recipe else strs(sl), r(thr)))
        for sname, m in rows:
            w('        {"%s", %d, %d, %d, %s, %s, %s, %s, %s, %s},' % (
                sname, m["count"], m["positives"], m["predicted"], r(m["accuracy"]), r(m["precision"]),
                r(m["recall"]), r(m["f1"]), r(m["roc_auc"]), r(m["ece"])))
        w("    }},")
    w("};")
    w("")
    # roc_auc_score on more tie patterns, the whole sample as one slice
    w("// sklearn.metrics.roc_auc_score(y, s) on tie-heavy inputs (one slice)")
    w("struct auc_case { std::vector<double> y, s; double roc_auc; };")
    w("inline const std::vector<auc_case> auc_cases = {")
    auc_inputs = [
        ([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]),                       # sklearn's docstring: 0.75
        ([0, 1, 0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]),        # all tied: 0.5
        ([1, 0, 1, 0, 1], [0.2, 0.2, 0.9, 0.9, 0.0]),
        ([0, 0, 0, 1, 1, 1, 0, 1], [0.1, 0.2, 0.2, 0.2, 0.3, 0.3, 0.3, 1.0]),
        ([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]),                         # inverted: 0
    ]
    lcg = draws(2024, 300)
    auc_inputs.append(([float(lcg[i] < 0.3 + 0.4 * (math.floor(lcg[(i + 1) % 300] * 20.0) / 20.0)) for i in range(300)],
                       [math.floor(lcg[(i + 1) % 300] * 20.0) / 20.0 for i in range(300)]))
    for y, s in auc_inputs:
        w("    {%s, %s, %s}," % (arr(y), arr(s), r(roc_auc_score(y, s))))
    w("};")
    w("")


# --------------------------------------------------------------------------------------------- summary

ANSCOMBE_X123 = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5]
ANSCOMBE_X4 = [8, 8, 8, 8, 8, 8, 8, 19, 8, 8, 8]
ANSCOMBE_Y = [
    [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68],
    [9.14, 8.14, 8.74, 8.77, 9.26, 8.10, 6.13, 3.10, 9.13, 7.26, 4.74],
    [7.46, 6.77, 12.74, 7.11, 7.81, 8.84, 6.08, 5.39, 8.15, 6.42, 5.73],
    [6.58, 5.76, 7.71, 8.84, 8.47, 7.04, 5.25, 12.50, 5.56, 7.91, 6.89],
]
PROBS = [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0]


def summary_row(x):
    x = np.asarray(x, float)
    counts, edges = np.histogram(x, bins=10)
    return dict(mean=np.mean(x), var=np.var(x, ddof=1), skew=st.skew(x), kurt=st.kurtosis(x),
                q=np.quantile(x, PROBS), counts=counts, edges=edges)


def zq(x):
    x = np.asarray(x, float)
    return (np.quantile(x, PROBS) - x.mean()) / x.std(ddof=1)


def summary_block(w):
    w("// distribution summaries: numpy.mean, numpy.var(ddof=1), scipy.stats.skew / kurtosis (bias=True,")
    w("// excess), numpy.quantile at {0, .05, .25, .5, .75, .95, 1}, numpy.histogram(x, bins=10)")
    w("struct summary_case {")
    w("    const char* name;")
    w("    std::vector<double> x;  // empty: the recipe below")
    w("    recipe spec;")
    w("    double mean, variance, skewness, excess_kurtosis;")
    w("    std::vector<double> quantiles;")
    w("    std::vector<double> counts, edges;")
    w("};")
    cases = [("anscombe_x123", ANSCOMBE_X123, None), ("anscombe_x4", ANSCOMBE_X4, None)]
    cases += [("anscombe_y%d" % (k + 1), y, None) for k, y in enumerate(ANSCOMBE_Y)]
    cases += [("sum4_200", None, ("sum4", 200, 7, 3.0, 1.0)), ("heavy_150", None, ("heavy", 150, 8, 1.0, 0.0)),
              ("ties_90", None, ("ties", 90, 9, 1.0, 0.0)), ("constant_5", [2.5] * 5, None)]
    w("inline const std::vector<summary_case> summary_cases = {")
    for name, x, spec in cases:
        data = sample(*spec) if spec else x
        m = summary_row(data)
        sp = '{"%s", %d, %d, %s, %s}' % (spec[0], spec[1], spec[2], r(spec[3]), r(spec[4])) if spec else '{"", 0, 0, 1.0, 0.0}'
        w('    {"%s", %s, %s, %s, %s, %s, %s,' % (name, "{}" if spec else arr(x), sp, r(m["mean"]), r(m["var"]),
                                                 r(m["skew"]), r(m["kurt"])))
        w("     %s, %s, %s}," % (arr(m["q"]), arr(m["counts"]), arr(m["edges"])))
    w("};")
    w("")
    w("// Anscombe (1973), 'Graphs in statistical analysis', Am. Stat. 27(1): x1 = x2 = x3, x4, y1..y4")
    w("inline const std::vector<double> anscombe_x123 = %s;" % arr(ANSCOMBE_X123))
    w("inline const std::vector<double> anscombe_x4 = %s;" % arr(ANSCOMBE_X4))
    w("inline const std::vector<std::vector<double>> anscombe_y = {")
    for y in ANSCOMBE_Y:
        w("    %s," % arr(y))
    w("};")
    w("// scipy.stats.pearsonr(x_k, y_k).statistic, k = 1..4")
    xs = [ANSCOMBE_X123] * 3 + [ANSCOMBE_X4]
    w("inline const std::vector<double> anscombe_r = %s;" % arr([st.pearsonr(xs[k], ANSCOMBE_Y[k]).statistic for k in range(4)]))
    w("// numpy: max_p |z_b(p) - z_a(p)| with z = (numpy.quantile(x, p) - mean) / std(ddof=1), for y_a, y_b, a < b")
    w("struct quantile_gap_case { std::size_t a, b; double gap; };")
    w("inline const std::vector<quantile_gap_case> anscombe_quantile_gaps = {")
    for a in range(4):
        for b in range(a + 1, 4):
            w("    {%d, %d, %s}," % (a, b, r(np.max(np.abs(zq(ANSCOMBE_Y[b]) - zq(ANSCOMBE_Y[a]))))))
    w("};")
    w("// scipy.stats.ks_2samp(y_a, y_b).pvalue: at n = 11 KS cannot tell the quartet apart")
    w("inline const std::vector<double> anscombe_ks_p = %s;" % arr(
        [st.ks_2samp(ANSCOMBE_Y[a], ANSCOMBE_Y[b]).pvalue for a in range(4) for b in range(a + 1, 4)]))
    w("")


# ------------------------------------------------------------------------------------ representativeness

POP_N, SAMPLE_N = 400, 150
REGIONS = ["north", "south", "east", "west"]
DEVICES = ["mobile", "desktop", "tablet"]


def categories(names, seed, n, biased):
    u = draws(seed, n)
    k = len(names)
    return [names[int(math.floor((v * v if biased else v) * k))] for v in u]


def frames():
    pop = dict(age=sample("sum4", POP_N, 11, 10.0, 40.0), income=sample("uniform", POP_N, 12, 1000.0, 0.0),
               region=categories(REGIONS, 13, POP_N, False), device=categories(DEVICES, 14, POP_N, False))
    smp = dict(age=sample("sum4", SAMPLE_N, 21, 10.0, 46.0), income=sample("uniform", SAMPLE_N, 22, 1000.0, 0.0),
               region=categories(REGIONS, 23, SAMPLE_N, False), device=categories(DEVICES, 24, SAMPLE_N, True))
    return pop, smp


def chisq_column(s, p):
    order = list(dict.fromkeys(p))  # the population's dictionary: first appearance
    pc = np.array([p.count(c) for c in order], float)
    sc = np.array([s.count(c) for c in order], float)
    n = sc.sum()
    exp = n * (pc / pc.sum())
    t = st.chisquare(sc, exp)
    v = math.sqrt(t.statistic / n / (len(order) - 1))
    gaps = sorted(order, key=lambda c: -abs(s.count(c) / len(s) - p.count(c) / len(p)))
    top = gaps[0]
    return t.statistic, t.pvalue, len(order) - 1, v, top, s.count(top) / len(s), p.count(top) / len(p)


def ks_column(s, p):
    t = st.ks_2samp(s, p)
    probs = [i / 20.0 for i in range(1, 20)]
    qs, qp = np.quantile(s, probs), np.quantile(p, probs)
    k = int(np.argmax(np.abs(qs - qp)))
    return t.statistic, t.pvalue, float("nan"), t.statistic, probs[k], qs[k], qp[k]


def representativeness_block(w):
    pop, smp = frames()
    cols = ["age", "income", "region", "device"]
    res = {c: (ks_column(smp[c], pop[c]) if c in ("age", "income") else chisq_column(smp[c], pop[c])) for c in cols}
    holm = multipletests([res[c][1] for c in cols], method="holm")[1]
    bh = multipletests([res[c][1] for c in cols], method="fdr_bh")[1]
    w("// representativeness: population n = %d, sample n = %d from the LCG recipes of this script; numeric" % (POP_N, SAMPLE_N))
    w("// columns scipy.stats.ks_2samp(sample, population) with the numpy.quantile gap at p = i / 20; categorical")
    w("// scipy.stats.chisquare(sample counts, n * population shares) over the population's categories,")
    w("// V = sqrt(chi2 / (n (K - 1))); p_holm / p_bh = statsmodels multipletests(p, 'holm' / 'fdr_bh') over")
    w("// the four columns in this order. For categoricals the quantile fields hold the category with the")
    w("// largest |share gap| (top, its sample share, its population share).")
    w("struct representativeness_row {")
    w("    const char* column;")
    w("    double statistic, p_value, df, effect_size, p_holm, p_bh;")
    w("    double probability; const char* top; double sample_value, population_value;")
    w("};")
    w("inline const std::vector<representativeness_row> representativeness_rows = {")
    for i, c in enumerate(cols):
        stat, p, df, eff, a, b, cc = res[c]
        if c in ("age", "income"):
            w('    {"%s", %s, %s, %s, %s, %s, %s, %s, "", %s, %s},' % (c, r(stat), r(p), r(df), r(eff), r(holm[i]), r(bh[i]),
                                                                     r(a), r(b), r(cc)))
        else:
            w('    {"%s", %s, %s, %s, %s, %s, %s, NAN, "%s", %s, %s},' % (c, r(stat), r(p), r(df), r(eff), r(holm[i]), r(bh[i]),
                                                                       a, r(b), r(cc)))
    w("};")
    # unseen category: population without "central", sample with it
    p = categories(REGIONS, 31, 200, False)
    s = categories(REGIONS, 32, 60, False)
    s[3] = s[17] = s[40] = "central"
    kept = [v for v in s if v != "central"]
    stat, pv, df, eff, _, _, _ = chisq_column(kept, p)
    w("// unseen category: population regions (seed 31, n 200); sample (seed 32, n 60) with rows 3, 17, 40")
    w("// set to 'central', which the population lacks; chisquare over the 57 other sample rows")
    w("inline const double unseen_statistic = %s, unseen_p_value = %s, unseen_effect_size = %s;" % (r(stat), r(pv), r(eff)))
    w("")


def main():
    out = []
    w = out.append
    w("// Generated by tests/oracles/audit_vectors.py -- do not edit by hand.")
    w("// scikit-learn %s, scipy %s, numpy %s, statsmodels %s, Python %s." % (
        sklearn.__version__, scipy.__version__, np.__version__, statsmodels.__version__, sys.version.split()[0]))
    w("#pragma once")
    w("#include <cmath>")
    w("#include <cstddef>")
    w("#include <string>")
    w("#include <vector>")
    w('#include "recipe.hpp"')
    w("namespace oracle::audit {")
    w("")
    slices_block(w)
    summary_block(w)
    representativeness_block(w)
    w("}  // namespace oracle::audit")
    print("\n".join(out))


if __name__ == "__main__":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        main()
