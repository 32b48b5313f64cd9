package io.tapnfs.nfs.nsm;

import io.tapnfs.portmap.xdr.XdrType;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * One procedure of NSM version 1 (one class each): decode its arguments, run it, return its
 * result. {@link NsmProgram} counts, decodes and answers.
 *
 * @param <A> the decoded arguments
 */
interface NsmProc<A> {
  /** Decodes the arguments, every length checked first; undecodable ones throw (GARBAGE_ARGS). */
  A decode(XdrDecodingStream in) throws IOException;

  /** Runs the procedure for a caller at {@code from} (always a remote host: the network is all the stack has). */
  XdrType run(Nsm nsm, InetSocketAddress from, A args);
}
