/**
 * HTTP transports for core's {@link org.sipadapter.transport.JsonRpcClient}: {@link
 * org.sipadapter.http.OkHttpJsonRpcTransport}, the one OkHttp implementation used by the adapters
 * that speak JSON-RPC over HTTP (Kamailio jsonrpcs, OpenSIPS mi_http), and {@link
 * org.sipadapter.http.OkHttpCalls}, how every OkHttp client of the SDK runs a call as a future and
 * releases its threads.
 */
package org.sipadapter.http;
