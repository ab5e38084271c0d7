/**
 * Test certificates for TLS on loopback: server contexts for emulators, a trust store for clients.
 */
package org.sipadapter.testkit.tls;
