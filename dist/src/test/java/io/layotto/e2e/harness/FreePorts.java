package io.layotto.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Probes free loopback ports: the OS hands out an ephemeral port per {@code ServerSocket(0)}. All
 * sockets of one call are held open together so the returned ports are distinct; they are closed
 * before return, so a concurrent process could in theory grab one, which the OS makes unlikely.
 */
public final class FreePorts {

  private FreePorts() {}

  public static int one() {
    return several(1).getFirst();
  }

  public static List<Integer> several(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        socket.setReuseAddress(true);
        sockets.add(socket);
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // probing only
        }
      }
    }
  }
}
