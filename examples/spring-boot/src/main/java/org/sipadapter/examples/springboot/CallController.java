package org.sipadapter.examples.springboot;

import java.util.List;
import java.util.Map;
import org.sipadapter.CallStatus;
import org.sipadapter.SipAdapter;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Places, lists and hangs up calls through the adapter bean named {@code pbx}. */
@RestController
@RequestMapping("/calls")
class CallController {
  private final SipAdapter pbx;

  CallController(@Qualifier("pbx") SipAdapter pbx) {
    this.pbx = pbx;
  }

  @PostMapping
  Map<String, String> call(@RequestParam("from") String from, @RequestParam("to") String to) {
    return Map.of("callId", pbx.makeCall(from, to));
  }

  @GetMapping
  List<CallStatus> active() {
    return pbx.activeCalls();
  }

  @DeleteMapping
  void hangup(@RequestParam("callId") String callId) {
    pbx.hangup(callId);
  }
}
