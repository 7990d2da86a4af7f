"""Makes the constants of ClusterSamplerTests and InstanceHardnessThresholdTests (run with numpy 1.24 and
imbalanced-learn 0.10: /usr/bin/python3 make_cluster_fixtures.py). Prints C# literals."""
import numpy as np
from imblearn.over_sampling import KMeansSMOTE

# Threshold of InstanceHardnessThreshold: np.percentile(p, (1 - n_target / n_class) * 100), as _fit_resample.
cases = [
    ([0.9, 0.1, 0.35, 0.8, 0.35, 0.6, 0.05, 0.7, 0.99, 0.5], 4),
    ([0.9, 0.1, 0.35, 0.8, 0.35, 0.6, 0.05, 0.7, 0.99, 0.5], 7),
    ([0.5, 0.5, 0.5, 0.2, 0.2, 0.9], 3),
    ([0.31, 0.12, 0.77, 0.45, 0.45, 0.45, 0.08], 2),
    ([0.61, 0.27, 0.93], 3),
    ([0.61, 0.27, 0.93], 1),
]
for p, t in cases:
    p = np.array(p)
    thr = np.percentile(p, (1.0 - (t / len(p))) * 100.0)
    kept = np.flatnonzero(p >= thr)
    print(f"new({{{', '.join(repr(x) for x in p)}}}, {t}, {thr!r}, [{', '.join(str(i) for i in kept)}]),")

# Cluster sparsity of KMeansSMOTE: _find_cluster_sparsity on a hand-made cluster.
X = np.array([[0, 0], [3, 4], [6, 0], [1, 1], [2, 5]], dtype=np.float32)
auto = KMeansSMOTE()._find_cluster_sparsity(X.astype(np.float64))
print("auto", repr(auto))
s = KMeansSMOTE(density_exponent=1.5)
print("1.5", repr(s._find_cluster_sparsity(X.astype(np.float64))))
Y = X[:3]
print("auto3", repr(KMeansSMOTE()._find_cluster_sparsity(Y.astype(np.float64))))
w = np.array([KMeansSMOTE()._find_cluster_sparsity(X.astype(np.float64)), KMeansSMOTE()._find_cluster_sparsity(Y.astype(np.float64))])
print("weights", repr(w / w.sum()))
