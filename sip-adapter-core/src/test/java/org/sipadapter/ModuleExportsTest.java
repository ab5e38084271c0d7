package org.sipadapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The core module's surface: the API for everyone, adapter support for adapters, no internals. */
class ModuleExportsTest {

  private static ModuleDescriptor descriptor() throws Exception {
    // The descriptor next to SipAdapter's class file: other jars on the class path have their own.
    Path classes =
        Path.of(SipAdapter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
      return ModuleDescriptor.read(in);
    }
  }

  @Test
  void theApiIsExportedToEveryoneAndAdapterSupportOnlyToAdapters() throws Exception {
    Map<String, ModuleDescriptor.Exports> exports =
        descriptor().exports().stream()
            .collect(Collectors.toMap(ModuleDescriptor.Exports::source, e -> e));

    assertThat(exports.get("org.sipadapter").isQualified()).isFalse();
    assertThat(exports.get("org.sipadapter.config").isQualified()).isFalse();
    assertThat(exports.get("org.sipadapter.event").isQualified()).isFalse();
    // the driver SPI is public: adapters outside the project are written like the project's own
    assertThat(exports.get("org.sipadapter.spi").isQualified()).isFalse();
    assertThat(exports.get("org.sipadapter.transport").targets())
        .contains("org.sipadapter.asterisk", "org.sipadapter.freeswitch", "org.sipadapter.yate");
    assertThat(exports.get("org.sipadapter.tracking").targets())
        .containsExactlyInAnyOrder("org.sipadapter.kamailio", "org.sipadapter.opensips");
  }

  @Test
  void theDispatcherAndTheMetricsCountersAreNotExported() throws Exception {
    Set<String> exported =
        descriptor().exports().stream()
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toSet());

    assertThat(exported).doesNotContain("org.sipadapter.dispatch", "org.sipadapter.metrics");
  }
}
