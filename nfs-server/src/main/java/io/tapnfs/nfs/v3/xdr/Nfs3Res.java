package io.tapnfs.nfs.v3.xdr;

import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * A procedure's result: every NFSv3 result (RFC 1813 §3.3) is a union switched on nfsstat3,
 * written here as the status followed by {@link #encodeArm} (the resok or resfail arm).
 */
public interface Nfs3Res extends XdrAble {
  Nfsstat3 status();

  /** The arm after the status. */
  void encodeArm(XdrEncodingStream out);

  @Override default void xdrEncode(XdrEncodingStream out) {
    out.xdrEncodeInt(status().code());
    encodeArm(out);
  }

  @Override default void xdrDecode(XdrDecodingStream in) {
    throw new UnsupportedOperationException("results are encoded, never decoded");
  }

  /** A failure arm that is void (GETATTR3res). */
  record Void(Nfsstat3 status) implements Nfs3Res {
    @Override public void encodeArm(XdrEncodingStream out) { }
  }

  /** A failure arm of one post_op_attr (LOOKUP, ACCESS, READLINK, READ, READDIR[PLUS], FSSTAT, FSINFO, PATHCONF). */
  record PostOp(Nfsstat3 status, PostOpAttr attr) implements Nfs3Res {
    @Override public void encodeArm(XdrEncodingStream out) { attr.encode(out); }
  }

  /** A failure arm of one wcc_data (SETATTR, WRITE, CREATE, MKDIR, SYMLINK, MKNOD, REMOVE, RMDIR, COMMIT). */
  record Wcc(Nfsstat3 status, WccData wcc) implements Nfs3Res {
    @Override public void encodeArm(XdrEncodingStream out) { wcc.encode(out); }
  }
}
