package io.layotto.bench;

import java.util.concurrent.CompletableFuture;

/** Placeholder until the Layotto protos land on main. */
final class SidecarTarget implements StateTarget {
    static SidecarTarget connect(String host, int port, String storeName) {
        throw new UnsupportedOperationException("Layotto gRPC stubs not available yet");
    }
    @Override public String name() { return "sidecar"; }
    @Override public String describeCalls() { return ""; }
    @Override public CompletableFuture<Void> save(String key, byte[] value) { throw new UnsupportedOperationException(); }
    @Override public CompletableFuture<byte[]> get(String key) { throw new UnsupportedOperationException(); }
    @Override public void close() {}
}
