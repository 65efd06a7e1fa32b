package io.layotto.runtime.component;

import io.layotto.runtime.StartupException;

/** A component failed to initialise; the components started before it have been closed again. */
public final class ComponentInitException extends StartupException {

  private final String componentName;

  public ComponentInitException(String componentName, String message, Throwable cause) {
    super(message, cause);
    this.componentName = componentName;
  }

  public String componentName() {
    return componentName;
  }
}
