#!/usr/bin/env bash
# Builds the Ceres peer benchmarks into DIR (default out/peers/ceres): DIR/curve_fits.
# Usage: bench/peers/ceres/build.sh [DIR]   (from any directory; needs cmake, g++ and libceres-dev)
set -euo pipefail
source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-out/peers/ceres}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
if ! dpkg -s libceres-dev >/dev/null 2>&1 && [ ! -d /usr/lib/x86_64-linux-gnu/cmake/Ceres ]; then
    echo "build.sh: Ceres is not installed (apt-get install libceres-dev libeigen3-dev)." >&2
    exit 1
fi
# -O3 -march=native for the code compiled here (the residuals, AutoDiff jets, Eigen templates); libceres itself is
# Debian's build.
cmake -S "$source_dir" -B "$out/build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS_RELEASE="-O3 -march=native -DNDEBUG" \
    -DCMAKE_RUNTIME_OUTPUT_DIRECTORY="$out" >/dev/null
cmake --build "$out/build" -j 1 >/dev/null
echo "build.sh: built $out/curve_fits" >&2
