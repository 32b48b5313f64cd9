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
 * FSINFO, RFC 1813 §3.3.19: {@code nfs_fh3 fsroot}; resok {@code post_op_attr obj_attributes;
 * uint32 rtmax, rtpref, rtmult, wtmax, wtpref, wtmult, dtpref; size3 maxfilesize; nfstime3
 * time_delta; uint32 properties;}, resfail post_op_attr.
 */
final class Fsinfo3 implements Nfs3Proc<Fh3> {
  /** FSF3_LINK, FSF3_SYMLINK, FSF3_HOMOGENEOUS, FSF3_CANSETTIME. */
  static final int FSF3_LINK = 0x1, FSF3_SYMLINK = 0x2, FSF3_HOMOGENEOUS = 0x8, FSF3_CANSETTIME = 0x10;
  /** rtmult/wtmult: a page, as knfsd. */
  static final int MULT = 4096;

  record Res(PostOpAttr attr, Nfs3Config c) implements Nfs3Res {
    @Override public Nfsstat3 status() { return Nfsstat3.OK; }

    @Override public void encodeArm(XdrEncodingStream out) {
      attr.encode(out);
      out.xdrEncodeInt(c.rtmax());
      out.xdrEncodeInt(c.rtmax());             // rtpref: the largest read is the best one
      out.xdrEncodeInt(MULT);
      out.xdrEncodeInt(c.wtmax());
      out.xdrEncodeInt(c.wtmax());             // wtpref
      out.xdrEncodeInt(MULT);
      out.xdrEncodeInt(c.dtpref());
      out.xdrEncodeLong(Long.MAX_VALUE);       // maxfilesize: Java's (and the VFS's) offsets are signed
      out.xdrEncodeInt(0);                     // time_delta: 1 ns
      out.xdrEncodeInt(1);
      out.xdrEncodeInt(FSF3_LINK | FSF3_SYMLINK | FSF3_HOMOGENEOUS | FSF3_CANSETTIME);
    }
  }

  @Override public Fh3 decode(XdrDecodingStream in) throws IOException { return Fh3.decode(in); }

  @Override public Nfs3Res run(CallCx cx, Fh3 a) throws VfsException, NfsStatusException {
    CallCx.Target t = cx.target(a);
    return new Res(new PostOpAttr(t.vfs().getattr(t.fh())), cx.config());
  }

  @Override public Nfs3Res fail(CallCx cx, Fh3 a, Nfsstat3 status) { return new Nfs3Res.PostOp(status, cx.post(a)); }
}
