package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.Fh3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.PostOpAttr;
import io.tapnfs.nfs.v3.xdr.Xdr3;
import io.tapnfs.nfs.vfs.Vfs;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * READ, RFC 1813 §3.3.6: {@code nfs_fh3 file; offset3 offset; count3 count;}; resok
 * {@code post_op_attr file_attributes; count3 count; bool eof; opaque data<>;}, resfail
 * post_op_attr.
 */
final class Read3 implements Nfs3Proc<Read3.Args> {
  /** {@code offset} as sent (unsigned), {@code count} as a non-negative long. */
  record Args(Fh3 file, long offset, long count) {}

  record Res(PostOpAttr attr, ByteBuffer data, boolean eof) implements Nfs3Res {
    @Override public Nfsstat3 status() { return Nfsstat3.OK; }

    @Override public void encodeArm(XdrEncodingStream out) {
      attr.encode(out);
      int n = data.remaining();
      out.xdrEncodeInt(n);
      out.xdrEncodeBoolean(eof);
      out.xdrEncodeInt(n);
      if (data.hasArray()) {
        out.xdrEncodeOpaque(data.array(), data.arrayOffset() + data.position(), n);
      } else {
        byte[] b = new byte[n];
        data.duplicate().get(b);
        out.xdrEncodeOpaque(b, 0, n);
      }
    }
  }

  @Override public Args decode(XdrDecodingStream in) throws IOException {
    return new Args(Fh3.decode(in), in.xdrDecodeLong(), Xdr3.uint32(in));
  }

  /**
   * "The server may return less data than requested": more than rtmax is read as rtmax
   * (§3.3.19 rtmax). An offset past 2^63-1 (Java's and the VFS's limit) reads from 2^63-1: past
   * the end of any file, as knfsd clamps to OFFSET_MAX.
   */
  @Override public Nfs3Res run(CallCx cx, Args a) throws VfsException, NfsStatusException {
    CallCx.Target t = cx.target(a.file());
    int count = (int) Math.min(a.count(), cx.config().rtmax());
    long offset = a.offset() < 0 ? Long.MAX_VALUE : a.offset();
    Vfs.ReadResult r = t.vfs().read(t.fh(), offset, count, t.who());
    ByteBuffer data = r.data().duplicate();
    boolean eof = r.eof();
    if (data.remaining() > count) {      // never more than asked, whatever the VFS returned
      data.limit(data.position() + count);
      eof = false;
    }
    return new Res(cx.post(t), data, eof);
  }

  @Override public Nfs3Res fail(CallCx cx, Args a, Nfsstat3 status) { return new Nfs3Res.PostOp(status, cx.post(a.file())); }
}
