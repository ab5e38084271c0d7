package org.sipadapter.yate.extmodule;

import java.util.List;
import java.util.Objects;

/**
 * One line Yate sends to an external module, decoded. The set is closed: every line is one of
 * these, so a mapper's {@code switch} is checked by the compiler.
 */
public sealed interface ExtFrame
    permits ExtFrame.EngineMessage,
        ExtFrame.MessageResult,
        ExtFrame.CommandReply,
        ExtFrame.ErrorIn,
        ExtFrame.Unrecognized {

  /**
   * {@code %%>message:<id>:<time>:<name>:<retval>[:k=v...]}: Yate dispatches a message to a handler
   * this module installed. It must be answered (with {@code %%<message:<id>:...}) whatever happens:
   * the dispatching engine thread waits for the answer or for the module's timeout.
   *
   * @param id Yate's id for the message, echoed in the answer
   * @param time the message time as sent (Unix seconds)
   * @param name the message name, such as {@code call.route}
   * @param retval the return value so far
   * @param params the parameters
   */
  record EngineMessage(String id, String time, String name, String retval, Params params)
      implements ExtFrame {
    /** Checks the components. */
    public EngineMessage {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(retval, "retval");
      Objects.requireNonNull(params, "params");
    }
  }

  /**
   * {@code %%<message:<id>:<processed>:<name>:<retval>[:k=v...]}: the result of a message this
   * module dispatched, or, with an empty id, a notification of a watched message after dispatch
   * (needs no answer).
   *
   * @param id the id this module chose, or empty for a watch notification
   * @param processed whether a handler processed the message
   * @param name the message name
   * @param retval the return value
   * @param params the parameters after dispatch
   */
  record MessageResult(String id, boolean processed, String name, String retval, Params params)
      implements ExtFrame {
    /** Checks the components. */
    public MessageResult {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(retval, "retval");
      Objects.requireNonNull(params, "params");
    }

    /** Returns true for a watch notification (empty id). */
    public boolean isNotification() {
      return id.isEmpty();
    }
  }

  /**
   * The answer to a module command: {@code %%<install:<prio>:<name>:<ok>}, {@code
   * %%<uninstall:<prio>:<name>:<ok>}, {@code %%<watch:<name>:<ok>}, {@code %%<unwatch:<name>:<ok>},
   * {@code %%<setlocal:<name>:<value>:<ok>} or {@code %%<quit}.
   *
   * @param keyword which command
   * @param fields the unescaped fields after the keyword
   */
  record CommandReply(Keyword keyword, List<String> fields) implements ExtFrame {
    /** Copies the fields. */
    public CommandReply {
      Objects.requireNonNull(keyword, "keyword");
      fields = List.copyOf(fields);
    }

    /** Returns true when the last field is {@code true}. */
    public boolean success() {
      return !fields.isEmpty() && fields.get(fields.size() - 1).equals("true");
    }

    /** Returns the name the reply is about (message name or setlocal parameter), or empty. */
    public String subject() {
      int at = keyword.subjectField();
      return at < fields.size() ? fields.get(at) : "";
    }

    /** Returns the value of a {@code setlocal} reply, or empty. */
    public String value() {
      return keyword == Keyword.SETLOCAL && fields.size() > 1 ? fields.get(1) : "";
    }
  }

  /**
   * {@code Error in: <line>}: Yate could not parse a line this module sent; the connection stays
   * usable.
   *
   * @param line the offending line as Yate echoed it
   */
  record ErrorIn(String line) implements ExtFrame {}

  /**
   * A line that is none of the above (a newer Yate's keyword); passed on, never fatal.
   *
   * @param line the whole line
   */
  record Unrecognized(String line) implements ExtFrame {}

  /** The module commands Yate answers. */
  enum Keyword {
    /** {@code %%<install:<prio>:<name>:<ok>}. */
    INSTALL("install", 1),
    /** {@code %%<uninstall:<prio>:<name>:<ok>}. */
    UNINSTALL("uninstall", 1),
    /** {@code %%<watch:<name>:<ok>}. */
    WATCH("watch", 0),
    /** {@code %%<unwatch:<name>:<ok>}. */
    UNWATCH("unwatch", 0),
    /** {@code %%<setlocal:<name>:<value>:<ok>}. */
    SETLOCAL("setlocal", 0),
    /** {@code %%<quit}. */
    QUIT("quit", 0);

    private final String wire;
    private final int subjectField;

    Keyword(String wire, int subjectField) {
      this.wire = wire;
      this.subjectField = subjectField;
    }

    /** Returns the keyword as written on the wire. */
    public String wire() {
      return wire;
    }

    int subjectField() {
      return subjectField;
    }
  }
}
