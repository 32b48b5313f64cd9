package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.DirOpArgs3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.Sattr3;
import io.tapnfs.nfs.v3.xdr.Xdr3;
import io.tapnfs.nfs.vfs.Attr;
import io.tapnfs.nfs.vfs.Fh;
import io.tapnfs.nfs.vfs.FileType;
import io.tapnfs.nfs.vfs.VfsException;
import io.tapnfs.rpc.GarbageArgsException;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * MKNOD, RFC 1813 §3.3.11: {@code diropargs3 where; mknoddata3 what;} where mknoddata3 is
 * {@code union switch (ftype3 type) { case NF3CHR: case NF3BLK: devicedata3 device; case NF3SOCK:
 * case NF3FIFO: sattr3 pipe_attributes; default: void; }} and devicedata3 is {@code sattr3
 * dev_attributes; specdata3 spec;}. Results as CREATE. REG, DIR and LNK: "NFS3ERR_BADTYPE".
 */
final class Mknod3 implements Nfs3Proc<Mknod3.Args> {
  /** {@code attrs} null for the void arm. */
  record Args(DirOpArgs3 where, FileType type, Sattr3 attrs, int major, int minor) {}

  @Override public Args decode(XdrDecodingStream in) throws IOException {
    DirOpArgs3 where = DirOpArgs3.decode(in);
    int ftype = in.xdrDecodeInt();
    if (ftype < 1 || ftype > FileType.values().length) throw new GarbageArgsException("ftype3 " + ftype);
    FileType type = FileType.values()[ftype - 1];
    return switch (type) {
      case CHR, BLK -> {
        Sattr3 s = Sattr3.decode(in);
        yield new Args(where, type, s, in.xdrDecodeInt(), in.xdrDecodeInt());
      }
      case SOCK, FIFO -> new Args(where, type, Sattr3.decode(in), 0, 0);
      default -> new Args(where, type, null, 0, 0);
    };
  }

  @Override public Nfs3Res run(CallCx cx, Args a) throws VfsException, NfsStatusException {
    CallCx.Target t = cx.writable(a.where().dir());
    if (a.attrs() == null) throw new NfsStatusException(Nfsstat3.BADTYPE, "MKNOD of " + a.type());
    String name = a.where().name().require();
    var s = a.attrs().toSetAttr();
    Attr before = cx.pre(t);
    Fh f = t.vfs().mknod(t.fh(), name, a.type(), a.major(), a.minor(), s, t.who());
    return Created.of(cx, t, before, f);
  }

  @Override public Nfs3Res fail(CallCx cx, Args a, Nfsstat3 status) { return new Nfs3Res.Wcc(status, cx.wcc(a.where().dir())); }
}
