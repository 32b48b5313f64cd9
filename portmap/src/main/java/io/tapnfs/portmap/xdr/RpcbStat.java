package io.tapnfs.portmap.xdr;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * Statistics of one rpcbind version, RFC 1833 §2.1:
 * <pre>
 * const RPCBSTAT_HIGHPROC = 13;  -- # of procs in rpcbind V4 plus one
 * typedef int rpcbs_proc[RPCBSTAT_HIGHPROC];
 * struct rpcb_stat {
 *   rpcbs_proc            info;       -- calls per procedure number
 *   int                   setinfo;    -- successful SETs
 *   int                   unsetinfo;  -- successful UNSETs
 *   rpcbs_addrlist_ptr    addrinfo;   -- GETPORT/GETADDR outcomes
 *   rpcbs_rmtcalllist_ptr rmtinfo;    -- CALLIT/INDIRECT outcomes
 * };
 * </pre>
 * {@code info} is a fixed-length array: 13 ints, no length word. Immutable (arrays copied).
 */
public final class RpcbStat implements XdrType {
  public static final int RPCBSTAT_HIGHPROC = 13;
  /** Decoding bound on each list for replies we read. */
  public static final int MAX_ENTRIES = 4096;

  private final int[] info;
  private final int setinfo;
  private final int unsetinfo;
  private final List<RpcbsAddr> addrinfo;
  private final List<RpcbsRmtcall> rmtinfo;

  public RpcbStat(int[] info, int setinfo, int unsetinfo, List<RpcbsAddr> addrinfo,
      List<RpcbsRmtcall> rmtinfo) {
    if (info.length != RPCBSTAT_HIGHPROC) {
      throw new IllegalArgumentException("info needs " + RPCBSTAT_HIGHPROC + " entries");
    }
    this.info = info.clone();
    this.setinfo = setinfo;
    this.unsetinfo = unsetinfo;
    this.addrinfo = List.copyOf(addrinfo);
    this.rmtinfo = List.copyOf(rmtinfo);
  }

  public static RpcbStat decode(XdrDecodingStream in) throws IOException {
    int[] info = new int[RPCBSTAT_HIGHPROC];
    for (int i = 0; i < info.length; i++) info[i] = in.xdrDecodeInt();
    int setinfo = in.xdrDecodeInt();
    int unsetinfo = in.xdrDecodeInt();
    List<RpcbsAddr> addrinfo = Xdrs.list(in, MAX_ENTRIES, RpcbsAddr::decode);
    List<RpcbsRmtcall> rmtinfo = Xdrs.list(in, MAX_ENTRIES, RpcbsRmtcall::decode);
    return new RpcbStat(info, setinfo, unsetinfo, addrinfo, rmtinfo);
  }

  @Override
  public void encode(XdrEncodingStream out) {
    for (int v : info) out.xdrEncodeInt(v);
    out.xdrEncodeInt(setinfo);
    out.xdrEncodeInt(unsetinfo);
    Xdrs.list(out, addrinfo);
    Xdrs.list(out, rmtinfo);
  }

  /** Calls of procedure {@code proc} (0..12). */
  public int info(int proc) {
    return info[proc];
  }

  public int[] info() {
    return info.clone();
  }

  public int setinfo() {
    return setinfo;
  }

  public int unsetinfo() {
    return unsetinfo;
  }

  public List<RpcbsAddr> addrinfo() {
    return addrinfo;
  }

  public List<RpcbsRmtcall> rmtinfo() {
    return rmtinfo;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RpcbStat s && Arrays.equals(s.info, info) && s.setinfo == setinfo
        && s.unsetinfo == unsetinfo && s.addrinfo.equals(addrinfo) && s.rmtinfo.equals(rmtinfo);
  }

  @Override
  public int hashCode() {
    return ((Arrays.hashCode(info) * 31 + setinfo) * 31 + unsetinfo) * 31
        + addrinfo.hashCode() * 17 + rmtinfo.hashCode();
  }

  @Override
  public String toString() {
    return "RpcbStat[info=" + Arrays.toString(info) + ", setinfo=" + setinfo + ", unsetinfo="
        + unsetinfo + ", addrinfo=" + addrinfo + ", rmtinfo=" + rmtinfo + "]";
  }
}
