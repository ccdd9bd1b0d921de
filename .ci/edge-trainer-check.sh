#!/usr/bin/env bash
# Publishes samples/EdgeTrainer as NativeAOT (net9.0; trimming and AOT warnings are errors) and runs the binary on a
# small problem: data, training with checkpoints, a resume, verification of the output, and a refused input.
set -euo pipefail
cd "$(dirname "$0")/.."
out=out/ci-edge
rm -rf "$out" && mkdir -p "$out"
dotnet publish samples/EdgeTrainer -c Release -f net9.0 -r linux-x64 -o "$out/bin" -p:TreatWarningsAsErrors=true
bin="$out/bin/EdgeTrainer"
size=$(stat -c %s "$bin")
"$bin" make-data "$out/wave.npy" --rows 256
"$bin" train --data "$out/wave.npy" --iterations 20 --checkpoint-dir "$out/ck" --checkpoint-every 5 --progress-every 5
"$bin" train --data "$out/wave.npy" --iterations 30 --checkpoint-dir "$out/ck" --resume --quiet --out "$out/params.safetensors" | tee "$out/resume.log"
grep -q "(iteration 20)" "$out/resume.log"
"$bin" inspect "$out/params.safetensors" | grep -q "nggen.iteration = 30"
"$bin" predict --params "$out/params.safetensors" --data "$out/wave.npy" --out "$out/predictions.csv" | grep -q "wrote 256 predictions"
head -c 100 "$out/wave.npy" > "$out/truncated.npy"
set +e
"$bin" train --data "$out/truncated.npy" --out "$out/never.safetensors" 2> "$out/refusal.txt"
code=$?
set -e
[ "$code" -eq 3 ] && grep -q "truncated" "$out/refusal.txt" && [ ! -e "$out/never.safetensors" ]
# SIGKILL the AOT binary three times while it trains with a checkpoint after every (slowed) iteration; the resumed
# run must end at the parameters of an uninterrupted run, byte for byte.
kill_args=(train --data "$out/wave.npy" --iterations 40 --checkpoint-every 1 --quiet)
"$bin" "${kill_args[@]}" --checkpoint-dir "$out/reference-ck" --out "$out/reference.safetensors" > /dev/null
for delay in 0.15 0.25 0.2; do
  NGGEN_EDGE_CHECKPOINT_CHUNK_PAUSE_MS=2 "$bin" "${kill_args[@]}" --checkpoint-dir "$out/kill-ck" --resume --out "$out/killed.safetensors" > /dev/null &
  pid=$!
  sleep "$delay"
  kill -KILL "$pid"
  wait "$pid" 2> /dev/null || true
done
[ ! -e "$out/killed.safetensors" ]
"$bin" "${kill_args[@]}" --checkpoint-dir "$out/kill-ck" --resume --out "$out/killed.safetensors" | grep -q "from $out/kill-ck/checkpoint-"
cmp "$out/reference.safetensors" "$out/killed.safetensors"
echo "EdgeTrainer AOT: ${size} bytes; trained, resumed at iteration 20, verified, predicted; truncated input refused with exit 3; killed 3 times, resumed to the uninterrupted result"
