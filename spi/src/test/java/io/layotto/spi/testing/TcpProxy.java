package io.layotto.spi.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A TCP forwarder on a local port that a test can stop (cutting every forwarded connection, as a
 * network failure would) and start again on the same port, to cut a component off from a shared
 * server without stopping the server.
 */
public final class TcpProxy implements AutoCloseable {

  private final String targetHost;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private @Nullable ServerSocket server;
  private int port;

  /** Not listening yet: see {@link #start()}. */
  public TcpProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
  }

  /** A proxy listening on {@code port} (0: any free port) for {@code 127.0.0.1:targetPort}. */
  public static TcpProxy listening(int port, int targetPort) throws IOException {
    TcpProxy proxy = new TcpProxy(InetAddress.getLoopbackAddress().getHostAddress(), targetPort);
    proxy.port = port;
    return proxy.start();
  }

  /** Listens (on a free port the first time unless one was given, on the same port afterwards). */
  public synchronized TcpProxy start() throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    port = s.getLocalPort();
    server = s;
    Thread.ofVirtual().name("proxy-accept-" + port).start(() -> accept(s));
    return this;
  }

  public int port() {
    return port;
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket client = s.accept();
        Socket upstream = new Socket(targetHost, targetPort);
        sockets.add(client);
        sockets.add(upstream);
        if (s.isClosed()) {
          // accepted while stop() ran: a connection must not survive the cut
          closeQuietly(client);
          closeQuietly(upstream);
          continue;
        }
        Thread.ofVirtual().start(() -> pipe(client, upstream));
        Thread.ofVirtual().start(() -> pipe(upstream, client));
      } catch (IOException e) {
        // stopped, or the target refused: the client sees its connection drop
      }
    }
  }

  private static void pipe(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      byte[] buffer = new byte[64 * 1024];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side closed
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  /** Stops listening and cuts every forwarded connection; {@link #start()} listens again. */
  public synchronized void stop() {
    ServerSocket s = server;
    server = null;
    if (s != null) {
      closeQuietly(s);
    }
    sockets.forEach(TcpProxy::closeQuietly);
    sockets.clear();
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // already closed
    }
  }

  @Override
  public void close() {
    stop();
  }
}
