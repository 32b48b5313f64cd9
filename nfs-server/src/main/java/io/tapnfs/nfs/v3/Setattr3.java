package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.Fh3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.Nfstime3;
import io.tapnfs.nfs.v3.xdr.Sattr3;
import io.tapnfs.nfs.v3.xdr.WccData;
import io.tapnfs.nfs.v3.xdr.Xdr3;
import io.tapnfs.nfs.vfs.Attr;
import io.tapnfs.nfs.vfs.SetAttr;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * SETATTR, RFC 1813 §3.3.2: {@code nfs_fh3 object; sattr3 new_attributes; sattrguard3 guard;}
 * where sattrguard3 is {@code union switch (bool check) { case TRUE: nfstime3 obj_ctime; }}.
 * Both arms are wcc_data.
 */
final class Setattr3 implements Nfs3Proc<Setattr3.Args> {
  /** {@code guardCtime} null: no guard. */
  record Args(Fh3 object, Sattr3 attrs, Nfstime3 guardCtime) {}

  @Override public Args decode(XdrDecodingStream in) throws IOException {
    Fh3 fh = Fh3.decode(in);
    Sattr3 s = Sattr3.decode(in);
    return new Args(fh, s, Xdr3.bool(in) ? Nfstime3.decode(in) : null);
  }

  /**
   * "If guard.check is TRUE, the server must compare the value of guard.obj_ctime to the current
   * ctime of the object. If the values are different, the server must preserve the object
   * attributes and must return a status of NFS3ERR_NOT_SYNC." Compared at nfstime3 precision.
   * The check and the change are two VFS calls, not one atomic step: a change between them is
   * not detected (knfsd holds the inode lock across both).
   */
  @Override public Nfs3Res run(CallCx cx, Args a) throws VfsException, NfsStatusException {
    CallCx.Target t = cx.writable(a.object());
    SetAttr s = a.attrs().toSetAttr();
    Attr before = cx.pre(t);
    if (a.guardCtime() != null && !Nfstime3.ofNanos(before.ctimeNanos()).equals(a.guardCtime())) {
      throw new NfsStatusException(Nfsstat3.NOT_SYNC, "ctime " + Nfstime3.ofNanos(before.ctimeNanos()) + ", guard " + a.guardCtime());
    }
    Attr after = t.vfs().setattr(t.fh(), s, t.who());
    return new Nfs3Res.Wcc(Nfsstat3.OK, WccData.of(before, after));
  }

  @Override public Nfs3Res fail(CallCx cx, Args a, Nfsstat3 status) { return new Nfs3Res.Wcc(status, cx.wcc(a.object())); }
}
