package io.layotto.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dapr.client.DaprClient;
import io.dapr.client.DaprClientBuilder;
import io.dapr.client.domain.BulkPublishResponse;
import io.dapr.client.domain.PublishEventRequest;
import io.dapr.config.Properties;
import io.layotto.e2e.harness.AppServer.Api;
import io.layotto.e2e.harness.AppServer.Received;
import io.layotto.e2e.harness.AppServer.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official Dapr Java SDK as the publisher ({@code DaprClient.publishEvent} with metadata, JSON,
 * text and raw payloads, typed objects, bulk) and an app serving Dapr's {@code AppCallback} as the
 * subscriber (configured as {@code app.grpc_callback_port}), through the real sidecar.
 */
class DaprSdkPubSubE2ETest extends AppCallbackPubSubContract {

  /** A typed event as an application publishes it (the SDK serialises it as JSON). */
  record Order(String id, int quantity, List<String> items) {}

  private final String typed = "e2e-typed-" + java.util.UUID.randomUUID().toString().substring(0, 8);
  private final String bulk = typed + "-bulk";
  private DaprClient dapr;

  @Override
  Api api() {
    return Api.DAPR;
  }

  @Override
  String appId() {
    return "dapr-sdk-pubsub-app";
  }

  @Override
  List<Subscription> subscriptions() {
    List<Subscription> all = new ArrayList<>(super.subscriptions());
    for (String pubsub : List.of(IN_MEMORY, REDIS)) {
      all.add(Subscription.of(Api.DAPR, pubsub, typed).withRoute("/orders/typed"));
      all.add(Subscription.of(Api.DAPR, pubsub, bulk));
    }
    return all;
  }

  @Override
  void connect(int grpcPort) {
    dapr = new DaprClientBuilder()
        .withPropertyOverride(Properties.SIDECAR_IP, "127.0.0.1")
        .withPropertyOverride(Properties.GRPC_PORT, String.valueOf(grpcPort))
        .build();
  }

  @Override
  void disconnect() throws Exception {
    if (dapr != null) {
      dapr.close();
    }
  }

  @Override
  void publish(String pubsub, String topic, byte[] data, String contentType, Map<String, String> metadata) {
    // byte[] data goes out as it is; the request's content type replaces the serializer's
    dapr.publishEvent(new PublishEventRequest(pubsub, topic, data).setContentType(contentType).setMetadata(metadata))
        .block();
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void aTypedObjectArrivesAsJsonOnItsRoute(String pubsub) throws Exception {
    Order order = new Order("typed-" + pubsub, 7, List.of("x", "y"));
    dapr.publishEvent(pubsub, typed, order, Map.of("ttlInSeconds", "600")).block();

    Received event = app.awaitFirst(pubsub, typed);
    assertThat(event.dataContentType()).isEqualTo("application/json");
    assertThat(JSON.readValue(event.data(), Order.class)).isEqualTo(order);
    assertThat(event.path()).as("the subscription's default route").isEqualTo("/orders/typed");
    assertThat(event.source()).isEqualTo(appId());
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void bulkPublishDeliversEveryEntry(String pubsub) throws Exception {
    List<Order> orders = List.of(new Order("b1", 1, List.of()), new Order("b2", 2, List.of()),
        new Order("b3", 3, List.of()));
    BulkPublishResponse<Order> response = dapr.publishEvents(pubsub, bulk, "application/json", orders).block();

    assertThat(response.getFailedEntries()).isEmpty();
    List<Received> events = app.awaitReceived(pubsub, bulk, 3);
    List<Order> received = new ArrayList<>();
    for (Received event : events) {
      received.add(JSON.readValue(event.data(), Order.class));
    }
    assertThat(received).containsExactlyInAnyOrderElementsOf(orders);
    assertThat(events).extracting(Received::id).doesNotHaveDuplicates();
  }
}
