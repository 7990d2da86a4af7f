#!/usr/bin/python3
"""Regenerate the over-sampling reference fixtures (run from the repository root):

  /usr/bin/python3 tests/Microsoft.ML.LongTail.Tests/Fixtures/make_oversampling_fixtures.py

Writes, next to this script:
  oversampling_data.csv   label,f0,f1,f2: 3 overlapping classes (48 / 24 / 12 rows, interleaved), no duplicate rows.
                          The features are float32 values written in their shortest round-trip form, so C# (float32)
                          and numpy (float64 of the same float32) see the same points.
  oversampling_reference.json
    danger[m][label]      imbalanced-learn 0.10's BorderlineSMOTE._in_danger_noise(kind="danger") for m_neighbors = m,
                          as row indices of the CSV (every class, majority included).
    adasyn_counts[label]  ADASYN(n_neighbors=5)'s per-row number of synthetic samples, np.rint(ratio_nn / sum *
                          n_samples) with n_samples from sampling_strategy="auto", for every row of the class.
    borderline1_counts / adasyn_class_counts
                          the class counts of BorderlineSMOTE(kind="borderline-1").fit_resample / ADASYN().fit_resample.
The tests only read the committed files; python is not needed at test time.
"""
import json, os
import numpy as np
from sklearn.neighbors import NearestNeighbors
from imblearn.over_sampling import ADASYN, BorderlineSMOTE
import imblearn

assert imblearn.__version__.startswith("0.10"), imblearn.__version__
HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240612)
counts = [48, 24, 12]
centers = np.array([[0.0, 0.0, 0.0], [1.2, 0.6, 0.0], [0.4, 1.3, 0.5]])
X_parts, y_parts = [], []
for c, n in enumerate(counts):
    X_parts.append(centers[c] + rng.normal(size=(n, 3)))
    y_parts.append(np.full(n, c))
X = np.vstack(X_parts).astype(np.float32)
y = np.concatenate(y_parts)
# Interleave the classes so that input order is not class order.
order = rng.permutation(len(y))
X, y = X[order], y[order]
assert len(np.unique(X, axis=0)) == len(X), "duplicate rows"
X64 = X.astype(np.float64)

with open(os.path.join(HERE, "oversampling_data.csv"), "w", newline="\n") as f:
    f.write("label,f0,f1,f2\n")
    for label, row in zip(y, X):
        f.write(f"c{label}," + ",".join(str(np.float32(v)) for v in row) + "\n")
# The written text must read back as the same float32 values.
back = np.loadtxt(os.path.join(HERE, "oversampling_data.csv"), delimiter=",", skiprows=1, usecols=(1, 2, 3), dtype=np.float32)
assert np.array_equal(back, X)

ref = {"danger": {}, "adasyn_counts": {}}
for m in (10, 5, 3):
    sm = BorderlineSMOTE(m_neighbors=m)
    nn_m = NearestNeighbors(n_neighbors=m + 1).fit(X64)
    ref["danger"][str(m)] = {}
    for c in range(len(counts)):
        idx = np.flatnonzero(y == c)
        danger = sm._in_danger_noise(nn_m, X64[idx], c, y, kind="danger")
        ref["danger"][str(m)][f"c{c}"] = [int(i) for i in idx[danger]]

# ADASYN's per-row counts, as in ADASYN._fit_resample.
k = 5
nn = NearestNeighbors(n_neighbors=k + 1).fit(X64)
for c in range(1, len(counts)):
    idx = np.flatnonzero(y == c)
    n_samples = max(counts) - counts[c]
    nns = nn.kneighbors(X64[idx], return_distance=False)[:, 1:]
    ratio_nn = np.sum(y[nns] != c, axis=1) / k
    ratio_nn /= np.sum(ratio_nn)
    per_row = np.rint(ratio_nn * n_samples).astype(int)
    ref["adasyn_counts"][f"c{c}"] = {"rows": [int(i) for i in idx], "counts": [int(v) for v in per_row]}

_, y1 = BorderlineSMOTE(kind="borderline-1", random_state=0).fit_resample(X64, y)
ref["borderline1_counts"] = {f"c{c}": int(np.sum(y1 == c)) for c in range(len(counts))}
_, ya = ADASYN(random_state=0).fit_resample(X64, y)
ref["adasyn_class_counts"] = {f"c{c}": int(np.sum(ya == c)) for c in range(len(counts))}
for c in range(1, len(counts)):
    assert ref["adasyn_class_counts"][f"c{c}"] == counts[c] + sum(ref["adasyn_counts"][f"c{c}"]["counts"])

with open(os.path.join(HERE, "oversampling_reference.json"), "w", newline="\n") as f:
    json.dump(ref, f, indent=1)
    f.write("\n")
print(json.dumps({m: {c: len(v) for c, v in d.items()} for m, d in ref["danger"].items()}),
      ref["borderline1_counts"], ref["adasyn_class_counts"])
