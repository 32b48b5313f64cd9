package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.Fh3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.WccData;
import io.tapnfs.nfs.v3.xdr.Xdr3;
import io.tapnfs.nfs.vfs.Attr;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * COMMIT, RFC 1813 §3.3.21: {@code nfs_fh3 file; offset3 offset; count3 count;}; resok
 * {@code wcc_data file_wcc; writeverf3 verf;}, resfail wcc_data. Needs a writable export, as in
 * knfsd (nothing can have been written through a read-only one).
 */
final class Commit3 implements Nfs3Proc<Commit3.Args> {
  record Args(Fh3 file, long offset, long count) {}

  record Res(WccData wcc, long verifier) implements Nfs3Res {
    @Override public Nfsstat3 status() { return Nfsstat3.OK; }

    @Override public void encodeArm(XdrEncodingStream out) {
      wcc.encode(out);
      out.xdrEncodeLong(verifier);
    }
  }

  @Override public Args decode(XdrDecodingStream in) throws IOException {
    return new Args(Fh3.decode(in), in.xdrDecodeLong(), Xdr3.uint32(in));
  }

  /** "If count is 0, a flush from offset to the end of file is done": the VFS syncs the whole file anyway. */
  @Override public Nfs3Res run(CallCx cx, Args a) throws VfsException, NfsStatusException {
    CallCx.Target t = cx.writable(a.file());
    Attr before = cx.pre(t);
    t.vfs().commit(t.fh(), a.offset() < 0 ? Long.MAX_VALUE : a.offset(), a.count());
    return new Res(cx.wcc(t, before), t.vfs().writeVerifier());
  }

  @Override public Nfs3Res fail(CallCx cx, Args a, Nfsstat3 status) { return new Nfs3Res.Wcc(status, cx.wcc(a.file())); }
}
