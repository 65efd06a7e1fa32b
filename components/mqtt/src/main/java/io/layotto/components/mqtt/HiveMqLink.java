package io.layotto.components.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientConnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt3.lifecycle.Mqtt3ClientConnectedContext;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientConnectedContext;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishBuilder;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * {@link MqttLink} on the HiveMQ MQTT client (async API). Reconnecting is driven by the disconnected
 * listener rather than the client's automatic reconnect, so that a failed first connect is reported
 * instead of retried forever and a deliberate disconnect is final.
 */
abstract sealed class HiveMqLink implements MqttLink {

  final MqttSettings settings;
  final Options options;
  private final Listener listener;
  private final AtomicBoolean everConnected = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();
  /** Registrations of {@link #receive}; only the latest one hands messages on. */
  private final AtomicInteger receiver = new AtomicInteger();

  HiveMqLink(MqttSettings settings, Options options, Listener listener) {
    this.settings = settings;
    this.options = options;
    this.listener = listener;
  }

  /** The builder both versions share: address, TLS, timeouts, lifecycle listeners. */
  MqttClientBuilder baseBuilder() {
    var transport = MqttClient.builder()
        .identifier(options.clientId())
        .transportConfig()
        .serverHost(settings.host())
        .serverPort(settings.port())
        .socketConnectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .mqttConnectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    if (settings.tls()) {
      transport = transport.sslConfig(sslConfig());
    }
    return transport.applyTransportConfig()
        .addConnectedListener(this::onConnected)
        .addDisconnectedListener(this::onDisconnected);
  }

  private MqttClientSslConfig sslConfig() {
    String pem = settings.caCertPem();
    if (pem == null) {
      return MqttClientSslConfig.builder().build();
    }
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate cert : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        trust.setCertificateEntry("ca-" + i++, cert);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      return MqttClientSslConfig.builder().trustManagerFactory(factory).build();
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw io.layotto.spi.ComponentException.invalidArgument("metadata '" + MqttSettings.CA_CERT
          + "' cannot be read as PEM certificates: " + e.getMessage());
    }
  }

  private void onConnected(MqttClientConnectedContext context) {
    boolean reconnect = !everConnected.compareAndSet(false, true);
    listener.connected(sessionPresent(context), reconnect);
  }

  private void onDisconnected(MqttClientDisconnectedContext context) {
    boolean again = everConnected.get() && !closing.get() && context.getSource() != MqttDisconnectSource.USER;
    if (again) {
      context.getReconnector().reconnect(true).delay(settings.reconnectWait().toMillis(), TimeUnit.MILLISECONDS);
    }
    Throwable cause = context.getCause();
    String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    listener.disconnected(context.getSource().name().toLowerCase(java.util.Locale.ROOT) + ": " + reason, again);
  }

  abstract boolean sessionPresent(MqttClientConnectedContext context);

  /** A consumer that forwards only while it is the latest registration. */
  <T> Consumer<T> latest(Consumer<T> consumer, Consumer<T> whenStale) {
    int generation = receiver.incrementAndGet();
    return message -> {
      if (receiver.get() == generation) {
        consumer.accept(message);
      } else {
        whenStale.accept(message);
      }
    };
  }

  @Override
  public CompletableFuture<Void> disconnect() {
    closing.set(true);
    return doDisconnect();
  }

  abstract CompletableFuture<Void> doDisconnect();

  static MqttQos qos(MqttSettings settings) {
    return settings.qos() == 2 ? MqttQos.EXACTLY_ONCE : MqttQos.AT_LEAST_ONCE;
  }

  /** Thrown into a subscribe's future when the broker refused the subscription. */
  static final class SubscriptionRefused extends RuntimeException {
    SubscriptionRefused(String reason) {
      super(reason);
    }
  }

  /** MQTT 5: clean start and session expiry, message expiry, content type. */
  static final class V5 extends HiveMqLink {
    private final Mqtt5AsyncClient client;

    V5(MqttSettings settings, Options options, Listener listener) {
      super(settings, options, listener);
      Mqtt5ClientBuilder b = baseBuilder().useMqttVersion5();
      String user = settings.username();
      String password = settings.password();
      if (user != null || password != null) {
        // MQTT 5 allows a password without a user name
        Mqtt5SimpleAuthBuilder.Complete auth = user != null ? Mqtt5SimpleAuth.builder().username(user)
            : Mqtt5SimpleAuth.builder().password(password.getBytes(StandardCharsets.UTF_8));
        if (user != null && password != null) {
          auth = auth.password(password.getBytes(StandardCharsets.UTF_8));
        }
        b = b.simpleAuth(auth.build());
      }
      client = b.buildAsync();
    }

    @Override
    boolean sessionPresent(MqttClientConnectedContext context) {
      return context instanceof Mqtt5ClientConnectedContext c && c.getConnAck().isSessionPresent();
    }

    @Override
    public void receive(Consumer<Incoming> consumer) {
      client.publishes(MqttGlobalPublishFilter.ALL, latest((Mqtt5Publish p) -> consumer.accept(new Incoming(
          p.getTopic().toString(), p.getPayloadAsBytes(), p.isRetain(),
          p.getContentType().map(Object::toString).orElse(null), p::acknowledge)), Mqtt5Publish::acknowledge), true);
    }

    @Override
    public CompletableFuture<Boolean> connect() {
      return client.connectWith()
          .cleanStart(options.cleanStart())
          .sessionExpiryInterval(options.sessionExpiry().toSeconds())
          .keepAlive((int) settings.keepAlive().toSeconds())
          // No receive maximum of maxInFlight: with manual acks, HiveMQ client 1.4.2 against Mosquitto 2.0
          // disconnected at once ("Received more QoS 1 and/or 2 PUBLISH messages than allowed by receive
          // maximum"). The subscription's window bounds the handler, the broker's in-flight window the buffer.
          .send()
          .thenApply(connAck -> connAck.isSessionPresent());
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, @Nullable String contentType,
        OptionalLong expirySeconds) {
      Mqtt5PublishBuilder.Send.Complete<CompletableFuture<com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult>> b =
          client.publishWith().topic(topic).qos(qos(settings)).retain(settings.retain()).payload(payload);
      if (contentType != null && !contentType.isEmpty()) {
        b = b.contentType(contentType);
      }
      if (expirySeconds.isPresent()) {
        b = b.messageExpiryInterval(expirySeconds.getAsLong());
      }
      return b.send().thenApply(result -> {
        if (result.getError().isPresent()) {
          Throwable error = result.getError().get();
          throw error instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(error);
        }
        return null;
      });
    }

    @Override
    public CompletableFuture<Void> subscribe(String topicFilter) {
      return client.subscribeWith()
          .topicFilter(topicFilter)
          .qos(qos(settings))
          // a resumed subscription must not get the retained message once more
          .retainHandling(Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST)
          .send()
          .thenApply(subAck -> {
            Mqtt5SubAckReasonCode code = subAck.getReasonCodes().getFirst();
            if (code.isError()) {
              throw new SubscriptionRefused(code.name()
                  + subAck.getReasonString().map(s -> " (" + s + ")").orElse(""));
            }
            return null;
          });
    }

    @Override
    CompletableFuture<Void> doDisconnect() {
      return client.disconnect();
    }

    @Override
    public boolean isConnected() {
      return client.getState().isConnected();
    }
  }

  /** MQTT 3.1.1: clean session instead of session expiry; no receive maximum, expiry or content type. */
  static final class V3 extends HiveMqLink {
    private final Mqtt3AsyncClient client;

    V3(MqttSettings settings, Options options, Listener listener) {
      super(settings, options, listener);
      Mqtt3ClientBuilder b = baseBuilder().useMqttVersion3();
      if (settings.username() != null) {
        var auth = b.simpleAuth().username(settings.username());
        if (settings.password() != null) {
          auth = auth.password(settings.password().getBytes(StandardCharsets.UTF_8));
        }
        b = auth.applySimpleAuth();
      }
      client = b.buildAsync();
    }

    @Override
    boolean sessionPresent(MqttClientConnectedContext context) {
      return context instanceof Mqtt3ClientConnectedContext c && c.getConnAck().isSessionPresent();
    }

    @Override
    public void receive(Consumer<Incoming> consumer) {
      client.publishes(MqttGlobalPublishFilter.ALL, latest((Mqtt3Publish p) -> consumer.accept(new Incoming(
          p.getTopic().toString(), p.getPayloadAsBytes(), p.isRetain(), null, p::acknowledge)),
          Mqtt3Publish::acknowledge), true);
    }

    @Override
    public CompletableFuture<Boolean> connect() {
      return client.connectWith()
          .cleanSession(options.cleanStart())
          .keepAlive((int) settings.keepAlive().toSeconds())
          .send()
          .thenApply(connAck -> connAck.isSessionPresent());
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, @Nullable String contentType,
        OptionalLong expirySeconds) {
      return client.publishWith().topic(topic).qos(qos(settings)).retain(settings.retain()).payload(payload)
          .send().thenApply(published -> null);
    }

    @Override
    public CompletableFuture<Void> subscribe(String topicFilter) {
      return client.subscribeWith()
          .topicFilter(topicFilter)
          .qos(qos(settings))
          .send()
          .thenApply(subAck -> {
            if (subAck.getReturnCodes().getFirst() == Mqtt3SubAckReturnCode.FAILURE) {
              throw new SubscriptionRefused("FAILURE");
            }
            return null;
          });
    }

    @Override
    CompletableFuture<Void> doDisconnect() {
      return client.disconnect();
    }

    @Override
    public boolean isConnected() {
      return client.getState().isConnected();
    }
  }
}
