package io.layotto.runtime.config;

/**
 * {@code grpc_config.app}. A callback port of 0 means the app runs no AppCallback server.
 *
 * @param appId the app id, empty when not configured
 */
public record AppConfig(String appId, int callbackPort, String callbackHost) {

  public static final AppConfig NONE = new AppConfig("", 0, "127.0.0.1");
}
