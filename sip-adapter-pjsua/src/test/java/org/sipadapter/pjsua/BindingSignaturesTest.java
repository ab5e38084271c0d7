package org.sipadapter.pjsua;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.sipadapter.testkit.fixtures.Fixtures;

/**
 * The compile-only {@code org.pjsip.pjsua2} declarations the adapter is built against have exactly
 * the signatures of the real binding: every public or protected member, written as {@code javap}
 * writes it, appears in the recorded {@code API-SIGNATURES.txt} of that class (pjproject 2.17).
 */
class BindingSignaturesTest {

  private static final List<String> RECORDED_CLASSES =
      List.of(
          "Endpoint",
          "EpConfig",
          "UaConfig",
          "LogConfig",
          "TransportConfig",
          "AudDevManager",
          "Account",
          "AccountConfig",
          "AccountRegConfig",
          "AccountSipConfig",
          "AuthCredInfo",
          "AuthCredInfoVector",
          "Call",
          "CallOpParam",
          "CallSetting",
          "CallInfo",
          "CallMediaInfo",
          "CallMediaInfoVector",
          "OnCallStateParam",
          "OnIncomingCallParam",
          "OnCallMediaStateParam",
          "OnRegStateParam",
          "SipHeader",
          "SipHeaderVector",
          "SipTxOption",
          "pjsip_inv_state",
          "pjsip_status_code",
          "pjsua_call_media_status",
          "pjsip_transport_type_e",
          "pjmedia_type",
          "AccountMediaConfig",
          "AudioMedia");

  /** Declared from pjproject's headers because the listing does not hold them. */
  private static final Set<String> UNRECORDED =
      Set.of(
          "PersistentObject",
          "OnDtmfDigitParam",
          "pjsua_call_flag",
          "Media",
          "AudioMediaRecorder",
          "Version",
          "TlsConfig",
          "StringVector",
          "AccountInfo",
          "TransportInfo",
          "StreamInfo",
          "CallSendDtmfParam",
          "pjsua_dtmf_method");

  @Test
  void everyDeclaredMemberIsInTheRecordedSignaturesOfItsClass() throws Exception {
    Map<String, List<String>> recorded = recordedBlocks();
    List<String> missing = new ArrayList<>();
    int checked = 0;
    for (String name : RECORDED_CLASSES) {
      Class<?> c = Class.forName("org.pjsip.pjsua2." + name);
      List<String> block = recorded.get(name);
      assertThat(block).as("recorded block of " + name).isNotNull();
      assertThat(block.get(0)).as("class header").isEqualTo(header(c));
      for (String member : members(c)) {
        checked++;
        if (!block.contains(member)) {
          missing.add(name + ": " + member);
        }
      }
    }
    assertThat(missing).as("declared but not in API-SIGNATURES.txt").isEmpty();
    assertThat(checked).isGreaterThan(250);
  }

  @Test
  void theAdapterUsesTheRecordedCallAndEndpointMethods() throws Exception {
    Map<String, List<String>> recorded = recordedBlocks();
    assertThat(recorded.get("Call"))
        .contains(
            "public void makeCall(java.lang.String, org.pjsip.pjsua2.CallOpParam) throws"
                + " java.lang.Exception;",
            "public void xferReplaces(org.pjsip.pjsua2.Call, org.pjsip.pjsua2.CallOpParam) throws"
                + " java.lang.Exception;")
        .containsAll(members(Class.forName("org.pjsip.pjsua2.Call")));
    assertThat(recorded.get("Endpoint"))
        .contains("public void libRegisterThread(java.lang.String) throws java.lang.Exception;");
  }

  @Test
  void onlyTheKnownUnrecordedClassesAreDeclaredBesideTheRecordedOnes() throws Exception {
    for (String name : UNRECORDED) {
      assertThat(recordedBlocks()).doesNotContainKey(name);
      Class.forName("org.pjsip.pjsua2." + name);
    }
    assertThat(org.pjsip.pjsua2.pjsua_call_flag.PJSUA_CALL_UNHOLD).isEqualTo(1);
  }

  @Test
  void stateValuesTheAdapterComparesWithAreTheBindingsOwn() {
    assertThat(PjsuaAdapter.INV_EARLY)
        .isEqualTo(org.pjsip.pjsua2.pjsip_inv_state.PJSIP_INV_STATE_EARLY);
    assertThat(PjsuaAdapter.INV_CONFIRMED)
        .isEqualTo(org.pjsip.pjsua2.pjsip_inv_state.PJSIP_INV_STATE_CONFIRMED);
    assertThat(PjsuaAdapter.INV_DISCONNECTED)
        .isEqualTo(org.pjsip.pjsua2.pjsip_inv_state.PJSIP_INV_STATE_DISCONNECTED);
    assertThat(PjsuaAdapter.MEDIA_LOCAL_HOLD)
        .isEqualTo(org.pjsip.pjsua2.pjsua_call_media_status.PJSUA_CALL_MEDIA_LOCAL_HOLD);
    assertThat(PjsuaAdapter.MEDIA_ACTIVE)
        .isEqualTo(org.pjsip.pjsua2.pjsua_call_media_status.PJSUA_CALL_MEDIA_ACTIVE);
  }

  // ---------------------------------------------------------------- javap rendering

  private static Map<String, List<String>> recordedBlocks() throws Exception {
    Map<String, List<String>> blocks = new HashMap<>();
    List<String> current = null;
    for (String line : Fixtures.get("pjsua2", "API-SIGNATURES.txt").text().lines().toList()) {
      String t = line.strip();
      if (t.startsWith("public ") && t.contains(" class org.pjsip.pjsua2.") && t.endsWith("{")) {
        String name = t.replaceAll(".* class org\\.pjsip\\.pjsua2\\.([\\w]+).*", "$1");
        current = new ArrayList<>();
        current.add(t);
        blocks.put(name, current);
      } else if (t.equals("}")) {
        current = null;
      } else if (current != null && !t.isEmpty()) {
        current.add(t);
      }
    }
    return blocks;
  }

  private static String header(Class<?> c) {
    StringBuilder s = new StringBuilder("public ");
    if (Modifier.isFinal(c.getModifiers())) {
      s.append("final ");
    }
    s.append("class ").append(c.getName());
    if (c.getSuperclass() != Object.class) {
      s.append(" extends ").append(c.getGenericSuperclass().getTypeName());
    }
    if (c.getInterfaces().length > 0) {
      s.append(" implements ")
          .append(
              Arrays.stream(c.getGenericInterfaces())
                  .map(t -> t.getTypeName())
                  .collect(Collectors.joining(", ")));
    }
    return s.append(" {").toString();
  }

  private static List<String> members(Class<?> c) {
    List<String> out = new ArrayList<>();
    for (Field f : c.getDeclaredFields()) {
      if (Modifier.isPublic(f.getModifiers())) {
        out.add("public static final int " + f.getName() + " = " + constant(f) + ";");
      }
    }
    for (Constructor<?> k : c.getDeclaredConstructors()) {
      if (visible(k)) {
        out.add(render(k, null, c.getName()));
      }
    }
    for (Method m : c.getDeclaredMethods()) {
      if (visible(m)) {
        out.add(render(m, m.getGenericReturnType().getTypeName(), m.getName()));
      }
    }
    return out;
  }

  private static Object constant(Field f) {
    try {
      return f.get(null);
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    }
  }

  private static boolean visible(Executable e) {
    int m = e.getModifiers();
    return Modifier.isPublic(m) || Modifier.isProtected(m);
  }

  private static String render(Executable e, String returnType, String name) {
    int mod = e.getModifiers();
    StringBuilder s = new StringBuilder(Modifier.isPublic(mod) ? "public " : "protected ");
    if (Modifier.isStatic(mod)) {
      s.append("static ");
    }
    if (Modifier.isSynchronized(mod)) {
      s.append("synchronized ");
    }
    if (returnType != null) {
      s.append(returnType).append(' ');
    }
    s.append(name).append('(');
    // generic types as javap prints them: the vectors' Iterable<...> constructors
    s.append(
        Arrays.stream(e.getGenericParameterTypes())
            .map(java.lang.reflect.Type::getTypeName)
            .collect(Collectors.joining(", ")));
    s.append(')');
    if (e.getExceptionTypes().length > 0) {
      s.append(" throws ")
          .append(
              Arrays.stream(e.getExceptionTypes())
                  .map(Class::getName)
                  .collect(Collectors.joining(", ")));
    }
    return s.append(';').toString();
  }
}
