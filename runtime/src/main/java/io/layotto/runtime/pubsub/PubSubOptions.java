package io.layotto.runtime.pubsub;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runtime-level settings of one configured pub/sub, read from its {@code metadata} next to the
 * component's own keys (the component sees them too and may ignore them):
 * <ul>
 *   <li>{@code consumerID} — the consumer group of this sidecar's subscriptions; defaults to
 *       {@code app.app_id}, or to the component name when no app id is configured</li>
 *   <li>{@code maxPayloadBytes} — largest {@code data} a publish may carry (default 4 MiB); larger
 *       requests get RESOURCE_EXHAUSTED</li>
 *   <li>the {@link DeliveryOptions} keys, as defaults for every subscription of this pub/sub</li>
 * </ul>
 */
public record PubSubOptions(String consumerGroup, int maxPayloadBytes, DeliveryOptions delivery) {

  public static final String CONSUMER_ID = "consumerID";
  public static final String MAX_PAYLOAD_BYTES = "maxPayloadBytes";
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

  /** Keys the runtime reads, so unknown-key warnings do not mention them. */
  public static Set<String> runtimeKeys() {
    List<String> keys = new ArrayList<>(DeliveryOptions.KEYS);
    keys.add(CONSUMER_ID);
    keys.add(MAX_PAYLOAD_BYTES);
    return Set.copyOf(keys);
  }

  /** Problems with the runtime-level keys, each naming key and value. */
  public static List<String> validate(Map<String, String> metadata) {
    List<String> problems = new ArrayList<>(DeliveryOptions.validate(metadata));
    String max = metadata.get(MAX_PAYLOAD_BYTES);
    if (max != null && !max.isBlank() && parsePositive(max.trim()) < 0) {
      problems.add("'" + MAX_PAYLOAD_BYTES + "' is '" + max + "', expected a number of bytes between 1 and "
          + Integer.MAX_VALUE);
    }
    return problems;
  }

  /**
   * The settings of a pub/sub whose metadata passed {@link #validate}.
   *
   * @param appId {@code app.app_id}, possibly empty
   */
  public static PubSubOptions of(String componentName, Map<String, String> metadata, String appId) {
    String group = metadata.getOrDefault(CONSUMER_ID, "").trim();
    if (group.isEmpty()) {
      group = appId.isBlank() ? componentName : appId;
    }
    String max = metadata.get(MAX_PAYLOAD_BYTES);
    int maxPayload = max == null || max.isBlank() ? DEFAULT_MAX_PAYLOAD_BYTES : parsePositive(max.trim());
    return new PubSubOptions(group, maxPayload, DeliveryOptions.DEFAULTS.with(metadata));
  }

  private static int parsePositive(String s) {
    try {
      int v = Integer.parseInt(s);
      return v >= 1 ? v : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
