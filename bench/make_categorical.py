#!/usr/bin/env python3
"""Turns some feature columns of a numeric CSV (from ../shared/peers/gen_data.py) into categories, for SMOTE-NC and
SMOTE-N timings: each chosen column becomes the integer code 0..L-1 of its quantile bin.

  /usr/bin/python3 bench/make_categorical.py IN.csv OUT.csv --columns 0,1,2,3,4 --levels 5   # SMOTE-NC input
  /usr/bin/python3 bench/make_categorical.py IN.csv OUT.csv --columns all --levels 4          # SMOTE-N input
"""
import argparse
import numpy as np
import pandas as pd

p = argparse.ArgumentParser()
p.add_argument("input")
p.add_argument("output")
p.add_argument("--label", default="label")
p.add_argument("--columns", required=True, help="feature indices (label excluded) or 'all'")
p.add_argument("--levels", type=int, default=5)
a = p.parse_args()
df = pd.read_csv(a.input)
features = [c for c in df.columns if c != a.label]
chosen = features if a.columns == "all" else [features[int(i)] for i in a.columns.split(",")]
for c in chosen:
    edges = np.quantile(df[c].to_numpy(), np.linspace(0, 1, a.levels + 1)[1:-1])
    df[c] = np.searchsorted(edges, df[c].to_numpy(), side="right")
df.to_csv(a.output, index=False)
print(a.output, {c: int(df[c].nunique()) for c in chosen[:3]}, "...")
