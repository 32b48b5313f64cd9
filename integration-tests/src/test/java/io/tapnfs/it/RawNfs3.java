package io.tapnfs.it;

import io.tapnfs.it.RawRpc.Cred;
import io.tapnfs.it.RawRpc.Reply;
import io.tapnfs.it.RawRpc.XdrIn;
import io.tapnfs.it.RawRpc.XdrOut;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * NFSv3 (RFC 1813 §3.3) and MOUNT v3 (Appendix I) calls over a {@link RawRpc} connection, encoded
 * and decoded by hand: arguments as the RFC lists them, results into one {@link Res} that keeps
 * what the checks look at (status, handle, attributes, data, directory entries). A call the RPC
 * layer refuses comes back as a Res with {@link #RPC_REFUSED} and the reason in {@code rpc}.
 */
final class RawNfs3 implements AutoCloseable {
  static final int NFS = 100003, MOUNT = 100005, MOUNT_PORT = 20048, NFS_PORT = 2049;
  static final int NULL = 0, GETATTR = 1, SETATTR = 2, LOOKUP = 3, READ = 6, WRITE = 7, CREATE = 8, MKDIR = 9,
      SYMLINK = 10, MKNOD = 11, REMOVE = 12, RENAME = 14, LINK = 15, READDIRPLUS = 17;
  /** createmode3 */
  static final int UNCHECKED = 0, EXCLUSIVE = 2;
  static final int FILE_SYNC = 2;
  /** ftype3 */
  static final int NF3DIR = 2, NF3LNK = 5, NF3FIFO = 7;
  /** nfsstat3 values the checks name. */
  static final int OK = 0, PERM = 1, NOENT = 2, ACCES = 13;
  /** Not an nfsstat3: the RPC layer refused the call (see {@link Res#rpc}). */
  static final int RPC_REFUSED = -1;
  private static final Map<Integer, String> NAMES = Map.ofEntries(Map.entry(0, "NFS3_OK"), Map.entry(1, "NFS3ERR_PERM"),
      Map.entry(2, "NFS3ERR_NOENT"), Map.entry(5, "NFS3ERR_IO"), Map.entry(6, "NFS3ERR_NXIO"), Map.entry(13, "NFS3ERR_ACCES"),
      Map.entry(17, "NFS3ERR_EXIST"), Map.entry(18, "NFS3ERR_XDEV"), Map.entry(19, "NFS3ERR_NODEV"), Map.entry(20, "NFS3ERR_NOTDIR"),
      Map.entry(21, "NFS3ERR_ISDIR"), Map.entry(22, "NFS3ERR_INVAL"), Map.entry(27, "NFS3ERR_FBIG"), Map.entry(28, "NFS3ERR_NOSPC"),
      Map.entry(30, "NFS3ERR_ROFS"), Map.entry(31, "NFS3ERR_MLINK"), Map.entry(63, "NFS3ERR_NAMETOOLONG"),
      Map.entry(66, "NFS3ERR_NOTEMPTY"), Map.entry(69, "NFS3ERR_DQUOT"), Map.entry(70, "NFS3ERR_STALE"),
      Map.entry(71, "NFS3ERR_REMOTE"), Map.entry(10001, "NFS3ERR_BADHANDLE"), Map.entry(10002, "NFS3ERR_NOT_SYNC"),
      Map.entry(10003, "NFS3ERR_BAD_COOKIE"), Map.entry(10004, "NFS3ERR_NOTSUPP"), Map.entry(10005, "NFS3ERR_TOOSMALL"),
      Map.entry(10006, "NFS3ERR_SERVERFAULT"), Map.entry(10007, "NFS3ERR_BADTYPE"), Map.entry(10008, "NFS3ERR_JUKEBOX"));

  /** fattr3, the fields the checks use. */
  record Fattr(int type, int mode, long nlink, int uid, int gid, long size, long fileid) {
    static Fattr decode(XdrIn x) throws IOException {
      int type = x.u32(), mode = x.u32();
      long nlink = x.u32() & 0xffffffffL;
      int uid = x.u32(), gid = x.u32();
      long size = x.u64();
      x.u64();                                    // used
      x.skip(8);                                  // rdev
      x.u64();                                    // fsid
      long fileid = x.u64();
      x.skip(24);                                 // atime, mtime, ctime
      return new Fattr(type, mode, nlink, uid, gid, size, fileid);
    }

    @Override public String toString() {
      return "type " + type + " mode 0" + Integer.toOctalString(mode) + " uid " + Integer.toUnsignedString(uid) + " gid "
          + Integer.toUnsignedString(gid) + " fileid " + fileid;
    }
  }

  /** One READDIRPLUS entry: fileid, name, cookie, the attributes' fileid if any (-1 if none), the handle if any. */
  record Entry(long fileid, String name, long cookie, long attrFileid, byte[] fh) {}

  /**
   * A result: status, and what the result carries on success. READDIRPLUS: {@code data} is the
   * cookie verifier, {@code eof} whether the listing ended.
   */
  record Res(int status, String rpc, byte[] fh, Fattr attr, byte[] data, List<Entry> entries, boolean eof, Reply reply) {
    boolean ok() { return status == OK; }

    String describe() { return status == RPC_REFUSED ? "RPC " + rpc : name(status); }
  }

  static String name(int status) { return NAMES.getOrDefault(status, "nfsstat3 " + status); }

  static String hex(byte[] fh) { return HexFormat.of().formatHex(fh); }

  static byte[] unhex(String s) { return HexFormat.of().parseHex(s); }

  /** sattr3 (§2.5): null fields are not set; times, when set, to the client time {@code timesSec}. */
  record Sattr(Integer mode, Integer uid, Integer gid, Long size, Integer timesSec) {
    static final Sattr NONE = new Sattr(null, null, null, null, null);

    static Sattr mode(int m) { return new Sattr(m, null, null, null, null); }

    static Sattr gid(int g) { return new Sattr(null, null, g, null, null); }

    static Sattr times(int sec) { return new Sattr(null, null, null, null, sec); }

    void encode(XdrOut x) {
      x.bool(mode != null);
      if (mode != null) x.u32(mode);
      x.bool(uid != null);
      if (uid != null) x.u32(uid);
      x.bool(gid != null);
      if (gid != null) x.u32(gid);
      x.bool(size != null);
      if (size != null) x.u64(size);
      for (int i = 0; i < 2; i++) {
        if (timesSec == null) {
          x.u32(0);                               // DONT_CHANGE
        } else {
          x.u32(2).u32(timesSec).u32(0);          // SET_TO_CLIENT_TIME
        }
      }
    }
  }

  final RawRpc rpc;
  final Cred cred;

  RawNfs3(RawRpc rpc, Cred cred) {
    this.rpc = rpc;
    this.cred = cred;
  }

  /** NFS on port 2049 from a reserved local port. */
  static RawNfs3 connect(InetAddress host, Cred cred) throws IOException { return connect(host, NFS_PORT, cred, true); }

  static RawNfs3 connect(InetAddress host, int port, Cred cred, boolean reserved) throws IOException {
    return new RawNfs3(RawRpc.connect(host, port, reserved), cred);
  }

  /** The same connection as another caller. */
  RawNfs3 as(Cred other) { return new RawNfs3(rpc, other); }

  @Override public void close() throws IOException { rpc.close(); }

  // ---------------------------------------------------------------- MOUNT

  /** MOUNTPROC3_MNT on this connection (which must go to the MOUNT port): status and the root handle. */
  Res mnt(String path) throws IOException {
    Reply r = rpc.call(MOUNT, 3, 1, cred, new XdrOut().string(path).toByteArray());
    if (!r.success()) return refused(r);
    XdrIn x = r.results();
    int status = x.u32();
    return new Res(status, null, status == 0 ? x.opaque() : null, null, null, List.of(), false, r);
  }

  /** MNT from a reserved port to {@code host}'s MOUNT port: the export's root handle, or an exception. */
  static byte[] rootHandle(InetAddress host, String export) throws IOException {
    try (RawNfs3 m = connect(host, MOUNT_PORT, Cred.ROOT, true)) {
      Res r = m.mnt(export);
      if (!r.ok()) throw new IOException("MNT " + export + ": " + (r.status() == RPC_REFUSED ? r.rpc() : "status " + r.status()));
      return r.fh();
    }
  }

  // ---------------------------------------------------------------- NFSv3 arguments

  static byte[] fhArgs(byte[] fh) { return new XdrOut().opaque(fh).toByteArray(); }

  static XdrOut dirop(XdrOut x, byte[] dir, String name) { return x.opaque(dir).string(name); }

  static byte[] diropArgs(byte[] dir, String name) { return dirop(new XdrOut(), dir, name).toByteArray(); }

  static byte[] renameArgs(byte[] fromDir, String from, byte[] toDir, String to) {
    return dirop(dirop(new XdrOut(), fromDir, from), toDir, to).toByteArray();
  }

  static byte[] createArgs(byte[] dir, String name, int how, Sattr s, byte[] verf) {
    XdrOut x = dirop(new XdrOut(), dir, name).u32(how);
    if (how == EXCLUSIVE) x.fixed(verf);
    else s.encode(x);
    return x.toByteArray();
  }

  static byte[] setattrArgs(byte[] fh, Sattr s) {
    XdrOut x = new XdrOut().opaque(fh);
    s.encode(x);
    return x.bool(false).toByteArray();           // sattrguard3: no check
  }

  static byte[] readArgs(byte[] fh, long offset, int count) { return new XdrOut().opaque(fh).u64(offset).u32(count).toByteArray(); }

  static byte[] writeArgs(byte[] fh, long offset, byte[] data) {
    return new XdrOut().opaque(fh).u64(offset).u32(data.length).u32(FILE_SYNC).opaque(data).toByteArray();
  }

  static byte[] fifoArgs(byte[] dir, String name, Sattr s) {
    XdrOut x = dirop(new XdrOut(), dir, name).u32(NF3FIFO);
    s.encode(x);
    return x.toByteArray();
  }

  static byte[] symlinkArgs(byte[] dir, String name, String target) {
    XdrOut x = dirop(new XdrOut(), dir, name);
    Sattr.NONE.encode(x);
    return x.string(target).toByteArray();
  }

  static byte[] linkArgs(byte[] file, byte[] dir, String name) { return dirop(new XdrOut().opaque(file), dir, name).toByteArray(); }

  static byte[] readdirplusArgs(byte[] dir, long cookie, long verf) {
    return new XdrOut().opaque(dir).u64(cookie).u64(verf).u32(8192).u32(32768).toByteArray();
  }

  // ---------------------------------------------------------------- calls

  Res call(int proc, byte[] args) throws IOException { return decode(proc, rpc.call(NFS, 3, proc, cred, args)); }

  Res nul() throws IOException {
    Reply r = rpc.call(NFS, 3, NULL, cred, new byte[0]);
    return r.success() ? new Res(OK, null, null, null, null, List.of(), false, r) : refused(r);
  }

  Res getattr(byte[] fh) throws IOException { return call(GETATTR, fhArgs(fh)); }

  Res setattr(byte[] fh, Sattr s) throws IOException { return call(SETATTR, setattrArgs(fh, s)); }

  Res lookup(byte[] dir, String name) throws IOException { return call(LOOKUP, diropArgs(dir, name)); }

  Res read(byte[] fh, long offset, int count) throws IOException { return call(READ, readArgs(fh, offset, count)); }

  Res write(byte[] fh, long offset, byte[] data) throws IOException { return call(WRITE, writeArgs(fh, offset, data)); }

  Res create(byte[] dir, String name, int mode) throws IOException {
    return call(CREATE, createArgs(dir, name, UNCHECKED, Sattr.mode(mode), null));
  }

  Res createExclusive(byte[] dir, String name, byte[] verf) throws IOException {
    return call(CREATE, createArgs(dir, name, EXCLUSIVE, null, verf));
  }

  Res mkdir(byte[] dir, String name, int mode) throws IOException {
    XdrOut x = dirop(new XdrOut(), dir, name);
    Sattr.mode(mode).encode(x);
    return call(MKDIR, x.toByteArray());
  }

  Res symlink(byte[] dir, String name, String target) throws IOException { return call(SYMLINK, symlinkArgs(dir, name, target)); }

  Res mkfifo(byte[] dir, String name, int mode) throws IOException { return call(MKNOD, fifoArgs(dir, name, Sattr.mode(mode))); }

  Res remove(byte[] dir, String name) throws IOException { return call(REMOVE, diropArgs(dir, name)); }

  Res rename(byte[] fromDir, String from, byte[] toDir, String to) throws IOException {
    return call(RENAME, renameArgs(fromDir, from, toDir, to));
  }

  Res link(byte[] file, byte[] dir, String name) throws IOException { return call(LINK, linkArgs(file, dir, name)); }

  /** One READDIRPLUS page from {@code cookie} (0: the start). */
  Res readdirplus(byte[] dir, long cookie, long verf) throws IOException { return call(READDIRPLUS, readdirplusArgs(dir, cookie, verf)); }

  // ---------------------------------------------------------------- results

  static Res refused(Reply r) { return new Res(RPC_REFUSED, r.describe(), null, null, null, List.of(), false, r); }

  /** Decodes the result of {@code proc}: the status, then what its resok arm carries. */
  static Res decode(int proc, Reply r) throws IOException {
    if (!r.success()) return refused(r);
    XdrIn x = r.results();
    int status = x.u32();
    byte[] fh = null, data = null;
    Fattr attr = null;
    List<Entry> entries = List.of();
    boolean eof = false;
    switch (proc) {
      case GETATTR -> { if (status == OK) attr = Fattr.decode(x); }
      case SETATTR, REMOVE -> attr = wcc(x);
      case RENAME -> { wcc(x); wcc(x); }
      case LOOKUP -> {
        if (status == OK) {
          fh = x.opaque();
          attr = postOp(x);
        }
        postOp(x);
      }
      case READ -> {
        attr = postOp(x);
        if (status == OK) {
          x.u32();                                // count
          x.bool();                               // eof
          data = x.opaque();
        }
      }
      case WRITE -> attr = wcc(x);
      case CREATE, MKDIR, SYMLINK, MKNOD -> {
        if (status == OK) {
          if (x.bool()) fh = x.opaque();
          attr = postOp(x);
        }
        wcc(x);
      }
      case LINK -> attr = postOp(x);
      case READDIRPLUS -> {
        attr = postOp(x);
        if (status == OK) {
          data = x.fixed(8);                      // cookieverf
          List<Entry> l = new ArrayList<>();
          while (x.bool()) {
            long fileid = x.u64();
            String name = x.string();
            long cookie = x.u64();
            Fattr a = postOp(x);
            byte[] efh = x.bool() ? x.opaque() : null;
            l.add(new Entry(fileid, name, cookie, a == null ? -1 : a.fileid(), efh));
          }
          eof = x.bool();
          entries = l;
        }
      }
      default -> throw new IllegalArgumentException("procedure " + proc);
    }
    return new Res(status, null, fh, attr, data, entries, eof, r);
  }

  static Fattr postOp(XdrIn x) throws IOException { return x.bool() ? Fattr.decode(x) : null; }

  /** wcc_data: pre_op_attr (skipped), post_op_attr (returned). */
  static Fattr wcc(XdrIn x) throws IOException {
    if (x.bool()) x.skip(8 + 8 + 8);
    return postOp(x);
  }
}
