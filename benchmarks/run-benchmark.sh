#!/usr/bin/env bash
# Shared by run.sh, run-pubsub.sh and run-lock-sequencer.sh: picks a JDK >= 25, builds what the
# benchmarks need and runs the benchmark main class given as the first argument with the rest.
#   benchmarks/run-benchmark.sh io.layotto.bench.StateBenchmark --quick
set -euo pipefail
main_class=${1:?usage: run-benchmark.sh <main class> [options]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

. "$root/dist/src/main/bin/find-jdk.sh"
echo "[bench] JDK: $LAYOTTO_JAVA_HOME" >&2

# package also writes benchmarks/target/benchmark-classpath.txt (dependency:build-classpath, see benchmarks/pom.xml)
./mvnw-jdk25 -q -DskipTests -pl benchmarks -am package
classpath="$root/benchmarks/target/classes:$(cat "$root/benchmarks/target/benchmark-classpath.txt")"

exec "$LAYOTTO_JAVA_HOME/bin/java" -Xmx1g --sun-misc-unsafe-memory-access=allow \
  -cp "$classpath" "$main_class" "$@"
