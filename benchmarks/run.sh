#!/usr/bin/env bash
# Builds what the benchmark needs and runs io.layotto.bench.StateBenchmark:
# SaveState/GetState through the Layotto sidecar (Redis store) versus Lettuce directly on the same Redis.
# Needs Redis on 127.0.0.1:6379 (or --redis host:port). Options: benchmarks/run.sh --help
#   benchmarks/run.sh            full run (10 s warm-up + 30 s per phase, about 5 minutes)
#   benchmarks/run.sh --quick    smoke run (2 s + 5 s per phase)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

. "$root/dist/src/main/bin/find-jdk.sh"
echo "[bench] JDK: $LAYOTTO_JAVA_HOME" >&2

# package also writes benchmarks/target/benchmark-classpath.txt (dependency:build-classpath, see benchmarks/pom.xml)
./mvnw-jdk25 -q -DskipTests -pl benchmarks -am package
classpath="$root/benchmarks/target/classes:$(cat "$root/benchmarks/target/benchmark-classpath.txt")"

exec "$LAYOTTO_JAVA_HOME/bin/java" -Xmx1g --sun-misc-unsafe-memory-access=allow \
  -cp "$classpath" io.layotto.bench.StateBenchmark "$@"
