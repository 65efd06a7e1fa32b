package io.layotto.bench;

/** The two state calls the benchmark alternates between. */
enum Operation {
    SET,
    GET
}
