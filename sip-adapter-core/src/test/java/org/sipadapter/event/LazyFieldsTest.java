package org.sipadapter.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LazyFieldsTest {

  /** Headers as a frame would hold them; counts how often a value is decoded. */
  private static final class Frame implements LazyFields.Source {
    private final String[] parts;
    final AtomicInteger decoded = new AtomicInteger();
    final List<String> valuesDecoded = new java.util.ArrayList<>();
    String omittedKey = "";

    Frame(String... parts) {
      this.parts = parts;
    }

    @Override
    public boolean omitted(int index) {
      return parts[2 * index].equals(omittedKey);
    }

    @Override
    public int size() {
      return parts.length / 2;
    }

    @Override
    public String key(int index) {
      decoded.incrementAndGet();
      return parts[2 * index];
    }

    @Override
    public String value(int index) {
      decoded.incrementAndGet();
      valuesDecoded.add(parts[2 * index + 1]);
      return parts[2 * index + 1];
    }
  }

  @Test
  void aServerEventKeepsTheMapAndDecodesNothingUntilAFieldIsRead() {
    Frame frame = new Frame("Event", "Cdr", "Channel", "PJSIP/2000-1", "Variable", "a=1");
    Map<String, String> fields = LazyFields.of(frame);

    ServerEvent event = new ServerEvent("a", "asterisk", Instant.EPOCH, null, "Cdr", fields);

    assertThat(event.fields()).isSameAs(fields);
    assertThat(frame.decoded).hasValue(0);
    assertThat(event.fields().get("Channel")).isEqualTo("PJSIP/2000-1");
    int once = frame.decoded.get();
    assertThat(event.fields()).hasSize(3);
    assertThat(event.fields().get("Variable")).isEqualTo("a=1");
    assertThat(frame.decoded).as("decoded once, then read from the copy").hasValue(once);
  }

  @Test
  void keepsTheFirstValueOfARepeatedKeyInWireOrder() {
    Map<String, String> fields =
        LazyFields.of(
            new Frame("Event", "VarSet", "Variable", "a=1", "Value", "x", "Variable", "b"));

    assertThat(fields)
        .containsExactly(
            Map.entry("Event", "VarSet"), Map.entry("Variable", "a=1"), Map.entry("Value", "x"));
    assertThat(fields.containsKey("variable"))
        .as("keys are exact, as in every ServerEvent")
        .isFalse();
    assertThat(fields.get("Missing")).isNull();
  }

  @Test
  void equalsAnOrdinaryMapWithTheSameFieldsAndCannotBeChanged() {
    Map<String, String> fields = LazyFields.of(new Frame("Event", "Cdr", "Duration", "12"));
    Map<String, String> same = new LinkedHashMap<>();
    same.put("Event", "Cdr");
    same.put("Duration", "12");

    assertThat(fields).isEqualTo(same);
    assertThat(fields.hashCode()).isEqualTo(same.hashCode());
    assertThat(new ServerEvent("a", "t", Instant.EPOCH, null, "Cdr", fields))
        .isEqualTo(new ServerEvent("a", "t", Instant.EPOCH, null, "Cdr", same));
    assertThatThrownBy(() -> fields.put("Event", "x"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> fields.entrySet().iterator().next().setValue("x"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> fields.keySet().remove("Event"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(List.copyOf(fields.values())).containsExactly("Cdr", "12");
  }

  @Test
  void headersTheSourceOmitsAreLeftOutAndTheirValuesNeverDecoded() {
    Frame frame = new Frame("Event", "SuccessfulAuth", "Secret", "s3cr3t", "AccountID", "2000");
    frame.omittedKey = "Secret";
    Map<String, String> fields = LazyFields.of(frame);

    assertThat(fields)
        .containsExactly(Map.entry("Event", "SuccessfulAuth"), Map.entry("AccountID", "2000"));
    assertThat(fields.containsKey("Secret")).isFalse();
    assertThat(fields.toString()).doesNotContain("s3cr3t");
    assertThat(frame.valuesDecoded).containsExactly("SuccessfulAuth", "2000");
  }

  @Test
  void concurrentFirstReadersAllSeeTheSameFields() throws Exception {
    java.util.concurrent.ExecutorService readers =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 200; round++) {
        Map<String, String> fields =
            LazyFields.of(new Frame("Event", "Cdr", "Channel", "PJSIP/2000-1", "Duration", "12"));
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(4);
        List<java.util.concurrent.Future<Map<String, String>>> reads = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
          reads.add(
              readers.submit(
                  () -> {
                    start.await(); // all four read the map for the first time together
                    return Map.copyOf(fields);
                  }));
        }
        for (var read : reads) {
          assertThat(read.get(10, java.util.concurrent.TimeUnit.SECONDS))
              .isEqualTo(Map.of("Event", "Cdr", "Channel", "PJSIP/2000-1", "Duration", "12"));
        }
      }
    } finally {
      readers.shutdownNow();
    }
  }
}
