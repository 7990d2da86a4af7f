#!/usr/bin/env bash
# The imbalance sweep against plain LightGBM under the same time budget, on the datasets in ../shared/data.
# Usage: bash bench/sweep_vs_lightgbm.sh [BUDGET_SECONDS] [OUT.jsonl] [dataset.csv ...]
# Each dataset gives one JSON line (bench 'sweep' subcommand); logs go to stderr.
# RACING=off turns racing (early stopping of clearly worse trials) off for both searches; default on.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-60}
out=${2:-/tmp/sweep_vs_lightgbm.jsonl}
shift $(( $# > 2 ? 2 : $# ))
data=../shared/data
sets=("$@")
if [ ${#sets[@]} -eq 0 ]; then
  sets=(glass.csv zoo.csv soybean.csv hpc.csv vehicle.csv wine.csv circle-example.csv pima.csv attrition.csv
        mlc-churn.csv stackoverflow.csv digits-8-vs-rest.csv satimage-4-vs-rest.csv)
fi
dotnet build bench/LongTail.Bench -c Release -v q -nologo >/dev/null
: > "$out"
for f in "${sets[@]}"; do
  echo "== $f (budget $budget s each)" >&2
  dotnet bench/LongTail.Bench/bin/Release/net10.0/LongTail.Bench.dll sweep --data "$data/$f" --label Label --budget "$budget" --racing "${RACING:-on}" | tee -a "$out"
done
echo "results in $out" >&2
