package io.tapnfs.rpc;

import java.io.IOException;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.attributes.AttributeBuilder;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards oncrpc4j's TCP record parser, which buffers a record's fragments up to 2 GB: this
 * filter, in front of it, follows the record marks of RFC 5531 §11 as the bytes stream by (a
 * 4-byte header per fragment: the last-fragment bit and a 31-bit length) and closes the
 * connection, counted, as soon as a fragment or the record it belongs to would pass
 * {@code maxRecord} bytes, or a record has more than {@code maxFragments} fragments (zero-length
 * fragments would otherwise let a record go on forever). The bytes themselves pass on unchanged.
 */
final class RecordCapFilter extends BaseFilter {
  private static final Logger log = LoggerFactory.getLogger(RecordCapFilter.class);

  /** Per-connection parsing state: where we are in the record marks. */
  private static final class State {
    int headerBytes;          // bytes of the current 4-byte fragment header seen so far
    int header;               // the header, as it accumulates
    long fragmentLeft;        // bytes of the current fragment still to come
    long recordSize;          // bytes of the current record so far
    int fragments;            // fragments of the current record so far
    boolean lastFragment;
  }

  private final Attribute<State> stateAttr = AttributeBuilder.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(
      RecordCapFilter.class.getName() + ".state");
  private final long maxRecord;
  private final int maxFragments;
  private final RpcCounters counters;

  RecordCapFilter(long maxRecord, int maxFragments, RpcCounters counters) {
    this.maxRecord = maxRecord;
    this.maxFragments = maxFragments;
    this.counters = counters;
  }

  @Override public NextAction handleRead(FilterChainContext ctx) throws IOException {
    Buffer b = ctx.getMessage();
    Connection<?> c = ctx.getConnection();
    State s = stateAttr.get(c);
    if (s == null) {
      s = new State();
      stateAttr.set(c, s);
    }
    int pos = b.position(), lim = b.limit();
    while (pos < lim) {
      if (s.fragmentLeft > 0) {                               // inside a fragment: skip its bytes
        long n = Math.min(s.fragmentLeft, lim - pos);
        pos += (int) n;
        s.fragmentLeft -= n;
        if (s.fragmentLeft == 0 && s.lastFragment) { s.recordSize = 0; s.fragments = 0; }
        continue;
      }
      s.header = s.header << 8 | (b.get(pos++) & 0xff);         // a fragment header, maybe split across reads
      if (++s.headerBytes < 4) continue;
      s.headerBytes = 0;
      s.lastFragment = (s.header & 0x80000000) != 0;
      long size = s.header & 0x7fffffffL;
      s.header = 0;
      s.recordSize += size;
      s.fragments++;
      if (s.recordSize > maxRecord) return refuse(ctx, RpcStat.RECORD_TOO_LARGE, "record of " + s.recordSize + "+ bytes");
      if (s.fragments > maxFragments) return refuse(ctx, RpcStat.TOO_MANY_FRAGMENTS, s.fragments + " fragments");
      s.fragmentLeft = size;
      if (size == 0 && s.lastFragment) { s.recordSize = 0; s.fragments = 0; }
    }
    return ctx.getInvokeAction();
  }

  private NextAction refuse(FilterChainContext ctx, RpcStat why, String what) {
    counters.inc(why);
    log.warn("closing RPC connection from {}: {} (limit {} bytes, {} fragments)", ctx.getConnection().getPeerAddress(),
        what, maxRecord, maxFragments);
    ctx.getConnection().closeSilently();
    return ctx.getStopAction();
  }
}
