#!/usr/bin/env python3
"""Markdown tables from bench/posthoc_table.sh's JSON lines: balanced accuracy (and few-shot accuracy) per dataset and
trainer, a column per method, mean over seeds, the best cell of each row in bold; then whether the best method beats
the plain trainer, by how many points."""
import json
import statistics
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
methods = list(dict.fromkeys(r["method"] for r in rows))
keys = list(dict.fromkeys((r["dataset"], r["trainer"]) for r in rows))


def mean(ds, tr, m, field):
    v = [r[field] for r in rows if (r["dataset"], r["trainer"], r["method"]) == (ds, tr, m)
         and "error" not in r and r.get(field) is not None]
    return statistics.mean(v) if v else None


for field, title in (("balanced_accuracy", "Balanced accuracy"), ("macro_f1", "Macro-F1"),
                     ("few_shot_accuracy", "Few-shot accuracy (classes with fewer than 20 training rows)")):
    print(f"\n{title}, mean over seeds (n = seeds):\n")
    print("| dataset | trainer | n | " + " | ".join(methods) + " |")
    print("|---|---|---|" + "---|" * len(methods))
    for ds, tr in keys:
        vals = [mean(ds, tr, m, field) for m in methods]
        if all(v is None for v in vals):
            continue
        best = max(v for v in vals if v is not None)
        n = len({r.get("seed") for r in rows if (r["dataset"], r["trainer"]) == (ds, tr)})
        cells = ["-" if v is None else (f"**{v:.3f}**" if v == best else f"{v:.3f}") for v in vals]
        print(f"| {ds} | {tr} | {n} | " + " | ".join(cells) + " |")

print("\nBest method against the plain trainer (balanced accuracy, points):\n")
for ds, tr in keys:
    plain = mean(ds, tr, "none", "balanced_accuracy")
    others = {m: mean(ds, tr, m, "balanced_accuracy") for m in methods if m != "none"}
    others = {m: v for m, v in others.items() if v is not None}
    if plain is None or not others:
        continue
    m, v = max(others.items(), key=lambda kv: kv[1])
    print(f"- {ds}, {tr}: {m} {100 * (v - plain):+.1f}")
errors = [r for r in rows if "error" in r]
for r in errors:
    print(f"- error: {r['dataset']} {r['trainer']} {r['method']} seed {r.get('seed')}: {r['error']}")
