package io.tapnfs.nfs.v3.xdr;

import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/** RFC 1813 §3.3.3 diropargs3: {@code nfs_fh3 dir; filename3 name;}. */
public record DirOpArgs3(Fh3 dir, Filename3 name) {
  public static DirOpArgs3 decode(XdrDecodingStream in) throws IOException {
    return new DirOpArgs3(Fh3.decode(in), Filename3.decode(in));
  }
}
