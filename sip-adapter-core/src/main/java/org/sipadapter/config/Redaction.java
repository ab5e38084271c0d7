package org.sipadapter.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Hides secrets in text and maps that may reach a log, an exception or a report. Keys whose name
 * says secret ({@code password}, {@code secret}, {@code token}, {@code key}, {@code auth}) have
 * their values masked.
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
    options.forEach((k, v) -> copy.put(k, isSecretKey(k) ? Secret.MASK : v));
    return copy;
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
