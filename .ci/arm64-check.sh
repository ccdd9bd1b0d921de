#!/usr/bin/env bash
# The library on ARM64, the edge boards' architecture, run under qemu-user:
#   1. tests/NGGen.Arm64Check (JIT, self-contained): the GEMM on the Vector128 (AdvSimd) micro-kernel against a
#      double-precision reference, and tanh and log1p against glibc within the x64 tests' ulp bounds;
#   2. samples/EdgeTrainer as an ARM64 NativeAOT binary (cross-compiled: clang, lld and the aarch64 GNU libraries):
#      20 GN-CG iterations of a generated model, whose final cost must match the x64 run's to 1% (float32 sums in
#      another order differ in the 3rd-4th digit, a wrong kernel by far more).
# Exit 0: passed; 2: qemu or the ARM64 runtime could not be installed here (reported as skipped); else failed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=out/ci-arm64
rm -rf "$out" && mkdir -p "$out"
sysroot=/usr/aarch64-linux-gnu
packages=(qemu-user libc6-dev-arm64-cross libstdc++6-arm64-cross clang lld gcc-aarch64-linux-gnu)
if ! command -v qemu-aarch64 clang ld.lld aarch64-linux-gnu-gcc > /dev/null || [ ! -e "$sysroot/lib/ld-linux-aarch64.so.1" ]; then
  { apt-get install -y -q "${packages[@]}" || { apt-get update -q && apt-get install -y -q "${packages[@]}"; }; } \
    > "$out/apt.log" 2>&1 || { echo "qemu-user or the ARM64 libraries could not be installed (see $out/apt.log)"; exit 2; }
fi
publish() {
  dotnet publish "$@" -c Release -r linux-arm64 --self-contained > "$out/publish.log" 2>&1 && return 0
  if grep -q "NU1101\|NU1102\|Unable to find package" "$out/publish.log"; then
    echo "the linux-arm64 runtime packs are not served here (see $out/publish.log)"
    exit 2
  fi
  tail -20 "$out/publish.log"
  exit 1
}
run_arm64() { qemu-aarch64 -L "$sysroot" "$@"; }

publish tests/NGGen.Arm64Check -o "$out/check"
run_arm64 "$out/check/NGGen.Arm64Check"

# SysRoot=/: clang finds the cross libraries itself (--target=aarch64-linux-gnu); with the sysroot named, lld looked
# for libc.so.6 under it twice over.
publish samples/EdgeTrainer -p:EdgeTrainerAot=true -p:SysRoot=/ -p:LinkerFlavor=lld -o "$out/edge"
dotnet build samples/EdgeTrainer -c Release -f net10.0 -o "$out/edge-x64" > "$out/build-x64.log" 2>&1
dotnet "$out/edge-x64/EdgeTrainer.dll" make-data "$out/wave.csv" --rows 512 > /dev/null
final_cost() { "$@" train --data "$out/wave.csv" --iterations 20 --quiet | sed -n 's/.*; cost \([0-9.eE+-]*\);.*/\1/p'; }
x64=$(final_cost dotnet "$out/edge-x64/EdgeTrainer.dll")
arm64=$(final_cost run_arm64 "$out/edge/EdgeTrainer")
echo "EdgeTrainer, 20 GN-CG iterations on 512 rows: final cost x64 $x64, ARM64 NativeAOT ($(stat -c %s "$out/edge/EdgeTrainer") bytes) $arm64"
python3 -c "import sys; x, a = float('$x64'), float('$arm64'); sys.exit(0 if abs(a - x) <= 0.01 * x else 1)" \
  || { echo "the ARM64 run ended at another cost"; exit 1; }
echo "ARM64 under qemu: GEMM check and the NativeAOT EdgeTrainer agree"
