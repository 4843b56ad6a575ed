#!/usr/bin/env bash
# Quick mode of the dino4j benchmarks (docs/benchmarks.md): every subject with its default grid, one fork,
# short warm-up/measurement; under 10 minutes on a 2-core machine (measured: docs/benchmarks.md). Results go to $OUT (default
# dino-bench/target/jmh-quick): one JMH text log and one JSON file per subject.
# Usage: [SUBJECTS="ema loss"] [OUT=dir] dino-bench/run-quick.sh [extra JMH options, e.g. -p k=4096]
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=dino-bench/target/benchmarks.jar
OUT=${OUT:-dino-bench/target/jmh-quick}
mkdir -p "$OUT"
[ -f "$JAR" ] || { echo "missing $JAR: run ./mvnw -o -B -pl dino-bench -am package -DskipTests" >&2; exit 1; }
JAVA_OPTS=${JAVA_OPTS:-"-Dorg.bytedeco.javacpp.cachedir=${HOME}/.javacpp/cache"}
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}" OPENBLAS_THREAD_TIMEOUT="${OPENBLAS_THREAD_TIMEOUT:-4}"
QUICK="-f 1 -wi 2 -i 3 -w 1s -r 1s"
# As ./dino does: preload tcmalloc when installed (the forks inherit it; the training step then frees SameDiff's
# intermediates at their last use, docs/performance.md "Session 3"). DINO_MALLOC=system opts out.
TC=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
if [ "${DINO_MALLOC:-tcmalloc}" = tcmalloc ] && [ -f "$TC" ]; then
  case ":${LD_PRELOAD:-}:" in *tcmalloc*) ;; *) export LD_PRELOAD="$TC${LD_PRELOAD:+:$LD_PRELOAD}" ;; esac
fi
run() { # name, options...
  local name=$1; shift
  echo "== $name $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt" || true
  java $JAVA_OPTS -jar "$JAR" "$@" -rf json -rff "$OUT/$name.json" 2>&1 | tee "$OUT/$name.log" \
    | grep -E '# ENV|# PHASES|^Benchmark |^[A-Z][A-Za-z]+Benchmark\.' | tee -a "$OUT/summary.txt" || true
}
for s in ${SUBJECTS:-ema center loss augment trainstep}; do
  case $s in
    # 1M and 10M parameters (22M adds ~1 min: EmaBenchmark -p parameters=22000000)
    ema)       run ema       'EmaBenchmark'       $QUICK -p parameters=1000000,10000000 "$@" ;;
    center)    run center    'CenterBenchmark'    $QUICK "$@" ;;
    loss)      run loss      'LossBenchmark'      $QUICK "$@" ;;
    augment)   run augment   'AugmentBenchmark'   $QUICK "$@" ;;
    # the step of the PyTorch bar's small CNN (model=proto, a few seconds per step): 1 warm-up, 3 measured steps
    trainstep) run trainstep 'TrainStepBenchmark' -f 1 -wi 1 -i 3 -w 1s -r 1s -p model=proto "$@" ;;
    # dino-core's small28 (the reference preset's model) takes 25-75 s per step here: not in the default list;
    # the set-up step warms up, then 2 measured steps (~3-4 min)
    trainstep28) run trainstep28 'TrainStepBenchmark' -f 1 -wi 0 -i 2 -w 1s -r 1s -p model=small28 "$@" ;;
    *) echo "unknown subject $s (ema center loss augment trainstep trainstep28)" >&2; exit 2 ;;
  esac
done
echo "== done $(date -u +%FT%TZ)" | tee -a "$OUT/summary.txt" || true
