#!/usr/bin/env bash
# Quality side by side: for each image folder and seed, one dino4j run of the `images` recipe
# (`./dino train --data images:DIR`, nothing else set) and one PyTorch run of the same recipe
# (dino-bench/python/dino_train_ref.py, reading that run's resolved config.yaml: same network, crops, batch,
# schedules and evaluation), the two side by side at one thread each. Prints one table row per pair and writes
# OUT/<folder>-s<seed>/ (the dino4j run) and OUT/<folder>-s<seed>-pytorch.json (docs/training.md, "Your own images").
#   dino-bench/quality-side-by-side.sh --out runs/quality --seeds "0 1 2" data/fm1000 data/uci1400
#   dino-bench/quality-side-by-side.sh --out runs/quality --args "--epochs 150" data/fm1000
# Needs the built CLI (./mvnw -q -B -DskipTests install) and Debian's python3-torch, python3-torchvision and
# python3-yaml. Quality only: two runs share the machine, so their minutes are not a speed comparison.
set -euo pipefail
out="" seeds="0" args=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --args) args="$2"; shift 2 ;;
    -*) echo "quality-side-by-side.sh: unknown option $1 (expected --out, --seeds, --args)" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ -n "$out" ] || { echo "quality-side-by-side.sh: --out DIR is required" >&2; exit 2; }
[ $# -gt 0 ] || { echo "quality-side-by-side.sh: name at least one image folder (DIR/train, DIR/test)" >&2; exit 2; }
dirs=()
for dir in "$@"; do
  [ -d "$dir/train" ] && [ -d "$dir/test" ] || { echo "quality-side-by-side.sh: $dir needs train/ and test/ class folders" >&2; exit 2; }
  dirs+=("$(cd "$dir" && pwd)")   # absolute: the runs start from the repository root
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$(dirname "$0")/.."
printf '%-10s %4s | %-28s | %-28s | %8s %8s\n' folder seed "dino4j final (best online)" "PyTorch final (best online)" raw random
for dir in "${dirs[@]}"; do
  name="$(basename "$dir")"
  for s in $seeds; do
    run="$out/$name-s$s"
    # shellcheck disable=SC2086  # --args is a list of words
    ./dino train --data "images:$dir" --seed "$s" --threads 1 --tsne-points 0 $args --out "$run" > "$run.log" 2>&1 &
    pid=$!
    while [ ! -f "$run/config.yaml" ]; do   # the resolved config is written when the run starts
      kill -0 "$pid" 2> /dev/null || { echo "dino train failed: $run.log" >&2; exit 1; }
      sleep 1
    done
    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 dino-bench/python/dino_train_ref.py --config "$run/config.yaml" \
      --data "$dir" --seed "$s" --threads 1 --out "$run-pytorch.json" > "$run-pytorch.log" 2>&1
    wait "$pid" || { echo "dino train failed: $run.log" >&2; exit 1; }
    /usr/bin/python3 - "$run" "$name" "$s" <<'EOF'
import json, re, sys
run, name, seed = sys.argv[1:]
j = json.load(open(run + "/baselines.json"))
m = re.search(r"online k-NN: best ([0-9.]+)%", open(run + ".log").read())
p = json.load(open(run + "-pytorch.json"))
d4 = f"{100 * j['dino_top1']:.2f}% ({m.group(1) if m else '-'}%)"
pt = f"{100 * p['dino_top1']:.2f}% ({100 * p['best_online_top1']:.2f}%)"
print(f"{name:<10} {seed:>4} | {d4:<28} | {pt:<28} | {100 * j['raw_pixels_top1']:7.2f}% {100 * j['random_init_top1']:7.2f}%")
EOF
  done
done
