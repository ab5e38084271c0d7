package org.sipadapter.asterisk.ami;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.AuthenticationException;
import org.sipadapter.ProtocolException;
import org.sipadapter.config.Credentials;
import org.sipadapter.transport.FramedConnection;
import org.sipadapter.transport.RequestCorrelator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logged-in AMI session on core's {@link FramedConnection}: reads the banner, logs in (plain or
 * MD5 challenge), sends actions with an {@code ActionID} and matches the replies through a {@link
 * RequestCorrelator}, collects the events of list actions, and hands every other event to a {@link
 * Listener}.
 *
 * <p>Threading: every method may be called from any thread. Frames are handled on the connection's
 * reader thread, which only parses, completes futures and calls {@link Listener#onEvent}; futures
 * returned here complete on the {@code completions} executor given to {@link #open}, so code
 * chained on them never runs on (or blocks) the reader thread. When the link drops, every pending
 * action fails at once with {@link AdapterConnectionException} and {@link Listener#onClosed}
 * follows; neither happens after {@link #close()}.
 */
public final class AmiConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AmiConnection.class);

  /** Receives what the server sends besides replies. Called on the reader thread. */
  public interface Listener {
    /**
     * An event that is not part of a list reply. Must return quickly and never wait for a reply
     * from this connection.
     *
     * @param event the event
     */
    void onEvent(AmiFrame event);

    /**
     * Input was skipped (a line without a header name, an oversized packet). The link stays up.
     *
     * @param reason what was wrong
     */
    default void onMalformed(String reason) {}

    /**
     * The link closed by itself. Not called after {@link AmiConnection#close()}.
     *
     * @param cause why
     */
    void onClosed(Throwable cause);
  }

  private final String name;
  private final Listener listener;
  private final Executor completions;
  private final RequestCorrelator<String, AmiReply> correlator;
  private final Map<String, ListCollector> lists = new ConcurrentHashMap<>();
  private final CompletableFuture<AmiFrame> banner = new CompletableFuture<>();
  private final AtomicLong nextId = new AtomicLong();
  private volatile boolean closing;
  private FramedConnection<AmiFrame> link;

  private AmiConnection(String name, Listener listener, Executor completions) {
    this.name = name;
    this.listener = listener;
    this.completions = completions;
    this.correlator = new RequestCorrelator<>("[" + name + "] AMI action");
  }

  /**
   * Opens the TCP (or TLS) link and waits for the banner.
   *
   * @param endpoint where to connect
   * @param maxFrameBytes largest packet accepted; larger ones are dropped and reported
   * @param listener receives events and the link's end
   * @param completions runs the completion of returned futures (never the reader thread)
   * @param bannerTimeout how long to wait for the {@code Asterisk Call Manager/x.y.z} line
   * @return the connection, not yet logged in
   * @throws AdapterConnectionException if the server cannot be reached or sends no banner
   */
  public static AmiConnection open(
      FramedConnection.Endpoint endpoint,
      int maxFrameBytes,
      Listener listener,
      Executor completions,
      Duration bannerTimeout) {
    AmiConnection c = new AmiConnection(endpoint.name(), listener, completions);
    c.link = FramedConnection.open(endpoint, new AmiFrameDecoder(maxFrameBytes), c.new Reader());
    try {
      AmiFrame b = c.banner.get(bannerTimeout.toNanos(), TimeUnit.NANOSECONDS);
      log.debug("[{}] banner: {}", c.name, b.bannerText().orElse(""));
      return c;
    } catch (TimeoutException e) {
      c.close();
      throw new AdapterConnectionException(
          "["
              + c.name
              + "] no 'Asterisk Call Manager' banner within "
              + bannerTimeout.toMillis()
              + " ms; is this port an AMI port?");
    } catch (ExecutionException e) {
      c.close();
      throw new AdapterConnectionException(
          "[" + c.name + "] link closed before the banner: " + e.getCause().getMessage(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      c.close();
      throw new AdapterConnectionException("[" + c.name + "] interrupted while connecting", e);
    }
  }

  /**
   * Returns the AMI version from the banner.
   *
   * @return for example {@code 11.0.0}, or empty if the banner had none
   */
  public String amiVersion() {
    return banner.getNow(AmiFrame.banner("")).amiVersion().orElse("");
  }

  /**
   * Logs in and waits for the answer.
   *
   * @param credentials user and secret
   * @param md5 true to use the MD5 challenge (the secret never crosses the wire)
   * @param eventMask the {@code Events} header: {@code on}, {@code off} or categories
   * @param timeout for each action of the login
   * @throws AuthenticationException if the server refused the user or secret
   * @throws AdapterTimeoutException if the server did not answer in time
   * @throws AdapterConnectionException if the link dropped
   */
  public void login(Credentials credentials, boolean md5, String eventMask, Duration timeout) {
    AmiAction.Builder login = AmiAction.of("Login");
    if (md5) {
      AmiReply challenge =
          await(send(AmiAction.of("Challenge").add("AuthType", "MD5").build(), timeout), timeout);
      String nonce = challenge.response().getOrDefault("Challenge", "");
      if (!challenge.isSuccess() || nonce.isEmpty()) {
        throw new ProtocolException("[" + name + "] MD5 challenge refused: " + challenge.message());
      }
      login
          .add("AuthType", "MD5")
          .add("Username", credentials.username())
          .add("Key", md5Hex(nonce + credentials.secret().reveal()));
    } else {
      login.add("Username", credentials.username()).add("Secret", credentials.secret().reveal());
    }
    login.addIfPresent("Events", eventMask);
    AmiReply reply = await(send(login.build(), timeout), timeout);
    if (!reply.isSuccess()) {
      throw new AuthenticationException(
          "["
              + name
              + "] login as '"
              + credentials.username()
              + "' refused: "
              + reply.message()
              + "; check the user and secret in manager.conf"
              + (md5 ? " (MD5 login needs a plain 'secret' there)" : ""));
    }
  }

  /**
   * Sends an action and returns its reply.
   *
   * @param action the action
   * @param timeout how long to wait for the reply
   * @return a future completed with the reply (also an error reply), or failed with {@link
   *     AdapterTimeoutException} or {@link AdapterConnectionException}
   */
  public CompletableFuture<AmiReply> send(AmiAction action, Duration timeout) {
    return send(action, nextActionId(), timeout);
  }

  /**
   * Sends an action with a chosen ActionID (an Originate whose {@code OriginateResponse} must be
   * matched by it).
   *
   * @param action the action
   * @param actionId an id not used by any pending action
   * @param timeout how long to wait for the reply
   * @return a future completed with the reply
   */
  public CompletableFuture<AmiReply> send(AmiAction action, String actionId, Duration timeout) {
    return write(action, actionId, timeout, false);
  }

  /**
   * Sends a list action ({@code CoreShowChannels}, {@code Status}, ...) and returns the reply with
   * the events up to {@code EventList: Complete}.
   *
   * @param action the action
   * @param timeout how long to wait for the whole list
   * @return a future completed with the reply and its items
   */
  public CompletableFuture<AmiReply> sendList(AmiAction action, Duration timeout) {
    return write(action, nextActionId(), timeout, true);
  }

  /**
   * Logs off politely: sends {@code Logoff} and waits at most {@code wait} for {@code Goodbye}.
   * Never throws.
   *
   * @param wait the longest wait
   */
  public void logoff(Duration wait) {
    closing = true;
    if (!link.isOpen()) {
      return;
    }
    try {
      send(AmiAction.of("Logoff").build(), wait).get(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.debug("[{}] no Goodbye to Logoff: {}", name, e.toString());
    }
  }

  /**
   * Tells whether the link is open.
   *
   * @return false once closed either way
   */
  public boolean isOpen() {
    return link.isOpen();
  }

  /**
   * Returns how many actions wait for a reply.
   *
   * @return pending actions
   */
  public int pending() {
    return correlator.size();
  }

  /** Closes the link and fails pending actions. Never blocks for long; idempotent. */
  @Override
  public void close() {
    closing = true;
    link.close();
    failPending(new AdapterConnectionException("[" + name + "] AMI connection closed"));
  }

  private CompletableFuture<AmiReply> write(
      AmiAction action, String actionId, Duration timeout, boolean list) {
    Objects.requireNonNull(action, "action");
    CompletableFuture<AmiReply> reply;
    try {
      reply = correlator.register(actionId, action.name(), timeout);
    } catch (IllegalStateException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (list) {
      lists.put(actionId, new ListCollector());
      reply.whenComplete((r, e) -> lists.remove(actionId));
    }
    if (log.isDebugEnabled()) {
      log.debug("[{}] >>> {} ActionID={}", name, action, actionId);
    }
    try {
      link.send(action.toWireBytes(actionId));
    } catch (RuntimeException e) {
      correlator.fail(actionId, e);
    }
    // Hand completion to another thread: whoever chains on this future must not run on (or block)
    // the reader thread that completes the correlator.
    CompletableFuture<AmiReply> out = new CompletableFuture<>();
    reply.whenCompleteAsync(
        (r, e) -> {
          if (e != null) {
            out.completeExceptionally(e);
          } else {
            out.complete(r);
          }
        },
        completions);
    return out;
  }

  private String nextActionId() {
    return "sa-" + nextId.incrementAndGet();
  }

  private void failPending(Throwable cause) {
    banner.completeExceptionally(cause);
    correlator.failAll(cause);
    lists.clear();
  }

  private static <T> T await(CompletableFuture<T> f, Duration timeout) {
    try {
      return f.get(timeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      throw new AdapterConnectionException(String.valueOf(c.getMessage()), c);
    } catch (TimeoutException e) {
      throw new AdapterTimeoutException(
          "AMI login got no reply within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdapterConnectionException("interrupted while logging in", e);
    }
  }

  static String md5Hex(String text) {
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      return HexFormat.of().formatHex(md5.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is not available in this JVM", e);
    }
  }

  /** The events of one list action so far. */
  private static final class ListCollector {
    volatile AmiFrame response;
    final List<AmiFrame> items = new ArrayList<>();
  }

  /** Runs on the reader thread: routes each frame, never blocks. */
  private final class Reader implements FramedConnection.Listener<AmiFrame> {
    @Override
    public void onFrame(AmiFrame frame) {
      switch (frame.type()) {
        case EVENT -> onEventFrame(frame);
        case RESPONSE -> onResponse(frame);
        case BANNER -> banner.complete(frame);
        default -> {
          log.debug("[{}] ignored packet {}", name, frame);
          listener.onEvent(frame);
        }
      }
    }

    private void onResponse(AmiFrame frame) {
      String id = frame.getOrDefault("ActionID", "");
      if (log.isDebugEnabled()) {
        log.debug("[{}] <<< {}", name, frame);
      }
      ListCollector list = lists.get(id);
      if (list != null && frame.valueEqualsIgnoreCase("Response", "Success")) {
        list.response = frame;
        return;
      }
      if (!correlator.complete(id, new AmiReply(frame, List.of()))) {
        log.debug("[{}] late or unknown reply ActionID={}", name, id);
      }
    }

    private void onEventFrame(AmiFrame frame) {
      if (!lists.isEmpty()) {
        String id = frame.getOrDefault("ActionID", "");
        ListCollector list = id.isEmpty() ? null : lists.get(id);
        if (list != null) {
          if (frame.valueEqualsIgnoreCase("EventList", "Complete")) {
            AmiFrame response = list.response != null ? list.response : frame;
            correlator.complete(id, new AmiReply(response, list.items));
          } else {
            list.items.add(frame);
          }
          return;
        }
      }
      listener.onEvent(frame);
    }

    @Override
    public void onMalformed(String reason) {
      listener.onMalformed(reason);
    }

    @Override
    public void onClosed(Throwable cause) {
      failPending(
          new AdapterConnectionException(
              "[" + name + "] AMI link lost: " + cause.getMessage(), cause));
      if (!closing) {
        listener.onClosed(cause);
      }
    }
  }
}
