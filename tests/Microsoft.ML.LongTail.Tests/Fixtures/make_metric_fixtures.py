#!/usr/bin/python3
"""Regenerate the evaluator's reference fixtures (run from the repository root):

  /usr/bin/python3 tests/Microsoft.ML.LongTail.Tests/Fixtures/make_metric_fixtures.py \
      --peer /work/shared/peers/peer_metrics.py

Writes, next to this script, multiclass_predictions.csv / .json and binary_predictions.csv / .json.
The CSVs have columns y_true,y_pred,p0..p{K-1}; each JSON holds the output of peer_metrics.py
(scikit-learn 1.2 + imbalanced-learn 0.10) plus extra sklearn figures: top-2/3 accuracy, reliability bins,
confusion matrix and, for the binary fixture, recall at precision from precision_recall_curve.
The tests only read the committed files; neither python nor /work/shared is needed at test time.

Probabilities are multiples of 2**-24, so they are exact in float32 (ML.NET's score type) and float64
alike: both sides see bit-identical inputs and the figures can be compared to round-off.
"""
import argparse, json, os, subprocess, sys
import numpy as np
from sklearn import metrics as M

HERE = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("--peer", default="/work/shared/peers/peer_metrics.py")
ap.add_argument("--bins", type=int, default=15)
a = ap.parse_args()

rng = np.random.default_rng(20240611)
Q = float(2 ** 24)


def quantize(p):
    # Exact in float32: k / 2^24 with k <= 2^24 has at most 24 significant bits.
    return np.clip(np.round(p * Q), 1, Q - 1) / Q


def write_csv(path, y, yp, P):
    with open(path, "w") as f:
        f.write(",".join(["y_true", "y_pred"] + [f"p{i}" for i in range(P.shape[1])]) + "\n")
        for t, q, row in zip(y, yp, P):
            f.write(",".join([str(int(t)), str(int(q))] + [repr(float(v)) for v in row]) + "\n")


def reliability(y, P, bins):
    conf, pred = P.max(axis=1), P.argmax(axis=1)
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    out = []
    for b in range(bins):
        m = idx == b
        out.append({"count": int(m.sum()),
                    "mean_confidence": float(conf[m].mean()) if m.any() else None,
                    "accuracy": float((pred[m] == y[m]).mean()) if m.any() else None})
    return out


def peer(csv, train_counts=None):
    cmd = ["/usr/bin/python3", a.peer, csv, "--bins", str(a.bins)]
    if train_counts:
        cmd += ["--train-counts", ",".join(map(str, train_counts))]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout), cmd


def finish(name, y, yp, P, train_counts, extra):
    csv = os.path.join(HERE, name + ".csv")
    write_csv(csv, y, yp, P)
    ref, cmd = peer(csv, train_counts)
    K = P.shape[1]
    ref.update(extra)
    ref["reliability_bins"] = reliability(y, P, a.bins)
    ref["confusion_matrix"] = M.confusion_matrix(y, yp, labels=list(range(K))).tolist()
    ref["bins"] = a.bins
    ref["train_counts"] = train_counts
    ref["peer_command"] = " ".join(["/usr/bin/python3", "peer_metrics.py", name + ".csv"] + cmd[3:])
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    print(name, "rows", len(y), "support", np.bincount(y, minlength=K).tolist(),
          "predicted", np.bincount(yp, minlength=K).tolist(), file=sys.stderr)


# Multiclass: 6 classes with long-tailed support; class 4 is never the arg-max (never predicted),
# neighbouring classes are confused with each other.
support = [110, 75, 50, 35, 20, 10]
K = len(support)
y = np.repeat(np.arange(K), support)
rng.shuffle(y)
strength = np.array([2.2, 1.8, 1.5, 1.2, 0.0, 1.4])
logits = rng.normal(0.0, 1.0, size=(len(y), K))
logits[np.arange(len(y)), y] += strength[y]
logits[:, 4] -= 4.0                                    # class 4 never wins
nxt = (y + 1) % K
logits[np.arange(len(y)), nxt] += 0.6                  # systematic confusion with the next class
P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
P = quantize(P)
assert all(len(np.unique(r)) == K for r in P), "tied probabilities in a row"
yp = P.argmax(axis=1)
assert (np.bincount(yp, minlength=K)[4] == 0) and all(np.bincount(yp, minlength=K)[[0, 1, 2, 3, 5]] > 0)
train_counts = [500, 300, 100, 60, 20, 8]              # many {0,1}, medium {2,3,4} (boundaries 100 and 20), few {5}
finish("multiclass_predictions", y, yp, P, train_counts, {
    "top3_accuracy": M.top_k_accuracy_score(y, P, k=3, labels=list(range(K))),
})

# Binary: 200 rows, 15% positives, overlapping scores.
n, npos = 200, 30
yb = np.zeros(n, dtype=int)
yb[:npos] = 1
rng.shuffle(yb)
z = rng.normal(0.0, 1.0, size=n) + 1.6 * yb - 1.2
p1 = quantize(1 / (1 + np.exp(-z)))
assert len(np.unique(p1)) == n, "tied probabilities"
p0 = 1.0 - p1                                           # exact: both are multiples of 2^-24
Pb = np.stack([p0, p1], axis=1)
ypb = (p1 > p0).astype(int)
prec, rec, _ = M.precision_recall_curve(yb, p1)
finish("binary_predictions", yb, ypb, Pb, None, {
    "recall_at_precision": {str(t): float(rec[prec >= t].max()) for t in (0.5, 0.7, 0.9)},
})
