package io.layotto.runtime.pubsub;

import io.grpc.Status;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.grpc.ApiErrors;
import io.layotto.runtime.grpc.ComponentCalls;
import io.layotto.spi.ComponentException;
import io.layotto.spi.pubsub.NonBlockingPubSub;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFeature;
import io.layotto.spi.pubsub.PublishRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Publishing, shared by the Layotto and the Dapr API: checks the request, wraps the data into the
 * CloudEvents envelope and hands it to the component. Failures are gRPC status exceptions naming the
 * field, the value and what is configured.
 */
public final class PubSubApi {

  private final LoadedComponents components;
  private final CloudEvents cloudEvents;
  private final Executor blocking;

  public PubSubApi(LoadedComponents components, CloudEvents cloudEvents) {
    this(components, cloudEvents, Runnable::run);
  }

  /** @param blocking where {@link #publishLater} calls components that may block */
  public PubSubApi(LoadedComponents components, CloudEvents cloudEvents, Executor blocking) {
    this.components = components;
    this.cloudEvents = cloudEvents;
    this.blocking = blocking;
  }

  /** One message of a bulk publish. */
  public record Entry(String entryId, byte[] data, String contentType, Map<String, String> metadata) {}

  /** A bulk entry the component did not accept. */
  public record FailedEntry(String entryId, String error) {}

  /** Publishes one event; returns once the broker accepted it. */
  public void publish(String pubsubName, String topic, byte[] data, String contentType, Map<String, String> metadata,
      @Nullable String traceparent) {
    PubSub pubSub = resolve(pubsubName, topic);
    checkSize(pubsubName, data.length);
    byte[] payload = envelope(pubsubName, topic, data, contentType, metadata, traceparent, pubSub);
    try {
      pubSub.publish(new PublishRequest(topic, payload, contentType.isEmpty() ? null : contentType, metadata));
    } catch (ComponentException e) {
      throw ApiErrors.fromComponent(e, "error when publish to topic " + topic + " in pubsub " + pubsubName);
    }
  }

  /**
   * {@link #publish} without blocking the caller (the gRPC event loop): a {@link NonBlockingPubSub}
   * is called in place, any other component on the blocking executor. Invalid requests throw at
   * once; the future fails with statuses only.
   */
  public CompletableFuture<Void> publishLater(String pubsubName, String topic, byte[] data, String contentType,
      Map<String, String> metadata, @Nullable String traceparent) {
    PubSub pubSub = resolve(pubsubName, topic);
    checkSize(pubsubName, data.length);
    byte[] payload = envelope(pubsubName, topic, data, contentType, metadata, traceparent, pubSub);
    PublishRequest request = new PublishRequest(topic, payload, contentType.isEmpty() ? null : contentType, metadata);
    return ComponentCalls.later(pubSub, NonBlockingPubSub.class, blocking, direct -> direct.publishAsync(request),
        component -> {
          component.publish(request);
          return null;
        }, () -> "error when publish to topic " + topic + " in pubsub " + pubsubName);
  }

  /**
   * Publishes many events to one topic. Request-level problems fail the whole call; a failing
   * component call reports every entry as failed (they were sent together).
   */
  public List<FailedEntry> bulkPublish(String pubsubName, String topic, List<Entry> entries,
      Map<String, String> metadata, @Nullable String traceparent) {
    PubSub pubSub = resolve(pubsubName, topic);
    long total = 0;
    for (Entry e : entries) {
      if (e.entryId().isEmpty()) {
        throw ApiErrors.invalidArgument("entry_id is empty in an entry of the bulk publish to topic " + topic
            + " in pubsub " + pubsubName + "; every entry needs a unique entry_id");
      }
      total += e.data().length;
    }
    if (entries.stream().map(Entry::entryId).distinct().count() != entries.size()) {
      throw ApiErrors.invalidArgument("entry_id values must be unique within a bulk publish to topic " + topic);
    }
    checkSize(pubsubName, total);
    List<PublishRequest> requests = new ArrayList<>();
    for (Entry e : entries) {
      Map<String, String> merged = new java.util.HashMap<>(metadata);
      merged.putAll(e.metadata());
      byte[] payload = envelope(pubsubName, topic, e.data(), e.contentType(), merged, traceparent, pubSub);
      requests.add(new PublishRequest(topic, payload, e.contentType().isEmpty() ? null : e.contentType(), merged));
    }
    try {
      pubSub.bulkPublish(requests);
      return List.of();
    } catch (ComponentException e) {
      String error = ApiErrors.fromComponent(e, "error when publish to topic " + topic + " in pubsub "
          + pubsubName).getStatus().getDescription();
      return entries.stream().map(entry -> new FailedEntry(entry.entryId(), String.valueOf(error))).toList();
    }
  }

  /**
   * The configured pub/sub for a request.
   *
   * @throws io.grpc.StatusRuntimeException FAILED_PRECONDITION when none is configured, INVALID_ARGUMENT
   *     for an empty or unknown name or an empty topic
   */
  public PubSub resolve(String pubsubName, String topic) {
    if (components.pubSubNames().isEmpty()) {
      throw ApiErrors.failedPrecondition("no pub/sub component is configured (grpc_config.pub_subs is empty)");
    }
    if (pubsubName.isEmpty()) {
      throw ApiErrors.invalidArgument("pubsub_name is empty; configured pub/subs: " + components.pubSubNames());
    }
    PubSub pubSub = components.pubSub(pubsubName).orElseThrow(() -> ApiErrors.invalidArgument(
        "pubsub '" + pubsubName + "' (pubsub_name) is not found; configured pub/subs: " + components.pubSubNames()));
    if (topic.isEmpty()) {
      throw ApiErrors.invalidArgument("topic is empty in pubsub " + pubsubName);
    }
    return pubSub;
  }

  private void checkSize(String pubsubName, long size) {
    int max = components.pubSubOptions(pubsubName).maxPayloadBytes();
    if (size > max) {
      throw Status.RESOURCE_EXHAUSTED.withDescription("data is " + size + " bytes, over the limit of " + max
          + " bytes of pubsub " + pubsubName + " (metadata " + PubSubOptions.MAX_PAYLOAD_BYTES + ")")
          .asRuntimeException();
    }
  }

  private byte[] envelope(String pubsubName, String topic, byte[] data, String contentType,
      Map<String, String> metadata, @Nullable String traceparent, PubSub pubSub) {
    try {
      return cloudEvents.envelope(new CloudEvents.Publication(pubsubName, topic, data, contentType, metadata,
          components.appId(), traceparent, pubSub.features().contains(PubSubFeature.MESSAGE_TTL)));
    } catch (CloudEvents.EnvelopeException e) {
      throw ApiErrors.invalidArgument(e.getMessage() + " (topic " + topic + ", pubsub " + pubsubName + ")");
    }
  }
}
