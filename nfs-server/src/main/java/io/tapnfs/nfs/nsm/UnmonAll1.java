package io.tapnfs.nfs.nsm;

import io.tapnfs.nfs.nsm.NsmXdr.MyId;
import io.tapnfs.nfs.nsm.NsmXdr.SmStat;
import io.tapnfs.portmap.xdr.XdrType;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SM_UNMON_ALL (4) from the network: ignored, our state answered, as {@link Unmon1}. Counted as remoteMonRefused. */
final class UnmonAll1 implements NsmProc<MyId> {
  private static final Logger LOG = LoggerFactory.getLogger(UnmonAll1.class);

  @Override public MyId decode(XdrDecodingStream in) throws IOException { return MyId.decode(in); }

  @Override public XdrType run(Nsm nsm, InetSocketAddress from, MyId a) {
    nsm.count(NsmStat.REMOTE_MON_REFUSED);
    LOG.info("NSM: SM_UNMON_ALL for {} from {} ignored: only tapnfs itself unmonitors", a.myName(), from);
    return new SmStat(nsm.state());
  }
}
