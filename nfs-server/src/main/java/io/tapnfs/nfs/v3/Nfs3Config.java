package io.tapnfs.nfs.v3;

/**
 * Sizes and limits the server announces in FSINFO and PATHCONF (RFC 1813 §3.3.19, §3.3.20) and
 * enforces on READ, WRITE and READDIR[PLUS].
 *
 * @param rtmax     largest READ (also rtpref): longer reads return rtmax bytes
 * @param wtmax     largest WRITE (also wtpref): a longer one writes wtmax bytes, as knfsd does
 * @param dtpref    preferred READDIR size
 * @param dirmax    largest READDIR count / READDIRPLUS maxcount honoured (larger are clamped)
 * @param linkMax   PATHCONF linkmax
 */
public record Nfs3Config(int rtmax, int wtmax, int dtpref, int dirmax, int linkMax) {
  public static final int MIB = 1 << 20;

  public Nfs3Config {
    if (rtmax < 4096 || wtmax < 4096 || dtpref < 1024 || dirmax < dtpref || linkMax < 1) {
      throw new IllegalArgumentException("rtmax " + rtmax + ", wtmax " + wtmax + ", dtpref " + dtpref + ", dirmax " + dirmax);
    }
  }

  /** rtmax = wtmax = 1 MiB (RpcServer's default record cap leaves room for the headers), dtpref 64 KiB. */
  public static Nfs3Config defaults() { return new Nfs3Config(MIB, MIB, 64 * 1024, MIB, 65000); }
}
