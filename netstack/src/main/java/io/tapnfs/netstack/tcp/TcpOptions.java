package io.tapnfs.netstack.tcp;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The TCP options we understand (RFC 9293 §3.1 "Options", §3.2): MSS, window scale and timestamps
 * (RFC 7323), SACK-permitted and SACK (RFC 2018). Other kinds are skipped on input and never sent.
 *
 * @param mss                the peer's maximum segment size, -1 when absent
 * @param windowScale        shift count 0..14, -1 when absent
 * @param windowScaleClamped the peer sent a shift above 14 and we clamped it (RFC 7323 §2.3); the
 *                           caller counts it. Ignored on emit.
 * @param sackPermitted      SACK-permitted (RFC 2018 §2)
 * @param sack               SACK blocks, at most four, empty when absent (RFC 2018 §3)
 * @param hasTimestamps      whether tsVal and tsEcr are present (RFC 7323 §3)
 * @param tsVal              TSval, unsigned 32 bits
 * @param tsEcr              TSecr, unsigned 32 bits
 */
public record TcpOptions(int mss, int windowScale, boolean windowScaleClamped, boolean sackPermitted,
                         List<SackBlock> sack, boolean hasTimestamps, long tsVal, long tsEcr) {
  public static final int EOL = 0, NOP = 1, MSS = 2, WINDOW_SCALE = 3, SACK_PERMITTED = 4, SACK = 5,
      TIMESTAMPS = 8;
  static final int MSS_LEN = 4, WINDOW_SCALE_LEN = 3, SACK_PERMITTED_LEN = 2, SACK_BASE_LEN = 2,
      SACK_BLOCK_LEN = 8, TIMESTAMPS_LEN = 10;
  /** The options field is at most 40 bytes: a 60-byte header less the fixed 20. */
  public static final int MAX_LEN = TcpHeader.MAX_LEN - TcpHeader.MIN_LEN;
  public static final int MAX_SACK_BLOCKS = 4;
  /** RFC 7323 §2.3: "the shift.cnt value... is limited to 14". */
  public static final int MAX_WINDOW_SCALE = 14;

  /** No options at all. */
  public static final TcpOptions NONE = new TcpOptions(-1, -1, false, false, List.of(), false, 0, 0);

  /** One SACK block: the bytes {@code [left, right)} the receiver holds (RFC 2018 §3). */
  public record SackBlock(SeqNumber left, SeqNumber right) {}

  public TcpOptions {
    if (mss < -1 || mss > 0xffff) throw new IllegalArgumentException("mss " + mss);
    if (windowScale < -1 || windowScale > MAX_WINDOW_SCALE) throw new IllegalArgumentException("window scale " + windowScale);
    sack = List.copyOf(sack);
    if (sack.size() > MAX_SACK_BLOCKS) throw new IllegalArgumentException(sack.size() + " SACK blocks");
    if ((tsVal >>> 32) != 0 || (tsEcr >>> 32) != 0) throw new IllegalArgumentException("timestamp beyond 32 bits");
  }

  /**
   * The window scale (RFC 7323 §2.3) that lets a 16-bit window field cover {@code bufferBytes}:
   * the smallest shift, at most {@value #MAX_WINDOW_SCALE}.
   */
  public static int windowShiftFor(long bufferBytes) {
    int shift = 0;
    while (shift < MAX_WINDOW_SCALE && (bufferBytes >> shift) > 65535) shift++;
    return shift;
  }

  public TcpOptions withMss(int mss) {
    return new TcpOptions(mss, windowScale, windowScaleClamped, sackPermitted, sack, hasTimestamps, tsVal, tsEcr);
  }

  public TcpOptions withWindowScale(int shift) {
    return new TcpOptions(mss, shift, false, sackPermitted, sack, hasTimestamps, tsVal, tsEcr);
  }

  public TcpOptions withSackPermitted(boolean permitted) {
    return new TcpOptions(mss, windowScale, windowScaleClamped, permitted, sack, hasTimestamps, tsVal, tsEcr);
  }

  public TcpOptions withSack(List<SackBlock> blocks) {
    return new TcpOptions(mss, windowScale, windowScaleClamped, sackPermitted, blocks, hasTimestamps, tsVal, tsEcr);
  }

  public TcpOptions withTimestamps(long tsVal, long tsEcr) {
    return new TcpOptions(mss, windowScale, windowScaleClamped, sackPermitted, sack, true, tsVal, tsEcr);
  }

  public TcpOptions withoutTimestamps() {
    return new TcpOptions(mss, windowScale, windowScaleClamped, sackPermitted, sack, false, 0, 0);
  }

  /**
   * Walks the options (the bytes from position to limit) safely: every length is checked against
   * what is left before it is used. EOL ends the list, NOP is one byte, every other kind is
   * kind-length-value with length >= 2 (RFC 9293 §3.1). Unknown kinds are skipped: "A TCP
   * implementation MUST ignore without error any TCP Option it does not implement, assuming that
   * the option has a length field" (RFC 9293 §3.1, MUST-6). A known kind with the wrong length is
   * refused; we follow smoltcp ({@code wire/tcp.rs}) here, where Linux skips the option silently.
   * A repeated option: the last one wins.
   */
  public static TcpOptions parse(ByteBuffer opts) throws Malformed {
    int mss = -1, ws = -1;
    boolean clamped = false, sackOk = false, ts = false;
    long tsVal = 0, tsEcr = 0;
    List<SackBlock> sack = List.of();
    int i = opts.position(), n = opts.limit();
    while (i < n) {
      int kind = opts.get(i) & 0xff;
      if (kind == EOL) break;
      if (kind == NOP) { i++; continue; }
      if (i + 1 >= n) throw Malformed.of(DropReason.TCP_BAD_OPTIONS);
      int len = opts.get(i + 1) & 0xff;
      if (len < 2 || len > n - i) throw Malformed.of(DropReason.TCP_BAD_OPTIONS);
      switch (kind) {
        case MSS -> {
          need(len == MSS_LEN);
          mss = opts.getShort(i + 2) & 0xffff;
        }
        case WINDOW_SCALE -> {
          need(len == WINDOW_SCALE_LEN);
          ws = opts.get(i + 2) & 0xff;
          // RFC 7323 §2.3: "If a Window Scale option is received with a shift.cnt value larger
          // than 14, the TCP SHOULD log the error but MUST use 14 instead of the specified value."
          clamped = ws > MAX_WINDOW_SCALE;
          if (clamped) ws = MAX_WINDOW_SCALE;
        }
        case SACK_PERMITTED -> {
          need(len == SACK_PERMITTED_LEN);
          sackOk = true;
        }
        case SACK -> {
          int blocks = (len - SACK_BASE_LEN) / SACK_BLOCK_LEN;
          need((len - SACK_BASE_LEN) % SACK_BLOCK_LEN == 0 && blocks >= 1 && blocks <= MAX_SACK_BLOCKS);
          List<SackBlock> l = new ArrayList<>(blocks);
          for (int k = 0, p = i + SACK_BASE_LEN; k < blocks; k++, p += SACK_BLOCK_LEN)
            l.add(new SackBlock(new SeqNumber(opts.getInt(p)), new SeqNumber(opts.getInt(p + 4))));
          sack = l;
        }
        case TIMESTAMPS -> {
          need(len == TIMESTAMPS_LEN);
          ts = true;
          tsVal = opts.getInt(i + 2) & 0xffffffffL;
          tsEcr = opts.getInt(i + 6) & 0xffffffffL;
        }
        default -> { }
      }
      i += len;
    }
    return new TcpOptions(mss, ws, clamped, sackOk, sack, ts, tsVal, tsEcr);
  }

  private static void need(boolean ok) throws Malformed {
    if (!ok) throw Malformed.of(DropReason.TCP_BAD_OPTIONS);
  }

  /**
   * Bytes {@link #emit} writes, a multiple of 4 and at most {@link #MAX_LEN}. The layout is Linux's
   * ({@code tcp_options_write}): 32-bit words, MSS; SACK-permitted + timestamps (or NOP NOP +
   * timestamps), so TSval and TSecr are word-aligned; NOP NOP SACK-permitted without timestamps;
   * NOP + window scale; NOP NOP + SACK blocks.
   */
  public int bufferLen() { return fixedLen() + sackLen(sackBlocksToSend()); }

  private int fixedLen() {
    int n = 0;
    if (mss >= 0) n += 4;
    if (hasTimestamps) n += 12;
    else if (sackPermitted) n += 4;
    if (windowScale >= 0) n += 4;
    return n;
  }

  private static int sackLen(int blocks) { return blocks == 0 ? 0 : 4 + blocks * SACK_BLOCK_LEN; }

  /** Like Linux, send only the SACK blocks that fit beside the other options (3 with timestamps). */
  private int sackBlocksToSend() {
    int room = (MAX_LEN - fixedLen() - 4) / SACK_BLOCK_LEN;
    return Math.max(0, Math.min(sack.size(), room));
  }

  /** Writes {@link #bufferLen()} bytes at {@code offset}, absolutely. */
  public void emit(ByteBuffer b, int offset) {
    int p = offset;
    if (mss >= 0) {
      b.putInt(p, MSS << 24 | MSS_LEN << 16 | mss);
      p += 4;
    }
    if (hasTimestamps) {
      int first = sackPermitted ? SACK_PERMITTED << 8 | SACK_PERMITTED_LEN : NOP << 8 | NOP;
      b.putInt(p, first << 16 | TIMESTAMPS << 8 | TIMESTAMPS_LEN);
      b.putInt(p + 4, (int) tsVal);
      b.putInt(p + 8, (int) tsEcr);
      p += 12;
    } else if (sackPermitted) {
      b.putInt(p, NOP << 24 | NOP << 16 | SACK_PERMITTED << 8 | SACK_PERMITTED_LEN);
      p += 4;
    }
    if (windowScale >= 0) {
      b.putInt(p, NOP << 24 | WINDOW_SCALE << 16 | WINDOW_SCALE_LEN << 8 | windowScale);
      p += 4;
    }
    int blocks = sackBlocksToSend();
    if (blocks > 0) {
      b.putInt(p, NOP << 24 | NOP << 16 | SACK << 8 | (SACK_BASE_LEN + blocks * SACK_BLOCK_LEN));
      p += 4;
      for (int k = 0; k < blocks; k++, p += SACK_BLOCK_LEN) {
        b.putInt(p, sack.get(k).left().value());
        b.putInt(p + 4, sack.get(k).right().value());
      }
    }
  }
}
