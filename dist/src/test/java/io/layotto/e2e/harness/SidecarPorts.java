package io.layotto.e2e.harness;

import java.util.List;

/** The two listeners of a sidecar: the gRPC API and the actuator HTTP endpoint. */
public record SidecarPorts(int grpc, int actuator) {

  /** Two distinct free loopback ports (never the fixed 34904/34999: tests run concurrently). */
  public static SidecarPorts free() {
    List<Integer> ports = FreePorts.several(2);
    return new SidecarPorts(ports.get(0), ports.get(1));
  }
}
