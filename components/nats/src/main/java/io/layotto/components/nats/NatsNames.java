package io.layotto.components.nats;

import io.layotto.spi.ComponentException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * Maps topics and consumer groups to NATS names. A topic is used as the subject as it is; stream and
 * durable consumer names allow fewer characters, so they are sanitized and, where sanitizing could
 * make two inputs collide, given a short hash of the original.
 */
final class NatsNames {

  /** Prefix of the streams this component creates for topics, so operators can tell them apart. */
  static final String STREAM_PREFIX = "LAYOTTO_";
  private static final int MAX_NAME_LENGTH = 120;

  private NatsNames() {}

  /** Fails with INVALID_ARGUMENT unless {@code topic} is a literal NATS subject (no wildcards). */
  static void checkTopic(String topic) {
    String problem = subjectProblem(topic);
    if (problem != null) {
      throw ComponentException.invalidArgument("topic '" + topic + "' is not a valid NATS subject: " + problem);
    }
  }

  private static @Nullable String subjectProblem(String topic) {
    if (topic.isEmpty()) {
      return "it is empty";
    }
    for (int i = 0; i < topic.length(); i++) {
      char c = topic.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        return "it contains whitespace or a control character";
      }
      if (c == '*' || c == '>') {
        return "it contains the wildcard '" + c + "'";
      }
    }
    if (topic.startsWith(".") || topic.endsWith(".") || topic.contains("..")) {
      return "it has an empty token between dots";
    }
    return null;
  }

  /** Whether {@code name} may name a stream or a consumer. */
  static boolean isValidName(String name) {
    if (name.isEmpty() || name.length() > 255) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c) || ".*>/\\".indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }

  /** The name of the stream created for a topic when no stream covers it yet. */
  static String streamFor(String topic) {
    String clean = sanitize(topic);
    boolean exact = clean.equals(topic) && clean.length() <= MAX_NAME_LENGTH;
    return STREAM_PREFIX + (exact ? clean : shorten(clean) + "_" + hash(topic));
  }

  /**
   * The durable consumer of a group on a topic. Both parts appear (sanitized) for operators; the hash
   * of the exact pair keeps e.g. group {@code a} on topic {@code b_c} apart from {@code a_b} on {@code c}.
   */
  static String durableFor(String groupOrDurable, String topic) {
    return shorten(sanitize(groupOrDurable)) + "_" + shorten(sanitize(topic)) + "_" + hash(groupOrDurable + "\n" + topic);
  }

  private static String sanitize(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      sb.append(plain ? c : '_');
    }
    return sb.toString();
  }

  private static String shorten(String text) {
    return text.length() <= MAX_NAME_LENGTH / 2 ? text : text.substring(0, MAX_NAME_LENGTH / 2);
  }

  private static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
