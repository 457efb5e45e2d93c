#!/usr/bin/env python3
"""The Python side of BM_validator_ten_checks (benchmarks/quality_bench.cpp): the same ten checks as a
pandas recipe over a 10^6-row x 20-column frame (15 float columns N(0,1) with 1% NaN, an id column with
~1% repeated ids, 4 categorical columns of 5 values with 0.1% typos). Checks: not_null on c0..c2,
in_range [-4, 4] on c3..c6, isin on k0 and k1, unique on id; each reports the offending count and the
first 20 offending row indices, as mldp's findings do. Prints one JSON line. --hashed-ids adds 0.5 to
every id (the same repeats; BM_validator_ten_checks' hashed_ids:1 shape).
Usage: /usr/bin/python3 benchmarks/peers/quality_peer.py [--repeat 5] [--hashed-ids]
"""
import argparse
import json
import time

import numpy as np
import pandas as pd

ap = argparse.ArgumentParser()
ap.add_argument("--repeat", type=int, default=5)
ap.add_argument("--hashed-ids", action="store_true")
args = ap.parse_args()

n = 1_000_000
rng = np.random.default_rng(42)
X = rng.standard_normal((n, 15))
X[rng.random((n, 15)) < 0.01] = np.nan
df = pd.DataFrame(X, columns=[f"c{i}" for i in range(15)])
df["id"] = rng.integers(0, int(n * 1.2), n).astype(np.float64) + (0.5 if args.hashed_ids else 0.0)
cats = np.array(["north", "south", "east", "west", "centre", "nrth"])
for j in range(4):
    codes = rng.integers(0, 5, n)
    codes[rng.random(n) < 0.001] = 5
    df[f"k{j}"] = pd.Categorical(cats[codes])
allowed = ["north", "south", "east", "west", "centre"]


def first_rows(mask):
    idx = np.flatnonzero(mask.to_numpy())
    return int(idx.size), idx[:20].tolist()


def checks():
    out = []
    for c in ["c0", "c1", "c2"]:
        out.append(first_rows(df[c].isna()))
    for c in ["c3", "c4", "c5", "c6"]:
        s = df[c]
        out.append(first_rows(s.notna() & ~s.between(-4, 4)))
    for c in ["k0", "k1"]:
        out.append(first_rows(~df[c].isin(allowed)))
    out.append(first_rows(df["id"].duplicated(keep=False)))
    return out


times = []
result = None
for _ in range(args.repeat):
    t0 = time.perf_counter()
    result = checks()
    times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({"kernel": "validator_ten_checks", "n": n, "peer": "pandas recipe (isna, between, isin, duplicated)",
                  "hashed_ids": args.hashed_ids, "median_s": times[len(times) // 2], "min_s": times[0], "counts": [r[0] for r in result],
                  "pandas": pd.__version__}))
