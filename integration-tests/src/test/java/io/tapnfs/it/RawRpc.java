package io.tapnfs.it;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An ONC RPC version 2 client (RFC 5531) over one TCP connection on a plain {@link Socket}, with
 * record marking (§11), so that a test controls what oncrpc4j would choose for it: the xid, the
 * AUTH_SYS credential (any uid, gid and gids, 4294967295 included) and the local port (a
 * "reserved" one below 1024, as the Linux client uses, or an ephemeral one). Calls can be built
 * as bytes and sent again unchanged, to replay them.
 *
 * <p>Not thread-safe: one connection, one thread (or {@link #send} then {@link #receive} from one
 * thread for pipelined calls).
 */
final class RawRpc implements AutoCloseable {
  static final int MSG_CALL = 0, MSG_REPLY = 1, MSG_DENIED = 1;
  static final int AUTH_NONE = 0, AUTH_SYS = 1;
  static final int RECEIVE_TIMEOUT_MS = 10_000;
  /** Reserved ports handed out, per process, from a random start (sockets close with RST: no TIME_WAIT). */
  private static final AtomicInteger NEXT_RESERVED = new AtomicInteger(ThreadLocalRandom.current().nextInt(600, 1024));
  private static final AtomicInteger NEXT_XID = new AtomicInteger(ThreadLocalRandom.current().nextInt());

  /** An AUTH_SYS credential (RFC 5531 Appendix A): machine name "probe", stamp 0. */
  record Cred(int uid, int gid, int[] gids) {
    static final Cred ROOT = sys(0, 0);

    static Cred sys(int uid, int gid, int... gids) { return new Cred(uid, gid, gids); }

    void encode(XdrOut x) {
      XdrOut body = new XdrOut().u32(0).string("probe").u32(uid).u32(gid).u32(gids.length);
      for (int g : gids) body.u32(g);
      x.u32(AUTH_SYS).opaque(body.toByteArray());
    }

    @Override public String toString() {
      return "uid " + Integer.toUnsignedString(uid) + " gid " + Integer.toUnsignedString(gid) + " gids " + Arrays.toString(gids);
    }
  }

  /**
   * A reply (RFC 5531 §9 reply_body). {@code results} is positioned at the procedure's results when
   * the call was accepted with SUCCESS. {@code bytes} is the whole record, xid first.
   */
  record Reply(byte[] bytes, int xid, boolean accepted, int acceptStat, int rejectStat, int authStat, XdrIn results) {
    boolean success() { return accepted && acceptStat == 0; }

    /** "SUCCESS", "accepted GARBAGE_ARGS", "denied AUTH_ERROR AUTH_TOOWEAK", ... */
    String describe() {
      if (accepted) {
        String[] names = {"SUCCESS", "PROG_UNAVAIL", "PROG_MISMATCH", "PROC_UNAVAIL", "GARBAGE_ARGS", "SYSTEM_ERR"};
        return acceptStat >= 0 && acceptStat < names.length ? (acceptStat == 0 ? "SUCCESS" : "accepted " + names[acceptStat]) : "accept_stat " + acceptStat;
      }
      if (rejectStat == 0) return "denied RPC_MISMATCH";
      String[] auth = {"AUTH_OK", "AUTH_BADCRED", "AUTH_REJECTEDCRED", "AUTH_BADVERF", "AUTH_REJECTEDVERF", "AUTH_TOOWEAK",
          "AUTH_INVALIDRESP", "AUTH_FAILED"};
      return "denied AUTH_ERROR " + (authStat >= 0 && authStat < auth.length ? auth[authStat] : "auth_stat " + authStat);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawRpc(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /**
   * Connects to {@code host:port} from a reserved local port (600..1023; needs root) when
   * {@code reserved}, else from an ephemeral one (at least 1024, from the kernel's range).
   */
  static RawRpc connect(InetAddress host, int port, boolean reserved) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Socket s = new Socket();
      try {
        s.setSoLinger(true, 0);                 // close with RST: no TIME_WAIT blocking the port for the next run
        s.setTcpNoDelay(true);
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(reserved ? nextReserved() : 0));
        s.connect(new InetSocketAddress(host, port), 10_000);
        s.setSoTimeout(RECEIVE_TIMEOUT_MS);
        return new RawRpc(s);
      } catch (BindException e) {               // that port is busy here: take the next one
        s.close();
        if (!reserved || attempt >= 20) throw e;
      } catch (IOException e) {
        s.close();
        throw e;
      }
    }
  }

  private static int nextReserved() { return 600 + Math.floorMod(NEXT_RESERVED.getAndIncrement() - 600, 424); }

  int localPort() { return socket.getLocalPort(); }

  static int nextXid() { return NEXT_XID.incrementAndGet(); }

  /** The bytes of a call message (RFC 5531 §9 call_body), without the record mark. */
  static byte[] callBytes(int xid, int prog, int vers, int proc, Cred cred, byte[] args) {
    XdrOut x = new XdrOut().u32(xid).u32(MSG_CALL).u32(2).u32(prog).u32(vers).u32(proc);
    cred.encode(x);
    x.u32(AUTH_NONE).u32(0);                      // verifier
    x.raw(args);
    return x.toByteArray();
  }

  /** Sends one record: a single fragment with the last-fragment bit (§11). */
  void send(byte[] record) throws IOException {
    byte[] b = new byte[4 + record.length];
    ByteBuffer.wrap(b).putInt(0x80000000 | record.length).put(record);
    out.write(b);
    out.flush();
  }

  /** Reads one record (all its fragments) within {@code timeoutMs}. */
  byte[] receiveRecord(int timeoutMs) throws IOException {
    socket.setSoTimeout(timeoutMs);
    DataInputStream d = new DataInputStream(in);
    byte[] all = new byte[0];
    while (true) {
      int mark;
      try {
        mark = d.readInt();
      } catch (EOFException e) {
        throw new EOFException("connection closed by the server");
      }
      int len = mark & 0x7fffffff;
      if (len > (16 << 20)) throw new IOException("fragment of " + len + " bytes");
      int at = all.length;
      all = Arrays.copyOf(all, at + len);
      d.readFully(all, at, len);
      if (mark < 0) return all;
    }
  }

  Reply receive() throws IOException { return parse(receiveRecord(RECEIVE_TIMEOUT_MS)); }

  /** Whether a reply arrives within {@code timeoutMs} (null if none). */
  Reply receive(int timeoutMs) throws IOException {
    try {
      return parse(receiveRecord(timeoutMs));
    } catch (SocketTimeoutException e) {
      return null;
    }
  }

  /** A call with a fresh xid; the reply must carry it. */
  Reply call(int prog, int vers, int proc, Cred cred, byte[] args) throws IOException {
    int xid = nextXid();
    send(callBytes(xid, prog, vers, proc, cred, args));
    Reply r = receive();
    if (r.xid() != xid) throw new IOException("reply xid " + r.xid() + " to call xid " + xid);
    return r;
  }

  static Reply parse(byte[] b) throws IOException {
    XdrIn x = new XdrIn(b);
    int xid = x.u32();
    if (x.u32() != MSG_REPLY) throw new IOException("not a reply");
    if (x.u32() == MSG_DENIED) {
      int reject = x.u32();
      int auth = reject == 1 ? x.u32() : -1;
      return new Reply(b, xid, false, -1, reject, auth, null);
    }
    x.u32();                                      // verifier flavor
    x.opaque();                                   // verifier body
    int accept = x.u32();
    return new Reply(b, xid, true, accept, -1, -1, x);
  }

  @Override public void close() throws IOException { socket.close(); }

  // ---------------------------------------------------------------- XDR (RFC 4506), big-endian

  /** An XDR encoder into a growing array. */
  static final class XdrOut {
    private byte[] b = new byte[128];
    private int n;

    private void ensure(int more) {
      if (n + more > b.length) b = Arrays.copyOf(b, Math.max(b.length * 2, n + more));
    }

    XdrOut u32(int v) {
      ensure(4);
      ByteBuffer.wrap(b, n, 4).putInt(v);
      n += 4;
      return this;
    }

    XdrOut u64(long v) {
      ensure(8);
      ByteBuffer.wrap(b, n, 8).putLong(v);
      n += 8;
      return this;
    }

    XdrOut bool(boolean v) { return u32(v ? 1 : 0); }

    /** Fixed-length opaque: the bytes, zero-padded to 4. */
    XdrOut fixed(byte[] v) {
      int padded = (v.length + 3) & ~3;
      ensure(padded);
      System.arraycopy(v, 0, b, n, v.length);
      Arrays.fill(b, n + v.length, n + padded, (byte) 0);
      n += padded;
      return this;
    }

    /** Variable-length opaque: length, bytes, padding. */
    XdrOut opaque(byte[] v) { return u32(v.length).fixed(v); }

    XdrOut string(String s) { return opaque(s.getBytes(StandardCharsets.UTF_8)); }

    XdrOut raw(byte[] v) {
      ensure(v.length);
      System.arraycopy(v, 0, b, n, v.length);
      n += v.length;
      return this;
    }

    byte[] toByteArray() { return Arrays.copyOf(b, n); }
  }

  /** An XDR decoder; a read past the end is an IOException. */
  static final class XdrIn {
    private final ByteBuffer b;

    XdrIn(byte[] bytes) { this.b = ByteBuffer.wrap(bytes); }

    private void need(long n) throws IOException {
      if (n > b.remaining()) throw new IOException("XDR: " + n + " bytes wanted, " + b.remaining() + " left");
    }

    int u32() throws IOException {
      need(4);
      return b.getInt();
    }

    long u64() throws IOException {
      need(8);
      return b.getLong();
    }

    boolean bool() throws IOException {
      int v = u32();
      if (v != 0 && v != 1) throw new IOException("XDR bool " + v);
      return v == 1;
    }

    byte[] fixed(int len) throws IOException {
      need((len + 3L) & ~3L);
      byte[] v = new byte[len];
      b.get(v);
      b.position(b.position() + (((len + 3) & ~3) - len));
      return v;
    }

    byte[] opaque() throws IOException {
      int len = u32();
      if (len < 0) throw new IOException("XDR opaque of " + Integer.toUnsignedString(len) + " bytes");
      return fixed(len);
    }

    String string() throws IOException { return new String(opaque(), StandardCharsets.UTF_8); }

    void skip(int n) throws IOException {
      need(n);
      b.position(b.position() + n);
    }

    int remaining() { return b.remaining(); }
  }
}
