package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.Fh3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.PostOpAttr;
import io.tapnfs.nfs.vfs.Vfs;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * FSSTAT, RFC 1813 §3.3.18: {@code nfs_fh3 fsroot}; resok {@code post_op_attr obj_attributes;
 * size3 tbytes, fbytes, abytes; size3 tfiles, ffiles, afiles; uint32 invarsec;}, resfail
 * post_op_attr. invarsec 0: the figures may change at any time.
 */
final class Fsstat3 implements Nfs3Proc<Fh3> {
  record Res(PostOpAttr attr, Vfs.FsStat s) implements Nfs3Res {
    @Override public Nfsstat3 status() { return Nfsstat3.OK; }

    @Override public void encodeArm(XdrEncodingStream out) {
      attr.encode(out);
      out.xdrEncodeLong(s.totalBytes());
      out.xdrEncodeLong(s.freeBytes());
      out.xdrEncodeLong(s.availBytes());
      out.xdrEncodeLong(s.totalFiles());
      out.xdrEncodeLong(s.freeFiles());
      out.xdrEncodeLong(s.availFiles());
      out.xdrEncodeInt(0);
    }
  }

  @Override public Fh3 decode(XdrDecodingStream in) throws IOException { return Fh3.decode(in); }

  @Override public Nfs3Res run(CallCx cx, Fh3 a) throws VfsException, NfsStatusException {
    CallCx.Target t = cx.target(a);
    Vfs.FsStat s = t.vfs().fsstat(t.fh());
    return new Res(cx.post(t), s);
  }

  @Override public Nfs3Res fail(CallCx cx, Fh3 a, Nfsstat3 status) { return new Nfs3Res.PostOp(status, cx.post(a)); }
}
