#!/usr/bin/env bash
# Search quality on the repo's graded relevance sets: the demo catalogue (always) and the
# DummyJSON catalogue of ../shared/datasets (when given). Fails under the floors below
# (nDCG@10, deterministic); latency is printed, never judged here (benches do that).
set -euo pipefail
DATASETS=${1:-}
cargo build --quiet --bin comptoir
BIN=target/debug/comptoir
export COMPTOIR_LOG=warn
status=0
check() { # name, report JSON, python condition over r
  python3 - "$1" "$2" "$3" <<'PY' || status=1
import json, sys
name, r, cond = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
ok = eval(cond)
print(("ok   " if ok else "FAIL ") + f"{name}: nDCG@10 {r['ndcg_at_10']:.4f}, recall@10 {r['recall_at_10']:.4f}, "
      f"zero results {100*r['zero_result_rate']:.2f}% of {r['judged']} judged queries  [{cond}]")
sys.exit(0 if ok else 1)
PY
}
# Floors: the issue's target is nDCG@10 >= 0.85 and <= 2% zero results; the demo set is at
# 0.93, DummyJSON at 0.856 (docs/benchmarks.md; ties alone move it by ±0.015), so these guard
# against regressions.
check demo "$($BIN search eval --catalogue data/demo/catalogue.csv --currency EUR \
  --judgments crates/search/data/relevance/demo.jsonl --json)" \
  "r['ndcg_at_10'] >= 0.90 and r['zero_result_rate'] <= 0.02"
if [ -n "$DATASETS" ] && [ -f "$DATASETS/catalogues/dummyjson/products.json" ]; then
  check dummyjson "$($BIN search eval --catalogue "$DATASETS/catalogues/dummyjson/products.json" \
    --currency USD --judgments crates/search/data/relevance/dummyjson.jsonl --json)" \
    "r['ndcg_at_10'] >= 0.83 and r['zero_result_rate'] <= 0.02"
fi
exit $status
