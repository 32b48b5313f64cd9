package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.DirOpArgs3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.WccData;
import io.tapnfs.nfs.vfs.Attr;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * RENAME, RFC 1813 §3.3.14: {@code diropargs3 from; diropargs3 to;}; both arms {@code wcc_data
 * fromdir_wcc; wcc_data todir_wcc;}. Directories of two exports: "NFS3ERR_XDEV".
 */
final class Rename3 implements Nfs3Proc<Rename3.Args> {
  record Args(DirOpArgs3 from, DirOpArgs3 to) {}

  record Res(Nfsstat3 status, WccData fromWcc, WccData toWcc) implements Nfs3Res {
    @Override public void encodeArm(XdrEncodingStream out) {
      fromWcc.encode(out);
      toWcc.encode(out);
    }
  }

  @Override public Args decode(XdrDecodingStream in) throws IOException { return new Args(DirOpArgs3.decode(in), DirOpArgs3.decode(in)); }

  @Override public Nfs3Res run(CallCx cx, Args a) throws VfsException, NfsStatusException {
    CallCx.Target from = cx.writable(a.from().dir());
    CallCx.Target to = cx.writable(a.to().dir());
    if (from.export() != to.export()) throw new NfsStatusException(Nfsstat3.XDEV, "rename from " + from.export().path() + " to " + to.export().path());
    String fromName = a.from().name().require();
    String toName = a.to().name().require();
    Attr fromBefore = cx.pre(from);
    Attr toBefore = from.fh().equals(to.fh()) ? fromBefore : cx.pre(to);
    from.vfs().rename(from.fh(), fromName, to.fh(), toName, from.who());
    return new Res(Nfsstat3.OK, cx.wcc(from, fromBefore), cx.wcc(to, toBefore));
  }

  @Override public Nfs3Res fail(CallCx cx, Args a, Nfsstat3 status) {
    return new Res(status, cx.wcc(a.from().dir()), cx.wcc(a.to().dir()));
  }
}
