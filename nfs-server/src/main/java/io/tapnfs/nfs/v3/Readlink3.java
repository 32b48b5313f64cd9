package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.Fh3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.PostOpAttr;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * READLINK, RFC 1813 §3.3.5: {@code nfs_fh3 symlink}; resok {@code post_op_attr
 * symlink_attributes; nfspath3 data;}, resfail post_op_attr.
 */
final class Readlink3 implements Nfs3Proc<Fh3> {
  record Res(PostOpAttr attr, String data) implements Nfs3Res {
    @Override public Nfsstat3 status() { return Nfsstat3.OK; }

    @Override public void encodeArm(XdrEncodingStream out) {
      attr.encode(out);
      out.xdrEncodeDynamicOpaque(data.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Override public Fh3 decode(XdrDecodingStream in) throws IOException { return Fh3.decode(in); }

  @Override public Nfs3Res run(CallCx cx, Fh3 a) throws VfsException, NfsStatusException {
    CallCx.Target t = cx.target(a);
    String target = t.vfs().readlink(t.fh(), t.who());
    return new Res(cx.post(t), target);
  }

  @Override public Nfs3Res fail(CallCx cx, Fh3 a, Nfsstat3 status) { return new Nfs3Res.PostOp(status, cx.post(a)); }
}
