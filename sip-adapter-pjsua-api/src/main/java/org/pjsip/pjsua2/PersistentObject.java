package org.pjsip.pjsua2;

/**
 * Compile-time declaration of the pjsua2 base class {@code PersistentObject}, the supertype of the
 * config classes ({@link EpConfig}, {@link AccountConfig}, ...). Its own members are not in the
 * recorded signatures and are not declared: the adapter never uses them.
 *
 * <p>It exists only so that the adapter compiles. At run time the real {@code pjsua2.jar} (with
 * {@code libpjsua2.so} on {@code java.library.path}) replaces it.
 */
public class PersistentObject {
  PersistentObject() {}
}
