package io.tapnfs.nfs.nsm;

import io.tapnfs.portmap.xdr.XdrType;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SM_SIMU_CRASH (5) from the network: answered (void) and ignored, as statd's
 * {@code sm_simu_crash_1_svc} ignores a remote caller; a restart of tapnfs is the real crash.
 * Counted as remoteMonRefused.
 */
final class SimuCrash1 implements NsmProc<Void> {
  private static final Logger LOG = LoggerFactory.getLogger(SimuCrash1.class);

  @Override public Void decode(XdrDecodingStream in) { return null; }

  @Override public XdrType run(Nsm nsm, InetSocketAddress from, Void a) {
    nsm.count(NsmStat.REMOTE_MON_REFUSED);
    LOG.info("NSM: SM_SIMU_CRASH from {} ignored", from);
    return NsmXdr.VOID;
  }
}
