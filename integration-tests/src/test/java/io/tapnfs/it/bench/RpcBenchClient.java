package io.tapnfs.it.bench;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.dcache.oncrpc4j.rpc.OncRpcClient;
import org.dcache.oncrpc4j.rpc.RpcAuthTypeNone;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcTransport;
import org.dcache.oncrpc4j.rpc.net.IpProtocolType;
import org.dcache.oncrpc4j.xdr.XdrVoid;

/**
 * Times RPC NULL calls one after another from oncrpc4j on kernel sockets (inside the namespace):
 * prints {@code RESULT calls=N seconds=S p50us=A p99us=B}. Arguments: HOST PROTO(tcp|udp) PORT CALLS.
 */
public final class RpcBenchClient {
  public static void main(String[] args) throws Exception {
    InetAddress host = InetAddress.getByName(args[0]);
    int proto = args[1].equals("tcp") ? IpProtocolType.TCP : IpProtocolType.UDP;
    int port = Integer.parseInt(args[2]), calls = Integer.parseInt(args[3]);
    try (OncRpcClient c = new OncRpcClient(host, proto, port)) {
      RpcTransport t = c.connect(10, TimeUnit.SECONDS);
      for (int i = 0; i < Math.min(5000, calls); i++) call(t);                   // warm up (JIT both ends)
      long[] lat = new long[calls];
      long t0 = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        long s = System.nanoTime();
        call(t);
        lat[i] = System.nanoTime() - s;
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      Arrays.sort(lat);
      System.out.printf(Locale.ROOT, "RESULT calls=%d seconds=%.3f p50us=%.1f p99us=%.1f%n", calls, secs,
          lat[calls / 2] / 1e3, lat[(int) (calls * 0.99)] / 1e3);
    }
    System.exit(0);
  }

  static void call(RpcTransport t) throws Exception {
    new RpcCall(0x20001234, 1, new RpcAuthTypeNone(), t).call(0, XdrVoid.XDR_VOID, new XdrVoid(), 10, TimeUnit.SECONDS);
  }
}
