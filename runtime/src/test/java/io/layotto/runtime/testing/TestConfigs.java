package io.layotto.runtime.testing;

/** MOSN-shaped config texts for tests; both listeners on port 0 so tests can run side by side. */
public final class TestConfigs {

  private TestConfigs() {}

  /** A config whose grpc listener carries {@code grpcConfig} (a JSON object text). */
  public static String withGrpcConfig(String grpcConfig) {
    return """
        {
          "servers": [{
            "default_log_path": "stdout",
            "listeners": [
              {"name": "grpc", "address": "127.0.0.1:0", "bind_port": true,
               "filter_chains": [{"filters": [{"type": "grpc", "config": {"server_name": "runtime",
                 "grpc_config": %s}}]}]},
              {"name": "actuator", "address": "127.0.0.1:0", "bind_port": true,
               "filter_chains": [{"filters": [{"type": "proxy", "config": {"downstream_protocol": "Http1"}}]}],
               "stream_filters": [{"type": "actuator_filter"}]}
            ]
          }]
        }
        """.formatted(grpcConfig);
  }

  /** One {@code test-fake} state store named {@code name} with the given probe key. */
  public static String withFakeStore(String name, String probe) {
    return withGrpcConfig("""
        {"app": {"app_id": "app1"},
         "hellos": {"helloworld": {"type": "helloworld", "hello": "greeting"}},
         "state": {"%s": {"type": "test-fake", "metadata": {"probe": "%s"}}}}
        """.formatted(name, probe));
  }
}
