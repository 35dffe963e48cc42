#!/usr/bin/env bash
# Builds the libFuzzer target for the GGUF reader and, with `run SECONDS`, fuzzes it.
#
#   Fuzz/build.sh            # build .build-fuzz/fuzz-gguf
#   Fuzz/build.sh run 120    # build, then fuzz for 120 s from the seed corpus, printing libFuzzer's final stats
#
# Compiles Sources/SpecFitCore and Sources/GGUF straight with swiftc (no SwiftPM target) with
# -sanitize=fuzzer,address; needs a Swift toolchain for Linux with the compiler-rt fuzzer runtime (swift.org builds have it).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${FUZZ_OUT:-$ROOT/.build-fuzz}"
SAN="-sanitize=fuzzer,address"
FLAGS=(-O -g -parse-as-library -wmo -num-threads 0)
mkdir -p "$OUT"

swiftc "${FLAGS[@]}" $SAN -module-name SpecFitCore -emit-module -emit-module-path "$OUT/SpecFitCore.swiftmodule" \
    -emit-object -o "$OUT/SpecFitCore.o" "$ROOT"/Sources/SpecFitCore/*.swift
swiftc "${FLAGS[@]}" $SAN -module-name GGUF -I "$OUT" -emit-module -emit-module-path "$OUT/GGUF.swiftmodule" \
    -emit-object -o "$OUT/GGUF.o" "$ROOT"/Sources/GGUF/*.swift
swiftc -O -g -parse-as-library $SAN -use-ld=lld -I "$OUT" "$ROOT/Fuzz/FuzzGGUF.swift" "$OUT/GGUF.o" "$OUT/SpecFitCore.o" -o "$OUT/fuzz-gguf"
echo "built $OUT/fuzz-gguf"

if [[ "${1:-}" == "run" ]]; then
    SECONDS_TO_RUN="${2:-120}"
    CORPUS="$OUT/corpus"
    mkdir -p "$CORPUS" "$OUT/artifacts"
    cp -n "$ROOT"/Fuzz/seeds/*.gguf "$CORPUS"/ 2>/dev/null || true
    cd "$OUT"
    ./fuzz-gguf "$CORPUS" -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$OUT/artifacts/" -print_final_stats=1 -print_coverage=0
fi
