#!/bin/sh
# CI smoke test of the fuzz targets: builds them and runs each for a short time (20 s by
# default, or $FUZZ_SECONDS). Needs cargo-fuzz (`cargo install cargo-fuzz`); nightly is not
# needed: RUSTC_BOOTSTRAP=1 lets stable rustc accept the sanitizer flags cargo-fuzz passes.
# A crash, abort, timeout (10 s per input) or out-of-memory (2 GiB) fails the script.
set -eu
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-20}"
export RUSTC_BOOTSTRAP=1
./seed.sh
cargo fuzz build -s none -a
for target in parse eval grammar ide; do
    echo "fuzz smoke: $target for ${seconds}s"
    cargo fuzz run -s none -a "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=4096 -len_control=0
done
