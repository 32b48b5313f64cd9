package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.Fh3;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.PostOpAttr;
import io.tapnfs.nfs.v3.xdr.WccData;
import io.tapnfs.nfs.vfs.Fh;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * The resok of CREATE, MKDIR, SYMLINK and MKNOD (RFC 1813 §3.3.8-§3.3.11): {@code post_op_fh3 obj;
 * post_op_attr obj_attributes; wcc_data dir_wcc;}. Their resfail is wcc_data ({@link Nfs3Res.Wcc}).
 */
record Created(Fh obj, PostOpAttr objAttr, WccData dirWcc) implements Nfs3Res {
  @Override public Nfsstat3 status() { return Nfsstat3.OK; }

  @Override public void encodeArm(XdrEncodingStream out) {
    Fh3.encodePostOp(out, obj);
    objAttr.encode(out);
    dirWcc.encode(out);
  }

  /** The result of creating {@code obj} in {@code dir}, whose attributes were {@code before}. */
  static Created of(CallCx cx, CallCx.Target dir, io.tapnfs.nfs.vfs.Attr before, Fh obj) {
    return new Created(obj, CallCx.post(dir.vfs(), obj), cx.wcc(dir, before));
  }
}
