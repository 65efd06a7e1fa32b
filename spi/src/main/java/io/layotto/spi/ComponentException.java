package io.layotto.spi;

import org.jspecify.annotations.Nullable;

/**
 * The one exception components throw. Its {@link Kind} tells the runtime which status the client
 * gets; the message must name the field and value at fault and never include a stack trace.
 */
public class ComponentException extends RuntimeException {

  /** What went wrong, in terms a client can act on. */
  public enum Kind {
    /** A request or metadata value is malformed (bad ttl, bad etag format, ...). */
    INVALID_ARGUMENT,
    /** Optimistic concurrency failed: etag mismatch or first-write lost. */
    ETAG_MISMATCH,
    /** The etag is not one this store could ever have produced. */
    INVALID_ETAG,
    /** The thing asked for does not exist where the API must report it (not for state reads). */
    NOT_FOUND,
    /** The component does not support the operation (e.g. transactions). */
    UNSUPPORTED,
    /** The backend cannot be reached or timed out; the request may be retried. */
    UNAVAILABLE,
    /** A value is over a limit of the backend. */
    RESOURCE_EXHAUSTED,
    /** Anything else. */
    INTERNAL
  }

  private final Kind kind;

  public ComponentException(Kind kind, String message) {
    this(kind, message, null);
  }

  public ComponentException(Kind kind, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  public static ComponentException invalidArgument(String message) {
    return new ComponentException(Kind.INVALID_ARGUMENT, message);
  }

  public static ComponentException etagMismatch(String message) {
    return new ComponentException(Kind.ETAG_MISMATCH, message);
  }

  public static ComponentException invalidEtag(String message) {
    return new ComponentException(Kind.INVALID_ETAG, message);
  }

  public static ComponentException unsupported(String message) {
    return new ComponentException(Kind.UNSUPPORTED, message);
  }

  public static ComponentException unavailable(String message, @Nullable Throwable cause) {
    return new ComponentException(Kind.UNAVAILABLE, message, cause);
  }

  public static ComponentException internal(String message, @Nullable Throwable cause) {
    return new ComponentException(Kind.INTERNAL, message, cause);
  }
}
