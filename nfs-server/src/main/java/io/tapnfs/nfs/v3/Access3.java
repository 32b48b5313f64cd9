package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.Fh3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.PostOpAttr;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * ACCESS, RFC 1813 §3.3.4: {@code nfs_fh3 object; uint32 access;}; resok {@code post_op_attr
 * obj_attributes; uint32 access;}, resfail post_op_attr.
 */
final class Access3 implements Nfs3Proc<Access3.Args> {
  /** ACCESS3_READ ... ACCESS3_EXECUTE. */
  static final int READ = 0x01, LOOKUP = 0x02, MODIFY = 0x04, EXTEND = 0x08, DELETE = 0x10, EXECUTE = 0x20;
  static final int ALL = READ | LOOKUP | MODIFY | EXTEND | DELETE | EXECUTE;

  record Args(Fh3 object, int access) {}

  record Res(PostOpAttr attr, int access) implements Nfs3Res {
    @Override public Nfsstat3 status() { return Nfsstat3.OK; }

    @Override public void encodeArm(XdrEncodingStream out) {
      attr.encode(out);
      out.xdrEncodeInt(access);
    }
  }

  @Override public Args decode(XdrDecodingStream in) throws IOException { return new Args(Fh3.decode(in), in.xdrDecodeInt()); }

  /**
   * The bits the VFS grants, of those asked and defined. On a read-only export (or client) the
   * write bits are withheld, as knfsd does: the mode bits would allow what ROFS then refuses.
   */
  @Override public Nfs3Res run(CallCx cx, Args a) throws VfsException, NfsStatusException {
    CallCx.Target t = cx.target(a.object());
    int asked = a.access() & ALL;
    int got = t.vfs().access(t.fh(), asked, t.who()) & asked;
    if (t.readOnly()) got &= ~(MODIFY | EXTEND | DELETE);
    return new Res(cx.post(t), got);
  }

  @Override public Nfs3Res fail(CallCx cx, Args a, Nfsstat3 status) { return new Nfs3Res.PostOp(status, cx.post(a.object())); }
}
