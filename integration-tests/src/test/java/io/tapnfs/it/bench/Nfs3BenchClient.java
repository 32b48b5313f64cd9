package io.tapnfs.it.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CompletionHandler;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.dcache.oncrpc4j.rpc.OncRpcClient;
import org.dcache.oncrpc4j.rpc.RpcAuth;
import org.dcache.oncrpc4j.rpc.RpcAuthTypeNone;
import org.dcache.oncrpc4j.rpc.RpcAuthTypeUnix;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcReply;
import org.dcache.oncrpc4j.rpc.RpcTransport;
import org.dcache.oncrpc4j.rpc.net.IpProtocolType;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * A small NFSv3 client for the benchmarks (RFC 1813 §3.3; MOUNT v3, §5.2; PMAP v2 GETPORT, RFC
 * 1833 §3.1): oncrpc4j on kernel TCP sockets, AUTH_SYS as root. Only what {@link NfsClientLoad}
 * needs, and replies are decoded only as far as the benchmark reads them (status first, the rest
 * skipped), so that the client's own cost stays small and the same for every server.
 *
 * <p>Synchronous calls wait for their reply; {@link #writeAsync} and {@link #readAsync} return at
 * once and complete on oncrpc4j's thread, which is how {@link NfsClientLoad} keeps several calls in
 * flight on the one TCP connection (oncrpc4j 3.4.2 encodes each call into its own buffer and draws
 * xids from an atomic counter, so one {@link RpcCall} serves concurrent calls).
 */
final class Nfs3BenchClient implements AutoCloseable {
  static final int PMAP = 100000, MOUNT = 100005, NFS = 100003;
  static final int NULL = 0, GETATTR = 1, LOOKUP = 3, READ = 6, WRITE = 7, CREATE = 8, MKDIR = 9, REMOVE = 12,
      RMDIR = 13, READDIRPLUS = 17, FSINFO = 19, COMMIT = 21;
  static final int UNSTABLE = 0, FILE_SYNC = 2;
  static final long TIMEOUT_S = 120;

  /** A status other than NFS3_OK (or MNT3_OK) in a reply; the benchmark reports it and stops that pass. */
  static final class StatusException extends IOException {
    final String call;
    final int status;

    StatusException(String call, int status) {
      super(call + " -> " + statusName(status) + " (" + status + ")");
      this.call = call;
      this.status = status;
    }
  }

  /** RFC 1813 §2.6 nfsstat3 names. */
  static String statusName(int s) {
    return switch (s) {
      case 1 -> "NFS3ERR_PERM"; case 2 -> "NFS3ERR_NOENT"; case 5 -> "NFS3ERR_IO"; case 6 -> "NFS3ERR_NXIO";
      case 13 -> "NFS3ERR_ACCES"; case 17 -> "NFS3ERR_EXIST"; case 18 -> "NFS3ERR_XDEV"; case 19 -> "NFS3ERR_NODEV";
      case 20 -> "NFS3ERR_NOTDIR"; case 21 -> "NFS3ERR_ISDIR"; case 22 -> "NFS3ERR_INVAL"; case 27 -> "NFS3ERR_FBIG";
      case 28 -> "NFS3ERR_NOSPC"; case 30 -> "NFS3ERR_ROFS"; case 31 -> "NFS3ERR_MLINK"; case 63 -> "NFS3ERR_NAMETOOLONG";
      case 66 -> "NFS3ERR_NOTEMPTY"; case 69 -> "NFS3ERR_DQUOT"; case 70 -> "NFS3ERR_STALE"; case 71 -> "NFS3ERR_REMOTE";
      case 10001 -> "NFS3ERR_BADHANDLE"; case 10002 -> "NFS3ERR_NOT_SYNC"; case 10003 -> "NFS3ERR_BAD_COOKIE";
      case 10004 -> "NFS3ERR_NOTSUPP"; case 10005 -> "NFS3ERR_TOOSMALL"; case 10006 -> "NFS3ERR_SERVERFAULT";
      case 10007 -> "NFS3ERR_BADTYPE"; case 10008 -> "NFS3ERR_JUKEBOX";
      default -> "status " + s;
    };
  }

  @FunctionalInterface interface Enc { void to(XdrEncodingStream x) throws IOException; }

  @FunctionalInterface interface Dec { void from(XdrDecodingStream x) throws IOException; }

  /** Arguments written by a lambda. */
  record Args(Enc e) implements XdrAble {
    @Override public void xdrEncode(XdrEncodingStream x) throws IOException { e.to(x); }

    @Override public void xdrDecode(XdrDecodingStream x) { throw new UnsupportedOperationException(); }
  }

  /** A reply read by a lambda. */
  record Res(Dec d) implements XdrAble {
    @Override public void xdrEncode(XdrEncodingStream x) { throw new UnsupportedOperationException(); }

    @Override public void xdrDecode(XdrDecodingStream x) throws IOException { d.from(x); }
  }

  /** FSINFO3resok (RFC 1813 §3.3.19), the sizes only. */
  record FsInfo(long rtmax, long rtpref, long wtmax, long wtpref, long dtpref) {}

  /** One page of READDIRPLUS: entries counted and checked by the caller's visitor. */
  record DirPage(long cookieverf, long lastCookie, int entries, boolean eof) {}

  /** Sees each READDIRPLUS entry: its name, and whether the server sent attributes and a handle. */
  @FunctionalInterface interface EntryVisitor { void entry(String name, boolean attrs, boolean handle); }

  final byte[] root;
  private final OncRpcClient client;
  private final RpcCall nfs;
  private final RpcAuth auth = new RpcAuthTypeUnix(0, 0, new int[] {0}, 0, "nfs-client-bench");

  private Nfs3BenchClient(OncRpcClient client, RpcTransport transport, byte[] root) {
    this.client = client;
    this.root = root;
    this.nfs = new RpcCall(NFS, 3, auth, transport);
  }

  /**
   * Asks the server's rpcbind (TCP 111) for MOUNT v3 and NFS v3 over TCP, mounts {@code export}
   * and connects to NFS: what mount.nfs does, minus the retries.
   */
  static Nfs3BenchClient mount(InetAddress host, String export) throws IOException, TimeoutException {
    int mountPort, nfsPort;
    try (OncRpcClient pmap = new OncRpcClient(host, IpProtocolType.TCP, 111)) {
      RpcTransport t = pmap.connect(10, TimeUnit.SECONDS);
      mountPort = getport(t, MOUNT, 3);
      nfsPort = getport(t, NFS, 3);
    }
    byte[] fh;
    try (OncRpcClient m = new OncRpcClient(host, IpProtocolType.TCP, mountPort)) {
      RpcTransport t = m.connect(10, TimeUnit.SECONDS);
      byte[][] out = new byte[1][];
      new RpcCall(MOUNT, 3, new RpcAuthTypeUnix(0, 0, new int[] {0}, 0, "nfs-client-bench"), t)
          .call(1, new Args(x -> x.xdrEncodeString(export)), new Res(x -> {
            int s = x.xdrDecodeInt();
            if (s != 0) throw new StatusException("MNT " + export, s);
            out[0] = x.xdrDecodeDynamicOpaque();
          }), 10, TimeUnit.SECONDS);
      fh = out[0];
    }
    OncRpcClient c = new OncRpcClient(host, IpProtocolType.TCP, nfsPort);
    try {
      return new Nfs3BenchClient(c, c.connect(10, TimeUnit.SECONDS), fh);
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private static int getport(RpcTransport t, int prog, int vers) throws IOException, TimeoutException {
    int[] port = new int[1];
    new RpcCall(PMAP, 2, new RpcAuthTypeNone(), t).call(3, new Args(x -> {
      x.xdrEncodeInt(prog);
      x.xdrEncodeInt(vers);
      x.xdrEncodeInt(IpProtocolType.TCP);
      x.xdrEncodeInt(0);
    }), new Res(x -> port[0] = x.xdrDecodeInt()), 10, TimeUnit.SECONDS);
    if (port[0] == 0) throw new IOException("program " + prog + " v" + vers + " over TCP is not registered with rpcbind");
    return port[0];
  }

  @Override public void close() throws IOException { client.close(); }

  // ------------------------------------------------------------------ synchronous calls

  private void call(int proc, Enc args, Dec res) throws IOException, TimeoutException {
    nfs.call(proc, new Args(args), new Res(res), TIMEOUT_S, TimeUnit.SECONDS, auth);
  }

  private static void ok(XdrDecodingStream x, String call) throws IOException {
    int s = x.xdrDecodeInt();
    if (s != 0) throw new StatusException(call, s);
  }

  static void dirop(XdrEncodingStream x, byte[] dir, String name) {
    x.xdrEncodeDynamicOpaque(dir);
    x.xdrEncodeDynamicOpaque(name.getBytes(StandardCharsets.UTF_8));
  }

  /** sattr3 (§2.5) with only the mode set. */
  static void sattrMode(XdrEncodingStream x, int mode) {
    x.xdrEncodeBoolean(true);
    x.xdrEncodeInt(mode);
    x.xdrEncodeBoolean(false);   // uid
    x.xdrEncodeBoolean(false);   // gid
    x.xdrEncodeBoolean(false);   // size
    x.xdrEncodeInt(0);           // atime DONT_CHANGE
    x.xdrEncodeInt(0);           // mtime DONT_CHANGE
  }

  /** fattr3 is 84 bytes (§2.5): skipped as 21 words. */
  static void skipFattr(XdrDecodingStream x) throws IOException {
    for (int i = 0; i < 21; i++) x.xdrDecodeInt();
  }

  static boolean skipPostOpAttr(XdrDecodingStream x) throws IOException {
    boolean present = x.xdrDecodeBoolean();
    if (present) skipFattr(x);
    return present;
  }

  void nullCall() throws IOException, TimeoutException { call(NULL, x -> { }, x -> { }); }

  FsInfo fsinfo() throws IOException, TimeoutException {
    FsInfo[] out = new FsInfo[1];
    call(FSINFO, x -> x.xdrEncodeDynamicOpaque(root), x -> {
      ok(x, "FSINFO root");
      skipPostOpAttr(x);
      long rtmax = x.xdrDecodeInt() & 0xffffffffL, rtpref = x.xdrDecodeInt() & 0xffffffffL;
      x.xdrDecodeInt();                                     // rtmult
      long wtmax = x.xdrDecodeInt() & 0xffffffffL, wtpref = x.xdrDecodeInt() & 0xffffffffL;
      x.xdrDecodeInt();                                     // wtmult
      out[0] = new FsInfo(rtmax, rtpref, wtmax, wtpref, x.xdrDecodeInt() & 0xffffffffL);
    });
    return out[0];
  }

  /** CREATE (§3.3.8) with {@code how}: UNCHECKED (0) or GUARDED (1), mode 0644. @return the new handle */
  byte[] create(byte[] dir, String name, int how) throws IOException, TimeoutException {
    return newObject(CREATE, "CREATE " + name, x -> {
      dirop(x, dir, name);
      x.xdrEncodeInt(how);
      sattrMode(x, 0644);
    });
  }

  byte[] mkdir(byte[] dir, String name) throws IOException, TimeoutException {
    return newObject(MKDIR, "MKDIR " + name, x -> {
      dirop(x, dir, name);
      sattrMode(x, 0755);
    });
  }

  private byte[] newObject(int proc, String what, Enc args) throws IOException, TimeoutException {
    byte[][] fh = new byte[1][];
    call(proc, args, x -> {
      ok(x, what);
      if (x.xdrDecodeBoolean()) fh[0] = x.xdrDecodeDynamicOpaque();   // post_op_fh3
    });
    if (fh[0] == null) throw new IOException(what + ": no handle in the reply (the benchmark needs one)");
    return fh[0];
  }

  /** A LOOKUP reply: the handle, and whether the object's attributes came with it (else a client must GETATTR). */
  record Looked(byte[] fh, boolean attrs) {}

  /** LOOKUP (§3.3.3). */
  Looked lookup(byte[] dir, String name) throws IOException, TimeoutException {
    Looked[] out = new Looked[1];
    call(LOOKUP, x -> dirop(x, dir, name), x -> {
      ok(x, "LOOKUP " + name);
      byte[] fh = x.xdrDecodeDynamicOpaque();
      out[0] = new Looked(fh, skipPostOpAttr(x));
    });
    return out[0];
  }

  void remove(byte[] dir, String name) throws IOException, TimeoutException {
    call(REMOVE, x -> dirop(x, dir, name), x -> ok(x, "REMOVE " + name));
  }

  void rmdir(byte[] dir, String name) throws IOException, TimeoutException {
    call(RMDIR, x -> dirop(x, dir, name), x -> ok(x, "RMDIR " + name));
  }

  /** READDIRPLUS (§3.3.17) from {@code cookie}; each entry goes to {@code v}. */
  DirPage readdirplus(byte[] dir, long cookie, long verf, int dircount, int maxcount, EntryVisitor v)
      throws IOException, TimeoutException {
    DirPage[] out = new DirPage[1];
    call(READDIRPLUS, x -> {
      x.xdrEncodeDynamicOpaque(dir);
      x.xdrEncodeLong(cookie);
      x.xdrEncodeLong(verf);
      x.xdrEncodeInt(dircount);
      x.xdrEncodeInt(maxcount);
    }, x -> {
      ok(x, "READDIRPLUS cookie " + cookie);
      skipPostOpAttr(x);
      long cookieverf = x.xdrDecodeLong(), last = cookie;
      int n = 0;
      while (x.xdrDecodeBoolean()) {
        x.xdrDecodeLong();                                  // fileid
        String name = new String(x.xdrDecodeDynamicOpaque(), StandardCharsets.UTF_8);
        last = x.xdrDecodeLong();
        boolean attrs = skipPostOpAttr(x);
        boolean handle = x.xdrDecodeBoolean();
        if (handle) x.xdrDecodeDynamicOpaque();
        v.entry(name, attrs, handle);
        n++;
      }
      out[0] = new DirPage(cookieverf, last, n, x.xdrDecodeBoolean());
    });
    return out[0];
  }

  /** COMMIT (§3.3.21) of the whole file. @return the write verifier */
  long commit(byte[] fh) throws IOException, TimeoutException {
    long[] verf = new long[1];
    call(COMMIT, x -> {
      x.xdrEncodeDynamicOpaque(fh);
      x.xdrEncodeLong(0);
      x.xdrEncodeInt(0);
    }, x -> {
      ok(x, "COMMIT");
      skipWcc(x);
      verf[0] = x.xdrDecodeLong();
    });
    return verf[0];
  }

  static void skipWcc(XdrDecodingStream x) throws IOException {
    if (x.xdrDecodeBoolean()) for (int i = 0; i < 6; i++) x.xdrDecodeInt();   // wcc_attr: size, mtime, ctime
    skipPostOpAttr(x);
  }

  // ------------------------------------------------------------------ asynchronous data calls

  /** Completion of one asynchronous call: null on success, else what went wrong. */
  @FunctionalInterface interface Done { void done(Throwable failure); }

  /** WRITE3resok (§3.3.7) as far as the benchmark checks it. */
  record WriteOk(long count, int committed, long verf) {}

  @FunctionalInterface interface WriteDone { void done(WriteOk ok, Throwable failure); }

  /** WRITE of {@code len} bytes of {@code data} (copied into the call before this returns) at {@code offset}. */
  void writeAsync(byte[] fh, long offset, byte[] data, int len, int stable, WriteDone done) throws IOException {
    WriteOk[] out = new WriteOk[1];
    nfs.call(WRITE, new Args(x -> {
      x.xdrEncodeDynamicOpaque(fh);
      x.xdrEncodeLong(offset);
      x.xdrEncodeInt(len);
      x.xdrEncodeInt(stable);
      x.xdrEncodeInt(len);
      x.xdrEncodeOpaque(data, 0, len);
    }), handler(new Res(x -> {
      ok(x, "WRITE offset " + offset);
      skipWcc(x);
      out[0] = new WriteOk(x.xdrDecodeInt() & 0xffffffffL, x.xdrDecodeInt(), x.xdrDecodeLong());
    }), f -> done.done(out[0], f)), TIMEOUT_S, TimeUnit.SECONDS, auth);
  }

  /** Sees a READ reply's data (a view valid only during the call) and eof flag. */
  @FunctionalInterface interface ReadData { void data(ByteBuffer data, boolean eof) throws IOException; }

  void readAsync(byte[] fh, long offset, int count, ReadData data, Done done) throws IOException {
    nfs.call(READ, new Args(x -> {
      x.xdrEncodeDynamicOpaque(fh);
      x.xdrEncodeLong(offset);
      x.xdrEncodeInt(count);
    }), handler(new Res(x -> {
      ok(x, "READ offset " + offset);
      skipPostOpAttr(x);
      int n = x.xdrDecodeInt();
      boolean eof = x.xdrDecodeBoolean();
      ByteBuffer b = x.xdrDecodeByteBuffer();
      if (b.remaining() != n) throw new IOException("READ offset " + offset + ": count " + n + " but " + b.remaining() + " bytes of data");
      data.data(b, eof);
    }), done), TIMEOUT_S, TimeUnit.SECONDS, auth);
  }

  private static CompletionHandler<RpcReply, RpcTransport> handler(Res res, Done done) {
    return new CompletionHandler<>() {
      @Override public void completed(RpcReply reply, RpcTransport t) {
        try {
          reply.getReplyResult(res);
        } catch (Throwable e) {
          done.done(e);
          return;
        }
        done.done(null);
      }

      @Override public void failed(Throwable e, RpcTransport t) { done.done(e); }
    };
  }
}
