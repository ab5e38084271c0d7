/** A Micrometer {@code MeterBinder} for sip-adapter; see {@link org.sipadapter.micrometer}. */
module org.sipadapter.micrometer {
  requires transitive org.sipadapter.core;
  requires transitive micrometer.core;

  exports org.sipadapter.micrometer;
}
