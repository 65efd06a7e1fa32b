package io.layotto.components.mqtt;

import static io.layotto.components.mqtt.MqttTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.layotto.components.mqtt.MqttSettings.Version;
import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code ssl://} against a private mosquitto with a certificate of a test CA, trusted through {@code caCert}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttTlsTest {

  private Path certs;
  private PrivateMosquitto broker;
  private String caPem;

  @BeforeAll
  void startBroker() throws Exception {
    certs = Files.createTempDirectory("layotto-mqtt-tls");
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
        "-subj", "/CN=layotto-test-ca");
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=127.0.0.1");
    Files.writeString(certs.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.crt", "-days", "2", "-extfile", "san.ext");
    caPem = Files.readString(certs.resolve("ca.crt"));
    broker = new PrivateMosquitto(List.of("certfile " + certs.resolve("server.crt"),
        "keyfile " + certs.resolve("server.key")));
    broker.start();
  }

  @AfterAll
  void stopBroker() throws IOException {
    if (broker != null) {
      broker.close();
    }
    try (Stream<Path> files = Files.walk(certs)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  private void openssl(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(certs.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as("openssl %s: %s", String.join(" ", args), out).isZero();
  }

  private String sslUrl() {
    return "ssl://127.0.0.1:" + broker.port();
  }

  @Test
  void publishesAndReceivesOverTlsWithTheGivenCa() {
    MqttPubSub pubSub = MqttTestSupport.started(Version.MQTT_5, sslUrl(), Map.of(MqttSettings.CA_CERT, caPem));
    try {
      Set<String> received = ConcurrentHashMap.newKeySet();
      pubSub.subscribe(new SubscribeRequest("tls-topic", "tls-group", 4, Map.of()), m -> {
        received.add(text(m));
        return CompletableFuture.completedFuture(null);
      });
      pubSub.publish(PublishRequest.of("tls-topic", text("over-tls")));
      await().atMost(Duration.ofSeconds(20)).until(() -> received.contains("over-tls"));
      assertThat(pubSub.checkHealth().isUp()).isTrue();
    } finally {
      pubSub.close();
    }
  }

  @Test
  void anUntrustedBrokerCertificateFailsStartUpAsUnavailable() {
    MqttPubSub pubSub = new MqttPubSub(Version.MQTT_3);
    assertThatThrownBy(() -> pubSub.init(new Metadata("mq", Map.of(MqttSettings.URL, sslUrl(),
        MqttSettings.CONNECT_TIMEOUT, "5s"))))
        .isInstanceOfSatisfying(ComponentException.class,
            e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.UNAVAILABLE))
        .hasMessageContaining("127.0.0.1:" + broker.port());
    pubSub.close();
  }

  @Test
  void aCaCertThatIsNotPemIsRefused() {
    assertThatThrownBy(() -> MqttTestSupport.started(Version.MQTT_5, sslUrl(), Map.of(MqttSettings.CA_CERT, "abc")))
        .isInstanceOfSatisfying(ComponentException.class,
            e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.INVALID_ARGUMENT))
        .hasMessageContaining("'caCert'");
  }
}
