#!/usr/bin/env bash
# NGGen against PyTorch (CPU) and Ceres on the same machine, the same problems and sizes, run alternately.
#
#   bench/run-peers.sh [--quick] [--rounds N] [--groups peak,mlp,gncg,engd,fits] [--json PATH] [--svg PATH] [--data DIR]
#                      [--min-seconds S] [--nggen BINARY] [--python PYTHON]
#
# Installs what is missing (Debian python3-torch, libceres-dev; needs root or sudo), builds NGGen.PeerBench and the
# Ceres program, then for each round and group runs NGGen and the group's peer one after the other (the order flips
# every round, so drift on a shared machine hits both). Every peer first checks that it computes NGGen's answer on
# NGGen's data and initial parameters, and exits non-zero otherwise. bench/peers/report.py prints the medians
# over rounds and the ratios NGGen / peer; --json writes the same table for scripts, --svg draws it as a chart
# (bench/peers/plot.py: speed-ups against the 10× target, products against 70% of the FMA peak). Raw JSON lines stay
# in DIR/raw.
# --nggen runs a prebuilt NGGen.PeerBench (the NativeAOT build carried to a machine without .NET:
# dotnet publish bench/NGGen.PeerBench -c Release -f net9.0 -r linux-x64 -o out/peerbench-aot), and --python picks
# the interpreter with torch (default /usr/bin/python3, Debian's).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=""
timing=""
rounds=3
groups="peak,mlp,gncg,engd,fits"
json=""
svg=""
data="out/peers"
nggen_binary=""
python=/usr/bin/python3
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick="--quick"; rounds=1 ;;
        --rounds) rounds="$2"; shift ;;
        --groups) groups="$2"; shift ;;
        --json) json="$2"; shift ;;
        --svg) svg="$2"; shift ;;
        --data) data="$2"; shift ;;
        --min-seconds) timing="--min-seconds $2"; shift ;;
        --nggen) nggen_binary="$2"; shift ;;
        --python) python="$2"; shift ;;
        -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0"; exit 0 ;;
        *) echo "run-peers.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done
case "$rounds" in ''|*[!0-9]*|0) echo "run-peers.sh: --rounds needs a positive integer, not '$rounds'" >&2; exit 2 ;; esac

needs() { [[ ",$groups," == *",$1,"* ]]; }
missing=()
if needs mlp || needs gncg || needs engd; then
    "$python" -c "import torch, numpy" 2>/dev/null || missing+=(python3-torch python3-numpy)
fi
if needs fits; then
    dpkg -s libceres-dev >/dev/null 2>&1 || missing+=(libceres-dev libeigen3-dev)
    command -v g++ >/dev/null || missing+=(g++)
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} (about 1.5 minutes)..." >&2
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ -n "$nggen_binary" ]; then
    [ -x "$nggen_binary" ] || { echo "run-peers.sh: --nggen $nggen_binary is not an executable file" >&2; exit 2; }
    nggen=("$nggen_binary")
else
    echo "Building NGGen.PeerBench..." >&2
    dotnet build -c Release -f net10.0 bench/NGGen.PeerBench -v q -nologo >&2
    nggen=(dotnet bench/NGGen.PeerBench/bin/Release/net10.0/NGGen.PeerBench.dll)
fi
if needs fits; then
    echo "Building the Ceres program..." >&2
    bench/peers/ceres/build.sh "$data/ceres" >&2
fi

peer_command() {
    case "$1" in
        mlp) echo "$python bench/peers/torch_mlp.py" ;;
        gncg|engd) echo "$python bench/peers/torch_solvers.py --group $1" ;;
        fits) echo "$data/ceres/curve_fits" ;;
        peak) echo "" ;;
        *) echo "run-peers.sh: unknown group '$1'" >&2; exit 2 ;;
    esac
}

raw="$data/raw"
rm -rf "$raw"
mkdir -p "$raw"
IFS=',' read -r -a group_list <<< "$groups"
for ((round = 1; round <= rounds; round++)); do
    for group in "${group_list[@]}"; do
        peer=$(peer_command "$group")
        echo "== round $round/$rounds: $group" >&2
        run_nggen() { "${nggen[@]}" --group "$group" --data "$data" $quick $timing > "$raw/round${round}_${group}_nggen.jsonl"; }
        # The peer reads the data and reference results the NGGen run of this round wrote, so NGGen goes first in
        # the first round; afterwards the order alternates.
        if [ -z "$peer" ]; then
            run_nggen
        elif [ $((round % 2)) -eq 1 ]; then
            run_nggen
            $peer --data "$data" $quick $timing > "$raw/round${round}_${group}_peer.jsonl"
        else
            $peer --data "$data" $quick $timing > "$raw/round${round}_${group}_peer.jsonl"
            run_nggen
        fi
    done
done

# The chart is drawn from the table's JSON; without --json that goes next to the raw results.
[ -n "$svg" ] && [ -z "$json" ] && json="$data/table.json"
"$python" bench/peers/report.py "$raw" ${json:+--json "$json"}
[ -z "$svg" ] || "$python" bench/peers/plot.py "$json" "$svg"
