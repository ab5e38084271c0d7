package org.sipadapter.kamailio.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.sipadapter.CallState;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.http.OkHttpJsonRpcTransport;
import org.sipadapter.kamailio.KamailioAdapter;
import org.sipadapter.kamailio.evapi.DialogEvent;
import org.sipadapter.kamailio.evapi.NetstringDecoder;
import org.sipadapter.kamailio.rpc.KamailioRpc;
import org.sipadapter.testkit.kamailio.KamailioServer;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;
import org.sipadapter.transport.FrameSink;
import org.sipadapter.transport.JsonRpcClient;

/**
 * Hand-run benchmark against a real Kamailio on loopback (not part of the test run):
 *
 * <ol>
 *   <li>JSON-RPC round trips per second ({@code core.version}, {@code dlg.list}) through core's
 *       client on OkHttp, one at a time and with several in flight;
 *   <li>evapi event latency: from the moment a {@code dialog:start} netstring reaches a raw evapi
 *       tap socket to the moment the adapter's listener gets the matching CONNECTED event.
 * </ol>
 *
 * <p>Run: {@code mvn -o -pl sip-adapter-kamailio test-compile exec:java} is not configured; use the
 * test classpath directly, see {@code docs/kamailio.md} (Performance).
 */
public final class KamailioBenchmark {

  private KamailioBenchmark() {}

  /**
   * Runs both measurements and prints the results.
   *
   * @param args optional: number of RPC requests (default 5000), number of calls (default 200)
   */
  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    try (SippProcess uas = SippProcess.uas(UasScenario.ANSWER).traceMessages(false).start();
        KamailioServer kamailio =
            KamailioServer.builder().defaultRoute(uas.port()).build().start()) {
      rpcRoundTrips(kamailio, requests);
      eventLatency(kamailio, calls);
    }
  }

  private static void rpcRoundTrips(KamailioServer kamailio, int requests) {
    try (OkHttpJsonRpcTransport transport =
        OkHttpJsonRpcTransport.builder(kamailio.rpcUri())
            .connectTimeout(Duration.ofSeconds(2))
            .build()) {
      KamailioRpc rpc =
          new KamailioRpc(new JsonRpcClient("bench", transport, Duration.ofSeconds(5), n -> {}));
      for (int i = 0; i < 500; i++) {
        rpc.version().join(); // warm-up: JIT and the HTTP connection pool
      }
      for (String method : List.of("core.version", "dlg.list")) {
        long[] lat = new long[requests];
        long t0 = System.nanoTime();
        for (int i = 0; i < requests; i++) {
          long s = System.nanoTime();
          rpc.client().call(method).join();
          lat[i] = System.nanoTime() - s;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Arrays.sort(lat);
        System.out.printf(
            "rpc %-12s sequential: %7.0f req/s  p50 %.3f ms  p99 %.3f ms%n",
            method, requests / secs, lat[requests / 2] / 1e6, lat[requests * 99 / 100] / 1e6);
      }
      for (int inFlight : new int[] {4, 16}) {
        AtomicInteger left = new AtomicInteger(requests);
        long t0 = System.nanoTime();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int w = 0; w < inFlight; w++) {
          workers.add(loop(rpc, left));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).join();
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
            "rpc core.version   %2d in flight: %7.0f req/s%n", inFlight, requests / secs);
      }
    }
  }

  private static CompletableFuture<Void> loop(KamailioRpc rpc, AtomicInteger left) {
    if (left.getAndDecrement() <= 0) {
      return CompletableFuture.completedFuture(null);
    }
    return rpc.version().thenCompose(v -> loop(rpc, left));
  }

  private static void eventLatency(KamailioServer kamailio, int calls) throws Exception {
    Map<String, Long> onWire = new ConcurrentHashMap<>();
    Map<String, Long> atListener = new ConcurrentHashMap<>();
    Thread tapThread;
    try (Socket tap = new Socket(KamailioServer.HOST, kamailio.evapiPort());
        KamailioAdapter adapter =
            (KamailioAdapter)
                SipAdapters.create(
                    AdapterConfig.builder("kamailio")
                        .name("bench")
                        .server(KamailioServer.HOST, kamailio.sipPort())
                        .option("evapiPort", kamailio.evapiPort())
                        .build())) {
      tapThread = new Thread(() -> readTap(tap, onWire), "evapi-tap");
      tapThread.setDaemon(true);
      tapThread.start();
      adapter.addListener(
          new SipAdapterListener() {
            @Override
            public void onCallStateChanged(CallStateChanged e) {
              if (e.state() == CallState.CONNECTED) {
                String sip = e.serverIds().get(KamailioAdapter.CALL_ID);
                if (sip != null) {
                  atListener.putIfAbsent(sip, System.nanoTime());
                }
              }
            }
          });
      adapter.connect();
      long t0 = System.nanoTime();
      try (SippProcess uac =
          SippProcess.uac(KamailioServer.HOST, kamailio.sipPort())
              .service("2000")
              .calls(calls)
              .rate(50)
              .limit(100)
              .callDuration(Duration.ofMillis(500))
              .traceMessages(false)
              .start()) {
        uac.awaitExit(Duration.ofSeconds(calls / 10 + 30));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (atListener.size() < onWire.size() && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(20); // hand-run tool: wait for the last deliveries
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      List<Long> lat = new ArrayList<>();
      onWire.forEach(
          (id, wire) -> {
            Long l = atListener.get(id);
            if (l != null) {
              lat.add(l - wire);
            }
          });
      lat.sort(null);
      if (lat.isEmpty()) {
        System.out.println("evapi: no events measured");
        return;
      }
      System.out.printf(
          "evapi dialog:start wire->listener over %d calls (%.1f s): p50 %.3f ms  p99 %.3f ms"
              + "  max %.3f ms%n",
          lat.size(),
          secs,
          lat.get(lat.size() / 2) / 1e6,
          lat.get(lat.size() * 99 / 100) / 1e6,
          lat.get(lat.size() - 1) / 1e6);
      System.out.printf("adapter metrics: %s%n", adapter.metrics());
    }
  }

  private static void readTap(Socket tap, Map<String, Long> onWire) {
    NetstringDecoder decoder = new NetstringDecoder();
    FrameSink<byte[]> sink =
        new FrameSink<>() {
          @Override
          public void frame(byte[] payload) {
            long now = System.nanoTime();
            DialogEvent.parse(payload)
                .filter(e -> e.kind() == DialogEvent.Kind.START)
                .ifPresent(e -> onWire.putIfAbsent(e.callId(), now));
          }

          @Override
          public void malformed(String reason) {}
        };
    byte[] buf = new byte[65536];
    try (InputStream in = tap.getInputStream()) {
      for (int n; (n = in.read(buf)) > 0; ) {
        decoder.decode(ByteBuffer.wrap(buf, 0, n), sink);
      }
    } catch (IOException closed) {
      // benchmark over
    }
  }
}
