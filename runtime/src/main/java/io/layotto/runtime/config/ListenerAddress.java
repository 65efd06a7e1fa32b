package io.layotto.runtime.config;

import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * A TCP listen address from a listener's {@code address} ({@code 127.0.0.1:34904},
 * {@code 0.0.0.0:34904}, {@code [::1]:34904}, {@code localhost:0}). Port 0 binds a free port.
 */
public record ListenerAddress(String host, int port) {

  public ListenerAddress {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /**
   * @return null when the text is not {@code host:port}
   */
  static @Nullable ListenerAddress parse(String text) {
    String s = text.trim();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      return null;
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      return null; // an IPv6 literal must be bracketed
    }
    String port = s.substring(colon + 1);
    if (host.isEmpty() || !port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
      return null;
    }
    return new ListenerAddress(host, Integer.parseInt(port));
  }

  public InetSocketAddress toSocketAddress() {
    return new InetSocketAddress(host, port);
  }

  /** {@code host:port}, IPv6 hosts bracketed. */
  public String display(int boundPort) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + boundPort;
  }

  @Override
  public String toString() {
    return display(port);
  }
}
