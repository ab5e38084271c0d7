package org.sipadapter.cli.fake;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory telephony server for the CLI's tests, reached by {@link FakeAdapter} through its
 * port number. Calls to {@code busy} are refused busy; all others are answered.
 */
public final class FakeServer implements AutoCloseable {
  private static final Map<Integer, FakeServer> SERVERS = new ConcurrentHashMap<>();
  private static final AtomicInteger PORTS = new AtomicInteger(41000);

  /** A call on the server. */
  public record Call(String id, String from, String to) {}

  private final int port = PORTS.incrementAndGet();
  private final String username;
  private final String password;
  private final Map<String, Call> calls = new ConcurrentHashMap<>();
  private final List<FakeDriver> connected = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private volatile boolean hangupsUnreported;

  private FakeServer(String username, String password) {
    this.username = username;
    this.password = password;
  }

  /** Starts a server accepting the given login. */
  public static FakeServer start(String username, String password) {
    FakeServer s = new FakeServer(username, password);
    SERVERS.put(s.port, s);
    return s;
  }

  static FakeServer at(int port) {
    return SERVERS.get(port);
  }

  /** A port where no server listens. */
  public static int unusedPort() {
    return PORTS.incrementAndGet();
  }

  public int port() {
    return port;
  }

  public String version() {
    return "fake 1.2.3";
  }

  boolean accepts(String user, String pass) {
    return username.equals(user) && password.equals(pass);
  }

  /** Puts a call up on the server, as if a phone had placed it; connected adapters see it. */
  public Call existingCall(String from, String to) {
    Call c = new Call(newId(), from, to);
    calls.put(c.id(), c);
    connected.forEach(a -> a.seen(c));
    return c;
  }

  /** Ends a call from the far end. */
  public void remoteHangup(String id) {
    if (calls.remove(id) != null) {
      connected.forEach(a -> a.ended(id));
    }
  }

  /** Takes hangup requests from now on without ever reporting the calls' end. */
  public void acceptHangupsWithoutEvent() {
    hangupsUnreported = true;
  }

  boolean hangupsUnreported() {
    return hangupsUnreported;
  }

  public List<Call> calls() {
    return List.copyOf(calls.values());
  }

  String newId() {
    return "fake-" + port + "-" + ids.incrementAndGet();
  }

  void add(Call c) {
    calls.put(c.id(), c);
  }

  boolean remove(String id) {
    return calls.remove(id) != null;
  }

  void attach(FakeDriver a) {
    connected.add(a);
  }

  void detach(FakeDriver a) {
    connected.remove(a);
  }

  @Override
  public void close() {
    SERVERS.remove(port);
  }
}
