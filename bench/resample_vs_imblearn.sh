#!/usr/bin/env bash
# One sampler on one CSV, ours then imbalanced-learn's, in one run on this machine; prints both JSON lines and the
# speed ratio of the resampling itself (our first call in a fresh process vs imbalanced-learn's fit_resample).
#
#   dotnet build -c Release bench/LongTail.Bench
#   /usr/bin/python3 ../shared/peers/gen_data.py --n 1000000 --profile binary --out /tmp/bin1m.csv
#   bash bench/resample_vs_imblearn.sh smote SMOTE /tmp/bin1m.csv
#
# Arguments: our sampler name, imbalanced-learn's class name, the CSV (label column "label"); extra arguments go to
# both sides (e.g. --k 3). PEER overrides the peer script (default ../shared/peers/peer_imblearn.py).
set -euo pipefail
cd "$(dirname "$0")/.."
ours=$1 theirs=$2 csv=$3
shift 3
BENCH=${BENCH:-bench/LongTail.Bench/bin/Release/net10.0/LongTail.Bench}
PEER=${PEER:-../shared/peers/peer_imblearn.py}
a=$("$BENCH" resample --sampler "$ours" --input "$csv" --label label --seed 1 "$@")
echo "$a"
b=$(/usr/bin/python3 "$PEER" "$csv" --label label --sampler "$theirs" --seed 1 --no-write "$@")
echo "$b"
/usr/bin/python3 - "$a" "$b" <<'PY'
import json, sys
ours, peer = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({"sampler": ours["sampler"], "rows_in": ours["rows_in"], "ours_seconds": ours["first_seconds"],
                  "imblearn_seconds": peer["fit_resample_s"], "speedup": round(peer["fit_resample_s"] / ours["first_seconds"], 2),
                  "ours_rows_out": ours["rows_out"], "imblearn_rows_out": peer["n_out"],
                  "ours_peak_rss_mb": ours["peak_rss_mb"], "imblearn_peak_rss_mb": peer["peak_rss_mb"]}))
PY
