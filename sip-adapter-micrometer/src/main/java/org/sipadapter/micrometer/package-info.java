/**
 * Publishes sip-adapter's metrics through Micrometer: {@link
 * org.sipadapter.micrometer.SipAdapterMetrics} binds one or many adapters to a {@code
 * MeterRegistry}. docs/metrics.md lists every meter.
 */
package org.sipadapter.micrometer;
