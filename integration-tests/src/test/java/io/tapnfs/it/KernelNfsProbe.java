package io.tapnfs.it;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.dcache.oncrpc4j.rpc.OncRpcClient;
import org.dcache.oncrpc4j.rpc.OncRpcException;
import org.dcache.oncrpc4j.rpc.RpcAuthTypeUnix;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcTransport;
import org.dcache.oncrpc4j.rpc.net.IpProtocolType;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * Hostile NFS calls from oncrpc4j on kernel sockets, inside the lab namespace: a forged handle, a
 * handle moved to another export id, ".." at the export root, a lookup through a symlink, a MOUNT
 * of an export this client may not use. Prints {@code OK name} or {@code FAIL name: why} per check.
 * Arguments: HOST ALLOWED_EXPORT REFUSED_EXPORT MOUNT_PORT.
 */
public final class KernelNfsProbe {
  static final int MOUNT = 100005, NFS = 100003;
  static final int NFS3ERR_NOTDIR = 20, NFS3ERR_STALE = 70, NFS3ERR_BADHANDLE = 10001, MNT3ERR_ACCES = 13;

  /** Encodes whatever the lambda writes. */
  record Args(Enc e) implements XdrAble {
    interface Enc { void run(XdrEncodingStream x) throws IOException; }

    @Override public void xdrEncode(XdrEncodingStream x) throws OncRpcException, IOException { e.run(x); }

    @Override public void xdrDecode(XdrDecodingStream x) { throw new UnsupportedOperationException(); }
  }

  /** A reply: status, then (on success) a handle and/or the fileid of the first fattr3. */
  static class Res implements XdrAble {
    final boolean handleFirst;
    int status;
    byte[] fh;
    long fileid = -1;

    Res(boolean handleFirst) { this.handleFirst = handleFirst; }

    @Override public void xdrEncode(XdrEncodingStream x) { throw new UnsupportedOperationException(); }

    @Override public void xdrDecode(XdrDecodingStream x) throws OncRpcException, IOException {
      status = x.xdrDecodeInt();
      if (status != 0) return;
      if (handleFirst) fh = x.xdrDecodeDynamicOpaque();
      boolean attrs = !handleFirst || x.xdrDecodeBoolean();   // GETATTR: fattr3 directly; LOOKUP: post_op_attr
      if (!attrs) return;
      for (int i = 0; i < 5; i++) x.xdrDecodeInt();           // type, mode, nlink, uid, gid
      for (int i = 0; i < 4; i++) x.xdrDecodeLong();          // size, used, rdev, fsid
      fileid = x.xdrDecodeLong();
    }
  }

  public static void main(String[] a) throws Exception {
    InetAddress host = InetAddress.getByName(a[0]);
    String allowed = a[1], refused = a[2];
    int mountPort = Integer.parseInt(a[3]);
    int failures = 0;
    RpcAuthTypeUnix root = new RpcAuthTypeUnix(0, 0, new int[0], 0, "probe");
    try (OncRpcClient m = new OncRpcClient(host, IpProtocolType.TCP, mountPort);
         OncRpcClient n = new OncRpcClient(host, IpProtocolType.TCP, 2049)) {
      RpcTransport mt = m.connect(10, TimeUnit.SECONDS), nt = n.connect(10, TimeUnit.SECONDS);
      Res mnt = new Res(true) {
        @Override public void xdrDecode(XdrDecodingStream x) throws OncRpcException, IOException {
          status = x.xdrDecodeInt();
          if (status == 0) fh = x.xdrDecodeDynamicOpaque();
        }
      };
      new RpcCall(MOUNT, 3, root, mt).call(1, new Args(x -> x.xdrEncodeString(allowed)), mnt, 10, TimeUnit.SECONDS);
      byte[] rootFh = mnt.fh;
      failures += check("mount-allowed", mnt.status == 0 && rootFh != null, "status " + mnt.status);
      Res refusedMnt = new Res(true) {
        @Override public void xdrDecode(XdrDecodingStream x) throws OncRpcException, IOException { status = x.xdrDecodeInt(); }
      };
      new RpcCall(MOUNT, 3, root, mt).call(1, new Args(x -> x.xdrEncodeString(refused)), refusedMnt, 10, TimeUnit.SECONDS);
      failures += check("mount-refused", refusedMnt.status == MNT3ERR_ACCES, "status " + refusedMnt.status);
      if (rootFh == null) { System.out.println(failures + " FAILED"); System.exit(1); }

      Res attr = getattr(nt, root, rootFh);
      failures += check("getattr-root", attr.status == 0, "status " + attr.status);
      byte[] forged = rootFh.clone();
      forged[forged.length - 1] ^= 1;
      int s = getattr(nt, root, forged).status;
      failures += check("forged-handle", s == NFS3ERR_BADHANDLE || s == NFS3ERR_STALE, "status " + s);
      byte[] moved = rootFh.clone();
      moved[2] ^= 0x55;                                       // another export id, same inode
      s = getattr(nt, root, moved).status;
      failures += check("handle-of-another-export", s == NFS3ERR_BADHANDLE || s == NFS3ERR_STALE, "status " + s);
      Res up = lookup(nt, root, rootFh, "..");
      failures += check("dotdot-at-root", up.status == 0 && up.fileid == attr.fileid, "status " + up.status + " fileid " + up.fileid
          + " root " + attr.fileid);
      Res slash = lookup(nt, root, rootFh, "../etc");
      failures += check("slash-in-name", slash.status != 0, "status " + slash.status);
      Res link = lookup(nt, root, rootFh, "escape");
      Res through = link.fh == null ? link : lookup(nt, root, link.fh, "passwd");
      failures += check("no-lookup-through-symlink", link.status == 0 && through.status == NFS3ERR_NOTDIR,
          "link " + link.status + " through " + through.status);
    }
    System.out.println(failures == 0 ? "ALL OK" : failures + " FAILED");
    System.exit(failures == 0 ? 0 : 1);
  }

  static Res getattr(RpcTransport t, RpcAuthTypeUnix who, byte[] fh) throws Exception {
    Res r = new Res(false);
    new RpcCall(NFS, 3, who, t).call(1, new Args(x -> x.xdrEncodeDynamicOpaque(fh)), r, 10, TimeUnit.SECONDS);
    return r;
  }

  static Res lookup(RpcTransport t, RpcAuthTypeUnix who, byte[] dir, String name) throws Exception {
    Res r = new Res(true);
    new RpcCall(NFS, 3, who, t).call(3, new Args(x -> {
      x.xdrEncodeDynamicOpaque(dir);
      x.xdrEncodeDynamicOpaque(name.getBytes(StandardCharsets.UTF_8));
    }), r, 10, TimeUnit.SECONDS);
    return r;
  }

  static int check(String name, boolean ok, String why) {
    System.out.println((ok ? "OK " : "FAIL ") + name + (ok ? "" : ": " + why));
    return ok ? 0 : 1;
  }
}
