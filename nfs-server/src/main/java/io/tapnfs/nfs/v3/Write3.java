package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.Fh3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.WccData;
import io.tapnfs.nfs.v3.xdr.Xdr3;
import io.tapnfs.nfs.vfs.Attr;
import io.tapnfs.nfs.vfs.Stability;
import io.tapnfs.nfs.vfs.Vfs;
import io.tapnfs.nfs.vfs.VfsException;
import io.tapnfs.rpc.GarbageArgsException;
import io.tapnfs.rpc.XdrChecks;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * WRITE, RFC 1813 §3.3.7: {@code nfs_fh3 file; offset3 offset; count3 count; stable_how stable;
 * opaque data<>;}; resok {@code wcc_data file_wcc; count3 count; stable_how committed;
 * writeverf3 verf;}, resfail wcc_data.
 */
final class Write3 implements Nfs3Proc<Write3.Args> {
  record Args(Fh3 file, long offset, long count, Stability stable, byte[] data) {}

  record Res(WccData wcc, int count, Stability committed, long verifier) implements Nfs3Res {
    @Override public Nfsstat3 status() { return Nfsstat3.OK; }

    @Override public void encodeArm(XdrEncodingStream out) {
      wcc.encode(out);
      out.xdrEncodeInt(count);
      out.xdrEncodeInt(committed.ordinal());
      out.xdrEncodeLong(verifier);           // writeverf3: opaque[8], the verifier's 8 bytes big-endian
    }
  }

  /**
   * The data is read in full (it is inside the message, which RpcServer caps). count must equal
   * the data's length: knfsd answers a disagreement with GARBAGE_ARGS, and so do we.
   */
  @Override public Args decode(XdrDecodingStream in) throws IOException {
    Fh3 fh = Fh3.decode(in);
    long offset = in.xdrDecodeLong();
    long count = Xdr3.uint32(in);
    Stability stable = Stability.values()[Xdr3.enumValue(in, 2, "stable_how")];
    byte[] data = XdrChecks.opaque(in, Integer.MAX_VALUE);
    if (data.length != count) throw new GarbageArgsException("WRITE count " + count + " but " + data.length + " bytes of data");
    return new Args(fh, offset, count, stable, data);
  }

  /**
   * "The size of data must be less than or equal to the value of the wtmax field ... If greater,
   * the server may write only wtmax bytes, resulting in a short write." (§3.3.7). A write reaching
   * past 2^63-1 is FBIG (knfsd: past OFFSET_MAX).
   */
  @Override public Nfs3Res run(CallCx cx, Args a) throws VfsException, NfsStatusException {
    CallCx.Target t = cx.writable(a.file());
    int n = (int) Math.min(a.data().length, cx.config().wtmax());
    if (a.offset() < 0 || a.offset() + n < 0) {
      throw new NfsStatusException(Nfsstat3.FBIG, "write at " + Long.toUnsignedString(a.offset()) + " + " + n);
    }
    Attr before = cx.pre(t);
    Vfs.WriteResult w = t.vfs().write(t.fh(), a.offset(), ByteBuffer.wrap(a.data(), 0, n), a.stable(), t.who());
    return new Res(cx.wcc(t, before), w.count(), w.committed(), t.vfs().writeVerifier());
  }

  @Override public Nfs3Res fail(CallCx cx, Args a, Nfsstat3 status) { return new Nfs3Res.Wcc(status, cx.wcc(a.file())); }
}
