package io.layotto.runtime;

import org.jspecify.annotations.Nullable;

/**
 * The sidecar cannot start: a bad config, a component that fails to initialise, a port already in
 * use. The message is meant for the operator as is; the CLI prints it without a stack trace.
 */
public class StartupException extends RuntimeException {

  public StartupException(String message) {
    super(message);
  }

  public StartupException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
