package io.tapnfs.nfs.nsm;

import io.tapnfs.nfs.nsm.NsmXdr.SmName;
import io.tapnfs.nfs.nsm.NsmXdr.SmStatRes;
import io.tapnfs.portmap.xdr.XdrType;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * SM_STAT (1): "would you monitor this host?", and our state number. statd answers stat_fail for a
 * name it cannot resolve; we resolve no names (NLM gives us the name and the address), so every
 * name but the empty one is stat_succ. Asking changes nothing.
 */
final class Stat1 implements NsmProc<SmName> {
  @Override public SmName decode(XdrDecodingStream in) throws IOException { return SmName.decode(in); }

  @Override public XdrType run(Nsm nsm, InetSocketAddress from, SmName a) {
    return new SmStatRes(a.monName().isEmpty() ? NsmXdr.STAT_FAIL : NsmXdr.STAT_SUCC, nsm.state());
  }
}
