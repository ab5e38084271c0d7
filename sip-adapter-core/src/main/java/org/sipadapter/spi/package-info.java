/**
 * The service-provider interface for adapter authors: what a driver for one telephony server
 * implements, and what core offers it.
 *
 * <ul>
 *   <li>{@link org.sipadapter.spi.AdapterDriver}: what every driver implements (connect,
 *       disconnect, hangup, versions; keepalive, health details and wire rules by default).
 *   <li>{@link org.sipadapter.spi.Capability} and its interfaces ({@link
 *       org.sipadapter.spi.OutboundCalls}, {@link org.sipadapter.spi.Transfer}, {@link
 *       org.sipadapter.spi.Hold}, {@link org.sipadapter.spi.Resync}, ...): the optional parts. The
 *       ones a driver implements are {@link org.sipadapter.SipAdapter#features()}; {@link
 *       org.sipadapter.spi.Capabilities} lists them.
 *   <li>{@link org.sipadapter.spi.DriverContext}: the reports, lookups, call markers and link
 *       generation core offers each driver.
 *   <li>Values: {@link org.sipadapter.spi.TrackedCall}, {@link org.sipadapter.spi.ConnectTarget},
 *       {@link org.sipadapter.spi.CallSnapshot}, {@link org.sipadapter.spi.WireField}.
 * </ul>
 *
 * <p>An adapter is a subclass of {@link org.sipadapter.SipAdapter} that hands core a driver:
 *
 * <pre>{@code
 * public final class AcmeAdapter extends SipAdapter {
 *   public AcmeAdapter(AdapterConfig config) {
 *     super(config, core -> new AcmeDriver(config, core));
 *   }
 * }
 * }</pre>
 *
 * <p>and a {@link org.sipadapter.SipAdapterProvider} registered in {@code META-INF/services}.
 * docs/extending.md walks through it. The package is exported to every module: adapters outside
 * this project use the same SPI as the project's own.
 */
package org.sipadapter.spi;
