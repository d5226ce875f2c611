#!/usr/bin/env bash
# Fuzz the whole understanding call for SECONDS (default 60) with cargo-fuzz (libFuzzer).
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# Any panic or an input slower than 2 s stops the run with the crashing input in fuzz/artifacts.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
mkdir -p fuzz/corpus/understand
# Seed the corpus with the hostile shapes the issue names.
printf '' > fuzz/corpus/understand/empty
printf 'je cherche une robe rouge à moins de 50 € demain à 14h30' > fuzz/corpus/understand/fr
printf '\xe2\x80\xae\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 \x00\x01\x1b[31m' > fuzz/corpus/understand/rtl-control
python3 -c "print('😀'*5000, end='')" > fuzz/corpus/understand/emoji
python3 -c "print('commande '*10000, end='')" > fuzz/corpus/understand/repeat
exec cargo +nightly fuzz run understand fuzz/corpus/understand -- \
  -max_total_time="$seconds" -timeout=2 -max_len=1100000 -rss_limit_mb=2048
