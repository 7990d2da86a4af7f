#!/usr/bin/python3
"""Regenerate the cleaning / NearMiss samplers' reference fixture (run from the repository root):

  /usr/bin/python3 tests/Microsoft.ML.LongTail.Tests/Fixtures/make_resampling_fixtures.py

Writes resampling_cleaning.json next to this script: two small data sets (sklearn make_classification, features
rounded to float32 and written with 9 significant digits, so both sides see bit-identical values) and, for each
imbalanced-learn 0.10 sampler / configuration, the kept row indices (`sample_indices_`, in imbalanced-learn's output
order). The tests only read the committed file; python is not needed at test time.

Robustness: our k-NN works in float32, scikit-learn in float64. A data set is accepted only when
  * it has no duplicate rows (imbalanced-learn drops "the first neighbour" as self; ours excludes the row itself),
  * every case gives the same indices on three slightly perturbed copies of the data (relative noise 1e-5), so no
    result hangs on a distance tie or near-tie that float rounding could flip,
  * X[sample_indices_] is the returned X for every case (imbalanced-learn's RENN indexes twice when it converges).
Otherwise the next random_state is tried.
"""
import json, os, sys, warnings
import numpy as np
from sklearn.datasets import make_classification
from imblearn.under_sampling import (TomekLinks, EditedNearestNeighbours, RepeatedEditedNearestNeighbours,
                                     AllKNN, NearMiss)

warnings.filterwarnings("ignore", category=UserWarning)  # NearMiss-3 returning fewer rows than asked
HERE = os.path.dirname(os.path.abspath(__file__))


def make(name, seed):
    if name == "three":
        X, y = make_classification(n_samples=300, n_features=5, n_informative=3, n_redundant=1, n_repeated=0,
                                   n_classes=3, n_clusters_per_class=1, weights=[0.5, 0.15, 0.35], class_sep=0.8,
                                   flip_y=0.0, random_state=seed)
    else:
        X, y = make_classification(n_samples=160, n_features=5, n_informative=3, n_redundant=1, n_repeated=0,
                                   n_classes=2, n_clusters_per_class=2, weights=[0.7, 0.3], class_sep=0.7,
                                   flip_y=0.0, random_state=seed)
    X = np.array([[float("%.9g" % v) for v in row] for row in X.astype(np.float32)], dtype=np.float32)
    return X.astype(np.float64), y.astype(np.int64)


def cases(name, y):
    counts = np.bincount(y)
    minority = int(np.argmin(counts))
    others = [int(c) for c in range(len(counts)) if c != minority]
    some = [others[0]] if name == "three" else [minority]
    out = []
    for s in ["auto", "all", some]:
        out.append(("TomekLinks", s, {}))
        out.append(("EditedNearestNeighbours", s, {"n_neighbors": 3, "kind_sel": "all"}))
        out.append(("EditedNearestNeighbours", s, {"n_neighbors": 3, "kind_sel": "mode"}))
        out.append(("RepeatedEditedNearestNeighbours", s, {"n_neighbors": 3, "kind_sel": "all"}))
        out.append(("AllKNN", s, {"n_neighbors": 3, "kind_sel": "all"}))
    out.append(("EditedNearestNeighbours", "all", {"n_neighbors": 5, "kind_sel": "mode"}))
    out.append(("RepeatedEditedNearestNeighbours", "all", {"n_neighbors": 3, "kind_sel": "mode"}))
    out.append(("AllKNN", "auto", {"n_neighbors": 4, "kind_sel": "mode"}))
    nm_strategies = ["auto", "all"]
    if name == "three":
        nm_strategies.append({str(others[0]): int(counts[others[0]]) // 2, str(others[1]): int(counts[minority]) + 3})
    for s in nm_strategies:
        for v in (1, 2, 3):
            out.append(("NearMiss", s, {"version": v, "n_neighbors": 3, "n_neighbors_ver3": 3}))
    out.append(("NearMiss", "auto", {"version": 2, "n_neighbors": 5, "n_neighbors_ver3": 3}))
    out.append(("NearMiss", "auto", {"version": 3, "n_neighbors": 2, "n_neighbors_ver3": 4}))
    return out


def run(sampler, strategy, params, X, y):
    s = strategy
    if isinstance(s, dict):
        s = {int(k): v for k, v in s.items()}
    cls = {"TomekLinks": TomekLinks, "EditedNearestNeighbours": EditedNearestNeighbours,
           "RepeatedEditedNearestNeighbours": RepeatedEditedNearestNeighbours, "AllKNN": AllKNN,
           "NearMiss": NearMiss}[sampler]
    est = cls(sampling_strategy=s, **params)
    Xr, yr = est.fit_resample(X, y)
    idx = np.asarray(est.sample_indices_)
    ok = np.array_equal(X[idx], Xr) and np.array_equal(y[idx], yr)
    return [int(i) for i in idx], ok


def build(name, seed):
    X, y = make(name, seed)
    if len(np.unique(X, axis=0)) != len(X):
        return None
    rng = np.random.RandomState(1000 + seed)
    noisy = [X * (1 + 1e-5 * rng.standard_normal(X.shape)) for _ in range(3)]
    result = []
    for sampler, strategy, params in cases(name, y):
        idx, ok = run(sampler, strategy, params, X, y)
        if not ok:
            print(f"{name} seed {seed}: {sampler} {strategy} {params}: sample_indices_ does not index X_res", file=sys.stderr)
            return None
        for Xn in noisy:
            if run(sampler, strategy, params, Xn, y)[0] != idx:
                print(f"{name} seed {seed}: {sampler} {strategy} {params}: not robust to 1e-5 noise", file=sys.stderr)
                return None
        result.append({"sampler": sampler, "strategy": strategy, "params": params, "indices": idx})
    return {"seed": seed, "labels": [int(v) for v in y], "features": [[float("%.9g" % v) for v in row] for row in X],
            "cases": result}


def main():
    out = {"generator": "make_resampling_fixtures.py (imbalanced-learn 0.10, scikit-learn 1.2)", "datasets": {}}
    for name in ("three", "two"):
        for seed in range(1, 200):
            ds = build(name, seed)
            if ds is not None:
                out["datasets"][name] = ds
                print(f"{name}: random_state {seed}, {len(ds['labels'])} rows, counts {np.bincount(ds['labels']).tolist()}, "
                      f"{len(ds['cases'])} cases", file=sys.stderr)
                break
        else:
            raise SystemExit(f"no robust data set for {name}")
    with open(os.path.join(HERE, "resampling_cleaning.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
