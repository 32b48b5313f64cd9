package io.tapnfs.rpc;

import java.net.InetAddress;
import java.util.zip.CRC32C;
import org.dcache.oncrpc4j.rpc.RpcAuth;
import org.dcache.oncrpc4j.rpc.RpcAuthType;
import org.dcache.oncrpc4j.rpc.RpcAuthTypeUnix;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.glassfish.grizzly.Buffer;

/**
 * What makes two calls "the same call" to the {@link DuplicateRequestCache}: the client's IP
 * address, the xid, program, version and procedure, the length of the arguments and a checksum,
 * as knfsd's {@code nfsd_cache_key_cmp} (fs/nfsd/nfscache.c), with two differences:
 * <ul>
 *   <li>The address without the port. knfsd compares the whole sockaddr and relies on Linux
 *       clients reconnecting from the same port; a client that reconnects from another port (or
 *       retransmits a TCP call over UDP) would miss there. The xid, procedure and checksum still
 *       separate the calls of different processes on one host.
 *   <li>The checksum ({@link #checksum}) also covers the caller's identity, so one user of a shared
 *       client host is never handed the reply to another user's call.
 * </ul>
 */
record DrcKey(InetAddress client, int xid, int program, int version, int procedure, int argLength, int checksum) {
  /** Argument bytes the checksum covers: knfsd's RC_CSUMLEN. */
  static final int CSUM_LEN = 256;

  /**
   * Whether calls with this credential may be cached. AUTH_NONE and AUTH_SYS replies carry an
   * AUTH_NONE verifier that does not depend on the call. An RPCSEC_GSS verifier covers the
   * credential's sequence number, which a retransmission changes (RFC 2203 §5.3.3.1), so a stored
   * reply would not verify; such calls are always run.
   */
  static boolean cacheable(RpcAuth cred) {
    return cred.type() == RpcAuthType.NONE || cred.type() == RpcAuthType.UNIX;
  }

  /**
   * The key of a call that oncrpc4j has accepted (its Xdr positioned at the arguments), or null if
   * its credential is not {@link #cacheable}. Reads the arguments without consuming them.
   */
  static DrcKey of(RpcCall call) {
    if (!cacheable(call.getCredential())) return null;
    Buffer b = call.getXdr().asBuffer();
    int from = b.position(), to = b.limit();
    return new DrcKey(call.getTransport().getRemoteSocketAddress().getAddress(), call.getXid(), call.getProgram(),
        call.getProgramVersion(), call.getProcedure(), to - from, checksum(call.getCredential(), b, from, to));
  }

  /**
   * CRC32C of the credential's flavor and, for AUTH_SYS, its uid, gid and gids (not the stamp or
   * machine name, which a client may change when it re-encodes a call for a new connection),
   * then of the first {@value #CSUM_LEN} argument bytes, {@code args[from, to)}. The argument
   * length is in the key beside it, as in knfsd: with it, two calls that differ only past the
   * first 256 bytes still differ when their lengths do (a WRITE of another size).
   */
  static int checksum(RpcAuth cred, Buffer args, int from, int to) {
    CRC32C c = new CRC32C();
    updateInt(c, cred.type());
    if (cred instanceof RpcAuthTypeUnix u) {
      updateInt(c, u.uid());
      updateInt(c, u.gid());
      updateInt(c, u.gids().length);
      for (int g : u.gids()) updateInt(c, g);
    }
    int end = Math.min(to, from + CSUM_LEN);
    for (int i = from; i < end; i++) c.update(args.get(i));
    return (int) c.getValue();
  }

  private static void updateInt(CRC32C c, int v) {
    c.update(v >>> 24);
    c.update(v >>> 16);
    c.update(v >>> 8);
    c.update(v);
  }
}
