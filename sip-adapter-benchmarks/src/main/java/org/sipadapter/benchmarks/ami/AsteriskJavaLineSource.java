package org.sipadapter.benchmarks.ami;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.asteriskjava.util.SocketConnectionFacade;

/**
 * Feeds asterisk-java's {@code ManagerReaderImpl} the benchmark bytes line by line, in place of its
 * socket. Lines are cut at CRLF and decoded as UTF-8, as asterisk-java's own socket facade does;
 * this source is no slower than a socket, so the baseline is not handicapped.
 */
final class AsteriskJavaLineSource implements SocketConnectionFacade {

  private final byte[] bytes;
  private int pos;

  AsteriskJavaLineSource(byte[] bytes) {
    this.bytes = bytes;
  }

  void rewind() {
    pos = 0;
  }

  @Override
  public String readLine() {
    if (pos >= bytes.length) {
      return null;
    }
    int start = pos;
    int lf = start;
    while (lf < bytes.length && bytes[lf] != '\n') {
      lf++;
    }
    pos = lf + 1;
    int end = lf > start && bytes[lf - 1] == '\r' ? lf - 1 : lf;
    return new String(bytes, start, end - start, StandardCharsets.UTF_8);
  }

  @Override
  public void write(String s) {}

  @Override
  public void flush() {}

  @Override
  public void close() {}

  @Override
  public boolean isConnected() {
    return true;
  }

  @Override
  public InetAddress getLocalAddress() {
    return InetAddress.getLoopbackAddress();
  }

  @Override
  public int getLocalPort() {
    return 0;
  }

  @Override
  public InetAddress getRemoteAddress() {
    return InetAddress.getLoopbackAddress();
  }

  @Override
  public int getRemotePort() {
    return 5038;
  }
}
