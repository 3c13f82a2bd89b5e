#!/bin/sh
# Seeds the fuzz corpora from the repository's own scripts: every examples/**/*.mml and
# tests/**/*.mml goes to fuzz/corpus/parse and fuzz/corpus/eval (the grammar target needs no
# seeds: its input is the bytes `arbitrary` reads). The corpora are not committed.
set -eu
cd "$(dirname "$0")/.."
for target in parse eval; do
    mkdir -p "fuzz/corpus/$target"
    find examples tests -name '*.mml' -size -64k | while read -r f; do
        cp "$f" "fuzz/corpus/$target/seed-$(echo "$f" | tr '/' '_')"
    done
done
mkdir -p fuzz/corpus/grammar fuzz/corpus/ide
echo "seeded: $(ls fuzz/corpus/parse | wc -l) scripts each for parse and eval"
