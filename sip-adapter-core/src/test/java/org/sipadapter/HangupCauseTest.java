package org.sipadapter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HangupCauseTest {

  @ParameterizedTest(name = "Q.850 {0} -> SIP {1}")
  @CsvSource({
    "1, 404", "2, 404", "3, 404", "17, 486", "18, 408", "19, 480", "20, 480", "21, 403",
    "22, 410", "27, 502", "28, 484", "29, 501", "31, 480", "34, 503", "38, 503", "41, 503",
    "42, 503", "47, 503", "55, 403", "57, 403", "58, 503", "65, 488", "79, 501", "88, 503",
    "102, 504", "111, 500", "127, 500", "16, 0"
  })
  void q850CodesMapToSipStatusesAsRfc3398Says(int q850, int sip) {
    assertThat(HangupCause.ofQ850(q850).sipStatus()).isEqualTo(sip);
  }

  @ParameterizedTest(name = "SIP {0} -> Q.850 {1}")
  @CsvSource({
    "400, 41", "401, 21", "402, 21", "403, 21", "404, 1", "405, 63", "406, 79", "407, 21",
    "408, 102", "410, 22", "413, 127", "414, 127", "415, 79", "416, 127", "420, 127", "421, 127",
    "423, 127", "480, 18", "481, 41", "482, 25", "483, 25", "484, 28", "485, 1", "486, 17",
    "500, 41", "501, 79", "502, 38", "503, 41", "504, 102", "505, 127", "513, 127", "600, 17",
    "603, 21", "604, 1"
  })
  void sipStatusesMapToQ850CodesAsRfc3398Says(int sip, int q850) {
    HangupCause c = HangupCause.ofSip(sip);
    assertThat(c.q850()).isEqualTo(q850);
    assertThat(c.sipStatus()).isEqualTo(sip);
    assertThat(c.text()).isEqualTo("SIP " + sip);
  }

  @Test
  void unlistedSipStatusesFallBackByClass() {
    assertThat(HangupCause.ofSip(499).q850()).isEqualTo(31);
    assertThat(HangupCause.ofSip(599).q850()).isEqualTo(41);
  }

  @Test
  void causesCarryTheirSymbolicNames() {
    assertThat(HangupCause.USER_BUSY.name()).isEqualTo("USER_BUSY");
    assertThat(HangupCause.ofQ850(16).name()).isEqualTo("NORMAL_CLEARING");
    assertThat(HangupCause.ofQ850(487).name()).isEqualTo("ORIGINATOR_CANCEL");
    assertThat(HangupCause.ofQ850(487).sipStatus()).isEqualTo(487);
    assertThat(HangupCause.ofQ850(99).name()).isEqualTo("CAUSE_99");
    assertThat(HangupCause.ofQ850(17, "Busy Here").text()).isEqualTo("Busy Here");
    assertThat(HangupCause.ofQ850(17, " ").text()).isEqualTo("USER_BUSY");
  }

  @Test
  void fromNameFindsCausesIgnoringCase() {
    assertThat(HangupCause.fromName("user_busy")).isEqualTo(HangupCause.USER_BUSY);
    assertThat(HangupCause.fromName(" NO_ANSWER ")).isEqualTo(HangupCause.NO_ANSWER);
    assertThat(HangupCause.fromName("MANAGER_REQUEST").q850()).isEqualTo(603);
  }

  @Test
  void fromNameOfAnUnknownNameIsATemporaryFailureKeepingTheName() {
    HangupCause c = HangupCause.fromName("PICKED_OFF_BY_MARS");

    assertThat(c.q850()).isEqualTo(41);
    assertThat(c.name()).isEqualTo("NORMAL_TEMPORARY_FAILURE");
    assertThat(c.text()).isEqualTo("PICKED_OFF_BY_MARS");
  }

  @Test
  void dispositionFollowsTheCauseForUnansweredCalls() {
    assertThat(HangupCause.USER_BUSY.disposition(false)).isEqualTo(Disposition.BUSY);
    assertThat(HangupCause.ofSip(600).disposition(false)).isEqualTo(Disposition.BUSY);
    assertThat(HangupCause.NO_ANSWER.disposition(false)).isEqualTo(Disposition.NO_ANSWER);
    assertThat(HangupCause.NO_USER_RESPONSE.disposition(false)).isEqualTo(Disposition.NO_ANSWER);
    assertThat(HangupCause.ofSip(408).disposition(false)).isEqualTo(Disposition.NO_ANSWER);
    assertThat(HangupCause.ORIGINATOR_CANCEL.disposition(false)).isEqualTo(Disposition.CANCELLED);
    assertThat(HangupCause.NORMAL_CLEARING.disposition(false)).isEqualTo(Disposition.CANCELLED);
    assertThat(HangupCause.UNALLOCATED_NUMBER.disposition(false)).isEqualTo(Disposition.FAILED);
    assertThat(HangupCause.CALL_REJECTED.disposition(false)).isEqualTo(Disposition.FAILED);
    assertThat(HangupCause.CONNECTION_LOST.disposition(false)).isEqualTo(Disposition.FAILED);
  }

  @Test
  void answeredCallsAreAnsweredWhateverEndedThem() {
    assertThat(HangupCause.USER_BUSY.disposition(true)).isEqualTo(Disposition.ANSWERED);
    assertThat(HangupCause.CONNECTION_LOST.disposition(true)).isEqualTo(Disposition.ANSWERED);
  }
}
