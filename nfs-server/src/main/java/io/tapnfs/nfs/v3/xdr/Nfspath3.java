package io.tapnfs.nfs.v3.xdr;

import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * RFC 1813 §2.5 nfspath3 ({@code string<>}), a symbolic link's text: at most {@value #PATH_MAX}
 * bytes (Linux PATH_MAX; knfsd's NFS3_MAXPATHLEN), longer is NFS3ERR_NAMETOOLONG, not UTF-8 is
 * NFS3ERR_INVAL.
 */
public final class Nfspath3 {
  private Nfspath3() {}

  public static final int PATH_MAX = 4096;

  public static Filename3 decode(XdrDecodingStream in) throws IOException {
    return Filename3.decode(in, PATH_MAX);
  }
}
