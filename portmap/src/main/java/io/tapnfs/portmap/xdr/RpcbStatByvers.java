package io.tapnfs.portmap.xdr;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * Result of RPCBPROC_GETSTAT (v4), RFC 1833 §2.1:
 * <pre>
 * const RPCBVERS_STAT = 3;   -- provide only for rpcbind V2, V3 and V4
 * const RPCBVERS_4_STAT = 2;
 * const RPCBVERS_3_STAT = 1;
 * const RPCBVERS_2_STAT = 0;
 * typedef rpcb_stat rpcb_stat_byvers[RPCBVERS_STAT];
 * </pre>
 * A fixed-length array (no length word): index 0 is version 2, 1 is version 3, 2 is version 4.
 */
public record RpcbStatByvers(List<RpcbStat> byVersion) implements XdrType {
  public static final int RPCBVERS_STAT = 3;

  public RpcbStatByvers {
    if (byVersion.size() != RPCBVERS_STAT) {
      throw new IllegalArgumentException("needs " + RPCBVERS_STAT + " versions");
    }
    byVersion = List.copyOf(byVersion);
  }

  /** Statistics of rpcbind version {@code version} (2, 3 or 4). */
  public RpcbStat version(int version) {
    return byVersion.get(version - 2);
  }

  public static RpcbStatByvers decode(XdrDecodingStream in) throws IOException {
    List<RpcbStat> v = new ArrayList<>(RPCBVERS_STAT);
    for (int i = 0; i < RPCBVERS_STAT; i++) v.add(RpcbStat.decode(in));
    return new RpcbStatByvers(v);
  }

  @Override
  public void encode(XdrEncodingStream out) {
    for (RpcbStat s : byVersion) s.encode(out);
  }
}
