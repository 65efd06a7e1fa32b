package io.layotto.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class SidecarProcessTest {

    @Test
    void generatedConfigHasLayottosShapeWithTheRedisStoreAndTheActuator() throws Exception {
        JsonNode config = new ObjectMapper().readTree(SidecarProcess.config(
                SidecarProcess.redisStateConfig("bench_state", "127.0.0.1:6379"), 41000, 41001));

        JsonNode listeners = config.at("/servers/0/listeners");
        JsonNode grpc = listeners.get(0);
        assertThat(grpc.get("address").asText()).isEqualTo("127.0.0.1:41000");
        JsonNode filter = grpc.at("/filter_chains/0/filters/0");
        assertThat(filter.get("type").asText()).isEqualTo("grpc");
        assertThat(filter.at("/config/server_name").asText()).isEqualTo("runtime");
        JsonNode store = filter.at("/config/grpc_config/state/bench_state");
        assertThat(store.get("type").asText()).isEqualTo("redis");
        assertThat(store.at("/metadata/redisHost").asText()).isEqualTo("127.0.0.1:6379");

        JsonNode actuator = listeners.get(1);
        assertThat(actuator.get("address").asText()).isEqualTo("127.0.0.1:41001");
        assertThat(actuator.at("/stream_filters/0/type").asText()).isEqualTo("actuator_filter");
    }

    @Test
    void freePortsAreUsablePorts() {
        assertThat(SidecarProcess.freePort()).isBetween(1, 65535);
    }
}
