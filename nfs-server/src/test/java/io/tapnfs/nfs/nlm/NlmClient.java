package io.tapnfs.nfs.nlm;

import io.tapnfs.rpc.RpcClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * The client side of NLM for the tests: encodes calls and decodes replies (XNFS chapter 10, RFC
 * 1813 Appendix II) with its own code, not the server's records, so each checks the other.
 * Statuses are the wire numbers (0 GRANTED ... 9 FAILED).
 */
final class NlmClient {
  static final Duration T = Duration.ofSeconds(20);
  static final int GRANTED = 0, DENIED = 1, DENIED_NOLOCKS = 2, BLOCKED = 3, DENIED_GRACE_PERIOD = 4, STALE_FH = 7, FAILED = 9;

  private final RpcClient rpc;

  NlmClient(RpcClient rpc) { this.rpc = rpc; }

  /** nlm4_lock / nlm_lock: offsets are written as 64 bits in version 4, 32 in 1 and 3. */
  record Alock(String caller, byte[] fh, byte[] oh, int svid, long offset, long len) {
    Alock at(long offset, long len) { return new Alock(caller, fh, oh, svid, offset, len); }
  }

  record Holder(boolean exclusive, int svid, byte[] oh, long offset, long len) {}

  record TestRes(byte[] cookie, int stat, Holder holder) {}

  record Res(byte[] cookie, int stat) {}

  @FunctionalInterface interface Enc { void to(XdrEncodingStream x); }

  @FunctionalInterface interface Dec<R> { R from(XdrDecodingStream x) throws IOException; }

  <R> R call(int version, int proc, Enc args, Dec<R> dec) throws IOException, TimeoutException {
    Object[] out = new Object[1];
    rpc.call(NlmProgram.PROGRAM, version, proc, new XdrAble() {
      @Override public void xdrEncode(XdrEncodingStream x) { args.to(x); }

      @Override public void xdrDecode(XdrDecodingStream x) { throw new UnsupportedOperationException(); }
    }, new XdrAble() {
      @Override public void xdrEncode(XdrEncodingStream x) { throw new UnsupportedOperationException(); }

      @Override public void xdrDecode(XdrDecodingStream x) throws IOException { out[0] = dec.from(x); }
    }, null, T, 2);
    @SuppressWarnings("unchecked") R r = (R) out[0];
    return r;
  }

  static void off(XdrEncodingStream x, int version, long v) {
    if (version == 4) x.xdrEncodeLong(v);
    else x.xdrEncodeInt((int) v);
  }

  static long off(XdrDecodingStream x, int version) throws IOException {
    return version == 4 ? x.xdrDecodeLong() : x.xdrDecodeInt() & 0xffffffffL;
  }

  static void alock(XdrEncodingStream x, int version, Alock l) {
    x.xdrEncodeDynamicOpaque(l.caller().getBytes(StandardCharsets.UTF_8));
    x.xdrEncodeDynamicOpaque(l.fh());
    x.xdrEncodeDynamicOpaque(l.oh());
    x.xdrEncodeInt(l.svid());
    off(x, version, l.offset());
    off(x, version, l.len());
  }

  static Alock alock(XdrDecodingStream x, int version) throws IOException {
    String caller = new String(x.xdrDecodeDynamicOpaque(), StandardCharsets.UTF_8);
    byte[] fh = x.xdrDecodeDynamicOpaque();
    byte[] oh = x.xdrDecodeDynamicOpaque();
    int svid = x.xdrDecodeInt();
    long offset = off(x, version);
    return new Alock(caller, fh, oh, svid, offset, off(x, version));
  }

  static Res res(XdrDecodingStream x) throws IOException { return new Res(x.xdrDecodeDynamicOpaque(), x.xdrDecodeInt()); }

  static TestRes testRes(XdrDecodingStream x, int version) throws IOException {
    byte[] cookie = x.xdrDecodeDynamicOpaque();
    int stat = x.xdrDecodeInt();
    if (stat != DENIED) return new TestRes(cookie, stat, null);
    boolean excl = x.xdrDecodeBoolean();
    int svid = x.xdrDecodeInt();
    byte[] oh = x.xdrDecodeDynamicOpaque();
    long offset = off(x, version);
    return new TestRes(cookie, stat, new Holder(excl, svid, oh, offset, off(x, version)));
  }

  void nul(int version) throws Exception { call(version, 0, x -> { }, x -> null); }

  TestRes test(int version, boolean exclusive, Alock l) throws Exception {
    return call(version, 1, x -> {
      x.xdrEncodeDynamicOpaque(new byte[] {7});
      x.xdrEncodeBoolean(exclusive);
      alock(x, version, l);
    }, x -> testRes(x, version));
  }

  static void lockArgs(XdrEncodingStream x, int version, boolean block, boolean exclusive, Alock l, boolean reclaim) {
    x.xdrEncodeDynamicOpaque(new byte[] {1, 2, 3, 4, 5});
    x.xdrEncodeBoolean(block);
    x.xdrEncodeBoolean(exclusive);
    alock(x, version, l);
    x.xdrEncodeBoolean(reclaim);
    x.xdrEncodeInt(3);                      // the client's NSM state
  }

  int lock(int version, boolean block, boolean exclusive, Alock l, boolean reclaim) throws Exception {
    return call(version, 2, x -> lockArgs(x, version, block, exclusive, l, reclaim), NlmClient::res).stat();
  }

  int lock(int version, boolean block, boolean exclusive, Alock l) throws Exception { return lock(version, block, exclusive, l, false); }

  int nmLock(int version, boolean exclusive, Alock l) throws Exception {
    return call(version, 22, x -> lockArgs(x, version, false, exclusive, l, false), NlmClient::res).stat();
  }

  int cancel(int version, boolean block, boolean exclusive, Alock l) throws Exception {
    return call(version, 3, x -> {
      x.xdrEncodeDynamicOpaque(new byte[] {8});
      x.xdrEncodeBoolean(block);
      x.xdrEncodeBoolean(exclusive);
      alock(x, version, l);
    }, NlmClient::res).stat();
  }

  int unlock(int version, Alock l) throws Exception {
    return call(version, 4, x -> {
      x.xdrEncodeDynamicOpaque(new byte[] {9});
      alock(x, version, l);
    }, NlmClient::res).stat();
  }

  /** LOCK_MSG: the reply is void; the result comes as LOCK_RES to the client's NLM. */
  void lockMsg(int version, boolean block, boolean exclusive, Alock l) throws Exception {
    call(version, 7, x -> lockArgs(x, version, block, exclusive, l, false), x -> null);
  }

  void grantedRes(int version, byte[] cookie, int stat) throws Exception {
    call(version, 15, x -> {
      x.xdrEncodeDynamicOpaque(cookie);
      x.xdrEncodeInt(stat);
    }, x -> null);
  }

  static void shareArgs(XdrEncodingStream x, String caller, byte[] fh, byte[] oh, int mode, int access, boolean reclaim) {
    x.xdrEncodeDynamicOpaque(new byte[] {4});
    x.xdrEncodeDynamicOpaque(caller.getBytes(StandardCharsets.UTF_8));
    x.xdrEncodeDynamicOpaque(fh);
    x.xdrEncodeDynamicOpaque(oh);
    x.xdrEncodeInt(mode);
    x.xdrEncodeInt(access);
    x.xdrEncodeBoolean(reclaim);
  }

  /** SHARE: the status (sequence read and dropped). */
  int share(int version, String caller, byte[] fh, byte[] oh, int mode, int access) throws Exception {
    return call(version, 20, x -> shareArgs(x, caller, fh, oh, mode, access, false), x -> {
      x.xdrDecodeDynamicOpaque();
      int stat = x.xdrDecodeInt();
      x.xdrDecodeInt();
      return stat;
    });
  }

  int unshare(int version, String caller, byte[] fh, byte[] oh) throws Exception {
    return call(version, 21, x -> shareArgs(x, caller, fh, oh, 0, 0, false), x -> {
      x.xdrDecodeDynamicOpaque();
      int stat = x.xdrDecodeInt();
      x.xdrDecodeInt();
      return stat;
    });
  }

  void freeAll(int version, String name) throws Exception {
    call(version, 23, x -> {
      x.xdrEncodeDynamicOpaque(name.getBytes(StandardCharsets.UTF_8));
      x.xdrEncodeInt(5);
    }, x -> null);
  }

  /** Raw argument words, for malformed calls. */
  void raw(int version, int proc, Enc args) throws Exception { call(version, proc, args, x -> null); }
}
