#!/usr/bin/env bash
# Builds what the benchmark needs and runs io.layotto.bench.PubSubBenchmark: publish-to-delivery latency
# at a fixed rate and saturated throughput, through the Layotto sidecar (PublishEvent + SubscribeTopicEvents)
# versus the brokers' own clients (Lettuce on Redis Streams, jnats on JetStream), for the in-memory, redis
# and jetstream pub/subs. Needs Redis on 127.0.0.1:6379 and NATS with JetStream on 127.0.0.1:4222
# (or --redis / --nats). Options: benchmarks/run-pubsub.sh --help
#   benchmarks/run-pubsub.sh            full run (20 s JIT warm-up per target, then 10 s warm-up + 30 s per measured run, about 12 minutes)
#   benchmarks/run-pubsub.sh --quick    smoke run (2 s + 5 s per run)
exec "$(dirname "$0")/run-benchmark.sh" io.layotto.bench.PubSubBenchmark "$@"
