#!/usr/bin/env bash
# Does resampling help? 5-fold stratified cross-validation, the sampler inside the folds, on the real datasets of
# ../shared/data: one `LongTail.Bench cv` run per dataset x trainer x sampler, the JSON lines collected in OUT, then the
# Markdown tables of bench/RESULTS.md printed by bench/cv_table.py.
#
#   dotnet build -c Release bench/LongTail.Bench
#   bash bench/resampling_cv.sh /tmp/resampling_cv.jsonl
#
# DATA, BENCH, DATASETS, TRAINERS and SAMPLERS override the defaults below. A run the component refuses (for example
# SMOTE's k larger than a class in a training fold) is recorded with its error message and shown as a dash.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
BENCH=${BENCH:-bench/LongTail.Bench/bin/Release/net10.0/LongTail.Bench}
OUT=${1:-/tmp/resampling_cv.jsonl}
DATASETS=${DATASETS:-"glass hpc soybean zoo satimage-4-vs-rest letter-z-vs-rest digits-8-vs-rest circle-example attrition mlc-churn stackoverflow wa-churn pima"}
TRAINERS=${TRAINERS:-"lightgbm sdca"}
SAMPLERS=${SAMPLERS:-"none randomoversampler randomundersampler smote borderlinesmote adasyn"}
: > "$OUT"
err=$(mktemp)
for ds in $DATASETS; do
  file="$DATA/$ds.csv"
  [ -f "$file" ] || file="$DATA/$ds.csv.gz"   # Fashion-MNIST ships gzipped
  for tr in $TRAINERS; do
    for s in $SAMPLERS; do
      if line=$("$BENCH" cv --data "$file" --label Label --trainer "$tr" --sampler "$s" --folds 5 --seed 1 2>"$err"); then
        echo "$line" >> "$OUT"
      else
        msg=$(grep '^error: ' "$err" | head -1 | cut -c8- | /usr/bin/python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().strip()))')
        echo "{\"command\":\"cv\",\"data\":\"$ds.csv\",\"trainer\":\"$tr\",\"sampler\":\"$s\",\"error\":$msg}" >> "$OUT"
      fi
      echo "$ds $tr $s done" >&2
    done
  done
done
rm -f "$err"
/usr/bin/python3 bench/cv_table.py "$OUT"
