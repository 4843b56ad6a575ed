#!/usr/bin/env bash
# Quick mode of the dino4j benchmarks (docs/benchmarks.md): every subject with its default grid, one fork,
# short warm-up/measurement; about 8-10 minutes on an idle 2-core machine. Results go to $OUT (default
# dino-bench/target/jmh-quick): one JMH text log and one JSON file per subject.
# Usage: [SUBJECTS="ema loss"] [OUT=dir] dino-bench/run-quick.sh [extra JMH options, e.g. -p k=4096]
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=dino-bench/target/benchmarks.jar
OUT=${OUT:-dino-bench/target/jmh-quick}
mkdir -p "$OUT"
[ -f "$JAR" ] || { echo "missing $JAR: run ./mvnw -o -B -pl dino-bench -am package -DskipTests" >&2; exit 1; }
JAVA_OPTS=${JAVA_OPTS:-"-Dorg.bytedeco.javacpp.cachedir=${HOME}/.javacpp/cache"}
QUICK="-f 1 -wi 2 -i 3 -w 1s -r 1s"
run() { # name, options...
  local name=$1; shift
  echo "== $name $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt" || true
  java $JAVA_OPTS -jar "$JAR" "$@" -rf json -rff "$OUT/$name.json" 2>&1 | tee "$OUT/$name.log" \
    | grep -E '# ENV|# PHASES|^Benchmark |^[A-Z][A-Za-z]+Benchmark\.' | tee -a "$OUT/summary.txt" || true
}
for s in ${SUBJECTS:-ema center loss augment trainstep}; do
  case $s in
    ema)       run ema       'EmaBenchmark'       $QUICK "$@" ;;
    center)    run center    'CenterBenchmark'    $QUICK "$@" ;;
    loss)      run loss      'LossBenchmark'      $QUICK "$@" ;;
    augment)   run augment   'AugmentBenchmark'   $QUICK "$@" ;;
    # a training step takes tens of seconds here: the set-up step warms up, then 1 measured step
    trainstep) run trainstep 'TrainStepBenchmark' -f 1 -wi 0 -i 1 -w 1s -r 1s "$@" ;;
    *) echo "unknown subject $s (ema center loss augment trainstep)" >&2; exit 2 ;;
  esac
done
echo "== done $(date -u +%FT%TZ)" | tee -a "$OUT/summary.txt" || true
