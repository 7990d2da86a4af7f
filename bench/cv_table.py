#!/usr/bin/env python3
"""Markdown tables from the JSON lines of bench/resampling_cv.sh: one table per metric, a row per dataset and
trainer, a column per sampler, the best cell of each row in bold, a dash where the sampler refused the data."""
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
samplers = list(dict.fromkeys(r["sampler"] for r in rows))
keys = list(dict.fromkeys((r["data"], r["trainer"]) for r in rows))
cell = {(r["data"], r["trainer"], r["sampler"]): r for r in rows}
errors = {}
for metric, title in [("macro_f1", "Macro-F1"), ("balanced_accuracy", "Balanced accuracy"),
                      ("few_shot_accuracy", "Few-shot accuracy (classes with < 20 training rows per fold)")]:
    print(f"\n#### {title}\n")
    print("| data | trainer | " + " | ".join(samplers) + " |")
    print("|---|---|" + "---|" * len(samplers))
    for data, trainer in keys:
        values = []
        for s in samplers:
            r = cell.get((data, trainer, s))
            values.append(None if r is None or "error" in r else r.get(metric))
            if r is not None and "error" in r:
                errors[(data, s)] = r["error"]
        if all(v is None for v in values):
            continue
        best = max(v for v in values if v is not None)
        text = ["–" if v is None else (f"**{v:.3f}**" if v == best else f"{v:.3f}") for v in values]
        print(f"| {data.removesuffix('.csv')} | {trainer} | " + " | ".join(text) + " |")
if errors:
    print("\nRefused runs (shown as –):\n")
    for (data, s), e in sorted(errors.items()):
        print(f"- {data.removesuffix('.csv')}, {s}: {e}")
