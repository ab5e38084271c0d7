package org.sipadapter.pjsua;

import java.util.function.Supplier;
import org.sipadapter.ConfigurationException;

/**
 * Finds out, before anything touches {@code org.pjsip.pjsua2}, whether the real pjsua2 binding is
 * there, so that a missing binding is a {@link ConfigurationException} naming what to install
 * instead of a {@link NoClassDefFoundError} out of the factory; and turns the binding's load
 * failures into messages a user can act on.
 */
final class Pjsua2Binding {
  /** What the real binding has and the compile-only declarations lack: SWIG's JNI class. */
  static final String JNI_CLASS = "org.pjsip.pjsua2.pjsua2JNI";

  private static final String SEE = " (see docs/pjsua.md, 'Putting the real binding in place')";

  private Pjsua2Binding() {}

  /**
   * Returns the backends of the real binding after checking that its classes are loadable.
   *
   * @return a supplier of {@link Pjsua2Backend}s
   * @throws ConfigurationException if pjsua2.jar is missing or the compile-only declarations stand
   *     in for it
   */
  static Supplier<UserAgentBackend> backends() {
    requireClasses(PjsuaAdapter.class.getClassLoader());
    return Pjsua2Backend::new;
  }

  /**
   * Checks that the real binding's classes are visible to {@code loader}; loads no native code.
   *
   * @param loader the class loader to look in
   * @throws ConfigurationException naming what is missing
   */
  static void requireClasses(ClassLoader loader) {
    if (!present("org.pjsip.pjsua2.Endpoint", loader)) {
      throw new ConfigurationException(
          "type pjsua needs the pjsua2 Java binding: put pjsua2.jar (built from pjproject's"
              + " pjsip-apps/src/swig/java) on the class path and the directory of libpjsua2.so"
              + " on java.library.path"
              + SEE);
    }
    if (!present(JNI_CLASS, loader)) {
      throw new ConfigurationException(
          "org.pjsip.pjsua2 on the class path is sip-adapter-pjsua-api (declarations for"
              + " compiling only), not the pjsua2 binding: put the real pjsua2.jar in its place"
              + SEE);
    }
  }

  /**
   * Tells whether the real binding's classes are on the class path (its native library may still
   * fail to load).
   *
   * @return true if {@value #JNI_CLASS} is visible
   */
  static boolean classesPresent() {
    return present(JNI_CLASS, PjsuaAdapter.class.getClassLoader());
  }

  private static boolean present(String name, ClassLoader loader) {
    try {
      Class.forName(name, false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Explains a failure to load or link the native library. SWIG's loader only prints a failed
   * {@code System.loadLibrary("pjsua2")}, so the first sign is an {@link UnsatisfiedLinkError} on
   * {@code swig_module_init} (or on any other native method).
   *
   * @param e the error
   * @return the message
   */
  static String loadFailure(LinkageError e) {
    return "the pjsua2 native library did not load ("
        + e
        + "): put the directory of libpjsua2.so on java.library.path, and that of the libpj*.so.2"
        + " libraries it needs in LD_LIBRARY_PATH unless pjproject was linked with an rpath; the"
        + " binding prints why System.loadLibrary(\"pjsua2\") failed on standard error"
        + SEE;
  }
}
