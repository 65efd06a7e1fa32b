package io.layotto.runtime.config;

import io.layotto.runtime.StartupException;
import java.util.List;

/**
 * The configuration is unusable. Each problem names the JSON path and what is allowed; the message
 * starts with the file so the operator knows where to look.
 */
public final class ConfigException extends StartupException {

  /** One thing wrong at one place of the file, e.g. {@code $.servers[0].listeners}. */
  public record Problem(String path, String message) {
    @Override
    public String toString() {
      return path + ": " + message;
    }
  }

  private final String source;
  private final List<Problem> problems;

  public ConfigException(String source, List<Problem> problems) {
    super(render(source, problems));
    this.source = source;
    this.problems = List.copyOf(problems);
  }

  public ConfigException(String source, String path, String message) {
    this(source, List.of(new Problem(path, message)));
  }

  /** The file (or the built-in default) the problems were found in. */
  public String source() {
    return source;
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String render(String source, List<Problem> problems) {
    if (problems.size() == 1) {
      return "invalid config " + source + ": " + problems.getFirst();
    }
    StringBuilder sb = new StringBuilder("invalid config ").append(source).append(": ")
        .append(problems.size()).append(" problems");
    for (Problem p : problems) {
      sb.append("\n  ").append(p);
    }
    return sb.toString();
  }
}
