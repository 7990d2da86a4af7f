#!/usr/bin/env bash
# Marginal vs Mondrian vs clustered conformal prediction sets on the long-tailed datasets of ../shared/data: one
# `LongTail.Bench conformal` run per dataset x method (alpha 0.1, 100 random calibration/test splits of the scored half),
# the JSON lines collected in OUT, then the Markdown table of bench/RESULTS.md printed by bench/conformal_table.py.
#
#   dotnet build -c Release bench/LongTail.Bench
#   bash bench/conformal_table.sh /tmp/conformal.jsonl
#
# DATA, BENCH, DATASETS, METHODS, SPLITS and ALPHA override the defaults below.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
BENCH=${BENCH:-bench/LongTail.Bench/bin/Release/net10.0/LongTail.Bench}
OUT=${1:-/tmp/conformal.jsonl}
DATASETS=${DATASETS:-"glass zoo soybean hpc fashion-mnist-lt"}
METHODS=${METHODS:-"lac aps mondrian clustered"}
SPLITS=${SPLITS:-100}
ALPHA=${ALPHA:-0.1}
: > "$OUT"
err=$(mktemp)
for ds in $DATASETS; do
  file="$DATA/$ds.csv"
  [ -f "$file" ] || file="$DATA/$ds.csv.gz"
  for m in $METHODS; do
    if line=$("$BENCH" conformal --method "$m" --data "$file" --label Label --alpha "$ALPHA" --splits "$SPLITS" --seed 1 2>"$err"); then
      echo "$line" >> "$OUT"
    else
      msg=$(grep '^error: ' "$err" | head -1 | cut -c8- | /usr/bin/python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().strip()))')
      echo "{\"command\":\"conformal\",\"data\":\"$(basename "$file")\",\"method\":\"$m\",\"error\":$msg}" >> "$OUT"
    fi
    echo "$ds $m done" >&2
  done
done
rm -f "$err"
/usr/bin/python3 bench/conformal_table.py "$OUT"
