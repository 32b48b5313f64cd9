package io.tapnfs.rpc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.CompletionHandler;
import org.dcache.oncrpc4j.grizzly.GrizzlyRpcTransport;
import org.dcache.oncrpc4j.rpc.ReplyQueue;
import org.dcache.oncrpc4j.xdr.Xdr;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;

/**
 * RFC 5531 §9: a call whose RPC version is not 2 is denied with RPC_MISMATCH and "the lowest and
 * highest version numbers of the RPC protocol supported", 2 and 2. oncrpc4j 3.4.2 puts the
 * caller's version in the low field, so this filter, between the record parser and
 * RpcProtocolFilter, answers such calls itself (counted) and passes every other message on.
 */
final class RpcVersionFilter extends BaseFilter {
  static final int CALL = 0, REPLY = 1, MSG_DENIED = 1, RPC_MISMATCH = 0, RPC_VERSION = 2;

  private final ReplyQueue replies;
  private final RpcCounters counters;

  RpcVersionFilter(ReplyQueue replies, RpcCounters counters) {
    this.replies = replies;
    this.counters = counters;
  }

  @Override public NextAction handleRead(FilterChainContext ctx) throws IOException {
    Xdr x = ctx.getMessage();
    if (x == null || x.asBuffer().limit() < 12) return ctx.getInvokeAction();   // too short: RpcProtocolFilter's to refuse
    x.beginDecoding();
    int xid = x.xdrDecodeInt(), type = x.xdrDecodeInt(), version = x.xdrDecodeInt();
    x.beginDecoding();                                                          // rewound for the next filter
    if (type != CALL || version == RPC_VERSION) return ctx.getInvokeAction();
    counters.inc(RpcStat.RPC_MISMATCH);
    Xdr reply = new Xdr(Xdr.INITIAL_XDR_SIZE);
    reply.beginEncoding();
    reply.xdrEncodeInt(xid);
    reply.xdrEncodeInt(REPLY);
    reply.xdrEncodeInt(MSG_DENIED);
    reply.xdrEncodeInt(RPC_MISMATCH);
    reply.xdrEncodeInt(RPC_VERSION);
    reply.xdrEncodeInt(RPC_VERSION);
    reply.endEncoding();
    new GrizzlyRpcTransport(ctx.getConnection(), (InetSocketAddress) ctx.getAddress(), replies).send(reply, null,
        new CompletionHandler<Integer, Object>() {
          @Override public void completed(Integer n, Object a) { }

          @Override public void failed(Throwable t, Object a) { }
        });
    return ctx.getStopAction();
  }
}
