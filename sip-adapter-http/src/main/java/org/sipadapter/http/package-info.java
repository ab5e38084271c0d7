/**
 * HTTP transports for core's {@link org.sipadapter.transport.JsonRpcClient}: {@link
 * org.sipadapter.http.OkHttpJsonRpcTransport}, the one OkHttp implementation used by the adapters
 * that speak JSON-RPC over HTTP (Kamailio jsonrpcs, OpenSIPS mi_http).
 */
package org.sipadapter.http;
