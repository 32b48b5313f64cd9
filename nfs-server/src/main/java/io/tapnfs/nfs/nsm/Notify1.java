package io.tapnfs.nfs.nsm;

import io.tapnfs.nfs.nsm.NsmXdr.StatChge;
import io.tapnfs.portmap.xdr.XdrType;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * SM_NOTIFY (6): a host tells us it restarted (its sm-notify at boot). If it is a client we
 * monitor, its locks are released ({@link Nsm#clientRestarted}); the answer is void either way.
 */
final class Notify1 implements NsmProc<StatChge> {
  @Override public StatChge decode(XdrDecodingStream in) throws IOException { return StatChge.decode(in); }

  @Override public XdrType run(Nsm nsm, InetSocketAddress from, StatChge a) {
    if (from.getAddress() instanceof Inet4Address v4) nsm.clientRestarted(a.monName(), a.state(), v4);
    else nsm.count(NsmStat.NOTIFY_UNMONITORED);
    return NsmXdr.VOID;
  }
}
