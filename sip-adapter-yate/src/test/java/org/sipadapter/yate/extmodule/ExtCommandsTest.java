package org.sipadapter.yate.extmodule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExtCommandsTest {

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void messageLineMatchesTheRecordedCallExecute() {
    byte[] line =
        ExtCommands.message(
            "sdk.1",
            1795671577,
            "call.execute",
            "",
            Params.of(
                "callto",
                "dumb/",
                "target",
                "sip9bob",
                "caller",
                "javasdk",
                "callername",
                "Java SDK"));

    assertThat(text(line))
        .isEqualTo(
            "%%>message:sdk.1:1795671577:call.execute::callto=dumb/:target=sip9bob"
                + ":caller=javasdk:callername=Java SDK\n");
  }

  @Test
  void valuesAreEscapedSoTheyCannotAddFieldsOrLines() {
    byte[] line =
        ExtCommands.message(
            "sdk.2", 0, "x", "ret:val", Params.of("target", "a:b%c\r\nd", "v", "p=q"));

    assertThat(text(line)).isEqualTo("%%>message:sdk.2:0:x:ret%zval:target=a%zb%%c%M%Jd:v=p=q\n");
    assertThat(line).containsOnlyOnce('\n');
  }

  @Test
  void answerLineMatchesTheRecordedRouteAnswer() {
    assertThat(
            text(
                ExtCommands.answer(
                    "0x7ff86e578950.408776555",
                    true,
                    "",
                    "tone/busy",
                    Params.of("sdk_routed", "yes"))))
        .isEqualTo("%%<message:0x7ff86e578950.408776555:true::tone/busy:sdk_routed=yes\n");
    assertThat(text(ExtCommands.answer("id", false, "", "", Params.EMPTY)))
        .isEqualTo("%%<message:id:false::\n");
  }

  @Test
  void moduleCommandsAsRecorded() {
    assertThat(text(ExtCommands.install(10, "call.route", "called", "99992000")))
        .isEqualTo("%%>install:10:call.route:called:99992000\n");
    assertThat(text(ExtCommands.install(50, "call.route", null, null)))
        .isEqualTo("%%>install:50:call.route\n");
    assertThat(text(ExtCommands.watch("chan.hangup"))).isEqualTo("%%>watch:chan.hangup\n");
    assertThat(text(ExtCommands.unwatch("chan.hangup"))).isEqualTo("%%>unwatch:chan.hangup\n");
    assertThat(text(ExtCommands.uninstall("call.route"))).isEqualTo("%%>uninstall:call.route\n");
    assertThat(text(ExtCommands.setlocal("engine.version", "")))
        .isEqualTo("%%>setlocal:engine.version:\n");
    assertThat(text(ExtCommands.connect("global"))).isEqualTo("%%>connect:global\n");
    assertThat(text(ExtCommands.output("a:b"))).isEqualTo("%%>output:a%zb\n");
    assertThat(text(ExtCommands.quit())).isEqualTo("%%>quit\n");
  }

  @Test
  void unescapedFieldsRefuseSeparatorsAndLineBreaks() {
    for (String bad : new String[] {"a:b", "a%b", "a\nb", "a\rb", "a\u0000b"}) {
      assertThatThrownBy(() -> ExtCommands.install(10, "call.route", "called", bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> ExtCommands.setlocal("trackparam", bad))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> ExtCommands.watch(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> ExtCommands.message("id:x", 0, "n", "", Params.EMPTY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ExtCommands.message("id", 0, "", "", Params.EMPTY))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parameterNamesMustNotHoldEqualsOrBeEmpty() {
    for (String bad : new String[] {"a=b", "", "a\nb"}) {
      assertThatThrownBy(() -> ExtCommands.message("id", 0, "n", "", Params.of(bad, "v")))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(text(ExtCommands.message("id", 0, "n", "", Params.of("odd:name", "v"))))
        .isEqualTo("%%>message:id:0:n::odd%zname=v\n");
  }
}
