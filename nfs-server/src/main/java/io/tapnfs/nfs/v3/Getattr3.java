package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.Fattr3;
import io.tapnfs.nfs.v3.xdr.Fh3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.vfs.Attr;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/** GETATTR, RFC 1813 §3.3.1: {@code GETATTR3args { nfs_fh3 object; }}; resok fattr3, resfail void. */
final class Getattr3 implements Nfs3Proc<Fh3> {
  record Res(Attr attr) implements Nfs3Res {
    @Override public Nfsstat3 status() { return Nfsstat3.OK; }

    @Override public void encodeArm(XdrEncodingStream out) { Fattr3.encode(out, attr); }
  }

  @Override public Fh3 decode(XdrDecodingStream in) throws IOException { return Fh3.decode(in); }

  @Override public Nfs3Res run(CallCx cx, Fh3 a) throws VfsException, NfsStatusException {
    CallCx.Target t = cx.target(a);
    return new Res(t.vfs().getattr(t.fh()));
  }

  @Override public Nfs3Res fail(CallCx cx, Fh3 a, Nfsstat3 status) { return new Nfs3Res.Void(status); }
}
