package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.TestRpc;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.rpc.RpcClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.dcache.oncrpc4j.rpc.RpcAuth;
import org.dcache.oncrpc4j.rpc.RpcAuthTypeUnix;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * The client side of NFSv3 for the tests: encodes calls (RFC 1813 §3.3) and decodes replies into
 * plain records, written independently of the server's codecs so that each checks the other.
 */
final class Nfs3Client {
  static final Duration T = Duration.ofSeconds(20);

  private final TestRpc rpc;
  RpcAuth auth = new RpcAuthTypeUnix(1000, 1000, new int[] {1000}, 0, "client");

  Nfs3Client(RpcClient rpc) { this(TestRpc.of(rpc)); }

  Nfs3Client(TestRpc rpc) { this.rpc = rpc; }

  static RpcAuth unix(int uid, int gid) { return new RpcAuthTypeUnix(uid, gid, new int[0], 0, "client"); }

  static RpcAuth unix(int uid, int gid, int... gids) { return new RpcAuthTypeUnix(uid, gid, gids, 0, "client"); }

  // ------------------------------------------------------------------ encoding

  @FunctionalInterface interface Enc { void to(XdrEncodingStream x); }

  @FunctionalInterface interface Dec<R> { R from(XdrDecodingStream x) throws IOException; }

  /** Calls {@code proc} with raw arguments, decoding the reply with {@code dec}. */
  <R> R call(int proc, Enc args, Dec<R> dec) throws IOException, TimeoutException {
    Object[] out = new Object[1];
    rpc.call(Nfs3Program.PROGRAM, Nfs3Program.VERSION, proc, new XdrAble() {
      @Override public void xdrEncode(XdrEncodingStream x) { args.to(x); }

      @Override public void xdrDecode(XdrDecodingStream x) { throw new UnsupportedOperationException(); }
    }, new XdrAble() {
      @Override public void xdrEncode(XdrEncodingStream x) { throw new UnsupportedOperationException(); }

      @Override public void xdrDecode(XdrDecodingStream x) throws IOException { out[0] = dec.from(x); }
    }, auth, T, 0);
    @SuppressWarnings("unchecked") R r = (R) out[0];
    return r;
  }

  static void fh(XdrEncodingStream x, byte[] fh) { x.xdrEncodeDynamicOpaque(fh); }

  static void name(XdrEncodingStream x, String n) { x.xdrEncodeDynamicOpaque(n.getBytes(StandardCharsets.UTF_8)); }

  static void dirop(XdrEncodingStream x, byte[] dir, String n) {
    fh(x, dir);
    name(x, n);
  }

  /** sattr3 setting only the mode (or nothing when mode is null). */
  static void sattr(XdrEncodingStream x, Integer mode) {
    x.xdrEncodeBoolean(mode != null);
    if (mode != null) x.xdrEncodeInt(mode);
    x.xdrEncodeBoolean(false);   // uid
    x.xdrEncodeBoolean(false);   // gid
    x.xdrEncodeBoolean(false);   // size
    x.xdrEncodeInt(0);           // atime DONT_CHANGE
    x.xdrEncodeInt(0);           // mtime DONT_CHANGE
  }

  // ------------------------------------------------------------------ decoding

  record Fattr(int type, int mode, long nlink, int uid, int gid, long size, long used, int major, int minor, long fsid,
               long fileid, long atimeS, long atimeNs, long mtimeS, long mtimeNs, long ctimeS, long ctimeNs) {}

  record WccAttr(long size, long mtimeS, long mtimeNs, long ctimeS, long ctimeNs) {}

  record Wcc(WccAttr before, Fattr after) {}

  static long u32(XdrDecodingStream x) throws IOException { return x.xdrDecodeInt() & 0xffffffffL; }

  static Nfsstat3 status(XdrDecodingStream x) throws IOException { return Nfsstat3.ofCode(x.xdrDecodeInt()); }

  static Fattr fattr(XdrDecodingStream x) throws IOException {
    return new Fattr(x.xdrDecodeInt(), x.xdrDecodeInt(), u32(x), x.xdrDecodeInt(), x.xdrDecodeInt(), x.xdrDecodeLong(),
        x.xdrDecodeLong(), x.xdrDecodeInt(), x.xdrDecodeInt(), x.xdrDecodeLong(), x.xdrDecodeLong(), u32(x), u32(x), u32(x),
        u32(x), u32(x), u32(x));
  }

  static Fattr postOp(XdrDecodingStream x) throws IOException { return x.xdrDecodeBoolean() ? fattr(x) : null; }

  static Wcc wcc(XdrDecodingStream x) throws IOException {
    WccAttr before = x.xdrDecodeBoolean() ? new WccAttr(x.xdrDecodeLong(), u32(x), u32(x), u32(x), u32(x)) : null;
    return new Wcc(before, postOp(x));
  }

  static byte[] postOpFh(XdrDecodingStream x) throws IOException { return x.xdrDecodeBoolean() ? x.xdrDecodeDynamicOpaque() : null; }

  // ------------------------------------------------------------------ procedures

  record AttrRes(Nfsstat3 status, Fattr attr) {}

  record WccRes(Nfsstat3 status, Wcc wcc) {}

  record LookupRes(Nfsstat3 status, byte[] fh, Fattr obj, Fattr dir) {}

  record AccessRes(Nfsstat3 status, Fattr attr, int access) {}

  record ReadlinkRes(Nfsstat3 status, Fattr attr, String target) {}

  record ReadRes(Nfsstat3 status, Fattr attr, int count, boolean eof, byte[] data) {}

  record WriteRes(Nfsstat3 status, Wcc wcc, long count, int committed, long verf) {}

  record CreateRes(Nfsstat3 status, byte[] fh, Fattr obj, Wcc dir) {}

  record RenameRes(Nfsstat3 status, Wcc from, Wcc to) {}

  record LinkRes(Nfsstat3 status, Fattr file, Wcc dir) {}

  record Entry(long fileid, String name, long cookie, Fattr attr, byte[] fh) {}

  record DirRes(Nfsstat3 status, Fattr dir, long verf, List<Entry> entries, boolean eof) {}

  record FsstatRes(Nfsstat3 status, Fattr attr, long tbytes, long fbytes, long abytes, long tfiles, long ffiles, long afiles, long invarsec) {}

  record FsinfoRes(Nfsstat3 status, Fattr attr, long rtmax, long rtpref, long rtmult, long wtmax, long wtpref, long wtmult,
                   long dtpref, long maxfilesize, long deltaS, long deltaNs, int properties) {}

  record PathconfRes(Nfsstat3 status, Fattr attr, long linkmax, long nameMax, boolean noTrunc, boolean chownRestricted,
                     boolean caseInsensitive, boolean casePreserving) {}

  record CommitRes(Nfsstat3 status, Wcc wcc, long verf) {}

  void nullProc() throws Exception { call(0, x -> { }, x -> null); }

  AttrRes getattr(byte[] fh) throws Exception {
    return call(1, x -> fh(x, fh), x -> {
      Nfsstat3 s = status(x);
      return new AttrRes(s, s == Nfsstat3.OK ? fattr(x) : null);
    });
  }

  /** SETATTR of the mode, guarded by {@code guardCtime} {seconds, nseconds} when not null. */
  WccRes setattrMode(byte[] fh, int mode, long[] guardCtime) throws Exception {
    return call(2, x -> {
      fh(x, fh);
      sattr(x, mode);
      x.xdrEncodeBoolean(guardCtime != null);
      if (guardCtime != null) {
        x.xdrEncodeInt((int) guardCtime[0]);
        x.xdrEncodeInt((int) guardCtime[1]);
      }
    }, x -> new WccRes(status(x), wcc(x)));
  }

  /** SETATTR of the owner and group (each left alone when null), unguarded. */
  WccRes setattrOwner(byte[] fh, Integer uid, Integer gid) throws Exception {
    return call(2, x -> {
      fh(x, fh);
      x.xdrEncodeBoolean(false);                 // mode
      x.xdrEncodeBoolean(uid != null);
      if (uid != null) x.xdrEncodeInt(uid);
      x.xdrEncodeBoolean(gid != null);
      if (gid != null) x.xdrEncodeInt(gid);
      x.xdrEncodeBoolean(false);                 // size
      x.xdrEncodeInt(0);                         // atime DONT_CHANGE
      x.xdrEncodeInt(0);                         // mtime DONT_CHANGE
      x.xdrEncodeBoolean(false);                 // no guard
    }, x -> new WccRes(status(x), wcc(x)));
  }

  /** SETATTR of the size. */
  WccRes truncate(byte[] fh, long size) throws Exception {
    return call(2, x -> {
      fh(x, fh);
      x.xdrEncodeBoolean(false);
      x.xdrEncodeBoolean(false);
      x.xdrEncodeBoolean(false);
      x.xdrEncodeBoolean(true);
      x.xdrEncodeLong(size);
      x.xdrEncodeInt(0);
      x.xdrEncodeInt(0);
      x.xdrEncodeBoolean(false);
    }, x -> new WccRes(status(x), wcc(x)));
  }

  LookupRes lookup(byte[] dir, String name) throws Exception {
    return call(3, x -> dirop(x, dir, name), x -> {
      Nfsstat3 s = status(x);
      if (s != Nfsstat3.OK) return new LookupRes(s, null, null, postOp(x));
      return new LookupRes(s, x.xdrDecodeDynamicOpaque(), postOp(x), postOp(x));
    });
  }

  AccessRes access(byte[] fh, int mask) throws Exception {
    return call(4, x -> {
      fh(x, fh);
      x.xdrEncodeInt(mask);
    }, x -> {
      Nfsstat3 s = status(x);
      Fattr a = postOp(x);
      return new AccessRes(s, a, s == Nfsstat3.OK ? x.xdrDecodeInt() : 0);
    });
  }

  ReadlinkRes readlink(byte[] fh) throws Exception {
    return call(5, x -> fh(x, fh), x -> {
      Nfsstat3 s = status(x);
      Fattr a = postOp(x);
      return new ReadlinkRes(s, a, s == Nfsstat3.OK ? new String(x.xdrDecodeDynamicOpaque(), StandardCharsets.UTF_8) : null);
    });
  }

  ReadRes read(byte[] fh, long offset, int count) throws Exception {
    return call(6, x -> {
      fh(x, fh);
      x.xdrEncodeLong(offset);
      x.xdrEncodeInt(count);
    }, x -> {
      Nfsstat3 s = status(x);
      Fattr a = postOp(x);
      if (s != Nfsstat3.OK) return new ReadRes(s, a, 0, false, null);
      int n = x.xdrDecodeInt();
      boolean eof = x.xdrDecodeBoolean();
      return new ReadRes(s, a, n, eof, x.xdrDecodeDynamicOpaque());
    });
  }

  WriteRes write(byte[] fh, long offset, byte[] data, int stable) throws Exception {
    return writeRaw(fh, offset, data.length, data, stable);
  }

  /** WRITE with a count that may disagree with the data's length. */
  WriteRes writeRaw(byte[] fh, long offset, int count, byte[] data, int stable) throws Exception {
    return call(7, x -> {
      fh(x, fh);
      x.xdrEncodeLong(offset);
      x.xdrEncodeInt(count);
      x.xdrEncodeInt(stable);
      x.xdrEncodeDynamicOpaque(data);
    }, x -> {
      Nfsstat3 s = status(x);
      Wcc w = wcc(x);
      if (s != Nfsstat3.OK) return new WriteRes(s, w, 0, -1, 0);
      return new WriteRes(s, w, u32(x), x.xdrDecodeInt(), x.xdrDecodeLong());
    });
  }

  static CreateRes createRes(XdrDecodingStream x) throws IOException {
    Nfsstat3 s = status(x);
    if (s != Nfsstat3.OK) return new CreateRes(s, null, null, wcc(x));
    return new CreateRes(s, postOpFh(x), postOp(x), wcc(x));
  }

  /** CREATE: mode 0 UNCHECKED, 1 GUARDED (with the file mode {@code perm}), 2 EXCLUSIVE (with {@code verf}). */
  CreateRes create(byte[] dir, String name, int how, Integer perm, byte[] verf) throws Exception {
    return call(8, x -> {
      dirop(x, dir, name);
      x.xdrEncodeInt(how);
      if (how == 2) x.xdrEncodeOpaque(verf, 8);
      else sattr(x, perm);
    }, Nfs3Client::createRes);
  }

  CreateRes create(byte[] dir, String name) throws Exception { return create(dir, name, 1, 0644, null); }

  CreateRes mkdir(byte[] dir, String name) throws Exception {
    return call(9, x -> {
      dirop(x, dir, name);
      sattr(x, 0755);
    }, Nfs3Client::createRes);
  }

  CreateRes symlink(byte[] dir, String name, String target) throws Exception {
    return call(10, x -> {
      dirop(x, dir, name);
      sattr(x, null);
      name(x, target);
    }, Nfs3Client::createRes);
  }

  /** MKNOD of ftype3 {@code type}: CHR/BLK with major/minor, SOCK/FIFO with attributes, others void. */
  CreateRes mknod(byte[] dir, String name, int type, int major, int minor) throws Exception {
    return call(11, x -> {
      dirop(x, dir, name);
      x.xdrEncodeInt(type);
      if (type == 3 || type == 4) {
        sattr(x, 0600);
        x.xdrEncodeInt(major);
        x.xdrEncodeInt(minor);
      } else if (type == 6 || type == 7) {
        sattr(x, 0600);
      }
    }, Nfs3Client::createRes);
  }

  WccRes remove(byte[] dir, String name) throws Exception { return call(12, x -> dirop(x, dir, name), x -> new WccRes(status(x), wcc(x))); }

  WccRes rmdir(byte[] dir, String name) throws Exception { return call(13, x -> dirop(x, dir, name), x -> new WccRes(status(x), wcc(x))); }

  RenameRes rename(byte[] fromDir, String from, byte[] toDir, String to) throws Exception {
    return call(14, x -> {
      dirop(x, fromDir, from);
      dirop(x, toDir, to);
    }, x -> new RenameRes(status(x), wcc(x), wcc(x)));
  }

  LinkRes link(byte[] file, byte[] dir, String name) throws Exception {
    return call(15, x -> {
      fh(x, file);
      dirop(x, dir, name);
    }, x -> new LinkRes(status(x), postOp(x), wcc(x)));
  }

  DirRes readdir(byte[] dir, long cookie, long verf, int count) throws Exception {
    return call(16, x -> {
      fh(x, dir);
      x.xdrEncodeLong(cookie);
      x.xdrEncodeLong(verf);
      x.xdrEncodeInt(count);
    }, x -> dirRes(x, false));
  }

  DirRes readdirplus(byte[] dir, long cookie, long verf, int dircount, int maxcount) throws Exception {
    return call(17, x -> {
      fh(x, dir);
      x.xdrEncodeLong(cookie);
      x.xdrEncodeLong(verf);
      x.xdrEncodeInt(dircount);
      x.xdrEncodeInt(maxcount);
    }, x -> dirRes(x, true));
  }

  static DirRes dirRes(XdrDecodingStream x, boolean plus) throws IOException {
    Nfsstat3 s = status(x);
    Fattr dir = postOp(x);
    if (s != Nfsstat3.OK) return new DirRes(s, dir, 0, List.of(), false);
    long verf = x.xdrDecodeLong();
    List<Entry> out = new ArrayList<>();
    while (x.xdrDecodeBoolean()) {
      long fileid = x.xdrDecodeLong();
      String name = new String(x.xdrDecodeDynamicOpaque(), StandardCharsets.UTF_8);
      long cookie = x.xdrDecodeLong();
      Fattr a = plus ? postOp(x) : null;
      byte[] fh = plus ? postOpFh(x) : null;
      out.add(new Entry(fileid, name, cookie, a, fh));
    }
    return new DirRes(s, dir, verf, out, x.xdrDecodeBoolean());
  }

  FsstatRes fsstat(byte[] fh) throws Exception {
    return call(18, x -> fh(x, fh), x -> {
      Nfsstat3 s = status(x);
      Fattr a = postOp(x);
      if (s != Nfsstat3.OK) return new FsstatRes(s, a, 0, 0, 0, 0, 0, 0, 0);
      return new FsstatRes(s, a, x.xdrDecodeLong(), x.xdrDecodeLong(), x.xdrDecodeLong(), x.xdrDecodeLong(), x.xdrDecodeLong(),
          x.xdrDecodeLong(), u32(x));
    });
  }

  FsinfoRes fsinfo(byte[] fh) throws Exception {
    return call(19, x -> fh(x, fh), x -> {
      Nfsstat3 s = status(x);
      Fattr a = postOp(x);
      if (s != Nfsstat3.OK) return new FsinfoRes(s, a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
      return new FsinfoRes(s, a, u32(x), u32(x), u32(x), u32(x), u32(x), u32(x), u32(x), x.xdrDecodeLong(), u32(x), u32(x),
          x.xdrDecodeInt());
    });
  }

  PathconfRes pathconf(byte[] fh) throws Exception {
    return call(20, x -> fh(x, fh), x -> {
      Nfsstat3 s = status(x);
      Fattr a = postOp(x);
      if (s != Nfsstat3.OK) return new PathconfRes(s, a, 0, 0, false, false, false, false);
      return new PathconfRes(s, a, u32(x), u32(x), x.xdrDecodeBoolean(), x.xdrDecodeBoolean(), x.xdrDecodeBoolean(),
          x.xdrDecodeBoolean());
    });
  }

  CommitRes commit(byte[] fh, long offset, int count) throws Exception {
    return call(21, x -> {
      fh(x, fh);
      x.xdrEncodeLong(offset);
      x.xdrEncodeInt(count);
    }, x -> {
      Nfsstat3 s = status(x);
      Wcc w = wcc(x);
      return new CommitRes(s, w, s == Nfsstat3.OK ? x.xdrDecodeLong() : 0);
    });
  }
}
