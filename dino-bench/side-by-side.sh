#!/usr/bin/env bash
# Side-by-side training-step benchmark: dino4j's DinoTrainer.step against PyTorch's main_dino.py step on the same
# network, batch, crops and thread count, in one run (org.dino4j.bench.SideBySide; docs/benchmarks.md).
#   dino-bench/side-by-side.sh                                  # networks peer and proto, 1 and 2 threads
#   dino-bench/side-by-side.sh --nets peer --threads 2 --steps 20 --json /tmp/sbs.json
# The PyTorch half needs Debian's python3-torch with an optimised BLAS:
#   apt-get install python3-torch libopenblas0-openmp       (without a BLAS package torch uses the reference BLAS)
# Build first: ./mvnw -q -B -pl dino-bench -am package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=dino-bench/target/benchmarks.jar
[ -f "$JAR" ] || { echo "missing $JAR: run ./mvnw -q -B -pl dino-bench -am package -DskipTests" >&2; exit 2; }
# Both halves get the same process environment: no busy-waiting threads and tcmalloc when installed (as ./dino).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
export OPENBLAS_THREAD_TIMEOUT="${OPENBLAS_THREAD_TIMEOUT:-4}"   # ND4J's pthreads OpenBLAS: idle threads sleep at once
TC=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
if [ "${DINO_MALLOC:-tcmalloc}" = tcmalloc ] && [ -f "$TC" ]; then
  case ":${LD_PRELOAD:-}:" in *tcmalloc*) ;; *) export LD_PRELOAD="$TC${LD_PRELOAD:+:$LD_PRELOAD}" ;; esac
fi
exec java --add-modules jdk.incubator.vector -Xmx4g -Dorg.bytedeco.javacpp.maxbytes=8G \
  -Dorg.bytedeco.javacpp.maxphysicalbytes=14G ${JAVA_OPTS:-} -cp "$JAR" org.dino4j.bench.SideBySide "$@"
