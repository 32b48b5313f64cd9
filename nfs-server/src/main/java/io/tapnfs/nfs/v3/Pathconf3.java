package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.Fh3;
import io.tapnfs.nfs.v3.xdr.Filename3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.PostOpAttr;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * PATHCONF, RFC 1813 §3.3.20: {@code nfs_fh3 object}; resok {@code post_op_attr obj_attributes;
 * uint32 linkmax, name_max; bool no_trunc, chown_restricted, case_insensitive, case_preserving;},
 * resfail post_op_attr. no_trunc: a long name is NAMETOOLONG, never cut.
 */
final class Pathconf3 implements Nfs3Proc<Fh3> {
  record Res(PostOpAttr attr, int linkMax) implements Nfs3Res {
    @Override public Nfsstat3 status() { return Nfsstat3.OK; }

    @Override public void encodeArm(XdrEncodingStream out) {
      attr.encode(out);
      out.xdrEncodeInt(linkMax);
      out.xdrEncodeInt(Filename3.NAME_MAX);
      out.xdrEncodeBoolean(true);    // no_trunc
      out.xdrEncodeBoolean(true);    // chown_restricted
      out.xdrEncodeBoolean(false);   // case_insensitive
      out.xdrEncodeBoolean(true);    // case_preserving
    }
  }

  @Override public Fh3 decode(XdrDecodingStream in) throws IOException { return Fh3.decode(in); }

  @Override public Nfs3Res run(CallCx cx, Fh3 a) throws VfsException, NfsStatusException {
    CallCx.Target t = cx.target(a);
    return new Res(new PostOpAttr(t.vfs().getattr(t.fh())), cx.config().linkMax());
  }

  @Override public Nfs3Res fail(CallCx cx, Fh3 a, Nfsstat3 status) { return new Nfs3Res.PostOp(status, cx.post(a)); }
}
