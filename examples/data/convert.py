#!/usr/bin/env python3
"""Rebuilds the headered copies in this directory from the files Debian's packages ship.

breast_cancer_wisconsin.csv: scikit-learn's breast_cancer.csv with a header row, the feature names
of sklearn.datasets.load_breast_cancer() in snake_case, a `case` column (1-based row number in
scikit-learn's file order; the file carries no patient ids) and `diagnosis` spelled out
(malignant / benign instead of 0 / 1). Values are copied as text, digit for digit.

co2_mauna_loa.csv: statsmodels' co2.csv unchanged (weekly Mauna Loa CO2, dates as YYYYMMDD, weeks
without data left empty).

Run with /usr/bin/python3 (python3-sklearn, python3-statsmodels).
"""
import csv
import os
import shutil

import sklearn
import statsmodels

HERE = os.path.dirname(os.path.abspath(__file__))
SK = os.path.join(os.path.dirname(sklearn.__file__), "datasets", "data", "breast_cancer.csv")
SM = os.path.join(os.path.dirname(statsmodels.__file__), "datasets", "co2", "co2.csv")

with open(SK, newline="") as f:
    rows = list(csv.reader(f))
n, p, *classes = rows[0]
assert (int(n), int(p), classes) == (569, 30, ["malignant", "benign"])
from sklearn.datasets import load_breast_cancer  # noqa: E402

names = [s.replace(" ", "_") for s in load_breast_cancer().feature_names]
with open(os.path.join(HERE, "breast_cancer_wisconsin.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["case", *names, "diagnosis"])
    for i, r in enumerate(rows[1:], start=1):
        assert len(r) == 31
        w.writerow([i, *r[:30], classes[int(r[30])]])
shutil.copyfile(SM, os.path.join(HERE, "co2_mauna_loa.csv"))
