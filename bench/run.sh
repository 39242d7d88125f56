#!/usr/bin/env bash
# kyotei's benchmark: builds the release binary and the register generator, then runs
# bench/bench.py (batches of N = 1, 100, 1000; per format and kind; LibreOffice comparison)
# and writes bench/RESULTS.md; with --serve, bench/serve.py (`kyotei serve`). Not part of
# `cargo test`. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time: apt-get install time" >&2; exit 1; }
command -v soffice >/dev/null || echo "soffice not found: the LibreOffice comparison is skipped (apt-get install libreoffice-writer)" >&2
cargo build --release --bin kyotei --example synth
if [ "${1:-}" = "--serve" ]; then
  shift
  exec python3 bench/serve.py "$@"   # `kyotei serve`: first page, page times, saves, load
fi
exec python3 bench/bench.py "$@"
