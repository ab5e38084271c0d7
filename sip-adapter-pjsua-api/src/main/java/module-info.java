/**
 * Compile-only declarations of pjproject's Java binding. The module is named {@code pjsua2}, the
 * automatic-module name of the real pjsua2.jar, so that {@code requires pjsua2} in the adapter
 * resolves to this module at compile time and to the user's pjsua2.jar at run time.
 */
@SuppressWarnings("module") // the name is the binding's own, terminal digit included
module pjsua2 {
  exports org.pjsip.pjsua2;
}
