package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.DirOpArgs3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.Sattr3;
import io.tapnfs.nfs.vfs.Attr;
import io.tapnfs.nfs.vfs.Fh;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/** MKDIR, RFC 1813 §3.3.9: {@code diropargs3 where; sattr3 attributes;}; results as CREATE. */
final class Mkdir3 implements Nfs3Proc<Mkdir3.Args> {
  record Args(DirOpArgs3 where, Sattr3 attrs) {}

  @Override public Args decode(XdrDecodingStream in) throws IOException { return new Args(DirOpArgs3.decode(in), Sattr3.decode(in)); }

  @Override public Nfs3Res run(CallCx cx, Args a) throws VfsException, NfsStatusException {
    CallCx.Target t = cx.writable(a.where().dir());
    String name = a.where().name().require();
    var s = a.attrs().toSetAttr();
    Attr before = cx.pre(t);
    Fh f = t.vfs().mkdir(t.fh(), name, s, t.who());
    return Created.of(cx, t, before, f);
  }

  @Override public Nfs3Res fail(CallCx cx, Args a, Nfsstat3 status) { return new Nfs3Res.Wcc(status, cx.wcc(a.where().dir())); }
}
