package io.tapnfs.nfs.nlm.xdr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.nfs.lock.LockRange;
import io.tapnfs.rpc.GarbageArgsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.dcache.oncrpc4j.xdr.Xdr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The NLM wire types: bytes as XNFS and RFC 1813 lay them out, both widths, round trips, bounds. */
class NlmXdrTest {
  static byte[] emit(NlmType t, int version) {
    Xdr x = new Xdr(256);
    x.beginEncoding();
    t.encode(x, version);
    x.endEncoding();
    ByteBuffer b = x.asBuffer().toByteBuffer();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  static Xdr in(byte[] b) {
    Xdr x = new Xdr(b);
    x.beginDecoding();
    return x;
  }

  static byte[] hex(String s) { return HexFormat.of().parseHex(s.replace(" ", "")); }

  static final NlmLock LOCK = new NlmLock("ab", new byte[] {1, 2, 3}, new byte[] {9}, 7, 0x10, 0x20);

  @Test void nlm4LockIs64Bit() {
    byte[] b = emit(new NlmTestargs(new byte[] {5}, true, LOCK), 4);
    assertThat(HexFormat.of().formatHex(b)).isEqualTo(HexFormat.of().formatHex(hex(
        "00000001 05000000"                 // cookie
        + "00000001"                        // exclusive
        + "00000002 61620000"               // caller_name "ab"
        + "00000003 01020300"               // fh
        + "00000001 09000000"               // oh
        + "00000007"                        // svid
        + "0000000000000010 0000000000000020")));
  }

  @Test void nlmLockIs32BitInVersions1And3() {
    byte[] b = emit(new NlmTestargs(new byte[] {5}, false, LOCK), 1);
    assertThat(b).hasSize(4 + 4 + 4 + 8 + 8 + 8 + 4 + 4 + 4);
    assertThat(ByteBuffer.wrap(b, b.length - 8, 8).getInt()).isEqualTo(0x10);
    assertThat(ByteBuffer.wrap(b, b.length - 4, 4).getInt()).isEqualTo(0x20);
  }

  @ParameterizedTest(name = "version {0}")
  @CsvSource({"1", "3", "4"})
  void lockargsRoundTrip(int version) throws IOException {
    NlmLock l = new NlmLock("host", new byte[] {1}, new byte[] {2, 3}, -5, 0xfffffff0L, 0);
    NlmLockargs a = NlmLockargs.decode(in(emit(new NlmLockargs(new byte[] {4}, true, false, l, true, 42), version)), version);
    assertThat(a.block()).isTrue();
    assertThat(a.exclusive()).isFalse();
    assertThat(a.reclaim()).isTrue();
    assertThat(a.state()).isEqualTo(42);
    assertThat(a.alock().callerName()).isEqualTo("host");
    assertThat(a.alock().svid()).isEqualTo(-5);
    assertThat(a.alock().offset()).isEqualTo(0xfffffff0L);                 // unsigned in 32 bits too
    assertThat(a.alock().range()).isEqualTo(new LockRange(0xfffffff0L, LockRange.TO_EOF));
  }

  @ParameterizedTest(name = "[{0}, {1}] in version {2} -> offset {3}, len {4}")
  @CsvSource({
      "16, 47, 4, 16, 32",
      "16, -1, 4, 16, 0",
      "16, 47, 1, 16, 32",
      "16, -1, 3, 16, 0",
      "4294967280, 4294967300, 1, 4294967280, 0",        // runs past 2^32 - 1: to the end
      "8589934592, 8589934601, 1, 4294967295, 0",        // starts past it: the last 32-bit offset
      "8589934592, 8589934601, 4, 8589934592, 10",
  })
  void holderSeenThrough32Bits(long first, long last, int version, long offset, long len) {
    NlmHolder h = NlmHolder.of(true, 3, new byte[0], new LockRange(first, last), version);
    assertThat(h.offset()).isEqualTo(offset);
    assertThat(h.length()).isEqualTo(len);
  }

  @ParameterizedTest(name = "{0}: v4 {1}, v1/v3 {2}")
  @CsvSource({"GRANTED, 0, 0", "DENIED, 1, 1", "DENIED_NOLOCKS, 2, 2", "BLOCKED, 3, 3", "DENIED_GRACE_PERIOD, 4, 4", "DEADLCK, 5, 1",
      "ROFS, 6, 2", "STALE_FH, 7, 2", "FBIG, 8, 2", "FAILED, 9, 2"})
  void statusCodes(NlmStats s, int v4, int v3) {
    assertThat(s.code(4)).isEqualTo(v4);
    assertThat(s.code(3)).isEqualTo(v3);
    assertThat(s.code(1)).isEqualTo(v3);
    assertThat(NlmStats.of(v4)).isEqualTo(s);
  }

  @Test void testresCarriesAHolderOnlyWhenDenied() throws IOException {
    NlmHolder h = new NlmHolder(true, 1, new byte[] {8}, 100, 0);
    byte[] b = emit(new NlmTestres(new byte[] {1}, NlmStats.DENIED, h), 4);
    NlmTestres r = NlmTestres.decode(in(b), 4);
    assertThat(r.holder().oh()).containsExactly(8);
    assertThat(r.holder().offset()).isEqualTo(100);
    assertThat(emit(new NlmTestres(new byte[] {1}, NlmStats.GRANTED, null), 4)).hasSize(12);
    assertThatThrownBy(() -> new NlmTestres(new byte[0], NlmStats.DENIED, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NlmTestres(new byte[0], NlmStats.GRANTED, h)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test void shareargsAndNotifyRoundTrip() throws IOException {
    NlmShareargs s = NlmShareargs.decode(in(emit(new NlmShareargs(new byte[] {1}, "c", new byte[] {2}, new byte[] {3}, 2, 1, false), 4)));
    assertThat(s.mode()).isEqualTo(2);
    assertThat(s.access()).isEqualTo(1);
    NlmNotify n = NlmNotify.decode(in(emit(new NlmNotify("client.example", 17), 4)));
    assertThat(n).isEqualTo(new NlmNotify("client.example", 17));
    NlmShareres r = NlmShareres.decode(in(emit(new NlmShareres(new byte[] {1}, NlmStats.DENIED, 0), 4)));
    assertThat(r.stat()).isEqualTo(NlmStats.DENIED);
  }

  @Test void boundsAndTruncation() {
    byte[] big = new byte[4 + 1028];
    ByteBuffer.wrap(big).putInt(1025);
    assertThatThrownBy(() -> NlmXdr.netobj(in(big))).isInstanceOf(GarbageArgsException.class);
    byte[] fh = new byte[4 + 68];
    ByteBuffer.wrap(fh).putInt(65);
    assertThatThrownBy(() -> NlmXdr.fh(in(fh))).isInstanceOf(GarbageArgsException.class);
    assertThatThrownBy(() -> NlmXdr.bool(in(hex("00000002")))).isInstanceOf(GarbageArgsException.class);
    assertThatThrownBy(() -> NlmXdr.netobj(in(hex("00000008 01020304")))).as("past the message").isInstanceOf(GarbageArgsException.class);
    assertThatThrownBy(() -> NlmRes.decode(in(hex("00000000 0000000a")))).isInstanceOf(GarbageArgsException.class);
    byte[] lock = emit(new NlmLockargs(new byte[] {1}, false, true, LOCK, false, 0), 4);
    byte[] cut = java.util.Arrays.copyOf(lock, lock.length - 4);
    assertThatThrownBy(() -> NlmLockargs.decode(in(cut), 4)).isInstanceOf(IOException.class);
    byte[] mode = emit(new NlmShareargs(new byte[] {1}, "c", new byte[] {2}, new byte[] {3}, 2, 1, false), 4);
    ByteBuffer.wrap(mode).putInt(mode.length - 12, 4);                       // fsh4_mode 4
    assertThatThrownBy(() -> NlmShareargs.decode(in(mode))).isInstanceOf(GarbageArgsException.class);
  }
}
