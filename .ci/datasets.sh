#!/usr/bin/env bash
# Imports every real catalogue of ../shared/datasets with format auto-detection into a fresh
# SQLite store and fails when one is not recognised, fails as a whole, or has rejected rows.
set -euo pipefail
DATASETS=$1
cargo build --quiet --bin comptoir
BIN=target/debug/comptoir
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export COMPTOIR_LOG=warn
$BIN tenant create datasets --name "Datasets" --currency USD --locales en --data-dir "$TMP" > /dev/null
status=0
for f in "$DATASETS"/catalogues/shopify/*.csv "$DATASETS"/catalogues/woocommerce/*.csv \
         "$DATASETS"/catalogues/dummyjson/*.json "$DATASETS"/catalogues/saleor/*.json; do
  out=$($BIN import --tenant datasets --json --data-dir "$TMP" "$f") || { echo "FAIL $f"; status=1; continue; }
  python3 - "$f" "$out" <<'PY' || status=1
import json, sys
name, r = sys.argv[1], json.loads(sys.argv[2])
line = f"{name.split('datasets/')[-1]}: {r['format']}, {r['rows_total']} rows, {r['rows_imported']} imported, {r['rows_rejected']} rejected, {r['rows_skipped']} skipped, {r['products']} products, {r['variants']} variants"
print(("ok   " if r['rows_rejected'] == 0 and r['variants'] > 0 else "FAIL ") + line)
for e in r['rejected'][:5]:
    print("     line", e['line'], e['reason'])
sys.exit(0 if r['rows_rejected'] == 0 and r['variants'] > 0 else 1)
PY
done
exit $status
