package org.sipadapter.sipp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The start check tells a port SIPp bound from a port another program holds. */
class LocalPortsTest {

  @Test
  void aPortIsBoundByTheProcessHoldingItOnlyNotByAnyOther() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/net/udp")), "no /proc/net/udp");
    long self = ProcessHandle.current().pid();
    Process other = new ProcessBuilder("cat").start(); // holds no UDP socket
    try (DatagramSocket socket =
        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      int port = socket.getLocalPort();

      assertThat(LocalPorts.udpPortBound(port)).isTrue();
      assertThat(LocalPorts.udpPortBoundBy(self, port)).isTrue();
      // what a SIPp process would see when another program took its port first
      assertThat(LocalPorts.udpPortBoundBy(other.pid(), port)).isFalse();
    } finally {
      other.destroy();
    }
  }
}
