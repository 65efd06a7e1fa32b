package io.layotto.e2e.harness;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** Prints the captured output of every still-running sidecar when a test fails, so failures explain themselves. */
public final class SidecarLogsOnFailure implements TestWatcher {

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    for (SidecarProcess sidecar : SidecarProcess.running()) {
      System.out.println("[" + context.getDisplayName() + " failed] " + sidecar.logs());
    }
  }
}
