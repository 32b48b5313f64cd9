package io.tapnfs.it.bench;

import io.tapnfs.rpc.DiagProgram;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times the diagnostic program's ECHO one call at a time on a plain blocking kernel socket (no
 * client-side Grizzly): one RPC record out (RFC 5531 §11 record marking, AUTH_NONE), the whole
 * reply read back. Prints {@code RESULT size=B calls=N p50us=A p99us=B maxus=C} per size.
 * Arguments: HOST PORT CALLS SIZE... (sizes in bytes; the calls for sizes from 64 KiB up are
 * CALLS/10, at least 20). TCP_NODELAY on, as an RPC client sets it.
 */
public final class RpcEchoClient {
  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]), calls = Integer.parseInt(args[2]);
    try (Socket s = new Socket()) {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress(host, port), 10_000);
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(s.getInputStream(), 1 << 16));
      int xid = 1;
      for (int i = 3; i < args.length; i++) {
        int size = Integer.parseInt(args[i]);
        int n = size >= 65536 ? Math.max(20, calls / 10) : calls;
        byte[] call = call(size);
        for (int w = 0; w < Math.min(n, 200); w++) echo(out, in, call, xid++, size);   // warm up (JIT)
        long[] lat = new long[n];
        for (int c = 0; c < n; c++) {
          long t = System.nanoTime();
          echo(out, in, call, xid++, size);
          lat[c] = System.nanoTime() - t;
        }
        Arrays.sort(lat);
        System.out.printf(Locale.ROOT, "RESULT size=%d calls=%d p50us=%.1f p99us=%.1f maxus=%.1f%n", size, n,
            lat[n / 2] / 1e3, lat[(int) (n * 0.99)] / 1e3, lat[n - 1] / 1e3);
      }
    }
  }

  /** A record-marked CALL of ECHO with {@code size} bytes; the xid at offset 4 is filled in per call. */
  static byte[] call(int size) {
    int pad = (4 - size % 4) % 4;
    int body = 10 * 4 + 4 + size + pad;
    ByteBuffer b = ByteBuffer.allocate(4 + body);
    b.putInt(0x80000000 | body);
    b.putInt(0).putInt(0).putInt(2).putInt(DiagProgram.PROGRAM).putInt(DiagProgram.VERSION).putInt(DiagProgram.ECHO);
    b.putInt(0).putInt(0).putInt(0).putInt(0);          // AUTH_NONE credential and verifier
    b.putInt(size);
    for (int i = 0; i < size; i++) b.put((byte) i);
    return b.array();
  }

  static void echo(OutputStream out, DataInputStream in, byte[] call, int xid, int size) throws IOException {
    ByteBuffer.wrap(call).putInt(4, xid);
    out.write(call);
    out.flush();
    // the reply: fragments until the last; xid, REPLY, MSG_ACCEPTED, verifier, SUCCESS, opaque
    long got = 0;
    boolean last = false;
    byte[] skip = new byte[1 << 16];
    int seenXid = 0;
    boolean first = true;
    while (!last) {
      int mark = in.readInt();
      last = mark < 0;
      int len = mark & 0x7fffffff;
      if (first && len >= 4) { seenXid = in.readInt(); len -= 4; first = false; }
      while (len > 0) {
        int k = Math.min(len, skip.length);
        in.readFully(skip, 0, k);
        len -= k;
        got += k;
      }
    }
    if (seenXid != xid) throw new IOException("xid " + seenXid + " for " + xid);
    long want = 6 * 4 + size + (4 - size % 4) % 4;   // after the xid: 5 words of header, the length
    if (got != want) throw new IOException("reply of " + got + " bytes after the xid, expected " + want);
  }
}
