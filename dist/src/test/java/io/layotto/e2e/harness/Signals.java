package io.layotto.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Sends a signal to a process by pid with kill(1); Java's Process API has only TERM and KILL. */
final class Signals {

  private Signals() {}

  /** @param name a signal name without the SIG prefix, e.g. STOP or CONT */
  static void send(long pid, String name) {
    try {
      int exit = new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).start().waitFor();
      if (exit != 0) {
        throw new AssertionError("kill -" + name + " " + pid + " exited with " + exit);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
