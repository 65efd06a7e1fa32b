package io.layotto.bench;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;

/** Housekeeping on the shared NATS server: its version for the report, and removing this run's streams. */
final class NatsAdmin implements AutoCloseable {

    private final Connection connection;

    NatsAdmin(String natsUrl) throws IOException, InterruptedException {
        this.connection = Nats.connect(new Options.Builder().server(natsUrl).connectionName("layotto-bench-admin").build());
    }

    String version() {
        return connection.getServerInfo().getVersion();
    }

    /** Deletes every stream whose name contains {@code marker} (the sidecar's and the direct ones). */
    int deleteStreamsContaining(String marker) throws IOException, JetStreamApiException {
        var management = connection.jetStreamManagement();
        int deleted = 0;
        for (String name : management.getStreamNames()) {
            if (name.contains(marker)) {
                management.deleteStream(name);
                deleted++;
            }
        }
        return deleted;
    }

    @Override
    public void close() throws InterruptedException {
        connection.close();
    }
}
