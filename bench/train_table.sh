#!/usr/bin/env bash
# The issue-5 table: every tail-aware loss of the multiclass neural-network trainer on long-tailed Fashion-MNIST
# (imbalance ratio 100), evaluated on the balanced test set, one JSON line per loss in $OUT (default train_table.jsonl).
#   bench/train_table.sh [EPOCHS] [THREADS]
# Then the speed comparison, side by side in one run: the trainer and a bare TorchSharp loop (--mode both), and the
# PyTorch peer (../shared/peers/peer_torch_mlp.py, Debian's python3-torch) with the same MLP, batch and threads.
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${1:-30}
THREADS=${2:-2}
OUT=${OUT:-train_table.jsonl}
DATA=../shared/data
dotnet build -c Release bench/LongTail.Bench >/dev/null
BENCH="dotnet bench/LongTail.Bench/bin/Release/net10.0/LongTail.Bench.dll"
COMMON=(--train $DATA/fashion-mnist-lt.csv.gz --test $DATA/fashion-mnist-test.csv.gz --label Label --seed 1
        --hidden 256,128 --batch 256 --lr 1e-3 --threads "$THREADS" --scale 255)
: > "$OUT"
for loss in ce weighted-ce focal cb-focal ldam-drw balanced-softmax logit-adjusted equalization; do
  $BENCH train --loss $loss --epochs "$EPOCHS" "${COMMON[@]}" >> "$OUT"
done
$BENCH train --loss ce --epochs 5 --mode both "${COMMON[@]}" >> "$OUT"
/usr/bin/python3 $DATA/../peers/peer_torch_mlp.py $DATA/fashion-mnist-lt.csv.gz --test $DATA/fashion-mnist-test.csv.gz \
  --label Label --hidden 256,128 --epochs 5 --batch 256 --lr 1e-3 --loss ce --threads "$THREADS" --seed 1 --scale 255 >> "$OUT"
cat "$OUT"
