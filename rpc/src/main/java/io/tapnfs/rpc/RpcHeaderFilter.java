package io.tapnfs.rpc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.CompletionHandler;
import org.dcache.oncrpc4j.grizzly.GrizzlyRpcTransport;
import org.dcache.oncrpc4j.rpc.ReplyQueue;
import org.dcache.oncrpc4j.xdr.Xdr;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;

/**
 * Checks a call's header before oncrpc4j decodes it, between the record parser and
 * RpcProtocolFilter, and answers what is wrong itself (counted):
 * <ul>
 *   <li>RPC version not 2: MSG_DENIED RPC_MISMATCH with "the lowest and highest version numbers of
 *       the RPC protocol supported", 2 and 2 (RFC 5531 §9). oncrpc4j 3.4.2 would put the caller's
 *       version in the low field.
 *   <li>A credential or verifier body longer than 400 bytes (RFC 5531 §8.2) or than the message,
 *       or an AUTH_SYS credential (Appendix A) whose machine name (≤ 255) or gids (≤ 16) do not
 *       fit in it: MSG_DENIED AUTH_ERROR AUTH_BADCRED / AUTH_BADVERF. oncrpc4j allocates whatever
 *       length a message claims before it checks the bytes are there, so a 100-byte datagram
 *       could otherwise make the server allocate gigabytes (the "rpcbomb" class of bug,
 *       CVE-2017-8779).
 * </ul>
 * Every other message passes on untouched.
 */
final class RpcHeaderFilter extends BaseFilter {
  static final int CALL = 0, REPLY = 1, MSG_DENIED = 1, RPC_MISMATCH = 0, AUTH_ERROR = 1, RPC_VERSION = 2;
  static final int AUTH_BADCRED = 1, AUTH_BADVERF = 3;
  static final int AUTH_SYS = 1, MAX_AUTH_BODY = 400, MAX_MACHINE_NAME = 255, MAX_GIDS = 16;

  private final ReplyQueue replies;
  private final RpcCounters counters;

  RpcHeaderFilter(ReplyQueue replies, RpcCounters counters) {
    this.replies = replies;
    this.counters = counters;
  }

  @Override public NextAction handleRead(FilterChainContext ctx) throws IOException {
    Xdr x = ctx.getMessage();
    if (x == null) return ctx.getInvokeAction();
    Buffer b = x.asBuffer().duplicate();
    b.rewind();
    if (b.remaining() < 8) return truncated(ctx);
    int xid = b.getInt(), type = b.getInt();
    if (type != CALL) return ctx.getInvokeAction();
    if (b.remaining() < 4) return truncated(ctx);
    if (b.getInt() != RPC_VERSION) {
      counters.inc(RpcStat.RPC_MISMATCH);
      return deny(ctx, xid, RPC_MISMATCH, RPC_VERSION, RPC_VERSION);
    }
    // RFC 5531 §9: program, version, procedure, then two opaque_auth of at least 8 bytes each
    if (b.remaining() < 12 + 16) return truncated(ctx);
    b.position(b.position() + 12);                                  // program, version, procedure
    int cred = checkAuth(b, true);
    if (cred != 0) return badAuth(ctx, xid, AUTH_BADCRED);
    if (checkAuth(b, false) != 0) return badAuth(ctx, xid, AUTH_BADVERF);
    return ctx.getInvokeAction();
  }

  /** Checks one opaque_auth at the buffer's position and skips it. @return 0 when sound */
  private static int checkAuth(Buffer b, boolean credential) {
    if (b.remaining() < 8) return 1;
    int flavor = b.getInt(), len = b.getInt();
    if (len < 0 || len > MAX_AUTH_BODY || len > b.remaining()) return 1;
    int body = b.position(), padded = (len + 3) & ~3;
    if (padded > b.remaining()) return 1;
    if (credential && flavor == AUTH_SYS) {
      // stamp, machinename<255>, uid, gid, gids<16>: every length inside the body
      if (len < 20) return 1;
      int nameLen = b.getInt(body + 4);
      if (nameLen < 0 || nameLen > MAX_MACHINE_NAME) return 1;
      int afterName = body + 8 + ((nameLen + 3) & ~3);
      if (afterName + 12 > body + len) return 1;
      int gids = b.getInt(afterName + 8);
      if (gids < 0 || gids > MAX_GIDS || afterName + 12 + 4L * gids > body + len) return 1;
    }
    b.position(body + padded);
    return 0;
  }

  /**
   * A call too short to carry its header: there is no xid to answer reliably, so it is dropped
   * and counted, and a TCP connection that framed it is closed (its stream cannot be trusted).
   */
  private NextAction truncated(FilterChainContext ctx) {
    counters.inc(RpcStat.TRUNCATED_CALLS);
    if (ctx.getConnection() instanceof org.glassfish.grizzly.nio.transport.TCPNIOConnection c) c.closeSilently();
    return ctx.getStopAction();
  }

  private NextAction badAuth(FilterChainContext ctx, int xid, int why) {
    counters.inc(RpcStat.AUTH_REJECTED);
    return deny(ctx, xid, AUTH_ERROR, why);
  }

  /** Sends MSG_DENIED with {@code body} (reject_stat and its data) and stops the message here. */
  private NextAction deny(FilterChainContext ctx, int xid, int... body) {
    Xdr reply = new Xdr(Xdr.INITIAL_XDR_SIZE);
    reply.beginEncoding();
    reply.xdrEncodeInt(xid);
    reply.xdrEncodeInt(REPLY);
    reply.xdrEncodeInt(MSG_DENIED);
    for (int w : body) reply.xdrEncodeInt(w);
    reply.endEncoding();
    new GrizzlyRpcTransport(ctx.getConnection(), (InetSocketAddress) ctx.getAddress(), replies).send(reply, null,
        new CompletionHandler<Integer, Object>() {
          @Override public void completed(Integer n, Object a) { }

          @Override public void failed(Throwable t, Object a) { }
        });
    return ctx.getStopAction();
  }
}
