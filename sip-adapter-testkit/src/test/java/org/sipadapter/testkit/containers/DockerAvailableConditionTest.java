package org.sipadapter.testkit.containers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

class DockerAvailableConditionTest {

  @Test
  void conditionIsDisabledWithTheReasonExactlyWhenNoEngineIsReachable() {
    ConditionEvaluationResult result =
        new DockerAvailableCondition().evaluateExecutionCondition(null);

    assertThat(result.isDisabled()).isEqualTo(!DockerAvailability.isAvailable());
    DockerAvailability.unavailableReason()
        .ifPresent(
            reason ->
                assertThat(result.getReason())
                    .hasValueSatisfying(text -> assertThat(text).contains(reason)));
  }

  @Test
  void everyFixtureConfigIsOnTheClasspath() {
    for (String path :
        new String[] {
          "asterisk/manager.conf",
          "asterisk/extensions.conf",
          "freeswitch/event_socket.conf.xml",
          "freeswitch/tck.xml",
          "kamailio/kamailio.cfg",
          "opensips/opensips.cfg",
          "yate/extmodule.conf",
          "yate/rmanager.conf"
        }) {
      assertThat(getClass().getResource("/org/sipadapter/testkit/containers/" + path))
          .as(path)
          .isNotNull();
    }
  }

  @Test
  void fixtureConfigsCarryTheCredentialsTheContainersAdvertise() throws Exception {
    String manager = resource("asterisk/manager.conf");
    assertThat(manager)
        .contains("[" + AsteriskContainer.USERNAME + "]")
        .contains("secret = " + AsteriskContainer.PASSWORD);
    String esl = resource("freeswitch/event_socket.conf.xml");
    assertThat(esl)
        .contains("value=\"" + FreeSwitchContainer.PASSWORD + "\"")
        .contains("any_v4.auto");
    assertThat(resource("kamailio/kamailio.cfg"))
        .contains("jsonrpcs")
        .contains("evapi")
        .contains("dialog");
    assertThat(resource("opensips/opensips.cfg"))
        .contains("mi_http")
        .contains("event_stream")
        .contains("dialog");
  }

  private String resource(String path) throws Exception {
    try (var in = getClass().getResourceAsStream("/org/sipadapter/testkit/containers/" + path)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
