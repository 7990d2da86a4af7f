#!/usr/bin/python3
"""Regenerate the prototype-selection samplers' reference fixture (run from the repository root):

  /usr/bin/python3 tests/Microsoft.ML.LongTail.Tests/Fixtures/make_prototype_fixtures.py

Writes resampling_prototype.json next to this script, for imbalanced-learn 0.10's NeighbourhoodCleaningRule,
CondensedNearestNeighbour and OneSidedSelection, on the two data sets of resampling_cleaning.json (read from it, so
both fixtures share bit-identical data). Each case holds imbalanced-learn's kept row indices (`sample_indices_`, in its
output order). The tests only read the committed file; python is not needed at test time.

* NeighbourhoodCleaningRule is deterministic: the indices are compared as they are. imbalanced-learn 0.10's
  kind_sel="all" tests `np.all(nnhood_label)`, i.e. "no neighbour has the label value 0", where "every neighbour is
  of the minority class" is meant; ours implements the latter. Where the two differ on a case, the case also holds
  `intended`: the rows the documented rule keeps (imbalanced-learn's code with `nnhood_label == class_minority`).
* CondensedNearestNeighbour and OneSidedSelection draw their seed rows with numpy's RandomState, which C# cannot
  replay. Each case therefore records `seeds`: per selected class (class label as a string), the positions within the
  class that imbalanced-learn drew (`randint(0, n_class, n_seeds_S)`, replayed here from the same random_state). The
  tests give those seeds to our selection and compare the indices. Only random_states whose draws are distinct
  within a class are used (ours draws without replacement).
  imbalanced-learn 0.10's CNN mixes positions in the class with row indices in its "already well classified" list
  (`idx_sam in good_classif_label`), so it skips rows it should test (on these data sets, on every random_state
  tried). A CNN case's `indices` are therefore those of `cnn_reference` below: the same loop, with the same seeds and
  scikit-learn's KNeighborsClassifier, positions used consistently; imbalanced-learn's own indices are kept in
  `imblearn` where they differ.
* As in make_resampling_fixtures.py, each case must give the same indices on three copies of the data with relative
  noise 1e-5 (no distance tie or near-tie decides it).
"""
import json, os, sys
from collections import Counter
import numpy as np
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.utils import check_random_state
from imblearn.under_sampling import (NeighbourhoodCleaningRule, CondensedNearestNeighbour, OneSidedSelection,
                                     EditedNearestNeighbours)

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    with open(os.path.join(HERE, "resampling_cleaning.json")) as f:
        ds = json.load(f)["datasets"][name]
    return np.array(ds["features"], dtype=np.float64), np.array(ds["labels"], dtype=np.int64)



def ncr_intended(X, y, strategy, n_neighbors, threshold):
    """imbalanced-learn 0.10's NeighbourhoodCleaningRule._fit_resample, kind_sel="all", with the documented test."""
    ref = NeighbourhoodCleaningRule(sampling_strategy=strategy, n_neighbors=n_neighbors, threshold_cleaning=threshold)
    ref.fit_resample(X, y)  # sets sampling_strategy_
    enn = EditedNearestNeighbours(sampling_strategy=strategy, n_neighbors=n_neighbors, kind_sel="mode")
    enn.fit_resample(X, y)
    index_a1 = np.ones(y.shape, dtype=bool)
    index_a1[enn.sample_indices_] = False
    index_a1 = np.flatnonzero(index_a1)
    target_stats = Counter(y)
    class_minority = min(target_stats, key=target_stats.get)
    classes_under_sample = [c for c, n in target_stats.items()
                            if c in ref.sampling_strategy_.keys() and n > X.shape[0] * threshold]
    nn = NearestNeighbors(n_neighbors=n_neighbors + 1).fit(X)
    minority = np.flatnonzero(y == class_minority)
    hood = nn.kneighbors(X[minority], return_distance=False)[:, 1:]
    ok = np.all(y[hood] == class_minority, axis=1)
    a2 = np.unique([i for i in np.ravel(hood[~ok]) if y[i] in classes_under_sample]).astype(int)
    keep = np.ones(y.shape, dtype=bool)
    keep[np.union1d(index_a1, a2).astype(int)] = False
    return [int(i) for i in np.flatnonzero(keep)]



def seeds_of(y, strategy_keys, random_state, n_seeds):
    """The positions imbalanced-learn's CNN / OSS draw, class by class in np.unique order."""
    rs = check_random_state(random_state)
    counts = Counter(y)
    out = {}
    for c in np.unique(y):
        if c in strategy_keys:
            out[int(c)] = [int(v) for v in rs.randint(low=0, high=counts[c], size=n_seeds)]
    return out


def cnn_reference(X, y, strategy_keys, seeds, n_neighbors):
    """imbalanced-learn 0.10's CondensedNearestNeighbour loop, with positions in the class used consistently."""
    counts = Counter(y)
    class_minority = min(counts, key=counts.get)
    out = []
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        if c not in strategy_keys:
            out.extend(int(r) for r in rows)
            continue
        kept = list(seeds[int(c)])
        C = list(np.flatnonzero(y == class_minority)) + [int(rows[p]) for p in kept]
        knn = KNeighborsClassifier(n_neighbors=n_neighbors).fit(X[C], y[C])
        for p, r in enumerate(rows):
            if p in kept:
                continue
            if knn.predict(X[r:r + 1])[0] != c:
                kept.append(p)
                C.append(int(r))
                knn = KNeighborsClassifier(n_neighbors=n_neighbors).fit(X[C], y[C])
        out.extend(int(rows[p]) for p in kept)
    return out


def run(name, sampler, strategy, params, X, y):
    if sampler == "NeighbourhoodCleaningRule":
        est = NeighbourhoodCleaningRule(sampling_strategy=strategy, **params)
    elif sampler == "CondensedNearestNeighbour":
        est = CondensedNearestNeighbour(sampling_strategy=strategy, **params)
    else:
        est = OneSidedSelection(sampling_strategy=strategy, **params)
    Xr, yr = est.fit_resample(X, y)
    idx = np.asarray(est.sample_indices_)
    assert np.array_equal(X[idx], Xr) and np.array_equal(y[idx], yr), (name, sampler, strategy, params)
    return [int(i) for i in idx], est


def robust(name, sampler, strategy, params, X, y, idx, noisy):
    return all(run(name, sampler, strategy, params, Xn, y)[0] == idx for Xn in noisy)


def build(name):
    X, y = load(name)
    counts = np.bincount(y)
    minority = int(np.argmin(counts))
    others = [int(c) for c in range(len(counts)) if c != minority]
    some = [others[0]]
    rng = np.random.RandomState(7)
    noisy = [X * (1 + 1e-5 * rng.standard_normal(X.shape)) for _ in range(3)]
    cases = []

    ncr = []
    for s in ["auto", "all", some]:
        for kind in ("all", "mode"):
            ncr.append((s, {"n_neighbors": 3, "kind_sel": kind, "threshold_cleaning": 0.5}))
            ncr.append((s, {"n_neighbors": 3, "kind_sel": kind, "threshold_cleaning": 0.2}))
    ncr.append(("auto", {"n_neighbors": 5, "kind_sel": "mode", "threshold_cleaning": 0.3}))
    ncr.append(("all", {"n_neighbors": 4, "kind_sel": "all", "threshold_cleaning": 0.1}))
    for s, p in ncr:
        idx, _ = run(name, "NeighbourhoodCleaningRule", s, p, X, y)
        if not robust(name, "NeighbourhoodCleaningRule", s, p, X, y, idx, noisy):
            print(f"{name}: NCR {s} {p}: not robust, skipped", file=sys.stderr)
            continue
        case = {"sampler": "NeighbourhoodCleaningRule", "strategy": s, "params": p, "indices": idx}
        if p["kind_sel"] == "all":
            intended = ncr_intended(X, y, s, p["n_neighbors"], p["threshold_cleaning"])
            if intended != idx:
                case["intended"] = intended
        cases.append(case)

    for sampler in ("CondensedNearestNeighbour", "OneSidedSelection"):
        configs = [("auto", 1, 1), ("auto", 3, 1), ("auto", 3, 3), ("all", 2, 1), (some, 2, 1)]
        for s, n_seeds, k in configs:
            found = 0
            for random_state in range(1, 500):
                p = {"n_neighbors": k, "n_seeds_S": n_seeds, "random_state": random_state}
                idx, est = run(name, sampler, s, p, X, y)
                keys = set(est.sampling_strategy_.keys())
                seeds = seeds_of(y, keys, random_state, n_seeds)
                if any(len(set(v)) != len(v) for v in seeds.values()):
                    continue
                case = {"sampler": sampler, "strategy": s, "params": p, "seeds": {str(c): v for c, v in seeds.items()}}
                if sampler == "CondensedNearestNeighbour":
                    ref = cnn_reference(X, y, keys, seeds, k)
                    if any(cnn_reference(Xn, y, keys, seeds, k) != ref for Xn in noisy):
                        continue
                    case["indices"] = ref
                    if ref != idx:
                        case["imblearn"] = idx
                else:
                    if not robust(name, sampler, s, p, X, y, idx, noisy):
                        continue
                    case["indices"] = idx
                cases.append(case)
                found += 1
                if found == 2:
                    break
            if found == 0:
                raise SystemExit(f"{name}: no usable random_state for {sampler} {s} seeds {n_seeds} k {k}")
    return cases


def main():
    out = {"generator": "make_prototype_fixtures.py (imbalanced-learn 0.10, scikit-learn 1.2); data: resampling_cleaning.json",
           "datasets": {}}
    for name in ("three", "two"):
        cases = build(name)
        out["datasets"][name] = {"cases": cases}
        print(f"{name}: {len(cases)} cases, {sum('intended' in c for c in cases)} with kind_sel='all' differing", file=sys.stderr)
    with open(os.path.join(HERE, "resampling_prototype.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
