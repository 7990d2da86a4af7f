#!/usr/bin/python3
"""Synthetic predictions CSV (y_true,y_pred,p0..p{K-1}) for timing and checking the evaluator at scale.

Long-tailed truth (class c has weight 100^(-c/(K-1))), probabilities from a noisy softmax that favours the true
class, rounded to multiples of 2^-24 (exact in float32, as ML.NET scores are), y_pred = argmax.

  /usr/bin/python3 bench/make_predictions.py --rows 1000000 --classes 10 --seed 1 --out /tmp/preds-1m.csv
"""
import argparse
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--rows", type=int, default=1_000_000)
ap.add_argument("--classes", type=int, default=10)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--out", required=True)
a = ap.parse_args()
rng = np.random.default_rng(a.seed)
K = a.classes
w = 100.0 ** (-np.arange(K) / (K - 1))
y = rng.choice(K, size=a.rows, p=w / w.sum())
logits = rng.normal(size=(a.rows, K))
logits[np.arange(a.rows), y] += 1.5
P = np.exp(logits - logits.max(axis=1, keepdims=True))
P /= P.sum(axis=1, keepdims=True)
P = np.round(P * 2**24) / 2**24
pred = P.argmax(axis=1)
header = "y_true,y_pred," + ",".join(f"p{k}" for k in range(K))
np.savetxt(a.out, np.column_stack([y, pred, P]), delimiter=",", header=header, comments="",
           fmt=["%d", "%d"] + ["%.9g"] * K)
print(a.out, np.bincount(y, minlength=K).tolist())
