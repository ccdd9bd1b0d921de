#!/usr/bin/env bash
# Size, start-up and training speed of the NativeAOT edge trainer against its JIT build, side by side in one run.
#   bench/edge-trainer.sh [--rounds N]        (default 5 speed rounds, 21 start-up runs)
# Builds: JIT (net10.0, dotnet EdgeTrainer.dll), AOT for x86-64-v3 (the portable default: AVX2 + FMA) and AOT for
# the build machine's instruction set (-p:IlcInstructionSet=native; AVX-512 here). Prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=5
[ "${1:-}" = "--rounds" ] && rounds=$2
out=out/edge-bench
mkdir -p "$out"
dotnet build samples/EdgeTrainer -c Release -f net10.0 -o "$out/jit" > "$out/build.log"
dotnet publish samples/EdgeTrainer -c Release -f net9.0 -r linux-x64 -o "$out/aot-v3" >> "$out/build.log"
dotnet publish samples/EdgeTrainer -c Release -f net9.0 -r linux-x64 -o "$out/aot-native" -p:IlcInstructionSet=native >> "$out/build.log"
jit=(dotnet "$out/jit/EdgeTrainer.dll")
v3=("$out/aot-v3/EdgeTrainer")
native=("$out/aot-native/EdgeTrainer")
"${v3[@]}" make-data "$out/small.csv" --rows 64 > /dev/null
"${v3[@]}" make-data "$out/medium.csv" --rows 2048 > /dev/null

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Start-up: wall time of a whole process that reads 64 rows and runs one GN-CG iteration (to its first iteration and exit).
startup() {
  for _ in $(seq 21); do
    local s e
    s=$(date +%s%N)
    "$@" train --data "$out/small.csv" --iterations 1 --quiet > /dev/null
    e=$(date +%s%N)
    echo "scale=3; ($e - $s) / 1000000" | bc
  done | median
}

# Training speed: steady-state ms per GN-CG iteration (the trainer's own figure, first iteration excluded), 2048 rows.
speed() { "$@" train --data "$out/medium.csv" --iterations 60 --quiet | sed -n 's/.*then \([0-9.]*\) ms per iteration.*/\1/p'; }

declare -A times
for round in $(seq "$rounds"); do
  times[jit]+="$(speed "${jit[@]}") "
  times[jit_avx2]+="$(DOTNET_EnableAVX512=0 speed "${jit[@]}") "
  times[v3]+="$(speed "${v3[@]}") "
  times[native]+="$(speed "${native[@]}") "
done
med() { tr ' ' '\n' <<< "${times[$1]}" | grep . | median; }
jit_ms=$(med jit); jit_avx2_ms=$(med jit_avx2); v3_ms=$(med v3); native_ms=$(med native)
ratio() { echo "scale=2; $1 / $2" | bc; }

echo "| build | binary | start-up to exit, 1 iteration (median of 21) | ms per GN-CG iteration, 2048 rows (median of $rounds) | vs JIT |"
echo "|---|---|---|---|---|"
echo "| JIT net10.0 (AVX-512) | dotnet + $(du -sh "$out/jit" | cut -f1) folder | $(startup "${jit[@]}") ms | $jit_ms | 1.00 |"
echo "| JIT net10.0, DOTNET_EnableAVX512=0 | same | | $jit_avx2_ms | $(ratio "$jit_avx2_ms" "$jit_ms") |"
echo "| AOT x86-64-v3 (default) | $(stat -c %s "$out/aot-v3/EdgeTrainer") B | $(startup "${v3[@]}") ms | $v3_ms | $(ratio "$v3_ms" "$jit_ms") (vs AVX2 JIT: $(ratio "$v3_ms" "$jit_avx2_ms")) |"
echo "| AOT native (AVX-512) | $(stat -c %s "$out/aot-native/EdgeTrainer") B | $(startup "${native[@]}") ms | $native_ms | $(ratio "$native_ms" "$jit_ms") |"
