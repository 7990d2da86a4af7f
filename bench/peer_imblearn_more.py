#!/usr/bin/env python3
"""The samplers that ../shared/peers/peer_imblearn.py does not cover, timed the same way.

This wraps the shared peer script (same arguments, same JSON line: fit_resample_s, n_out, counts_out, peak_rss_mb)
and adds imbalanced-learn's RepeatedEditedNearestNeighbours, AllKNN, CondensedNearestNeighbour, OneSidedSelection,
NeighbourhoodCleaningRule, InstanceHardnessThreshold, ClusterCentroids, KMeansSMOTE, SMOTEN and SMOTENC.

  /usr/bin/python3 bench/peer_imblearn_more.py data.csv --label label --sampler AllKNN --seed 1 --no-write

Parameters follow our bench's defaults so that both sides run the same algorithm:
  * InstanceHardnessThreshold: a logistic regression (our default trainer is SDCA's logistic regression) in 5-fold
    cross-validation, not imbalanced-learn's default random forest.
  * KMeansSMOTE: k_neighbors=2 and a k-means of 8 clusters (imbalanced-learn's own defaults are MiniBatchKMeans with
    8 clusters and k_neighbors=2), cluster_balance_threshold "auto".
  * SMOTENC: --categorical lists the categorical feature indices (0-based, label excluded), as our bench.
PEER_IMBLEARN overrides the shared script's path.
"""
import importlib.util
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
path = os.environ.get("PEER_IMBLEARN", os.path.join(here, "..", "..", "shared", "peers", "peer_imblearn.py"))
spec = importlib.util.spec_from_file_location("peer_imblearn", path)
peer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peer)

MORE = ["RepeatedEditedNearestNeighbours", "AllKNN", "CondensedNearestNeighbour", "OneSidedSelection",
        "NeighbourhoodCleaningRule", "InstanceHardnessThreshold", "ClusterCentroids", "KMeansSMOTE",
        "SMOTEN", "SMOTENC"]

# --categorical is ours: take it out of argv before the shared parser sees it.
categorical = None
argv = sys.argv[1:]
if "--categorical" in argv:
    i = argv.index("--categorical")
    categorical = [int(t) for t in argv[i + 1].split(",")]
    del argv[i:i + 2]

shared_build = peer.build_sampler


def build_sampler(name, seed, k, strategy, n_jobs, nearmiss_version, kind):
    from imblearn import over_sampling as ov, under_sampling as un
    kw = {"sampling_strategy": strategy}
    jobs = {"n_jobs": n_jobs} if n_jobs is not None else {}
    if name == "RepeatedEditedNearestNeighbours":
        return un.RepeatedEditedNearestNeighbours(n_neighbors=k or 3, **kw, **jobs)
    if name == "AllKNN":
        return un.AllKNN(n_neighbors=k or 3, **kw, **jobs)
    if name == "CondensedNearestNeighbour":
        return un.CondensedNearestNeighbour(n_neighbors=k or 1, random_state=seed, **kw, **jobs)
    if name == "OneSidedSelection":
        return un.OneSidedSelection(n_neighbors=k or 1, random_state=seed, **kw, **jobs)
    if name == "NeighbourhoodCleaningRule":
        return un.NeighbourhoodCleaningRule(n_neighbors=k or 3, **kw, **jobs)
    if name == "InstanceHardnessThreshold":
        from sklearn.linear_model import LogisticRegression
        return un.InstanceHardnessThreshold(estimator=LogisticRegression(max_iter=1000), cv=5,
                                            random_state=seed, **kw, **jobs)
    if name == "ClusterCentroids":
        return un.ClusterCentroids(random_state=seed, **kw)
    if name == "KMeansSMOTE":
        return ov.KMeansSMOTE(k_neighbors=k or 2, random_state=seed, **kw, **jobs)
    if name == "SMOTEN":
        return ov.SMOTEN(k_neighbors=k or 5, random_state=seed, **kw, **jobs)
    if name == "SMOTENC":
        if categorical is None:
            raise SystemExit("SMOTENC needs --categorical: the categorical feature indices, such as 0,3,5")
        return ov.SMOTENC(categorical_features=categorical, k_neighbors=k or 5, random_state=seed, **kw, **jobs)
    return shared_build(name, seed, k, strategy, n_jobs, nearmiss_version, kind)


peer.build_sampler = build_sampler
peer.SAMPLERS = peer.SAMPLERS + MORE
if __name__ == "__main__":
    peer.main(argv)
