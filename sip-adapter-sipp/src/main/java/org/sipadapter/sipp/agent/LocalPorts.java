package org.sipadapter.sipp.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Finds free UDP ports and tells whether a UDP port is bound (Linux {@code /proc/net/udp}). */
final class LocalPorts {

  private static final int MEDIA_FIRST = 20_000;
  private static final int MEDIA_LAST = 31_996;
  // Every agent on a host walks the same range: each starts at a random place in it, so two
  // agents (or a restarted one) starting runs together rarely probe the same pair at once.
  private static final java.util.concurrent.atomic.AtomicInteger NEXT_MEDIA =
      new java.util.concurrent.atomic.AtomicInteger(
          MEDIA_FIRST
              + 4
                  * java.util.concurrent.ThreadLocalRandom.current()
                      .nextInt((MEDIA_LAST - MEDIA_FIRST) / 4));

  // SIP and control ports of runs that are starting or running; guarded by the class.
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private LocalPorts() {}

  /** Gives back ports handed out by {@link #freeUdpPort}, once their run has ended. */
  static synchronized void release(int... ports) {
    for (int p : ports) {
      HANDED_OUT.remove(p);
    }
  }

  /**
   * A start for SIPp's media ports ({@code -mp}): SIPp binds audio on it and video two above, and
   * fails when either is taken. Ports are handed out round robin from 20000-31999 in steps of four,
   * from a random start, so runs started together never share them, and each pair is checked free.
   */
  static int mediaPortPair(InetAddress address) {
    for (int i = 0; i < (MEDIA_LAST - MEDIA_FIRST) / 4; i++) {
      int p = NEXT_MEDIA.getAndUpdate(n -> n + 4 > MEDIA_LAST ? MEDIA_FIRST : n + 4);
      if (isFree(address, p) && isFree(address, p + 2)) {
        return p;
      }
    }
    throw new IllegalStateException("no free media port pair in " + MEDIA_FIRST + "-" + MEDIA_LAST);
  }

  private static boolean isFree(InetAddress address, int port) {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(address, port))) {
      return true;
    } catch (SocketException e) {
      return false;
    }
  }

  /**
   * A UDP port free on {@code address} right now and not handed out to another run of this JVM
   * until {@link #release}: runs started at the same moment would otherwise be given the same port
   * by the kernel (it is free again once the probe socket closes) and all but one would fail to
   * bind it. Another process may still take it before SIPp binds it, which SIPp reports with exit
   * code 254.
   */
  static synchronized int freeUdpPort(InetAddress address, int avoid) {
    for (int i = 0; i < 50; i++) {
      try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(address, 0))) {
        int port = socket.getLocalPort();
        if (port != avoid && HANDED_OUT.add(port)) {
          return port;
        }
      } catch (SocketException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no free UDP port");
  }

  /**
   * Whether process {@code pid} holds a socket bound to UDP {@code port}: the port's entries in the
   * kernel's table matched against the process's open sockets. Another program holding the port is
   * not enough (SIPp then exits with 254 right after). Falls back to {@link #udpPortBound} when the
   * process's descriptors cannot be read.
   */
  static boolean udpPortBoundBy(long pid, int port) {
    Set<String> sockets = new HashSet<>();
    try (var fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[") && target.endsWith("]")) {
            sockets.add(target.substring("socket:[".length(), target.length() - 1));
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    } catch (IOException | SecurityException e) {
      return udpPortBound(port);
    }
    List<String> inodes = boundInodes(port);
    return inodes == null || inodes.stream().anyMatch(sockets::contains);
  }

  /**
   * Whether any socket is bound to UDP {@code port}; read from the kernel's table so the check
   * never competes with SIPp for the port. Returns true when the table cannot be read, so callers
   * fall back to SIPp's own exit code.
   */
  static boolean udpPortBound(int port) {
    List<String> inodes = boundInodes(port);
    return inodes == null || !inodes.isEmpty();
  }

  /**
   * The inodes of the sockets bound to UDP {@code port} (IPv4 and IPv6 tables), or null when the
   * tables cannot be read.
   */
  private static List<String> boundInodes(int port) {
    List<String> inodes = new ArrayList<>();
    String wanted = String.format(Locale.ROOT, ":%04X ", port);
    for (String table : new String[] {"/proc/net/udp", "/proc/net/udp6"}) {
      Path path = Path.of(table);
      if (!Files.isReadable(path)) {
        continue;
      }
      try {
        String text = new String(Files.readAllBytes(path), StandardCharsets.US_ASCII);
        int line = text.indexOf('\n') + 1;
        while (line > 0 && line < text.length()) {
          int end = text.indexOf('\n', line);
          end = end < 0 ? text.length() : end;
          // "  sl  local_address rem_address ...": the local address follows the first colon.
          int slEnd = text.indexOf(':', line);
          int addrColon = slEnd < 0 ? -1 : text.indexOf(':', slEnd + 1);
          if (addrColon > 0 && addrColon < end && text.startsWith(wanted, addrColon)) {
            // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
            String[] f = text.substring(line, end).trim().split("\\s+");
            inodes.add(f.length > 9 ? f[9] : "");
          }
          line = end + 1;
        }
      } catch (IOException e) {
        return null;
      }
    }
    return inodes;
  }
}
