package org.sipadapter.opensips.mi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The request body rewrite that gives OpenSIPS named params, as in the recordings. */
class MiHttpTransportTest {

  private static String rewrite(String body) throws Exception {
    return new String(
        MiHttpTransport.namedParams(body.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
  }

  @Test
  void noParamsAreLeftOutLikeTheRecordedDlgList() throws Exception {
    assertThat(rewrite("{\"jsonrpc\":\"2.0\",\"method\":\"dlg_list\",\"params\":[],\"id\":40}"))
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"method\":\"dlg_list\",\"id\":40}");
  }

  @Test
  void oneMapBecomesTheNamedParamsObject() throws Exception {
    assertThat(
            rewrite(
                "{\"jsonrpc\":\"2.0\",\"method\":\"dlg_end_dlg\",\"params\":[{\"dialog_id\":\"2da.69ee64b1\"}],\"id\":48}"))
        .isEqualTo(
            "{\"jsonrpc\":\"2.0\",\"method\":\"dlg_end_dlg\",\"params\":{\"dialog_id\":\"2da.69ee64b1\"},\"id\":48}");
  }

  @Test
  void positionalParamsAreRefused() {
    assertThatThrownBy(() -> rewrite("{\"method\":\"x\",\"params\":[\"a\",\"b\"],\"id\":1}"))
        .hasMessageContaining("named");
  }
}
