package io.tapnfs.nfs.nsm;

import io.tapnfs.nfs.nsm.NsmXdr.Mon;
import io.tapnfs.nfs.nsm.NsmXdr.SmStatRes;
import io.tapnfs.portmap.xdr.XdrType;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SM_MON (2) from the network: refused, stat_fail with state -1, as statd's {@code sm_mon_1_svc}
 * answers a caller that is not on the loopback ("Reject any remote callers"). Only the process
 * itself monitors ({@link Nsm#monitor}, NLM's in-process call): a remote host must not make us
 * record arbitrary hosts, fill the state directory, or have us send SM_NOTIFY to whomever it
 * names after a restart. Counted as remoteMonRefused.
 */
final class Mon1 implements NsmProc<Mon> {
  private static final Logger LOG = LoggerFactory.getLogger(Mon1.class);

  @Override public Mon decode(XdrDecodingStream in) throws IOException { return Mon.decode(in); }

  @Override public XdrType run(Nsm nsm, InetSocketAddress from, Mon a) {
    nsm.count(NsmStat.REMOTE_MON_REFUSED);
    LOG.info("NSM: SM_MON of {} from {} refused: only tapnfs itself monitors", a.monId().monName(), from);
    return new SmStatRes(NsmXdr.STAT_FAIL, -1);
  }
}
