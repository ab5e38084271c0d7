package org.sipadapter.yate.extmodule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExtEscapingTest {

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void everyByteValueSurvivesARoundTrip() {
    for (int b = 0; b < 256; b++) {
      byte[] raw = {'a', (byte) b, 'z'};
      byte[] escaped = ExtEscaping.escape(raw);
      assertThat(ExtEscaping.unescape(escaped, 0, escaped.length)).as("byte %d", b).isEqualTo(raw);
    }
  }

  @Test
  void escapedFieldsNeverContainSeparatorsOrLineEnds() {
    byte[] all = new byte[256];
    for (int b = 0; b < 256; b++) {
      all[b] = (byte) b;
    }
    byte[] escaped = ExtEscaping.escape(all);
    for (byte e : escaped) {
      assertThat(e).isNotEqualTo((byte) ':').isNotEqualTo((byte) '\n').isNotEqualTo((byte) '\r');
      assertThat(e & 0xff).isGreaterThanOrEqualTo(0x20);
    }
    assertThat(ExtEscaping.unescape(escaped, 0, escaped.length)).isEqualTo(all);
  }

  @Test
  void controlBytesAndColonUseUpperCaseOffsetEscapesAsYateDoes() {
    assertThat(ExtEscaping.escape("a\nb")).isEqualTo("a%Jb");
    assertThat(ExtEscaping.escape("\r\n")).isEqualTo("%M%J");
    assertThat(ExtEscaping.escape("\u0001\u001f")).isEqualTo("%A%_");
    assertThat(ExtEscaping.escape("sip:bob@10.0.0.9:5060")).isEqualTo("sip%zbob@10.0.0.9%z5060");
    assertThat(ExtEscaping.escape("100%")).isEqualTo("100%%");
    assertThat(ExtEscaping.escape("a=b")).isEqualTo("a=b");
  }

  @Test
  void decodesTheEscapesTheFixturesShow() {
    byte[] in = ascii("javascript%z15,cdrbuild%z50%M%J100%%");
    assertThat(new String(ExtEscaping.unescape(in, 0, in.length), StandardCharsets.UTF_8))
        .isEqualTo("javascript:15,cdrbuild:50\r\n100%");
    byte[] name = ascii("a%}b");
    assertThat(ExtEscaping.unescapeToString(name, 0, name.length)).isEqualTo("a=b");
  }

  @Test
  void upperCaseZIsByte0x1aNotAColon() {
    byte[] in = ascii("%Z");
    assertThat(ExtEscaping.unescape(in, 0, 2)).containsExactly(0x1a);
  }

  @Test
  void invalidEscapesAreRefused() {
    for (String bad : new String[] {"%1bad", "%", "x%", "%a", "%Q%"}) {
      byte[] in = ascii(bad);
      assertThatThrownBy(() -> ExtEscaping.unescape(in, 0, in.length))
          .as(bad)
          .isInstanceOf(ExtFormatException.class);
    }
  }

  @Test
  void randomUtf8TextRoundTrips() {
    Random r = new Random(42);
    for (int i = 0; i < 2000; i++) {
      StringBuilder sb = new StringBuilder();
      for (int j = r.nextInt(30); j > 0; j--) {
        sb.appendCodePoint(r.nextInt(4) == 0 ? r.nextInt(0x80) : r.nextInt(0xd000));
      }
      String s = sb.toString();
      byte[] e = ExtEscaping.escape(s).getBytes(StandardCharsets.UTF_8);
      assertThat(ExtEscaping.unescapeToString(e, 0, e.length)).isEqualTo(s);
    }
  }
}
