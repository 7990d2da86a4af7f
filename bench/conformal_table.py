#!/usr/bin/env python3
"""Markdown table from bench/conformal_table.sh's JSON lines: per dataset and method, coverage, mean set size,
worst-class coverage, class-coverage gap and the few-shot classes' coverage and set size (means over the splits)."""
import json
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("| dataset | method | coverage | set size | worst-class coverage | class-coverage gap | few-shot coverage | few-shot set size | calibrate s | predict s |")
print("|---|---|---|---|---|---|---|---|---|---|")
f = lambda v, p=3: "-" if v is None else f"{v:.{p}f}"
for r in rows:
    name = r["data"].removesuffix(".gz").removesuffix(".csv")
    if "error" in r:
        print(f"| {name} | {r['method']} | error: {r['error']} |||||||")
        continue
    print(f"| {name} | {r['method']} | {f(r['coverage'])} | {f(r['set_size'], 2)} | {f(r['worst_class_coverage'])} | "
          f"{f(r['class_coverage_gap'])} | {f(r.get('few_shot_coverage'))} | {f(r.get('few_shot_set_size'), 2)} | "
          f"{f(r['calibrate_seconds'])} | {f(r['predict_seconds'])} |")
