package org.sipadapter.testkit.tck;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event of the {@code org.sipadapter} loggers (and of extra logger names) at
 * TRACE, rendered with arguments, MDC and exception chains, so a test can search the text. Restores
 * the previous levels on {@link #close()}.
 *
 * <p>Works when Logback is the SLF4J backend; {@link #start(String...)} returns empty otherwise
 * (Logback is an optional dependency of the testkit).
 */
public final class LogCapture implements AutoCloseable {

  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final List<Logger> loggers = new ArrayList<>();
  private final List<Level> previousLevels = new ArrayList<>();
  private final List<Boolean> previousAdditivity = new ArrayList<>();

  private LogCapture() {}

  /**
   * Starts capturing {@code org.sipadapter} and the given logger names.
   *
   * @param extraLoggers more logger names (e.g. an adapter's package outside {@code
   *     org.sipadapter})
   * @return the capture, or empty when Logback is not the SLF4J backend
   */
  public static Optional<LogCapture> start(String... extraLoggers) {
    if (!logbackPresent()) {
      return Optional.empty();
    }
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return Optional.empty();
    }
    LogCapture capture = new LogCapture();
    capture.appender.setContext(context);
    capture.appender.setName("sipadapter-tck-capture");
    capture.appender.start();
    List<String> names = new ArrayList<>();
    names.add("org.sipadapter");
    names.addAll(List.of(extraLoggers));
    for (String name : names) {
      Logger logger = context.getLogger(name);
      capture.loggers.add(logger);
      capture.previousLevels.add(logger.getLevel());
      capture.previousAdditivity.add(logger.isAdditive());
      logger.setLevel(Level.TRACE);
      logger.addAppender(capture.appender);
    }
    return Optional.of(capture);
  }

  private static boolean logbackPresent() {
    try {
      Class.forName(
          "ch.qos.logback.classic.LoggerContext", false, LogCapture.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Returns each captured event as text: level, logger, message, MDC and exception chain. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(appender.list)) {
      StringBuilder b = new StringBuilder();
      b.append(e.getLevel()).append(' ').append(e.getLoggerName()).append(' ');
      b.append(e.getFormattedMessage());
      if (!e.getMDCPropertyMap().isEmpty()) {
        b.append(' ').append(e.getMDCPropertyMap());
      }
      if (e.getKeyValuePairs() != null) {
        b.append(' ').append(e.getKeyValuePairs());
      }
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        b.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
        for (StackTraceElementProxy s : t.getStackTraceElementProxyArray()) {
          b.append(' ').append(s.getSTEAsString());
        }
      }
      out.add(b.toString());
    }
    return out;
  }

  /** Returns the number of events captured so far. */
  public int size() {
    return appender.list.size();
  }

  /** Stops capturing and restores the loggers' levels. */
  @Override
  public void close() {
    for (int i = 0; i < loggers.size(); i++) {
      Logger logger = loggers.get(i);
      logger.detachAppender(appender);
      logger.setLevel(previousLevels.get(i));
      logger.setAdditive(previousAdditivity.get(i));
    }
    appender.stop();
  }
}
