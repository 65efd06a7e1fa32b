#!/usr/bin/env bash
# Builds what the benchmark needs and runs io.layotto.bench.StateBenchmark:
# SaveState/GetState through the Layotto sidecar (Redis store) versus Lettuce directly on the same Redis.
# Needs Redis on 127.0.0.1:6379 (or --redis host:port). Options: benchmarks/run.sh --help
#   benchmarks/run.sh            full run (10 s warm-up + 30 s per phase, about 5 minutes)
#   benchmarks/run.sh --quick    smoke run (2 s + 5 s per phase)
exec "$(dirname "$0")/run-benchmark.sh" io.layotto.bench.StateBenchmark "$@"
