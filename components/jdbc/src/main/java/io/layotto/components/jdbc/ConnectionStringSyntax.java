package io.layotto.components.jdbc;

import io.layotto.components.jdbc.ConnectionSettings.HostPort;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small pieces of URL syntax shared by the connection-string parsers. */
final class ConnectionStringSyntax {

  private ConnectionStringSyntax() {}

  /**
   * Decodes {@code %XX} escapes (UTF-8); {@code plusIsSpace} for query values in Go's
   * {@code url.QueryUnescape} style.
   */
  static String percentDecode(String text, String what, boolean plusIsSpace) {
    if (text.indexOf('%') < 0 && !(plusIsSpace && text.indexOf('+') >= 0)) {
      return text;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%') {
        if (i + 2 >= text.length()) {
          throw new InvalidConnectionString("bad %-escape in the " + what);
        }
        try {
          out.write(HexFormat.fromHexDigits(text, i + 1, i + 3));
        } catch (IllegalArgumentException e) {
          throw new InvalidConnectionString("bad %-escape in the " + what);
        }
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        out.write(' ');
      } else {
        byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
          bytes = text.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        out.writeBytes(bytes);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Escapes everything but RFC 3986 unreserved characters, e.g. for a database name in a URL. */
  static String percentEncode(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
        sb.append(c);
      } else {
        sb.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
      }
    }
    return sb.toString();
  }

  /** {@code host[:port][,host[:port]...]}; IPv6 hosts in brackets. */
  static List<HostPort> hostList(String text, int defaultPort) {
    List<HostPort> hosts = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      hosts.add(hostPort(part.trim(), defaultPort));
    }
    return hosts;
  }

  static HostPort hostPort(String text, int defaultPort) {
    String host;
    String port = null;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw new InvalidConnectionString("unclosed '[' in host '" + text + "'");
      }
      host = text.substring(1, close);
      String rest = text.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new InvalidConnectionString("unexpected text after ']' in host '" + text + "'");
        }
        port = rest.substring(1);
      }
    } else {
      int colon = text.lastIndexOf(':');
      host = colon < 0 ? text : text.substring(0, colon);
      port = colon < 0 ? null : text.substring(colon + 1);
    }
    if (host.isEmpty()) {
      throw new InvalidConnectionString("empty host name");
    }
    return new HostPort(host, port == null || port.isEmpty() ? defaultPort : port(port));
  }

  static int port(String text) {
    try {
      int port = Integer.parseInt(text.trim());
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidConnectionString("port '" + text + "' is not a number from 1 to 65535");
  }

  /** {@code a=1&b=2}, keys and values %-decoded; a key without '=' gets an empty value. */
  static Map<String, String> query(String text, boolean plusIsSpace) {
    Map<String, String> params = new LinkedHashMap<>();
    if (text.isEmpty()) {
      return params;
    }
    for (String pair : text.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = percentDecode(eq < 0 ? pair : pair.substring(0, eq), "parameter names", plusIsSpace);
      String value = eq < 0 ? "" : percentDecode(pair.substring(eq + 1), "value of parameter '" + key + "'", plusIsSpace);
      if (key.isEmpty()) {
        throw new InvalidConnectionString("a parameter without a name");
      }
      params.put(key, value);
    }
    return params;
  }

  /** Whole seconds from a timeout spelled as a number of seconds or a Go duration. */
  static long seconds(String key, String value) {
    java.time.Duration d = io.layotto.spi.Durations.parse(value, java.time.temporal.ChronoUnit.SECONDS);
    if (d == null || d.isNegative()) {
      throw new InvalidConnectionString("'" + key + "' is '" + value + "', expected a number of seconds");
    }
    return d.toSeconds();
  }

  static long millis(String key, String value) {
    java.time.Duration d = io.layotto.spi.Durations.parse(value, java.time.temporal.ChronoUnit.SECONDS);
    if (d == null || d.isNegative()) {
      throw new InvalidConnectionString("'" + key + "' is '" + value + "', expected a duration such as 5s");
    }
    return d.toMillis();
  }
}
