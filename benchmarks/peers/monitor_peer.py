#!/usr/bin/env python3
"""The Python side of BM_drift_monitor_batch (benchmarks/drift_bench.cpp): looping scipy's tests over
the columns of a batch, as a drift report does. 20 numeric columns (N(0, 1) reference of 10^6 rows, a
10^5-row batch shifted by 0.05) and 5 categorical columns (20 categories, weights 1 + 0.01 k), the
shapes of ../shared/peers/py_peers.py's ks_2samp and chi2 kernels. Timed: ks_2samp (method auto) per
numeric column, bincount + chi2_contingency per categorical column. Prints one JSON line.
Usage: /usr/bin/python3 benchmarks/peers/monitor_peer.py [--repeat 5]
"""
import argparse
import json
import time

import numpy as np
import scipy
from scipy import stats

ap = argparse.ArgumentParser()
ap.add_argument("--repeat", type=int, default=5)
args = ap.parse_args()

rng = np.random.default_rng(42)
ref_num = rng.standard_normal((1_000_000, 20))
cur_num = rng.standard_normal((100_000, 20)) + 0.05
w = 1.0 + 0.01 * np.arange(20)
ref_cat = rng.integers(0, 20, (1_000_000, 5))
cur_cat = rng.choice(20, size=(100_000, 5), p=w / w.sum())


def report():
    out = []
    for j in range(20):
        r = stats.ks_2samp(ref_num[:, j], cur_num[:, j])
        out.append(r.pvalue)
    for j in range(5):
        table = np.vstack([np.bincount(ref_cat[:, j], minlength=20), np.bincount(cur_cat[:, j], minlength=20)])
        chi2, p, dof, _ = stats.chi2_contingency(table)
        out.append(p)
    return out


times = []
for _ in range(args.repeat):
    t0 = time.perf_counter()
    report()
    times.append(time.perf_counter() - t0)
print(json.dumps({"kernel": "drift_report_20num_5cat", "median_s": float(np.median(times)), "min_s": min(times),
                  "times_s": times, "scipy": scipy.__version__, "numpy": np.__version__}))
