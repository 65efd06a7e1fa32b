#!/usr/bin/env bash
# Builds what the benchmark needs and runs io.layotto.bench.LockSequencerBenchmark:
# TryLock+Unlock pairs and GetNextId (WEAK, STRONG) through the Layotto sidecar versus Lettuce / jetcd directly,
# on Redis (127.0.0.1:6379 or --redis) and on a private etcd it starts itself (/usr/bin/etcd, temp dir, free ports).
# Options: benchmarks/run-lock-sequencer.sh --help
#   benchmarks/run-lock-sequencer.sh           full run (5 s warm-up + 15 s per run, about 10 minutes)
#   benchmarks/run-lock-sequencer.sh --quick   smoke run (2 s + 5 s per run)
exec "$(dirname "$0")/run-benchmark.sh" io.layotto.bench.LockSequencerBenchmark "$@"
