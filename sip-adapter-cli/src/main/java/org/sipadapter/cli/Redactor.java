package org.sipadapter.cli;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Redaction;
import org.sipadapter.config.Secret;

/**
 * Masks every secret of the loaded configs in text the command prints. The SDK already keeps
 * secrets out of messages; this is the last line of defence for text that comes from elsewhere
 * (server replies quoted in errors, raw server events). Thread-safe.
 */
final class Redactor {
  /** Secrets shorter than this are not masked: they would mangle ordinary text. */
  private static final int MIN_SECRET_LENGTH = 3;

  private final Set<String> secrets = new CopyOnWriteArraySet<>();

  /**
   * Remembers the password and the secret-looking options of each config.
   *
   * @param configs the configs about to be used
   */
  void learn(List<AdapterConfig> configs) {
    for (AdapterConfig c : configs) {
      add(c.auth().secret().reveal());
      for (Map.Entry<String, Object> e : c.options().entrySet()) {
        if (Redaction.isSecretKey(e.getKey()) && e.getValue() != null) {
          add(String.valueOf(e.getValue()));
        }
      }
    }
  }

  private void add(String secret) {
    if (secret != null && secret.length() >= MIN_SECRET_LENGTH) {
      secrets.add(secret);
    }
  }

  /**
   * Returns the text with every known secret replaced by the mask.
   *
   * @param text any text, may be null
   * @return the masked text
   */
  String apply(String text) {
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    String out = text;
    // Longest first, so a secret that contains another is masked whole.
    for (String s :
        secrets.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
      out = out.replace(s, Secret.MASK);
    }
    return out;
  }
}
