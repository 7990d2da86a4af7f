#!/usr/bin/env bash
# Compare our evaluator (LongTail.Bench `evaluate`) with the scikit-learn / imbalanced-learn reference
# (peer_metrics.py) on one predictions CSV (y_true,y_pred,p0..p{K-1}); exits 1 on any mismatch.
#
#   bench/compare_metrics.sh preds.csv [--train-counts 500,120,15] [--bins 15] [--many 100] [--few 20]
#
# Environment: TOL (absolute tolerance, default 1e-9); PEER (default ../shared/peers/peer_metrics.py, beside the clone);
# PYTHON (default /usr/bin/python3); BENCH (command that runs the bench app, default
# `dotnet run -c Release --project bench/LongTail.Bench --`).
#
# ML.NET scores are float32, so both tools are fed a copy of the CSV whose probabilities are rounded to float32:
# the comparison then checks the metric code, not the input quantisation (ECE would otherwise differ ~1e-8).
# Known, intended difference: when a class has no rows in y_true, peer_metrics.py's worst_class_recall counts
# its recall as 0, while EvaluateImbalanced leaves absent classes out of the worst-class recall.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 1 || "$1" == -* ]]; then
  echo "usage: $0 preds.csv [--train-counts a,b,c] [--bins N] [--many N] [--few N]" >&2
  exit 2
fi
csv="$1"; shift
TOL="${TOL:-1e-9}"
PEER="${PEER:-../shared/peers/peer_metrics.py}"
PYTHON="${PYTHON:-/usr/bin/python3}"
BENCH="${BENCH:-dotnet run -c Release --project bench/LongTail.Bench --}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$PYTHON" - "$csv" "$work/preds.csv" <<'PY'
import csv, sys
import numpy as np
with open(sys.argv[1]) as src, open(sys.argv[2], "w", newline="") as dst:
    r, w = csv.reader(src), csv.writer(dst)
    header = next(r)
    w.writerow(header)
    prob = [h.startswith("p") and h[1:].isdigit() for h in header]
    for row in r:
        w.writerow([repr(float(np.float32(float(v)))) if p else v for v, p in zip(row, prob)])
PY

"$PYTHON" "$PEER" "$work/preds.csv" "$@" > "$work/peer.json"
# shellcheck disable=SC2086  # BENCH is a command line
$BENCH evaluate --predictions "$work/preds.csv" "$@" | grep '^{' | tail -n 1 > "$work/ours.json"

"$PYTHON" - "$work/peer.json" "$work/ours.json" "$TOL" <<'PY'
import json, math, sys
peer, ours, tol = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), float(sys.argv[3])
bad = []
def cmp(path, a, b):
    if isinstance(a, dict):
        for k in a:
            if not isinstance(b, dict) or k not in b: bad.append(f"{path}{k}: missing in ours")
            else: cmp(f"{path}{k}.", a[k], b[k])
    elif isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b): bad.append(f"{path[:-1]}: {a} vs {b}")
        else:
            for i, (x, y) in enumerate(zip(a, b)): cmp(f"{path}{i}.", x, y)
    elif a is None or b is None:
        if a is not b: bad.append(f"{path[:-1]}: peer {a} vs ours {b}")
    elif not (abs(a - b) <= tol or (isinstance(a, float) and math.isnan(a) and b is None)):
        bad.append(f"{path[:-1]}: peer {a!r} vs ours {b!r} (|diff| {abs(a - b):.3g})")
cmp("", peer, ours)
for line in bad: print("MISMATCH", line)
print(f"{'FAIL' if bad else 'OK'}: {len(bad)} mismatches (tolerance {tol}); ours took {ours.get('seconds')} s", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
