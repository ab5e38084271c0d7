package org.sipadapter;

import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;

/**
 * The service-provider interface through which {@link SipAdapters} finds adapters. Each adapter
 * module registers one implementation in {@code
 * META-INF/services/org.sipadapter.SipAdapterProvider}; the config's {@code type} picks it.
 *
 * <p>Implementations must be stateless and have a public no-argument constructor.
 */
public interface SipAdapterProvider {

  /**
   * Returns the type name that selects this provider.
   *
   * @return a lower-case name, such as {@code asterisk}
   */
  String type();

  /**
   * Returns the server's usual port, used when the config gives none.
   *
   * @return the default port, such as 5038 for AMI
   */
  int defaultPort();

  /**
   * Adds problems that only this adapter knows about (required options, option formats). Every
   * problem is reported at once, so add them all and do not throw.
   *
   * @param config the config, already checked for the common fields
   * @param problems where to add problems, with the option's path such as {@code options.context}
   */
  default void validate(AdapterConfig config, ConfigProblems problems) {}

  /**
   * Creates an adapter. Called only with a config that passed validation.
   *
   * @param config the config, with the default port filled in
   * @return a new, unconnected adapter
   */
  SipAdapter create(AdapterConfig config);
}
