package org.sipadapter.asterisk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.sipadapter.ConfigurationException;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;

/** The provider as users reach it: YAML through {@link SipAdapters}. */
class AsteriskAdapterProviderTest {

  @Test
  void yamlWithTypeAsteriskBuildsTheAdapterOnTheDefaultAmiPort() {
    SipAdapter a =
        SipAdapters.fromYaml(
            """
            type: asterisk
            name: pbx-1
            host: 127.0.0.1
            auth: { username: sdk, password: s3cret }
            options: { channel: "Local/{to}@from-sdk", authType: md5, events: "call,dtmf" }
            """);

    assertThat(a).isInstanceOf(AsteriskAdapter.class);
    assertThat(a.type()).isEqualTo("asterisk");
    assertThat(a.config().port()).isEqualTo(5038);
    AsteriskSettings s = ((AsteriskAdapter) a).settings();
    assertThat(s.md5Login()).isTrue();
    assertThat(s.channel()).isEqualTo("Local/{to}@from-sdk");
    assertThat(s.events()).isEqualTo("call,dtmf");
    assertThat(SipAdapters.availableTypes()).contains("asterisk");
  }

  @Test
  void everyBadOptionIsReportedAtOnce() {
    assertThatThrownBy(
            () ->
                SipAdapters.fromYaml(
                    """
                    type: asterisk
                    auth: { username: sdk, password: s3cret }
                    options:
                      authType: digest
                      transferMode: attended
                      priority: 0
                      channel: nochannel
                      contxt: typo
                    """))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("options.authType")
        .hasMessageContaining("options.transferMode")
        .hasMessageContaining("options.priority")
        .hasMessageContaining("options.channel")
        .hasMessageContaining("options.contxt");
  }
}
