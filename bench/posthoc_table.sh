#!/usr/bin/env bash
# Class-balanced weights and logit adjustment against the plain trainer on the long-tailed datasets of ../shared/data:
# one `LongTail.Bench posthoc` run per dataset x trainer x method x seed, the JSON lines collected in OUT, then the
# Markdown table of bench/RESULTS.md printed by bench/posthoc_table.py (mean over seeds).
#
#   dotnet build -c Release bench/LongTail.Bench
#   bash bench/posthoc_table.sh /tmp/posthoc.jsonl
#
# Fashion-MNIST: trained on its long-tailed training split (IR 100, or IR 10 for -r10), tested on the balanced test
# set, one seed. The small sets (glass, zoo, soybean, hpc) have no test file: a stratified 30 % of the rows is held out,
# with SEEDS different splits. DATA, BENCH, DATASETS, TRAINERS, METHODS and SEEDS override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
BENCH=${BENCH:-bench/LongTail.Bench/bin/Release/net10.0/LongTail.Bench}
OUT=${1:-/tmp/posthoc.jsonl}
DATASETS=${DATASETS:-"glass zoo soybean hpc fashion-mnist-lt-r10 fashion-mnist-lt"}
TRAINERS=${TRAINERS:-"lightgbm sdca"}
METHODS=${METHODS:-"none weights logit-adjust both"}
SEEDS=${SEEDS:-"1 2 3 4 5"}
: > "$OUT"
err=$(mktemp)
for ds in $DATASETS; do
  case $ds in
    fashion-mnist-*) files=(--train "$DATA/$ds.csv.gz" --test "$DATA/fashion-mnist-test.csv.gz"); seeds=1 ;;
    *) files=(--train "$DATA/$ds.csv" --test-fraction 0.3); seeds=$SEEDS ;;
  esac
  for tr in $TRAINERS; do
    for m in $METHODS; do
      for seed in $seeds; do
        if line=$("$BENCH" posthoc "${files[@]}" --label Label --trainer "$tr" --method "$m" --seed "$seed" 2>"$err"); then
          echo "$line" | /usr/bin/python3 -c "import json,sys; r=json.loads(sys.stdin.read()); r['dataset']='$ds'; print(json.dumps(r))" >> "$OUT"
        else
          msg=$(grep '^error: ' "$err" | head -1 | cut -c8- | /usr/bin/python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().strip()))')
          echo "{\"dataset\":\"$ds\",\"trainer\":\"$tr\",\"method\":\"$m\",\"seed\":$seed,\"error\":$msg}" >> "$OUT"
        fi
        echo "$ds $tr $m $seed done" >&2
      done
    done
  done
done
rm -f "$err"
/usr/bin/python3 bench/posthoc_table.py "$OUT"
