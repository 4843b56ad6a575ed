#!/usr/bin/env bash
# ViT-S/16 inference at 224x224, dino4j beside PyTorch on the same machine, weights and inputs (docs/pretrained.md).
# PyTorch (dino-core/src/test/python/pretrained_reference.py speed) writes a random-weight ViT-S/16 checkpoint and
# a batch of uint8 images to $WORK; dino4j (org.dino4j.bench.PretrainedSpeed) loads both; ROUNDS rounds alternate
# the frameworks so that both see the same machine load. Each run: model loaded once, 1 warm-up batch, BATCHES
# timed batches, median. Threads: THREADS for both (torch.set_num_threads / ND4J + Java kernel threads, OpenMP).
# PyTorch uses the BLAS its libblas.so.3 resolves to (Debian's python3-torch: the reference netlib BLAS unless an
# optimised one is installed); with TORCH_BLAS_DIR=<dir holding an optimised libblas.so.3> a second PyTorch row
# runs with it (e.g. apt-get download libopenblas0-openmp && dpkg -x libopenblas0-openmp_*.deb ob, then
# TORCH_BLAS_DIR=$PWD/ob/usr/lib/x86_64-linux-gnu/openblas-openmp).
# Needs: dino-bench/target/benchmarks.jar (./mvnw -o -B -pl dino-bench -am package -DskipTests), /usr/bin/python3
# with torch and numpy. Output: $WORK/*.json and a summary table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-dino-bench/target/pretrained-speed}
THREADS=${THREADS:-2}
BATCH=${BATCH:-32}
BATCHES=${BATCHES:-5}
ROUNDS=${ROUNDS:-2}
SYSTEM_BLAS_BATCHES=${SYSTEM_BLAS_BATCHES:-1}
JAR=dino-bench/target/benchmarks.jar
PY=/usr/bin/python3
SCRIPT=dino-core/src/test/python/pretrained_reference.py
[ -f "$JAR" ] || { echo "missing $JAR: run ./mvnw -o -B -pl dino-bench -am package -DskipTests" >&2; exit 1; }
mkdir -p "$WORK"
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=$THREADS
TC=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
PRE=""
[ -f "$TC" ] && PRE=$TC
log() { echo "== $1 $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2; }
for r in $(seq 1 "$ROUNDS"); do
  if [ -n "${TORCH_BLAS_DIR:-}" ]; then
    log "pytorch+$(basename "$TORCH_BLAS_DIR") round $r"
    LD_PRELOAD=$PRE LD_LIBRARY_PATH=$TORCH_BLAS_DIR $PY $SCRIPT speed --work "$WORK" --threads "$THREADS" \
      --batch "$BATCH" --batches "$BATCHES" > "$WORK/torch-optblas-$r.json"
  fi
  log "dino4j round $r"
  LD_PRELOAD=$PRE java --add-modules jdk.incubator.vector -Xmx4g -Dorg.bytedeco.javacpp.maxbytes=8G \
    -cp "$JAR" org.dino4j.bench.PretrainedSpeed --weights "$WORK/vit_small16_random.pth" --inputs "$WORK/inputs_u8.npy" \
    --threads "$THREADS" --batches "$BATCHES" --torch-features "$WORK/torch_features.npy" --profile \
    2> "$WORK/dino4j-$r.log" > "$WORK/dino4j-$r.json" || { cat "$WORK/dino4j-$r.log" >&2; exit 1; }
done
log "pytorch (system libblas.so.3)"
LD_PRELOAD=$PRE $PY $SCRIPT speed --work "$WORK" --threads "$THREADS" --batch "$BATCH" \
  --batches "$SYSTEM_BLAS_BATCHES" > "$WORK/torch-systemblas.json"
$PY - "$WORK" <<'PYEOF'
import glob, json, os, sys
w = sys.argv[1]
def best(pattern):
    runs = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(w, pattern)))]
    return max(runs, key=lambda r: r['images_per_s']) if runs else None
d = best('dino4j-*.json'); o = best('torch-optblas-*.json'); s = best('torch-systemblas.json')
print('| run | images/s | median s/batch | batch |')
print('|---|---|---|---|')
for name, r in (('dino4j', d), ('PyTorch + optimised BLAS', o), ('PyTorch + system libblas.so.3', s)):
    if r: print('| %s | %.2f | %.3f | %d |' % (name, r['images_per_s'], r['median_s'], r['batch']))
for name, r in (('optimised BLAS', o), ('system BLAS', s)):
    if r: print('dino4j / PyTorch (%s): %.2fx' % (name, d['images_per_s'] / r['images_per_s']))
print('dino4j vs PyTorch features: max row-relative difference %.2e' % d.get('max_row_rel_diff_vs_torch', float('nan')))
print('dino4j ms per batch by phase:', json.dumps(d.get('ms_per_batch_by_phase', {})))
PYEOF
