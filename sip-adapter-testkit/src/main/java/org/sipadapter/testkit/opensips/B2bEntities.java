package org.sipadapter.testkit.opensips;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.sipadapter.testkit.emulator.JsonRpcEmulator.RpcError;

/**
 * The b2b_entities module of an {@link OpenSipsEmulator}: UA sessions over MI ({@code
 * ua_session_client_start}, {@code ua_session_update}, {@code ua_session_reply}, {@code
 * ua_session_terminate}, {@code ua_session_list}, {@code b2be_list}) and the {@value
 * OpenSipsEmulator#UA_EVENT} events, as OpenSIPS 3.5.9 shows them in recordings 11-13 and 19.
 *
 * <p>What the recordings show and this reproduces: a start without {@code socket} and without
 * {@code advertised_contact} answers 500; the key is the INVITE's Call-ID (outgoing) or the To tag
 * of OpenSIPS's replies (incoming); no event for OpenSIPS's own ACKs, nor for the BYE of {@code
 * ua_session_terminate}; replies are reported without the {@code r} flag; {@code body} and {@code
 * headers} are null without the {@code b} and {@code h} flags; extra headers go on the wire only
 * when a body is given (without one, {@link #sentRequests} records the request with the unrelated
 * bytes OpenSIPS puts there instead); a rejected outgoing session stays listed in state 1 and its
 * terminate answers 500; an incoming session rejected over MI stays listed in state 7 until
 * terminated.
 *
 * <p>The far end of an outgoing session is played here: by default a request URI user {@code busy}
 * answers 486 at once, {@code noanswer} rings for ever, a URI at OpenSIPS's own socket gets the
 * script's stateless 404, and anything else rings and answers with SDP; {@link #callee} changes
 * that. Not recorded and modelled on SIP: a terminate of a ringing outgoing session sends CANCEL
 * (the far end's 487 is a REJECTED event), a re-INVITE is answered with the mirrored direction, an
 * INFO with 200, a far end's BYE is a TERMINATED event, a REFER is followed at once (202, then a
 * NOTIFY with the outcome): a {@code Replaces} naming an answered session of this OpenSIPS ends
 * that session with the target's BYE (attended transfer), one naming no such dialog fails with 481.
 *
 * <p>Thread-safe. Far-end replies run on one thread of their own, in order, racing the MI answer as
 * SIP does.
 */
public final class B2bEntities {

  /** What the far end of an outgoing UA session does with the INVITE. */
  public enum Callee {
    /** 180, then 200 with SDP. */
    ANSWERS,
    /** 486 Busy Here at once. */
    BUSY,
    /** 180 and nothing more. */
    RINGS,
    /** The proxy's own stateless 404 Not Found (the request URI is OpenSIPS itself). */
    NOT_FOUND
  }

  /**
   * A SIP request OpenSIPS sent for a session.
   *
   * @param key the session
   * @param method the method
   * @param headers the extra headers as they went on the wire (see the class comment)
   * @param body the body, empty for none
   */
  public record SentRequest(String key, String method, String headers, String body) {}

  /** Bytes OpenSIPS 3.5.9 put where extra headers without a body belong (files 11, 19). */
  static final String UNRELATED_BYTES = "nt=0 0\\r\\nm=audio 7078 RTP/AVP 0\\r\\na=";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern KEY = Pattern.compile("B2B\\.\\d+\\.\\d+\\.\\d+\\.\\d+");
  private static final Set<String> START_PARAMS =
      Set.of(
          "ruri",
          "to",
          "from",
          "proxy",
          "body",
          "content_type",
          "extra_headers",
          "flags",
          "socket");
  private static final String SDP_FAR_END =
      "v=0\r\no=uas 1001 %d IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
          + "m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=%s\r\n";
  private static final String OWN = "127.0.0.1:5090";

  private final OpenSipsEmulator os;
  private final Map<String, Session> sessions = new LinkedHashMap<>();
  private final Map<String, Callee> callees = new ConcurrentHashMap<>();
  private final List<SentRequest> sent = new CopyOnWriteArrayList<>();
  private final AtomicLong dlgSeq = new AtomicLong(7465252);
  private final ExecutorService sip =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "opensips-emulator-sip");
            t.setDaemon(true);
            return t;
          });
  private final java.util.concurrent.atomic.AtomicInteger farEndBusy =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile String advertisedContact;
  private final java.util.concurrent.atomic.AtomicInteger damagedReplies =
      new java.util.concurrent.atomic.AtomicInteger();

  /** One UA session; guarded by the module's monitor. */
  private static final class Session {
    String key;
    String callId;
    boolean uac;
    String flags = "";
    String fromDisplay = "";
    String fromUri;
    String fromTag;
    String toDisplay = "";
    String toUri;
    String toTag = "";
    String ruri;
    int state = 1;
    int lastInviteCseq;
    int lastMethod;
    int lastReplyCode;
    int dbFlag;
    int cseqCaller;
    int cseqCallee;
    String contactCaller;
    String contactCallee = "";
    long dlg;
    int sdpVersion = 1;
    int remoteCseq;
    boolean uasPending = true;

    boolean answered() {
      return state == 5;
    }
  }

  B2bEntities(OpenSipsEmulator os) {
    this.os = os;
  }

  /** Runs a far-end step on the SIP thread, counted so tests can await {@link #idle()}. */
  private void farEnd(Runnable step) {
    farEndBusy.incrementAndGet();
    try {
      sip.execute(
          () -> {
            try {
              step.run();
            } finally {
              farEndBusy.decrementAndGet();
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      farEndBusy.decrementAndGet(); // closed
    }
  }

  /**
   * Tells whether every far-end reply and request so far has been played (await it in tests).
   *
   * @return true when nothing is pending
   */
  public boolean idle() {
    return farEndBusy.get() == 0;
  }

  void advertisedContact(String contact) {
    this.advertisedContact = contact;
  }

  // ------------------------------------------------------------------ test hooks

  /**
   * Sets what the far end does for a request URI user.
   *
   * @param user the user part, e.g. {@code 2000}
   * @param behaviour what it does
   */
  public void callee(String user, Callee behaviour) {
    callees.put(user, Objects.requireNonNull(behaviour, "behaviour"));
  }

  /**
   * An INVITE reaches the script's {@code ua_session_server_init($var(key), flags)} (file 13):
   * OpenSIPS sends 100 itself and raises NEW.
   *
   * @param fromUri the caller's From URI
   * @param toUri the request and To URI, e.g. {@code sip:ua-answer@127.0.0.1:5090}
   * @param flags the script's flags, e.g. {@code arhb}
   * @return the session key
   */
  public String incoming(String fromUri, String toUri, String flags) {
    Session s = new Session();
    ThreadLocalRandom r = ThreadLocalRandom.current();
    synchronized (this) {
      s.key = newKey();
      s.uac = false;
      s.flags = flags;
      s.callId = "1-" + r.nextInt(1000, 99999) + "@127.0.0.1";
      s.fromDisplay = user(fromUri);
      s.fromUri = fromUri;
      s.fromTag = r.nextInt(1000, 9999) + "SIPpTag001";
      s.toDisplay = user(toUri);
      s.toUri = toUri;
      s.toTag = s.key;
      s.ruri = toUri;
      s.lastInviteCseq = 1;
      s.dbFlag = 2;
      s.cseqCaller = 1;
      s.cseqCallee = 1;
      s.contactCaller = fromUri;
      s.contactCallee = "sip:" + OWN;
      s.dlg = 330;
      sessions.put(s.key, s);
    }
    String headers =
        "Via: SIP/2.0/UDP 127.0.0.1:5094;branch=z9hG4bK-"
            + r.nextInt(1000, 9999)
            + "-1-0\r\nFrom: "
            + s.fromDisplay
            + " <"
            + fromUri
            + ">;tag="
            + s.fromTag
            + "\r\nTo: "
            + s.toDisplay
            + " <"
            + toUri
            + ">\r\nCall-ID: "
            + s.callId
            + "\r\nCSeq: 1 INVITE\r\nContact: "
            + fromUri
            + "\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\n";
    String sdp =
        "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
            + "t=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    if (!flags.contains("n")) {
      raise(s, "NEW", 0, null, "INVITE", sdp, headers);
    }
    return s.key;
  }

  /**
   * The far end sends BYE on an answered session: TERMINATED, and the session is gone.
   *
   * @param key the session
   * @throws IllegalArgumentException if no answered session has that key
   */
  public void farEndHangup(String key) {
    Session s;
    synchronized (this) {
      s = sessions.get(key);
      if (s == null || !s.answered()) {
        throw new IllegalArgumentException("no answered UA session " + key);
      }
      sessions.remove(key);
    }
    raise(s, "TERMINATED", 0, null, "BYE", "", farEndHeaders(s, "BYE", ++s.remoteCseq));
  }

  /**
   * The next reply event reported with headers carries eight bytes of OpenSIPS's memory in its From
   * header, as a real OpenSIPS 3.5.9 sometimes sends (seen on a 180 of a UA session started over
   * MI): {@code <sip:1000@127.0.} then {@code 10 d0 63 72 42 7f 00 00} then {@code padapter=...},
   * raw in the JSON string, in place of the bytes {@code 0.1;x-si}.
   */
  public void damageNextReplyHeaders() {
    damagedReplies.incrementAndGet();
  }

  /** Drops every session without a word on the wire (between tests). */
  public synchronized void clear() {
    sessions.clear();
  }

  /**
   * The keys of the sessions listed now.
   *
   * @return the keys, oldest first
   */
  public synchronized List<String> keys() {
    return List.copyOf(sessions.keySet());
  }

  /**
   * Counts the sessions that hold a call: ringing or answered, not rejected.
   *
   * @return the count
   */
  public synchronized int live() {
    int n = 0;
    for (Session s : sessions.values()) {
      boolean failed = s.uac ? s.lastReplyCode >= 300 : s.state == 7;
      n += failed ? 0 : 1;
    }
    return n;
  }

  /**
   * A session's b2b state as {@code ua_session_list} shows it (1 new, 5 established, 7 rejected).
   *
   * @param key the session
   * @return the state, or empty when it is not listed
   */
  public synchronized Optional<Integer> state(String key) {
    return Optional.ofNullable(sessions.get(key)).map(s -> s.state);
  }

  /**
   * The requests OpenSIPS sent for a session, oldest first (initial INVITE included).
   *
   * @param key the session
   * @return the requests
   */
  public List<SentRequest> sentRequests(String key) {
    return sent.stream().filter(r -> r.key().equals(key)).toList();
  }

  // ------------------------------------------------------------------ MI commands

  Object clientStart(JsonNode p) throws RpcError {
    ObjectNode n = OpenSipsEmulator.named(p, "ruri", "to", "from");
    for (var it = n.fieldNames(); it.hasNext(); ) {
      if (!START_PARAMS.contains(it.next())) {
        throw OpenSipsEmulator.invalidParams("Named parameters do not match");
      }
    }
    String socket = n.path("socket").asText("");
    String adv = advertisedContact;
    if (socket.isEmpty() && adv == null) {
      // log: 'advertised_contact' parameter required
      throw new RpcError(500, "Failed to start session");
    }
    Session s = new Session();
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String body = n.path("body").asText("");
    synchronized (this) {
      s.key = newKey();
      s.callId = s.key;
      s.uac = true;
      s.flags = n.path("flags").asText("");
      String from = n.get("from").asText();
      int comma = from.indexOf(',');
      if (comma > 0 && !from.startsWith("sip")) {
        s.fromDisplay = from.substring(0, comma);
        s.fromUri = from.substring(comma + 1);
      } else {
        s.fromUri = from;
      }
      s.toUri = n.get("to").asText();
      s.ruri = n.get("ruri").asText();
      s.fromTag = Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong()) + "-4a11";
      s.lastInviteCseq = 2;
      s.lastMethod = 1;
      s.cseqCaller = 2;
      s.contactCaller = socket.isEmpty() ? adv : "sip:" + socket.substring(socket.indexOf(':') + 1);
      sessions.put(s.key, s);
    }
    record(s, "INVITE", n, body);
    Callee c = calleeOf(s.ruri);
    farEnd(() -> farEndAnswers(s, c));
    return s.key;
  }

  private void farEndAnswers(Session s, Callee c) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String tag = r.nextInt(1000, 9999) + "SIPpTag011";
    switch (c) {
      case BUSY -> reply(s, tag, 486, "Busy Here", "REJECTED", "", false);
      case NOT_FOUND ->
          reply(
              s, "a4e6." + Long.toHexString(r.nextLong()), 404, "Not Found", "REJECTED", "", true);
      case RINGS -> reply(s, tag, 180, "Ringing", "EARLY", "", false);
      case ANSWERS -> {
        reply(s, tag, 180, "Ringing", "EARLY", "", false);
        synchronized (this) {
          if (sessions.get(s.key) != s || s.lastReplyCode >= 300) {
            return; // cancelled meanwhile
          }
          s.state = 5;
          s.dbFlag = 2;
          s.cseqCallee = 1;
          s.lastMethod = 4; // OpenSIPS ACKed the 200
          s.contactCallee = "sip:" + user(s.ruri) + "@" + hostPort(s.ruri) + ";transport=UDP";
        }
        reply(s, tag, 200, "OK", "ANSWERED", sdp(s, "sendrecv"), false);
      }
    }
  }

  /** A far-end reply to the session's INVITE. */
  private void reply(
      Session s, String tag, int code, String reason, String type, String body, boolean own) {
    String headers;
    synchronized (this) {
      if (sessions.get(s.key) != s) {
        return;
      }
      if (code >= 300) {
        s.lastReplyCode = code;
      } else {
        s.toTag = code >= 200 ? tag : s.toTag;
      }
      headers = replyHeaders(s, tag, s.lastInviteCseq, "INVITE", code, body, own);
    }
    raise(s, type, code, reason, "INVITE", body, headers);
  }

  Object update(JsonNode p) throws RpcError {
    ObjectNode n = OpenSipsEmulator.named(p, "key", "method");
    String method = n.get("method").asText();
    String body = n.has("body") ? n.get("body").asText() : null;
    Session s;
    int cseq;
    synchronized (this) {
      s = sessions.get(n.get("key").asText());
      if (s == null || !s.answered()) {
        throw new RpcError(500, "Failed to send sequential request");
      }
      cseq = ++s.cseqCaller;
      if (method.equals("INVITE")) {
        s.lastInviteCseq = cseq;
      }
    }
    SentRequest request = record(s, method, n, body == null ? "" : body);
    String direction =
        body != null && body.contains("a=sendonly")
            ? "recvonly"
            : body != null && body.contains("a=inactive") ? "inactive" : "sendrecv";
    farEnd(
        () -> {
          switch (method) {
            case "INVITE" -> {
              String answer;
              synchronized (this) {
                s.sdpVersion++;
                answer = sdp(s, direction);
              }
              raiseReply(s, cseq, method, 200, "OK", "ANSWERED", answer);
            }
            case "REFER" -> {
              raiseReply(s, cseq, method, 202, "Accepted", "ANSWERED", "");
              String outcome = farEndFollowsRefer(request.headers());
              String notify;
              synchronized (this) {
                notify = farEndHeaders(s, "NOTIFY", ++s.remoteCseq);
              }
              raise(
                  s,
                  "UPDATED",
                  0,
                  null,
                  "NOTIFY",
                  outcome,
                  notify
                      + "Event: refer\r\nSubscription-State: terminated;reason=noresource\r\n"
                      + "Content-Type: message/sipfrag;version=2.0\r\nContent-Length:    "
                      + outcome.length()
                      + "\r\n");
            }
            default -> raiseReply(s, cseq, method, 200, "OK", "ANSWERED", "");
          }
        });
    return "OK";
  }

  private void raiseReply(
      Session s, int cseq, String method, int code, String reason, String type, String body) {
    String headers;
    synchronized (this) {
      if (sessions.get(s.key) != s) {
        return;
      }
      headers = replyHeaders(s, s.toTag, cseq, method, code, body, false);
    }
    raise(s, type, code, reason, method, body, headers);
  }

  Object reply(JsonNode p) throws RpcError {
    ObjectNode n = OpenSipsEmulator.named(p, "key", "method", "code");
    String method = n.get("method").asText();
    int code = n.get("code").asInt();
    Session s;
    synchronized (this) {
      s = sessions.get(n.get("key").asText());
      if (s == null) {
        throw new RpcError(500, "Failed to send reply");
      }
      if (!method.equals("INVITE")) {
        return "OK"; // e.g. the 200 to a NOTIFY
      }
      if (s.uac || !s.uasPending) {
        throw new RpcError(500, "Failed to send reply");
      }
      if (code < 200) {
        return "OK";
      }
      s.uasPending = false;
      s.lastReplyCode = code;
      s.state = code < 300 ? 5 : 7;
    }
    // The caller ACKs OpenSIPS's final reply; reported with the a flag.
    if (s.flags.contains("a")) {
      farEnd(() -> raise(s, "UPDATED", 0, null, "ACK", "", farEndHeaders(s, "ACK", s.cseqCaller)));
    }
    return "OK";
  }

  Object terminate(JsonNode p) throws RpcError {
    ObjectNode n = OpenSipsEmulator.named(p, "key");
    Session s;
    synchronized (this) {
      s = sessions.get(n.get("key").asText());
      if (s == null) {
        throw new RpcError(500, "Failed to terminate session");
      }
      if (s.uac && !s.answered()) {
        if (s.lastReplyCode >= 300) {
          s.lastMethod = 2; // the CANCEL it tried cannot go out: the transaction is over
          throw new RpcError(500, "Failed to terminate session");
        }
        s.lastMethod = 2;
      } else {
        sessions.remove(s.key);
      }
    }
    if (s.uac && !s.answered()) {
      record(s, "CANCEL", NODES.objectNode(), "");
      farEnd(() -> reply(s, "", 487, "Request Terminated", "REJECTED", "", false));
    } else if (s.answered()) {
      record(s, "BYE", n, "");
    }
    return "OK";
  }

  Object list(JsonNode p) throws RpcError {
    ObjectNode n = OpenSipsEmulator.named(p);
    synchronized (this) {
      if (n.has("key")) {
        String key = n.get("key").asText();
        if (!KEY.matcher(key).matches()) {
          throw new RpcError(400, "Bad format for b2b key");
        }
        Session s = sessions.get(key);
        if (s == null) {
          throw new RpcError(404, "Entity not found");
        }
        return json(s);
      }
      List<Object> out = new ArrayList<>();
      sessions.values().forEach(s -> out.add(json(s)));
      return out;
    }
  }

  private static Map<String, Object> json(Session s) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("dlg", s.dlg);
    o.put("logic_key", "");
    o.put("mod_name", "b2b_entities");
    o.put("state", s.state);
    o.put("last_invite_cseq", s.lastInviteCseq);
    o.put("last_method", s.lastMethod);
    if (!s.uac && s.lastReplyCode > 0) {
      o.put("last_reply_code", s.lastReplyCode);
    }
    o.put("db_flag", s.dbFlag);
    if (!s.uac) {
      o.put("ruri", s.ruri);
    }
    o.put("callid", s.callId);
    o.put("from", s.fromDisplay);
    o.put("from_uri", s.fromUri);
    o.put("from_tag", s.fromTag);
    o.put("to", s.uac || s.state == 7 ? "" : s.toDisplay);
    o.put("to_uri", s.toUri);
    o.put("to_tag", s.toTag);
    Map<String, Object> cseq = new LinkedHashMap<>();
    cseq.put("caller", s.cseqCaller);
    cseq.put("callee", s.cseqCallee);
    o.put("cseq", cseq);
    Map<String, Object> contact = new LinkedHashMap<>();
    contact.put("caller", s.contactCaller);
    contact.put("callee", s.contactCallee);
    o.put("contact", contact);
    o.put("send_sock", "127.0.0.1");
    if (s.uac && s.answered()) {
      Map<String, Object> leg = new LinkedHashMap<>();
      leg.put("id", 0);
      leg.put("tag", s.toTag);
      leg.put("cseq", 2);
      leg.put("contact", s.contactCallee);
      o.put("LEGS", List.of(leg));
    }
    if (!s.uac && s.uasPending) {
      o.put("tm_tran", "uas");
    }
    return o;
  }

  // ------------------------------------------------------------------ wire pieces

  private void raise(
      Session s, String type, int status, String reason, String method, String body, String hdrs) {
    ObjectNode p = NODES.objectNode();
    p.put("key", s.key);
    p.put("event_type", type);
    p.put("entity_type", s.uac ? "UAC" : "UAS");
    p.put("status", status);
    if (reason == null) {
      p.putNull("reason");
    } else {
      p.put("reason", reason);
    }
    p.put("method", method);
    if (s.flags.contains("b")) {
      p.put("body", body);
    } else {
      p.putNull("body");
    }
    if (s.flags.contains("h")) {
      p.put("headers", hdrs);
    } else {
      p.putNull("headers");
    }
    if (status >= 100
        && s.flags.contains("h")
        && damagedReplies.getAndUpdate(n -> Math.max(n - 1, 0)) > 0) {
      os.raise(OpenSipsEmulator.UA_EVENT, p, B2bEntities::damageFrom);
    } else {
      os.raise(OpenSipsEmulator.UA_EVENT, p);
    }
  }

  /** Eight bytes of a pointer over {@code 0.1;x-si} of the From header (see above). */
  private static byte[] damageFrom(byte[] json) {
    String text = new String(json, java.nio.charset.StandardCharsets.ISO_8859_1);
    int from = text.indexOf("From: ");
    int at = from < 0 ? -1 : text.indexOf(';', from);
    if (at < 3) {
      return json;
    }
    byte[] out = json.clone();
    byte[] pointer = {0x10, (byte) 0xd0, 0x63, 0x72, 0x42, 0x7f, 0x00, 0x00};
    System.arraycopy(pointer, 0, out, at - 3, Math.min(pointer.length, out.length - (at - 3)));
    return out;
  }

  /**
   * The far end follows a REFER: with {@code Replaces} in its {@code Refer-To} it calls the target,
   * which replaces the dialog named there: when that is an answered session of OpenSIPS's, the
   * target ends it with BYE (TERMINATED) and the transfer succeeds; a dialog it does not know fails
   * the transfer with 481. Without Replaces (a blind transfer) the target answers.
   *
   * @return the sipfrag of the final NOTIFY
   */
  private String farEndFollowsRefer(String headersOnWire) {
    java.util.regex.Matcher m =
        Pattern.compile("[?&]Replaces=([^>&\\r\\n]*)").matcher(headersOnWire);
    if (!m.find()) {
      return "SIP/2.0 200 OK\r\n";
    }
    String replaces =
        java.net.URLDecoder.decode(m.group(1), java.nio.charset.StandardCharsets.UTF_8);
    String[] parts = replaces.split(";");
    String callId = parts[0];
    String toTag = "";
    String fromTag = "";
    for (String part : parts) {
      if (part.startsWith("to-tag=")) {
        toTag = part.substring(7);
      } else if (part.startsWith("from-tag=")) {
        fromTag = part.substring(9);
      }
    }
    Session replaced = null;
    synchronized (this) {
      for (Session c : sessions.values()) {
        if (c.callId.equals(callId)
            && c.answered()
            && c.toTag.equals(toTag)
            && c.fromTag.equals(fromTag)) {
          replaced = c;
        }
      }
      if (replaced != null) {
        sessions.remove(replaced.key);
      }
    }
    if (replaced == null) {
      return "SIP/2.0 481 Call/Transaction Does Not Exist\r\n";
    }
    Session r = replaced;
    raise(r, "TERMINATED", 0, null, "BYE", "", farEndHeaders(r, "BYE", ++r.remoteCseq));
    return "SIP/2.0 200 OK\r\n";
  }

  /** Records a request; extra headers reach the wire only with a body (ua_build_hdrs). */
  private SentRequest record(Session s, String method, JsonNode n, String body) {
    String extra = n.path("extra_headers").asText("");
    String onWire =
        extra.isEmpty()
            ? ""
            : n.has("body") ? "Content-Type: application/sdp\r\n" + extra : UNRELATED_BYTES;
    SentRequest r = new SentRequest(s.key, method, onWire, body);
    sent.add(r);
    return r;
  }

  private static String replyHeaders(
      Session s, String tag, int cseq, String method, int code, String body, boolean own) {
    String from =
        (s.fromDisplay.isEmpty() ? "" : s.fromDisplay + " ")
            + "<"
            + s.fromUri
            + ">;tag="
            + s.fromTag;
    StringBuilder h = new StringBuilder();
    h.append("Via: SIP/2.0/UDP ")
        .append(OWN)
        .append(";branch=z9hG4bK")
        .append(cseq)
        .append(".0\r\n");
    if (own) {
      h.append("To: <").append(s.toUri).append(">;tag=").append(tag).append("\r\n");
      h.append("From: ").append(from).append("\r\n");
    } else {
      h.append("From: ").append(from).append("\r\n");
      h.append("To: <").append(s.toUri).append(">;tag=").append(tag).append("\r\n");
    }
    h.append("Call-ID: ").append(s.callId).append("\r\n");
    h.append("CSeq: ").append(cseq).append(' ').append(method).append("\r\n");
    if (own) {
      h.append("Server: ").append(OpenSipsEmulator.VERSION).append("\r\n");
    } else if (code < 300) {
      h.append("Contact: <sip:")
          .append(user(s.ruri))
          .append('@')
          .append(hostPort(s.ruri))
          .append(";transport=UDP>\r\n");
    }
    if (!body.isEmpty()) {
      h.append("Content-Type: application/sdp\r\n");
    }
    h.append("Content-Length: ").append(body.isEmpty() ? "0" : "  " + body.length()).append("\r\n");
    return h.toString();
  }

  /** Headers of a request the far end sends in the session (BYE, NOTIFY, ACK). */
  private static String farEndHeaders(Session s, String method, int cseq) {
    String from =
        (s.fromDisplay.isEmpty() ? "" : s.fromDisplay + " ")
            + "<"
            + s.fromUri
            + ">;tag="
            + s.fromTag;
    String far = "<" + s.toUri + ">;tag=" + s.toTag;
    return "Via: SIP/2.0/UDP 127.0.0.1:5091;branch=z9hG4bK-"
        + cseq
        + "\r\nFrom: "
        + (s.uac ? far : from)
        + "\r\nTo: "
        + (s.uac ? from : far)
        + "\r\nCall-ID: "
        + s.callId
        + "\r\nCSeq: "
        + cseq
        + " "
        + method
        + "\r\nMax-Forwards: 70\r\n";
  }

  private static String sdp(Session s, String direction) {
    return String.format(SDP_FAR_END, s.sdpVersion, direction);
  }

  private Callee calleeOf(String ruri) {
    String user = user(ruri);
    Callee c = callees.get(user);
    if (c != null) {
      return c;
    }
    if (hostPort(ruri).equals(OWN)) {
      return Callee.NOT_FOUND;
    }
    return switch (user) {
      case "busy" -> Callee.BUSY;
      case "noanswer" -> Callee.RINGS;
      default -> Callee.ANSWERS;
    };
  }

  private String newKey() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "B2B."
        + r.nextInt(1, 1024)
        + "."
        + dlgSeq.incrementAndGet()
        + "."
        + os.epochSeconds()
        + "."
        + r.nextInt(1, Integer.MAX_VALUE);
  }

  static String user(String uri) {
    String rest = uri.replaceFirst("^sips?:", "");
    int at = rest.indexOf('@');
    return at < 0 ? "" : rest.substring(0, at);
  }

  static String hostPort(String uri) {
    String rest = uri.replaceFirst("^sips?:", "");
    rest = rest.substring(rest.indexOf('@') + 1);
    int semi = rest.indexOf(';');
    return semi < 0 ? rest : rest.substring(0, semi);
  }

  void close() {
    sip.shutdownNow();
  }
}
