#!/usr/bin/python3
"""Regenerate the SMOTE-NC / SMOTE-N reference fixture (run from the repository root):

  /usr/bin/python3 tests/Microsoft.ML.LongTail.Tests/Fixtures/make_categorical_fixtures.py

Writes categorical_reference.json next to this script, with two small data sets (rows of float32 values, labels
"c0".."c2", classes interleaved) chosen so that no neighbour search has a tie at its k-th neighbour:
  smotenc   5 features, slots 1 and 3 categorical (codes 0..3), the others numeric multiples of 1/1024.
    median_std        imbalanced-learn 0.10's SMOTENC.median_std_ after fit_resample.
    neighbors[label]  for each row of the class (in input order), its k nearest other rows of the class as row indices
                      of the data: sklearn NearestNeighbors(k + 1) on SMOTENC's encoded matrix (numeric slots, then the
                      one-hot categories times median_std / 2), self dropped, as SMOTE._fit_resample does.
    class_counts      the class counts of SMOTENC(k_neighbors=k).fit_resample.
  smoten    6 features, all categorical (codes 0..4).
    neighbors[label]  for each row of the class, its k nearest other rows: SMOTEN's NearestNeighbors(k + 1,
                      metric="precomputed") on ValueDifferenceMetric.pairwise(X_class), self (always first) dropped.
    distances[label]  ValueDifferenceMetric.pairwise(X_class) for the smallest class (c2), rows and columns in input order.
    class_counts      the class counts of SMOTEN(k_neighbors=k).fit_resample.
The tests only read the committed file; python is not needed at test time.
"""
import json, os
from collections import Counter
import numpy as np
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import OrdinalEncoder
from imblearn.over_sampling import SMOTENC, SMOTEN
from imblearn.metrics.pairwise import ValueDifferenceMetric
import imblearn

assert imblearn.__version__.startswith("0.10"), imblearn.__version__
HERE = os.path.dirname(os.path.abspath(__file__))
K = 3
COUNTS = [30, 18, 12]
LABELS = ["c0", "c1", "c2"]


def no_tie(dist_row, self_index, k):
    """The sorted distances to the other rows: a strict gap after the k-th, and nothing at 0 but the row itself."""
    others = np.sort(np.delete(dist_row, self_index))
    return others[k] - others[k - 1] > 1e-9 and others[0] > 1e-9


def labels_of(rng):
    y = np.concatenate([np.full(n, c) for c, n in enumerate(COUNTS)])
    return y[rng.permutation(len(y))]


def smotenc_case(seed):
    rng = np.random.default_rng(seed)
    y = labels_of(rng)
    n = len(y)
    X = np.empty((n, 5))
    for j in (0, 2, 4):
        X[:, j] = np.round((rng.normal(size=n) + 0.7 * y) * 1024) / 1024
    for j in (1, 3):
        X[:, j] = (rng.integers(0, 3, size=n) + (rng.random(n) < 0.2 * y)).astype(float)
    X = X.astype(np.float32).astype(np.float64)
    sampler = SMOTENC(categorical_features=[1, 3], k_neighbors=K, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    m = sampler.median_std_
    ohe = sampler.ohe_.transform(X[:, [1, 3]]).toarray() * m / 2
    encoded = np.hstack((X[:, [0, 2, 4]], ohe))
    neighbors = {}
    for c, label in enumerate(LABELS):
        rows = np.flatnonzero(y == c)
        Xc = encoded[rows]
        full = np.sqrt(((Xc[:, None, :] - Xc[None, :, :]) ** 2).sum(axis=2))
        if not all(no_tie(full[i], i, K) for i in range(len(rows))):
            return None
        nn = NearestNeighbors(n_neighbors=K + 1).fit(Xc).kneighbors(Xc, return_distance=False)
        assert (nn[:, 0] == np.arange(len(rows))).all()
        neighbors[label] = rows[nn[:, 1:]].tolist()
    counts = Counter(y_res.tolist())
    return {
        "k": K, "categorical": [1, 3], "rows": X.tolist(), "labels": [LABELS[c] for c in y],
        "median_std": m, "neighbors": neighbors, "class_counts": {LABELS[c]: counts[c] for c in range(3)},
    }


def smoten_case(seed):
    rng = np.random.default_rng(seed)
    y = labels_of(rng)
    n = len(y)
    X = np.empty((n, 6))
    for j in range(6):
        X[:, j] = np.minimum(rng.integers(0, 4, size=n) + (rng.random(n) < 0.25 * y), 4)
    encoder = OrdinalEncoder(dtype=np.int32)
    Xe = encoder.fit_transform(X)
    vdm = ValueDifferenceMetric(n_categories=[len(cat) for cat in encoder.categories_]).fit(Xe, y)
    neighbors, distances = {}, {}
    for c, label in enumerate(LABELS):
        rows = np.flatnonzero(y == c)
        dist = vdm.pairwise(Xe[rows])
        if not all(no_tie(dist[i], i, K) for i in range(len(rows))):
            return None
        nn = NearestNeighbors(n_neighbors=K + 1, metric="precomputed").fit(dist).kneighbors(dist, return_distance=False)
        assert (nn[:, 0] == np.arange(len(rows))).all()
        neighbors[label] = rows[nn[:, 1:]].tolist()
        if label == "c2":
            distances[label] = dist.tolist()
    _, y_res = SMOTEN(k_neighbors=K, random_state=0).fit_resample(X, y)
    counts = Counter(y_res.tolist())
    return {
        "k": K, "rows": X.tolist(), "labels": [LABELS[c] for c in y],
        "neighbors": neighbors, "distances": distances, "class_counts": {LABELS[c]: counts[c] for c in range(3)},
    }


def first(make):
    for seed in range(1, 10000):
        case = make(seed)
        if case is not None:
            case["seed"] = seed
            return case
    raise RuntimeError("no tie-free data set")


out = {"smotenc": first(smotenc_case), "smoten": first(smoten_case)}
with open(os.path.join(HERE, "categorical_reference.json"), "w") as f:
    json.dump(out, f)
print("smotenc seed", out["smotenc"]["seed"], "median_std", out["smotenc"]["median_std"], "smoten seed", out["smoten"]["seed"])
