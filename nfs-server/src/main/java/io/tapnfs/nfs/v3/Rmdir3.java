package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.DirOpArgs3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.vfs.Attr;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/** RMDIR, RFC 1813 §3.3.13: removes an empty directory; {@code diropargs3 object}; both arms {@code wcc_data dir_wcc}. */
final class Rmdir3 implements Nfs3Proc<DirOpArgs3> {
  @Override public DirOpArgs3 decode(XdrDecodingStream in) throws IOException { return DirOpArgs3.decode(in); }

  @Override public Nfs3Res run(CallCx cx, DirOpArgs3 a) throws VfsException, NfsStatusException {
    CallCx.Target t = cx.writable(a.dir());
    String name = a.name().require();
    Attr before = cx.pre(t);
    t.vfs().rmdir(t.fh(), name, t.who());
    return new Nfs3Res.Wcc(Nfsstat3.OK, cx.wcc(t, before));
  }

  @Override public Nfs3Res fail(CallCx cx, DirOpArgs3 a, Nfsstat3 status) { return new Nfs3Res.Wcc(status, cx.wcc(a.dir())); }
}
