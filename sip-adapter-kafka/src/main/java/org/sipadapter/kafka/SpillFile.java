package org.sipadapter.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spill directory of one {@link KafkaEventPublisher}: terminal events and call records that
 * found the buffer full (or the publisher closing) are appended here, one JSON line each, and sent
 * again once Kafka takes messages; what a previous run left is sent by the next.
 *
 * <p>Lines go into numbered segment files ({@code spill-<n>.jsonl}). The sender takes the oldest
 * segment whole, hands its messages to the producer and deletes the file once every one of them has
 * been acknowledged or put back into the buffer or a newer segment; a crash in between sends them
 * again (delivery stays at least once, the {@code eventId} is kept). A lock file keeps a second
 * publisher out of the directory. Appends are not forced to the disk one by one: they survive the
 * process, and {@link #close()} forces them.
 */
final class SpillFile implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SpillFile.class);
  private static final Pattern SEGMENT = Pattern.compile("spill-(\\d{1,18})\\.jsonl");

  /** How many lines one segment holds before appends go to the next. */
  static final int SEGMENT_LINES = 1_000;

  /** One segment taken for sending, with the messages it held. */
  record Segment(Path file, List<Outgoing> messages) {}

  private final Path directory;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final TreeMap<Long, Path> segments = new TreeMap<>();
  private long nextNumber;
  private long current = -1;
  private BufferedWriter writer;
  private FileChannel writerChannel;
  private int currentLines;
  private long pending;

  /**
   * Opens (and creates) the directory, takes its lock and counts what a previous run left.
   *
   * @throws IllegalStateException if the directory cannot be used or another publisher holds it
   */
  SpillFile(Path directory) {
    this.directory = directory;
    try {
      Files.createDirectories(directory);
      lockChannel =
          FileChannel.open(
              directory.resolve("spill.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot use the spill directory " + directory + ": " + e.getMessage(), e);
    }
    FileLock l;
    try {
      l = lockChannel.tryLock();
    } catch (IOException | OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      closeQuietly(lockChannel);
      throw new IllegalStateException(
          "the spill directory "
              + directory
              + " is in use by another publisher; give each its own");
    }
    lock = l;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "spill-*.jsonl")) {
      for (Path f : files) {
        Matcher m = SEGMENT.matcher(f.getFileName().toString());
        if (m.matches()) {
          long n = Long.parseLong(m.group(1));
          segments.put(n, f);
          nextNumber = Math.max(nextNumber, n + 1);
          try (var lines = Files.lines(f, StandardCharsets.UTF_8)) {
            pending += lines.filter(s -> !s.isBlank()).count();
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      close();
      throw new IllegalStateException(
          "cannot read the spill directory " + directory + ": " + e.getMessage(), e);
    }
    if (pending > 0) {
      LOG.info("{} messages left in {} by an earlier run will be sent", pending, directory);
    }
  }

  /** Returns the directory. */
  Path directory() {
    return directory;
  }

  /**
   * Appends a message.
   *
   * @return false if it could not be written (the caller logs it instead)
   */
  synchronized boolean append(Outgoing m) {
    if (lockChannel == null || !lockChannel.isOpen()) {
      return false;
    }
    ObjectNode line = EventSchema.JSON.createObjectNode();
    line.put("topic", m.topic());
    line.put("key", m.key());
    line.put("value", m.json());
    try {
      if (writer == null || currentLines >= SEGMENT_LINES) {
        openNextSegment();
      }
      writer.write(EventSchema.JSON.writeValueAsString(line));
      writer.write('\n');
      writer.flush();
      currentLines++;
      pending++;
      return true;
    } catch (IOException e) {
      LOG.error("cannot write to the spill file in {}: {}", directory, e.toString());
      return false;
    }
  }

  private void openNextSegment() throws IOException {
    closeWriter();
    long n = nextNumber++;
    Path f = directory.resolve(String.format("spill-%018d.jsonl", n));
    writerChannel = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    writerChannel.position(writerChannel.size());
    writer =
        new BufferedWriter(
            new OutputStreamWriter(
                Channels.newOutputStream(writerChannel), StandardCharsets.UTF_8));
    segments.put(n, f);
    current = n;
    currentLines = 0;
  }

  private void closeWriter() throws IOException {
    if (writer != null) {
      writer.flush();
      writerChannel.force(false);
      writer.close();
      writer = null;
      writerChannel = null;
      current = -1;
    }
  }

  /** Returns how many messages wait in the files. */
  synchronized long pending() {
    return pending;
  }

  /**
   * Takes the oldest segment for sending; later appends go to a newer one.
   *
   * @return the segment, or null if there is none
   */
  synchronized Segment takeOldest() {
    if (segments.isEmpty()) {
      return null;
    }
    long n = segments.firstKey();
    Path f = segments.get(n);
    try {
      if (n == current) {
        closeWriter();
      }
      List<Outgoing> messages = new ArrayList<>();
      int unreadable = 0;
      for (String s : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        if (s.isBlank()) {
          continue;
        }
        Outgoing m = parse(s);
        if (m == null) {
          unreadable++;
        } else {
          messages.add(m);
        }
      }
      if (unreadable > 0) {
        // A line cut short by a crash mid-write; the rest of the file is still sent.
        LOG.warn("{} unreadable lines skipped in {}", unreadable, f);
        pending -= unreadable;
      }
      segments.remove(n);
      return new Segment(f, messages);
    } catch (IOException e) {
      LOG.error("cannot read the spill file {}: {}", f, e.toString());
      return null;
    }
  }

  private static Outgoing parse(String line) {
    try {
      JsonNode n = EventSchema.JSON.readTree(line);
      if (n.path("topic").isTextual() && n.path("value").isTextual()) {
        return Outgoing.serialised(
            n.get("topic").asText(), n.path("key").asText(null), n.get("value").asText());
      }
    } catch (IOException e) {
      // counted by the caller
    }
    return null;
  }

  /** Deletes a segment whose messages have all been dealt with. */
  synchronized void done(Segment segment) {
    pending -= segment.messages().size();
    try {
      Files.deleteIfExists(segment.file());
    } catch (IOException e) {
      LOG.error(
          "cannot delete the sent spill file {}; its messages will be sent again on the next"
              + " start: {}",
          segment.file(),
          e.toString());
    }
  }

  /** Forces and closes the current segment and releases the directory. */
  @Override
  public synchronized void close() {
    try {
      closeWriter();
    } catch (IOException e) {
      LOG.error("cannot close the spill file in {}: {}", directory, e.toString());
    }
    try {
      if (lock != null && lock.isValid()) {
        lock.release();
      }
    } catch (IOException e) {
      // the channel's close below releases it too
    }
    closeQuietly(lockChannel);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (Exception e) {
      // nothing left to do
    }
  }
}
