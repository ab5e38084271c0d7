package org.sipadapter.testkit.yate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A second extmodule client for looking at a real Yate behind an adapter and acting on it as the
 * far end or another application would: dispatches messages and waits for their results, watches
 * messages and keeps what it saw, lists a driver's channels through {@code engine.status}. Plain
 * sockets and {@link YateLine}, nothing of the adapter, so what it shows is Yate's own word.
 *
 * <p>Thread-safe; one reader thread per probe. Close it to detach from Yate.
 */
public final class YateProbe implements AutoCloseable {

  /**
   * A message as Yate reported it: the result of one of ours, or a watched notification.
   *
   * @param name the message name
   * @param processed whether a handler took it
   * @param retval the return value
   * @param params its parameters after dispatch, in order
   */
  public record Result(String name, boolean processed, String retval, Map<String, String> params) {
    /**
     * Returns a parameter.
     *
     * @param key the name
     * @return its value, or empty
     */
    public String get(String key) {
      return params.getOrDefault(key, "");
    }
  }

  /**
   * One channel of an {@code engine.status} listing.
   *
   * @param id the channel id ({@code sip/3})
   * @param status its status ({@code answered}, {@code ringing}, ...)
   * @param peer its peer's id, or empty
   */
  public record Channel(String id, String status, String peer) {}

  private final Socket socket;
  private final OutputStream out;
  private final Map<String, CompletableFuture<Result>> pending = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<String>> commands = new ConcurrentHashMap<>();
  private final List<Result> seen = new CopyOnWriteArrayList<>();
  private final AtomicLong ids = new AtomicLong();
  private final Duration timeout;

  /**
   * Connects to a listener without a preset role and attaches as a global module.
   *
   * @param host the listener's host
   * @param port its port
   * @param timeout how long each request may take
   */
  public YateProbe(String host, int port, Duration timeout) {
    this.timeout = timeout;
    try {
      socket = new Socket(host, port);
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach Yate's extmodule listener", e);
    }
    Thread reader = new Thread(this::read, "yate-probe-reader");
    reader.setDaemon(true);
    reader.start();
    write("%%>connect:global");
    command("setlocal:engine.version", "%%>setlocal:engine.version:");
  }

  /**
   * Watches a message; every notification of it is kept for {@link #seen()}.
   *
   * @param name the message name
   * @return this probe
   */
  public YateProbe watch(String name) {
    command("watch:" + name, "%%>watch:" + name);
    return this;
  }

  /**
   * Dispatches a message and waits for its result.
   *
   * @param name the message name
   * @param params its parameters
   * @return Yate's result
   */
  public Result dispatch(String name, Map<String, String> params) {
    String id = "probe." + ids.incrementAndGet();
    CompletableFuture<Result> f = new CompletableFuture<>();
    pending.put(id, f);
    StringBuilder sb = new StringBuilder("%%>message:").append(id).append(':');
    sb.append(System.currentTimeMillis() / 1000).append(':').append(YateLine.escape(name));
    sb.append(':');
    YateLine.appendParams(sb, params);
    write(sb.toString());
    return await(f, name);
  }

  /**
   * Dispatches a message given as alternating names and values.
   *
   * @param name the message name
   * @param keyValues name, value, name, value...
   * @return Yate's result
   */
  public Result dispatch(String name, String... keyValues) {
    Map<String, String> p = new LinkedHashMap<>();
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      p.put(keyValues[i], keyValues[i + 1]);
    }
    return dispatch(name, p);
  }

  /**
   * Lists one driver's channels ({@code engine.status module=<driver>}).
   *
   * @param driver such as {@code sip} or {@code dumb}
   * @return the channels, in Yate's order
   */
  public List<Channel> channels(String driver) {
    String text = dispatch("engine.status", "module", driver).retval();
    List<Channel> out = new ArrayList<>();
    int semi = text.lastIndexOf(';');
    if (semi < 0) {
      return out;
    }
    for (String entry : text.substring(semi + 1).trim().split(",")) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String[] f = entry.substring(eq + 1).split("\\|", -1);
      out.add(new Channel(entry.substring(0, eq), f[0], f.length > 2 ? f[2] : ""));
    }
    return out;
  }

  /**
   * Looks up one channel.
   *
   * @param id the channel id
   * @return it, while it exists
   */
  public Optional<Channel> channel(String id) {
    int slash = id.indexOf('/');
    String driver = slash < 0 ? id : id.substring(0, slash);
    return channels(driver).stream().filter(c -> c.id().equals(id)).findFirst();
  }

  /**
   * Returns the notifications seen so far, in arrival order.
   *
   * @return a snapshot
   */
  public List<Result> seen() {
    return List.copyOf(seen);
  }

  /**
   * Returns the notifications seen so far that match.
   *
   * @param name the message name
   * @param match what else must hold
   * @return a snapshot
   */
  public List<Result> seen(String name, Predicate<Result> match) {
    return seen.stream().filter(r -> r.name().equals(name) && match.test(r)).toList();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    pending.values().forEach(f -> f.completeExceptionally(new IOException("probe closed")));
  }

  private String command(String key, String line) {
    CompletableFuture<String> f = new CompletableFuture<>();
    commands.put(key, f);
    write(line);
    return await(f, key);
  }

  private <T> T await(CompletableFuture<T> f, String what) {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Yate did not answer " + what + " within " + timeout, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Yate probe failed on " + what, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + what, e);
    }
  }

  private synchronized void write(String line) {
    try {
      out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to Yate", e);
    }
  }

  private void read() {
    try (InputStream in = socket.getInputStream()) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        if (b != '\n') {
          buf.write(b);
          continue;
        }
        String line = buf.toString(StandardCharsets.UTF_8);
        buf.reset();
        try {
          onLine(line);
        } catch (RuntimeException e) {
          // a line this probe does not understand: keep reading
        }
      }
    } catch (IOException closed) {
      // the probe or Yate closed the socket
    }
  }

  private void onLine(String line) {
    if (line.startsWith("%%>message:")) {
      // a handler's message: the probe installs none, but never leave an engine thread waiting
      List<String> f = YateLine.split(line.substring(11));
      write("%%<message:" + f.get(0) + ":false::");
      return;
    }
    if (line.startsWith("%%<message:")) {
      List<String> f = YateLine.split(line.substring(11));
      Result ordered =
          new Result(
              YateLine.unescape(f.get(2)),
              "true".equals(f.get(1)),
              f.size() > 3 ? YateLine.unescape(f.get(3)) : "",
              java.util.Collections.unmodifiableMap(YateLine.params(f, 4)));
      if (f.get(0).isEmpty()) {
        seen.add(ordered);
      } else {
        CompletableFuture<Result> waiting = pending.remove(f.get(0));
        if (waiting != null) {
          waiting.complete(ordered);
        }
      }
      return;
    }
    for (String kind : List.of("setlocal", "watch")) {
      if (line.startsWith("%%<" + kind + ":")) {
        List<String> f = YateLine.split(line);
        CompletableFuture<String> waiting = commands.remove(kind + ":" + f.get(1));
        if (waiting != null) {
          waiting.complete(line);
        }
      }
    }
  }
}
