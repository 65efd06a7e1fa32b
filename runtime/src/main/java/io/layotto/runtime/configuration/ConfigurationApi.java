package io.layotto.runtime.configuration;

import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.grpc.ApiErrors;
import io.layotto.spi.ComponentException;
import io.layotto.spi.configuration.ConfigurationItem;
import io.layotto.spi.configuration.ConfigurationListener;
import io.layotto.spi.configuration.ConfigurationQuery;
import io.layotto.spi.configuration.ConfigurationStore;
import io.layotto.spi.configuration.ConfigurationSubscription;
import io.layotto.spi.configuration.SaveRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The configuration API as both gRPC services expose it, in plain Java: the store is resolved, the
 * app id, group and label get their defaults, names are checked, the store is called and its
 * failures become gRPC statuses. Every method throws {@link io.grpc.StatusRuntimeException} only;
 * messages name the proto field at fault ({@code store_name}, {@code items[2].key}, ...).
 *
 * <p>Defaults: a blank {@code app_id} is the sidecar's {@code grpc_config.app.app_id}; a blank group
 * or label is {@value ConfigurationStore#DEFAULT_GROUP} / {@value ConfigurationStore#DEFAULT_LABEL}.
 */
public final class ConfigurationApi {

  /** Longest app id, group, label or key accepted. */
  public static final int MAX_NAME_LENGTH = 1024;
  /** Reserved: Layotto's key separator, which stores use to build their own keys. */
  public static final String SEPARATOR = "||";

  private final LoadedComponents components;

  public ConfigurationApi(LoadedComponents components) {
    this.components = components;
  }

  /** A resolved request: the store and the effective app id, for the response messages. */
  public record Target(String storeName, ConfigurationStore store, String appId) {}

  /** An item as the client sent it (blank group and label not yet defaulted). */
  public record ItemInput(String key, String content, String group, String label, Map<String, String> tags) {}

  /** Which items a request names, as the client sent it. */
  public record Selection(String storeName, String appId, String group, String label, List<String> keys,
      Map<String, String> metadata) {}

  /** The store and the query a selection resolves to. */
  public record Resolved(Target target, ConfigurationQuery query) {}

  /** The existing items of the selection (all of its group and label when it has no keys). */
  public List<ConfigurationItem> get(Selection selection) {
    Resolved resolved = resolve(selection, false);
    return call(resolved.target(), () -> "GetConfiguration of " + describe(resolved.query()),
        () -> resolved.target().store().get(resolved.query()));
  }

  /** Saves the items (at once where the store allows it). */
  public Target save(String storeName, String appId, List<ItemInput> items, Map<String, String> metadata) {
    Target target = target(storeName, appId);
    if (items.isEmpty()) {
      throw ApiErrors.invalidArgument("items is empty; nothing to save in configuration store '" + storeName + "'");
    }
    List<ConfigurationItem> checked = new ArrayList<>(items.size());
    Map<List<String>, Integer> seen = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      ItemInput item = items.get(i);
      String field = "items[" + i + "]";
      checkName(field + ".key", item.key());
      if (item.content().isEmpty()) {
        throw ApiErrors.invalidArgument(field + ".content (key '" + item.key() + "') is empty; an empty content "
            + "means 'not set': use DeleteConfiguration to remove an item");
      }
      String group = orDefault(field + ".group", item.group(), ConfigurationStore.DEFAULT_GROUP);
      String label = orDefault(field + ".label", item.label(), ConfigurationStore.DEFAULT_LABEL);
      for (String tag : item.tags().keySet()) {
        if (tag.isEmpty()) {
          throw ApiErrors.invalidArgument(field + ".tags has an empty tag name (key '" + item.key() + "')");
        }
      }
      Integer earlier = seen.putIfAbsent(List.of(group, label, item.key()), i);
      if (earlier != null) {
        throw ApiErrors.invalidArgument(field + " repeats key '" + item.key() + "' of group '" + group + "' label '"
            + label + "' already in items[" + earlier + "]; send each item once");
      }
      checked.add(ConfigurationItem.of(item.key(), item.content(), group, label, item.tags()));
    }
    SaveRequest request = new SaveRequest(target.appId(), checked, metadata);
    call(target, () -> "SaveConfiguration of " + (items.size() == 1 ? "key '" + items.getFirst().key() + "'"
        : items.size() + " items") + " of app '" + target.appId() + "'", () -> {
          target.store().save(request);
          return Boolean.TRUE;
        });
    return target;
  }

  /** Deletes the selection's keys, which must not be empty. */
  public void delete(Selection selection) {
    Resolved resolved = resolve(selection, true);
    call(resolved.target(), () -> "DeleteConfiguration of " + describe(resolved.query()), () -> {
      resolved.target().store().delete(resolved.query());
      return Boolean.TRUE;
    });
  }

  /** Resolves and checks a selection without calling the store (subscriptions resolve first). */
  public Resolved resolve(Selection selection, boolean keysRequired) {
    Target target = target(selection.storeName(), selection.appId());
    String group = orDefault("group", selection.group(), ConfigurationStore.DEFAULT_GROUP);
    String label = orDefault("label", selection.label(), ConfigurationStore.DEFAULT_LABEL);
    if (keysRequired && selection.keys().isEmpty()) {
      throw ApiErrors.invalidArgument("keys is empty; name the keys to delete from configuration store '"
          + target.storeName() + "'");
    }
    for (int i = 0; i < selection.keys().size(); i++) {
      checkName("keys[" + i + "]", selection.keys().get(i));
    }
    List<String> keys = List.copyOf(new LinkedHashSet<>(selection.keys()));
    return new Resolved(target, new ConfigurationQuery(target.appId(), group, label, keys, selection.metadata()));
  }

  /** Starts a subscription on a resolved selection. */
  public ConfigurationSubscription subscribe(Resolved resolved, ConfigurationListener listener) {
    return call(resolved.target(), () -> "SubscribeConfiguration to " + describe(resolved.query()),
        () -> resolved.target().store().subscribe(resolved.query(), listener));
  }

  private Target target(String storeName, String requestedAppId) {
    if (components.configurationStoreNames().isEmpty()) {
      throw ApiErrors.failedPrecondition("configuration store is not configured (grpc_config.config_store is empty)");
    }
    if (storeName.isEmpty()) {
      throw ApiErrors.invalidArgument("store_name is empty; configured configuration stores: "
          + components.configurationStoreNames());
    }
    ConfigurationStore store = components.configurationStore(storeName).orElseThrow(() -> ApiErrors.invalidArgument(
        "configuration store '" + storeName + "' (store_name) is not found; configured configuration stores: "
            + components.configurationStoreNames()));
    String appId = requestedAppId.isBlank() ? components.appId() : requestedAppId;
    if (appId.isBlank()) {
      throw ApiErrors.invalidArgument("app_id is empty and the sidecar has no grpc_config.app.app_id to default to; "
          + "name the application whose configuration this is");
    }
    checkName("app_id", appId);
    return new Target(storeName, store, appId);
  }

  private static String orDefault(String field, String value, String defaultValue) {
    if (value.isBlank()) {
      return defaultValue;
    }
    checkName(field, value);
    return value;
  }

  private static void checkName(String field, String value) {
    if (value.isEmpty()) {
      throw ApiErrors.invalidArgument(field + " is empty");
    }
    if (value.length() > MAX_NAME_LENGTH) {
      throw ApiErrors.invalidArgument(field + " is " + value.length() + " characters long (starting '"
          + value.substring(0, 32) + "...'); at most " + MAX_NAME_LENGTH + " are allowed");
    }
    if (value.contains(SEPARATOR)) {
      throw ApiErrors.invalidArgument(field + " is '" + value + "', which must not contain '" + SEPARATOR + "'");
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw ApiErrors.invalidArgument(field + " is '" + value.replaceAll("\\p{Cntrl}", "?")
            + "', which must not contain control characters (found U+" + String.format("%04X", (int) value.charAt(i))
            + " at index " + i + ")");
      }
    }
  }

  private static String describe(ConfigurationQuery query) {
    String keys = query.allKeys() ? "all keys" : query.keys().size() == 1 ? "key '" + query.keys().getFirst() + "'"
        : query.keys().size() + " keys";
    return keys + " of group '" + query.group() + "' label '" + query.label() + "' of app '" + query.appId() + "'";
  }

  /** Runs a store call; its failures become statuses naming the operation and the store. */
  private static <T> T call(Target target, Supplier<String> what, Supplier<T> body) {
    try {
      return body.get();
    } catch (ComponentException e) {
      throw ApiErrors.fromComponent(e, what.get() + " in configuration store '" + target.storeName() + "'");
    } catch (RuntimeException e) {
      throw ApiErrors.toStatus(e, what.get() + " in configuration store '" + target.storeName() + "'");
    }
  }
}
