#!/usr/bin/env bash
# The GPU machine's checks in one command, for a machine with an NVIDIA GPU, python3 with PyTorch, and no .NET.
#
#   bench/gpu-machine.sh OUTDIR [--cudacheck-seconds S] [--peers-seconds S] [--skip-cudacheck] [--skip-peers]
#                        [-- run-peers.sh arguments]
#
# Publish the two NativeAOT binaries here first (they travel with the working tree):
#   dotnet publish samples/CudaCheck -c Release -f net9.0 -r linux-x64 -o out/cudacheck-aot
#   dotnet publish bench/NGGen.PeerBench -c Release -f net9.0 -r linux-x64 -o out/peerbench-aot
# (the AOT default targets x86-64-v3; add -p:IlcInstructionSet=x86-x64-v4 for the Vector512 kernels on an AVX-512
# machine, 1.04-2.26x faster on the H100 machine's CPU)
#
# There it writes to OUTDIR:
#   environment.txt  the GPU, driver, CPU and where the CUDA libraries were found;
#   cudacheck.log    CudaCheck --require-gpu (every test model's passes on CPU and GPU, the solvers' curves on both,
#                    the width-1024 MLP against PyTorch on the same GPU), and cudacheck.json;
#   peers.log        bench/run-peers.sh with the NativeAOT PeerBench against the machine's PyTorch on its CPU
#                    (default groups peak,mlp,gncg,engd), peers.json, and peers-raw.tar.gz (the raw JSON lines, kept
#                    even when the time limit stops the run before its table).
# Each part runs under its own time limit, so a hang in one still leaves the other's results.
set -uo pipefail
cd "$(dirname "$0")/.."

[ $# -ge 1 ] || { sed -n '2,20p' "$0"; exit 2; }
out="$1"; shift
cudacheck_seconds=300
peers_seconds=300
run_cudacheck=1
run_peers=1
peer_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --cudacheck-seconds) cudacheck_seconds="$2"; shift ;;
        --peers-seconds) peers_seconds="$2"; shift ;;
        --skip-cudacheck) run_cudacheck=0 ;;
        --skip-peers) run_peers=0 ;;
        --) shift; peer_args=("$@"); break ;;
        *) echo "gpu-machine.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
mkdir -p "$out"

# The binding looks for libnvrtc.so.13/.12/.11.2 and libcublas.so.13/.12/.11 on the loader's path and in
# /usr/local/cuda/lib64; where a toolkit keeps them elsewhere (a Python wheel's nvidia/*/lib), point it there.
find_library() {
    local soname
    for soname in "$@"; do
        ldconfig -p 2>/dev/null | grep -q "$soname " && { echo "$soname"; return; }
        [ -e "/usr/local/cuda/lib64/$soname" ] && { echo "/usr/local/cuda/lib64/$soname"; return; }
    done
    for soname in "$@"; do
        local found
        found=$(find / -xdev -name "$soname" -not -path '/proc/*' 2>/dev/null | head -1)
        [ -n "$found" ] && { echo "$found"; return; }
    done
}
nvrtc=$(find_library libnvrtc.so.13 libnvrtc.so.12 libnvrtc.so.11.2)
cublas=$(find_library libcublas.so.13 libcublas.so.12 libcublas.so.11)
[[ "$nvrtc" == /* ]] && export NGGEN_NVRTC="$nvrtc"
[[ "$cublas" == /* ]] && export NGGEN_CUBLAS="$cublas"

{
    date -u
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1
    echo "CPU: $(nproc) threads; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
    echo "AVX-512: $(grep -m1 -o 'avx512f' /proc/cpuinfo || echo no); $(grep -m1 'siblings' /proc/cpuinfo | tr -s '\t ' ' '); $(grep -m1 'cpu cores' /proc/cpuinfo | tr -s '\t ' ' ')"
    command -v lscpu >/dev/null && lscpu | grep -E '^(Thread|Core|Socket|NUMA node\(s\)|L2|L3|CPU max MHz)' 
    echo "NVRTC: ${nvrtc:-not found}; cuBLAS: ${cublas:-not found}"
    python3 -c 'import torch; print("PyTorch", torch.__version__, "threads", torch.get_num_threads(), "MKL", torch.backends.mkl.is_available(), "CUDA", torch.cuda.is_available())' 2>&1
} | tee "$out/environment.txt"

status=0
if [ "$run_cudacheck" -eq 1 ]; then
    echo "== CudaCheck (limit ${cudacheck_seconds} s), $(date -u +%T)"
    # Each line stamped with the time, so a slow model shows; -k: a process that ignores SIGTERM is killed.
    timeout -k 10 "$cudacheck_seconds" out/cudacheck-aot/CudaCheck --require-gpu --json "$out/cudacheck.json" 2>&1 \
        | while IFS= read -r line; do printf '%(%T)T %s\n' -1 "$line"; done | tee "$out/cudacheck.log"
    code=${PIPESTATUS[0]}
    echo "CudaCheck exit code $code, $(date -u +%T)"
    [ "$code" -eq 0 ] || status=1
fi

if [ "$run_peers" -eq 1 ]; then
    data=/tmp/nggen-peers
    echo "== run-peers.sh (limit ${peers_seconds} s), $(date -u +%T)"
    [ ${#peer_args[@]} -gt 0 ] || peer_args=(--groups peak,mlp,gncg,engd)
    timeout -k 10 "$peers_seconds" bench/run-peers.sh --nggen out/peerbench-aot/NGGen.PeerBench --python python3 \
        --data "$data" --json "$out/peers.json" "${peer_args[@]}" 2>&1 | tee "$out/peers.log"
    code=${PIPESTATUS[0]}
    echo "run-peers.sh exit code $code, $(date -u +%T)"
    [ "$code" -eq 0 ] || status=1
    tar -czf "$out/peers-raw.tar.gz" -C "$data" raw 2>/dev/null
fi
exit $status
