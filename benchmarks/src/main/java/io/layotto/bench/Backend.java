package io.layotto.bench;

import java.util.Locale;

/** The pub/sub backends the pub/sub benchmark compares; each is one {@code pub_subs} entry of the sidecar. */
enum Backend {
    IN_MEMORY("in-memory", "bench_memory", false),
    REDIS("redis", "bench_redis", true),
    JETSTREAM("jetstream", "bench_jetstream", true);

    private final String type;
    private final String componentName;
    private final boolean hasDirectClient;

    Backend(String type, String componentName, boolean hasDirectClient) {
        this.type = type;
        this.componentName = componentName;
        this.hasDirectClient = hasDirectClient;
    }

    /** The component type in the sidecar config, also the name on the command line. */
    String type() {
        return type;
    }

    String componentName() {
        return componentName;
    }

    /** False for in-memory: it lives inside the sidecar, there is no broker to talk to directly. */
    boolean hasDirectClient() {
        return hasDirectClient;
    }

    /** picocli converter: the component type, e.g. {@code redis}. */
    static Backend parse(String value) {
        for (Backend backend : values()) {
            if (backend.type.equals(value.trim().toLowerCase(Locale.ROOT))) {
                return backend;
            }
        }
        throw new IllegalArgumentException("unknown backend '" + value + "', expected in-memory, redis or jetstream");
    }
}
