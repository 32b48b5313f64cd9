package io.tapnfs.it;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.dcache.oncrpc4j.rpc.OncRpcClient;
import org.dcache.oncrpc4j.rpc.OncRpcException;
import org.dcache.oncrpc4j.rpc.RpcAuthTypeNone;
import org.dcache.oncrpc4j.rpc.RpcAuthTypeUnix;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcTransport;
import org.dcache.oncrpc4j.rpc.net.IpProtocolType;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrBoolean;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;
import org.dcache.oncrpc4j.xdr.XdrOpaque;
import org.dcache.oncrpc4j.xdr.XdrVoid;

/**
 * oncrpc4j as a client on kernel sockets, run inside the lab namespace: calls tapnfs's diagnostic
 * RPC program and its rpcbind over the bridge, and prints one {@code OK name} or
 * {@code FAIL name: why} line per check. Arguments: HOST TCP_PORT UDP_PORT (the diag program's
 * ports, from rpcinfo -p).
 */
public final class KernelRpcClient {
  static final int PROGRAM = io.tapnfs.rpc.DiagProgram.PROGRAM, NULL = 0, ECHO = 1, WHOAMI = 2;

  /** PMAP v2 SET/UNSET arguments (RFC 1833 §3.1 mapping). */
  record Mapping(int prog, int vers, int prot, int port) implements XdrAble {
    @Override public void xdrEncode(XdrEncodingStream x) throws OncRpcException, IOException {
      x.xdrEncodeInt(prog);
      x.xdrEncodeInt(vers);
      x.xdrEncodeInt(prot);
      x.xdrEncodeInt(port);
    }

    @Override public void xdrDecode(XdrDecodingStream x) { throw new UnsupportedOperationException(); }
  }

  public static void main(String[] args) throws Exception {
    InetAddress host = InetAddress.getByName(args[0]);
    int tcpPort = Integer.parseInt(args[1]), udpPort = Integer.parseInt(args[2]);
    int failures = 0;
    try (OncRpcClient tcpClient = new OncRpcClient(host, IpProtocolType.TCP, tcpPort);
         OncRpcClient udpClient = new OncRpcClient(host, IpProtocolType.UDP, udpPort);
         OncRpcClient pmap = new OncRpcClient(host, IpProtocolType.UDP, 111)) {
      RpcTransport tcp = tcpClient.connect(10, TimeUnit.SECONDS);
      RpcTransport udp = udpClient.connect(10, TimeUnit.SECONDS);
      failures += check("null-tcp", () -> call(tcp, NULL, XdrVoid.XDR_VOID, new XdrVoid(), null));
      failures += check("null-udp", () -> call(udp, NULL, XdrVoid.XDR_VOID, new XdrVoid(), null));
      byte[] mib = new byte[1 << 20];
      new SplittableRandom(7).nextBytes(mib);
      failures += check("echo-tcp-1MiB", () -> {
        XdrOpaque back = new XdrOpaque();
        call(tcp, ECHO, new XdrOpaque(mib), back, null);
        if (!Arrays.equals(back.getOpaque(), mib)) throw new IllegalStateException("1 MiB came back different");
      });
      byte[] big = Arrays.copyOf(mib, 60_000);                              // a reply over the MTU: IP fragments
      failures += check("echo-udp-60000", () -> {
        XdrOpaque back = new XdrOpaque();
        call(udp, ECHO, new XdrOpaque(big), back, null);
        if (!Arrays.equals(back.getOpaque(), big)) throw new IllegalStateException("60000 bytes came back different");
      });
      failures += check("whoami-auth-sys", () -> {
        io.tapnfs.rpc.DiagProgram.Who w = new io.tapnfs.rpc.DiagProgram.Who();
        call(tcp, WHOAMI, XdrVoid.XDR_VOID, w, new RpcAuthTypeUnix(4242, 77, new int[] {10, 20}, 0, "lab"));
        if (w.flavor != 1 || w.uid != 4242 || w.gid != 77 || !Arrays.equals(w.gids, new int[] {10, 20}))
          throw new IllegalStateException("server saw flavor " + w.flavor + " uid " + w.uid + " gid " + w.gid + " gids " + Arrays.toString(w.gids));
        System.out.println("whoami address " + w.address);
      });
      RpcTransport p = pmap.connect(10, TimeUnit.SECONDS);
      failures += check("pmap-set-refused", () -> {
        XdrBoolean ok = new XdrBoolean();
        new RpcCall(100000, 2, new RpcAuthTypeNone(), p).call(1, new Mapping(0x20005555, 1, 6, 4000), ok, 10, TimeUnit.SECONDS);
        if (ok.booleanValue()) throw new IllegalStateException("a remote SET was accepted");
      });
      failures += check("pmap-unset-refused", () -> {
        XdrBoolean ok = new XdrBoolean();
        new RpcCall(100000, 2, new RpcAuthTypeNone(), p).call(2, new Mapping(PROGRAM, 1, 6, 0), ok, 10, TimeUnit.SECONDS);
        if (ok.booleanValue()) throw new IllegalStateException("a remote UNSET was accepted");
      });
      failures += check("pmap-dump-over-udp-refused", () -> {
        try {
          new RpcCall(100000, 2, new RpcAuthTypeNone(), p).call(4, XdrVoid.XDR_VOID, new XdrVoid(), 10, TimeUnit.SECONDS);
        } catch (org.dcache.oncrpc4j.rpc.OncRpcAcceptedException refused) {
          return;                                                          // PROC_UNAVAIL: no amplification
        }
        throw new IllegalStateException("DUMP was answered over UDP");
      });
    }
    System.out.println(failures == 0 ? "ALL OK" : failures + " FAILED");
    System.exit(failures == 0 ? 0 : 1);
  }

  interface Check { void run() throws Exception; }

  static int check(String name, Check c) {
    try {
      c.run();
      System.out.println("OK " + name);
      return 0;
    } catch (Exception e) {
      System.out.println("FAIL " + name + ": " + e);
      return 1;
    }
  }

  static void call(RpcTransport t, int proc, XdrAble args, XdrAble result, org.dcache.oncrpc4j.rpc.RpcAuth auth) throws Exception {
    new RpcCall(PROGRAM, 1, auth == null ? new RpcAuthTypeNone() : auth, t).call(proc, args, result, 20, TimeUnit.SECONDS);
  }
}
