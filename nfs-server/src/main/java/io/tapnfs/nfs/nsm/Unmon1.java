package io.tapnfs.nfs.nsm;

import io.tapnfs.nfs.nsm.NsmXdr.MonId;
import io.tapnfs.nfs.nsm.NsmXdr.SmStat;
import io.tapnfs.portmap.xdr.XdrType;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SM_UNMON (3) from the network: nothing is unmonitored; the answer is our state, as statd's
 * {@code sm_unmon_1_svc} gives a remote caller. Counted as remoteMonRefused.
 */
final class Unmon1 implements NsmProc<MonId> {
  private static final Logger LOG = LoggerFactory.getLogger(Unmon1.class);

  @Override public MonId decode(XdrDecodingStream in) throws IOException { return MonId.decode(in); }

  @Override public XdrType run(Nsm nsm, InetSocketAddress from, MonId a) {
    nsm.count(NsmStat.REMOTE_MON_REFUSED);
    LOG.info("NSM: SM_UNMON of {} from {} ignored: only tapnfs itself unmonitors", a.monName(), from);
    return new SmStat(nsm.state());
  }
}
