#!/usr/bin/env bash
# Builds the benchmarks module and runs its JMH microbenchmarks (io.layotto.bench.jmh) with the
# arguments given, as org.openjdk.jmh.Main takes them:
#   benchmarks/run-jmh.sh CloudEventsBenchmark          all parameters, 1 fork, 5 x 2 s warm-up, 5 x 2 s measured
#   benchmarks/run-jmh.sh CloudEventsBenchmark -prof gc allocation per operation too
#   benchmarks/run-jmh.sh -h                             JMH's options
exec "$(dirname "$0")/run-benchmark.sh" org.openjdk.jmh.Main "$@"
