package io.layotto.spi;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Parses the duration spellings found in Layotto and Dapr configs. */
public final class Durations {

  private static final Pattern GO_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private Durations() {}

  /**
   * {@code 1h30m}, {@code 500ms}, {@code 3s} (Go syntax), or a bare number counted in {@code plainUnit}.
   *
   * @return null when the text is neither
   */
  public static @Nullable Duration parse(String text, ChronoUnit plainUnit) {
    String s = text.trim();
    if (s.matches("\\d+")) {
      try {
        return Duration.of(Long.parseLong(s), plainUnit);
      } catch (ArithmeticException | NumberFormatException e) {
        return null;
      }
    }
    Matcher m = GO_DURATION.matcher(s);
    long nanos = 0;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        return null;
      }
      double amount = Double.parseDouble(m.group(1));
      long unitNanos = switch (m.group(2)) {
        case "ns" -> 1L;
        case "us", "µs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      };
      nanos += (long) (amount * unitNanos);
      end = m.end();
    }
    return end == s.length() && end > 0 ? Duration.ofNanos(nanos) : null;
  }
}
