package io.layotto.bench;

import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.JetStream;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The NATS JetStream baseline: jnats straight to the server. The stream (file storage, limits
 * retention, one subject) and the durable consumer (explicit acks, ack wait 30 s, max ack pending
 * 1,000) are set up like the ones the sidecar's {@code jetstream} pub/sub creates. Publish =
 * {@code JetStream.publishAsync} (completes on the stream's ack); subscribe = the simplified
 * consumer API, {@code ConsumerContext.consume} with batches of {@code maxInFlight}, receipt then
 * {@code ack()} per message.
 */
final class DirectJetStreamTarget implements PubSubTarget {

    private final Connection connection;
    private final JetStream jetStream;
    private final String stream;
    private final String topic;
    private final int maxInFlight;
    private @Nullable MessageConsumer consumer;

    DirectJetStreamTarget(String natsUrl, String stream, String topic, int maxInFlight) throws Exception {
        this.connection = Nats.connect(new Options.Builder().server(natsUrl).connectionName("layotto-bench-direct").build());
        this.jetStream = connection.jetStream();
        this.stream = stream;
        this.topic = topic;
        this.maxInFlight = maxInFlight;
    }

    @Override
    public String name() {
        return "direct";
    }

    @Override
    public String describeCalls() {
        return "jnats: publish = JetStream.publishAsync; subscribe = durable pull consumer via ConsumerContext.consume"
                + " (batch " + maxInFlight + "), ack() per message after receipt; stream " + stream + " (file storage)";
    }

    @Override
    public void subscribe(DeliverySink sink) throws Exception {
        connection.jetStreamManagement().addStream(StreamConfiguration.builder()
                .name(stream)
                .subjects(topic)
                .storageType(StorageType.File)
                .retentionPolicy(RetentionPolicy.Limits)
                .build());
        var consumerContext = connection.getStreamContext(stream).createOrUpdateConsumer(ConsumerConfiguration.builder()
                .durable("bench-direct")
                .filterSubject(topic)
                .ackPolicy(AckPolicy.Explicit)
                .ackWait(Duration.ofSeconds(30))
                .maxAckPending(1_000)
                .deliverPolicy(DeliverPolicy.All)
                .build());
        consumer = consumerContext.consume(ConsumeOptions.builder().batchSize(maxInFlight).build(), message -> {
            long received = System.nanoTime();
            byte[] data = message.getData();
            sink.received(data == null ? new byte[0] : data, received);
            message.ack();
        });
    }

    @Override
    public CompletableFuture<?> publish(byte[] payload) {
        return jetStream.publishAsync(topic, payload);
    }

    @Override
    public void close() {
        MessageConsumer c = consumer;
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("[bench] stopping the direct JetStream consumer failed: " + e);
            }
        }
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
