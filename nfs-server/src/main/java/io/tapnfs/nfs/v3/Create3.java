package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.DirOpArgs3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.Sattr3;
import io.tapnfs.nfs.v3.xdr.Xdr3;
import io.tapnfs.nfs.vfs.Attr;
import io.tapnfs.nfs.vfs.Fh;
import io.tapnfs.nfs.vfs.SetAttr;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * CREATE, RFC 1813 §3.3.8: {@code diropargs3 where; createhow3 how;} where createhow3 is
 * {@code union switch (createmode3 mode) { case UNCHECKED: case GUARDED: sattr3 obj_attributes;
 * case EXCLUSIVE: createverf3 verf; }}. EXCLUSIVE hands the verifier to the VFS, which keeps it so
 * a retransmitted create of the same name and verifier succeeds.
 */
final class Create3 implements Nfs3Proc<Create3.Args> {
  static final int UNCHECKED = 0, GUARDED = 1, EXCLUSIVE = 2;

  /** {@code attrs} null for EXCLUSIVE; {@code verf} non-null only for EXCLUSIVE. */
  record Args(DirOpArgs3 where, int mode, Sattr3 attrs, byte[] verf) {}

  @Override public Args decode(XdrDecodingStream in) throws IOException {
    DirOpArgs3 where = DirOpArgs3.decode(in);
    int mode = Xdr3.enumValue(in, 2, "createmode3");
    return mode == EXCLUSIVE
        ? new Args(where, mode, null, Xdr3.fixed(in, Xdr3.CREATEVERFSIZE))
        : new Args(where, mode, Sattr3.decode(in), null);
  }

  @Override public Nfs3Res run(CallCx cx, Args a) throws VfsException, NfsStatusException {
    CallCx.Target t = cx.writable(a.where().dir());
    String name = a.where().name().require();
    SetAttr s = a.attrs() == null ? SetAttr.NONE : a.attrs().toSetAttr();
    Attr before = cx.pre(t);
    Fh f = t.vfs().create(t.fh(), name, s, a.mode() == GUARDED, a.verf(), t.who());
    return Created.of(cx, t, before, f);
  }

  @Override public Nfs3Res fail(CallCx cx, Args a, Nfsstat3 status) { return new Nfs3Res.Wcc(status, cx.wcc(a.where().dir())); }
}
