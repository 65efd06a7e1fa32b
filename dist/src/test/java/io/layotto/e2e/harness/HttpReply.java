package io.layotto.e2e.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * One HTTP answer from a sidecar's actuator. {@link #UNREACHABLE_STATUS} stands for "nothing is
 * listening yet", so polling loops can treat a starting sidecar like any other not-ready answer.
 */
public record HttpReply(int status, String body) {

  public static final int UNREACHABLE_STATUS = -1;

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  public static HttpReply get(int port, String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10))
        .GET()
        .build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return new HttpReply(response.statusCode(), response.body());
    } catch (ConnectException e) {
      return new HttpReply(UNREACHABLE_STATUS, "");
    } catch (IOException e) {
      // reset or closed while the sidecar starts or stops
      return new HttpReply(UNREACHABLE_STATUS, String.valueOf(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The body as JSON; a missing node when it is not JSON (the assertion then shows the raw body). */
  public JsonNode json() {
    try {
      JsonNode node = JSON.readTree(body);
      return node == null ? MissingNode.getInstance() : node;
    } catch (IOException e) {
      return MissingNode.getInstance();
    }
  }

  @Override
  public String toString() {
    return "HTTP " + status + " " + body;
  }
}
