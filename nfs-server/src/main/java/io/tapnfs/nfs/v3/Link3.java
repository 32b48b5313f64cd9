package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.DirOpArgs3;
import io.tapnfs.nfs.v3.xdr.Fh3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.PostOpAttr;
import io.tapnfs.nfs.v3.xdr.WccData;
import io.tapnfs.nfs.vfs.Attr;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * LINK, RFC 1813 §3.3.15: {@code nfs_fh3 file; diropargs3 link;}; both arms {@code post_op_attr
 * file_attributes; wcc_data linkdir_wcc;}. A file and directory of two exports: NFS3ERR_XDEV.
 */
final class Link3 implements Nfs3Proc<Link3.Args> {
  record Args(Fh3 file, DirOpArgs3 link) {}

  record Res(Nfsstat3 status, PostOpAttr fileAttr, WccData linkdirWcc) implements Nfs3Res {
    @Override public void encodeArm(XdrEncodingStream out) {
      fileAttr.encode(out);
      linkdirWcc.encode(out);
    }
  }

  @Override public Args decode(XdrDecodingStream in) throws IOException { return new Args(Fh3.decode(in), DirOpArgs3.decode(in)); }

  @Override public Nfs3Res run(CallCx cx, Args a) throws VfsException, NfsStatusException {
    CallCx.Target file = cx.target(a.file());
    CallCx.Target dir = cx.writable(a.link().dir());
    if (file.export() != dir.export()) throw new NfsStatusException(Nfsstat3.XDEV, "link from " + file.export().path() + " into " + dir.export().path());
    String name = a.link().name().require();
    Attr before = cx.pre(dir);
    dir.vfs().link(file.fh(), dir.fh(), name, dir.who());
    return new Res(Nfsstat3.OK, cx.post(file), cx.wcc(dir, before));
  }

  @Override public Nfs3Res fail(CallCx cx, Args a, Nfsstat3 status) {
    return new Res(status, cx.post(a.file()), cx.wcc(a.link().dir()));
  }
}
