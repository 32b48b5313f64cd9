package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.DirOpArgs3;
import io.tapnfs.nfs.v3.xdr.Fh3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.PostOpAttr;
import io.tapnfs.nfs.vfs.Fh;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * LOOKUP, RFC 1813 §3.3.3: {@code diropargs3 what}; resok {@code nfs_fh3 object; post_op_attr
 * obj_attributes; post_op_attr dir_attributes;}, resfail {@code post_op_attr dir_attributes}.
 */
final class Lookup3 implements Nfs3Proc<DirOpArgs3> {
  record Res(Fh object, PostOpAttr objAttr, PostOpAttr dirAttr) implements Nfs3Res {
    @Override public Nfsstat3 status() { return Nfsstat3.OK; }

    @Override public void encodeArm(XdrEncodingStream out) {
      Fh3.encode(out, object);
      objAttr.encode(out);
      dirAttr.encode(out);
    }
  }

  @Override public DirOpArgs3 decode(XdrDecodingStream in) throws IOException { return DirOpArgs3.decode(in); }

  @Override public Nfs3Res run(CallCx cx, DirOpArgs3 a) throws VfsException, NfsStatusException {
    CallCx.Target t = cx.target(a.dir());
    Fh f = t.vfs().lookup(t.fh(), a.name().require(), t.who());
    return new Res(f, CallCx.post(t.vfs(), f), cx.post(t));
  }

  @Override public Nfs3Res fail(CallCx cx, DirOpArgs3 a, Nfsstat3 status) { return new Nfs3Res.PostOp(status, cx.post(a.dir())); }
}
