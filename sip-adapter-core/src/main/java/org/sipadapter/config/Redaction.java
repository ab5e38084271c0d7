package org.sipadapter.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Hides secrets in text and maps that may reach a log, an exception or a report. Keys whose name
 * says secret (containing {@code pass}, {@code secret}, {@code token}, {@code credential}, {@code
 * auth}, {@code apikey}, {@code api_key} or {@code private}) have their values masked, at any
 * depth.
 */
public final class Redaction {
  private static final Pattern SECRET_KEY =
      Pattern.compile("(?i).*(pass|secret|token|credential|auth|apikey|api_key|private).*");

  private Redaction() {}

  /**
   * Tells whether a key names a secret.
   *
   * @param key a map key, header name or option name
   * @return true if its value must be masked
   */
  public static boolean isSecretKey(String key) {
    return key != null && SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).matches();
  }

  /**
   * Returns a copy of the options with secret values masked.
   *
   * @param options adapter options
   * @return a copy fit for logs
   */
  public static Map<String, Object> redactOptions(Map<String, Object> options) {
    Map<String, Object> copy = new LinkedHashMap<>();
    options.forEach((k, v) -> copy.put(k, isSecretKey(k) ? Secret.MASK : redactValue(v)));
    return copy;
  }

  /** Options may nest (a map of endpoints, each with its own token), so masking goes down. */
  private static Object redactValue(Object value) {
    if (value instanceof Map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      ((Map<?, ?>) value)
          .forEach(
              (k, v) -> {
                String key = String.valueOf(k);
                copy.put(key, isSecretKey(key) ? Secret.MASK : redactValue(v));
              });
      return copy;
    }
    if (value instanceof List) {
      List<Object> copy = new ArrayList<>();
      for (Object v : (List<?>) value) {
        copy.add(redactValue(v));
      }
      return copy;
    }
    return value;
  }

  /**
   * Replaces every occurrence of a secret's value in a text with the mask.
   *
   * @param text text that may contain the secret (a wire line about to be logged)
   * @param secret the secret
   * @return the text without the secret's value
   */
  public static String mask(String text, Secret secret) {
    if (text == null || secret == null || secret.isEmpty()) {
      return text;
    }
    return text.replace(secret.reveal(), Secret.MASK);
  }
}
