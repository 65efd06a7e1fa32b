package io.layotto.components.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.components.mqtt.MqttSettings.Version;
import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.MessageHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a subscription's health says across reconnects, driven by a scripted link: a broker may come
 * back without the subscription (Mosquitto 2.0 restores persistent sessions without their shared
 * subscriptions) and drops what is published until it has one, so the subscription is UP again only
 * once the broker confirmed its re-subscription on the current connection.
 */
class MqttSubscriptionHealthTest {

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final ScriptedLink link = new ScriptedLink();
  private final MqttSettings settings = MqttSettings.from(
      new Metadata("mqtt_health", Map.of(MqttSettings.URL, "tcp://127.0.0.1:1883")), Version.MQTT_5);
  private final MqttSubscription subscription = new MqttSubscription(settings, "orders", "$share/g/orders", "client-1",
      10, (MessageHandler) m -> CompletableFuture.completedFuture(null), scheduler, "mqtt_health", () -> {},
      (options, listener) -> link.listening(listener));

  @AfterEach
  void tearDown() {
    scheduler.shutdownNow();
  }

  @Test
  void aReconnectedSubscriptionIsDownUntilTheBrokerConfirmedItsSubscriptionAgain() {
    link.subscriptions.add(CompletableFuture.completedFuture(null));
    subscription.start();
    assertThat(subscription.health().isUp()).isTrue();

    link.listener().disconnected("server closed the connection", true);
    assertThat(subscription.health().isUp()).isFalse();
    assertThat(subscription.health().reason()).contains("disconnected from 127.0.0.1:1883");

    CompletableFuture<Void> resubscribed = link.pendingSubscription();
    link.listener().connected(true, true);
    assertThat(link.subscribed).containsExactly("$share/g/orders", "$share/g/orders");
    assertThat(subscription.health().isUp()).as("connected, subscription not confirmed yet").isFalse();
    assertThat(subscription.health().reason()).contains("subscribing to '$share/g/orders' again");

    resubscribed.complete(null);
    assertThat(subscription.health().isUp()).isTrue();
  }

  @Test
  void aRefusedResubscriptionStaysDownNamingWhy() {
    link.subscriptions.add(CompletableFuture.completedFuture(null));
    subscription.start();
    link.listener().disconnected("server closed the connection", true);
    CompletableFuture<Void> resubscribed = link.pendingSubscription();
    link.listener().connected(false, true);

    resubscribed.completeExceptionally(new HiveMqLink.SubscriptionRefused("NOT_AUTHORIZED"));
    assertThat(subscription.health().isUp()).isFalse();
    assertThat(subscription.health().reason()).contains("NOT_AUTHORIZED").contains("$share/g/orders");
  }

  @Test
  void aConfirmationFromAnEarlierConnectionDoesNotMakeItUp() {
    link.subscriptions.add(CompletableFuture.completedFuture(null));
    subscription.start();
    link.listener().disconnected("server closed the connection", true);
    CompletableFuture<Void> first = link.pendingSubscription();
    link.listener().connected(true, true);
    link.listener().disconnected("server closed the connection again", true);
    CompletableFuture<Void> second = link.pendingSubscription();
    link.listener().connected(true, true);

    first.complete(null); // the SUBACK of a connection that is gone
    assertThat(subscription.health().isUp()).isFalse();
    second.complete(null);
    assertThat(subscription.health().isUp()).isTrue();
  }

  /** A link whose subscriptions complete when the test says so. */
  private static final class ScriptedLink implements MqttLink {
    final List<CompletableFuture<Void>> subscriptions = new ArrayList<>();
    final List<String> subscribed = new ArrayList<>();
    private @Nullable Listener listener;

    MqttLink listening(Listener listener) {
      this.listener = listener;
      return this;
    }

    Listener listener() {
      assertThat(listener).isNotNull();
      return listener;
    }

    CompletableFuture<Void> pendingSubscription() {
      CompletableFuture<Void> pending = new CompletableFuture<>();
      subscriptions.add(pending);
      return pending;
    }

    @Override
    public void receive(Consumer<Incoming> consumer) {}

    @Override
    public CompletableFuture<Boolean> connect() {
      listener().connected(false, false); // as the client does on its first connection
      return CompletableFuture.completedFuture(false);
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, @Nullable String contentType,
        OptionalLong expirySeconds) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("a subscription does not publish"));
    }

    @Override
    public CompletableFuture<Void> subscribe(String topicFilter) {
      subscribed.add(topicFilter);
      return subscriptions.removeFirst();
    }

    @Override
    public CompletableFuture<Void> disconnect() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isConnected() {
      return true;
    }
  }
}
