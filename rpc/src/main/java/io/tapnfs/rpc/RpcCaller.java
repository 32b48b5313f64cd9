package io.tapnfs.rpc;

import java.net.InetSocketAddress;
import org.dcache.oncrpc4j.rpc.RpcAuthType;
import org.dcache.oncrpc4j.rpc.RpcAuthTypeUnix;
import org.dcache.oncrpc4j.rpc.RpcCall;

/**
 * Who made a call: the credential flavor and, for AUTH_SYS (RFC 5531 Appendix A), the uid, gid
 * and supplementary gids and machine name; always the caller's address. AUTH_NONE callers have
 * uid and gid -1 and no gids. A malformed credential never gets this far: oncrpc4j rejects it
 * with AUTH_BADCRED while decoding the call header.
 */
public record RpcCaller(int flavor, int uid, int gid, int[] gids, InetSocketAddress address) {
  public static final int NOBODY = -1;

  public static RpcCaller of(RpcCall call) {
    InetSocketAddress from = call.getTransport().getRemoteSocketAddress();
    if (call.getCredential() instanceof RpcAuthTypeUnix u) return new RpcCaller(RpcAuthType.UNIX, u.uid(), u.gid(), u.gids().clone(), from);
    return new RpcCaller(call.getCredential().type(), NOBODY, NOBODY, new int[0], from);
  }

  public boolean isAuthSys() { return flavor == RpcAuthType.UNIX; }
}
