package io.tapnfs.nfs.v3.xdr;

import io.tapnfs.nfs.vfs.Fh;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * RFC 1813 §2.6 nfs_fh3: {@code opaque data<NFS3_FHSIZE>}. A handle of 0 or more than 64 bytes
 * that is still inside the message decodes to an invalid Fh3, which the procedure answers with
 * NFS3ERR_BADHANDLE ("Illegal NFS file handle", §2.6); one claiming bytes past the message is
 * GARBAGE_ARGS. Linux knfsd answers both with GARBAGE_ARGS; a status is kinder to clients.
 */
public record Fh3(Fh fh, int length) {
  public static Fh3 decode(XdrDecodingStream in) throws IOException {
    byte[] b = Xdr3.opaqueOrNull(in, Xdr3.FHSIZE);
    if (b == null) return new Fh3(null, Xdr3.FHSIZE + 1);
    return b.length == 0 ? new Fh3(null, 0) : new Fh3(new Fh(b), b.length);
  }

  public static Fh3 of(Fh fh) { return new Fh3(fh, fh.length()); }

  public boolean valid() { return fh != null; }

  /** The handle, or BADHANDLE. */
  public Fh require() throws NfsStatusException {
    if (fh == null) throw new NfsStatusException(Nfsstat3.BADHANDLE, "file handle of " + length + " bytes");
    return fh;
  }

  public static void encode(XdrEncodingStream out, Fh fh) { out.xdrEncodeDynamicOpaque(fh.bytes()); }

  /** Encoded length of {@code fh}. */
  public static int len(Fh fh) { return Xdr3.opaqueLen(fh.length()); }

  /** post_op_fh3 (§3.3.8): {@code union switch (bool handle_follows) { case TRUE: nfs_fh3; }}. */
  public static void encodePostOp(XdrEncodingStream out, Fh fh) {
    out.xdrEncodeBoolean(fh != null);
    if (fh != null) encode(out, fh);
  }

  public static int postOpLen(Fh fh) { return 4 + (fh == null ? 0 : len(fh)); }

  @Override public String toString() { return fh == null ? "badhandle(" + length + ")" : fh.toString(); }
}
