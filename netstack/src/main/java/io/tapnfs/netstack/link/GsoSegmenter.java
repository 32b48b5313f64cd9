package io.tapnfs.netstack.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a TCP/IPv4 frame handed to {@link LinkEndpoint#writeGso} into MTU-sized frames, as Linux's
 * software GSO does ({@code net/ipv4/tcp_offload.c} {@code tcp_gso_segment}, {@code inet_gso_segment}):
 * each piece gets the headers, its own sequence number, IP total length, identification (the
 * first's plus its index) and checksums; FIN and PSH stay on the last piece, CWR on the first. Each
 * TCP checksum is completed from the partial one in the frame (the pseudo-header sum over the
 * whole frame's TCP length), adjusted to the piece's length, as hardware does: a wrong partial
 * checksum gives pieces that fail at the receiver. For the in-memory link; the tap's kernel does
 * the same itself.
 */
public final class GsoSegmenter {
  private GsoSegmenter() {}

  static final int ETH = 14, TCP_FIN = 0x01, TCP_PSH = 0x08, TCP_CWR = 0x80;

  /**
   * The frames {@code frame} ({@code position..limit}, not moved) stands for, each a new array.
   * @throws IOException when it is no TCP/IPv4 frame or {@code mss} is not positive
   */
  public static List<byte[]> segment(ByteBuffer frame, int mss) throws IOException {
    ByteBuffer f = frame.slice();
    int len = f.remaining();
    if (mss <= 0 || len < ETH + 40 || (f.getShort(12) & 0xffff) != 0x0800 || f.get(ETH + 9) != 6)
      throw new IOException("not a TCP/IPv4 frame to segment (" + len + " bytes, mss " + mss + ")");
    int ihl = (f.get(ETH) & 0x0f) * 4;
    int l4 = ETH + ihl;
    int doff = ((f.get(l4 + 12) >>> 4) & 0x0f) * 4;
    int hdr = l4 + doff;
    if (ihl < 20 || doff < 20 || hdr > len || (f.getShort(ETH + 2) & 0xffff) != len - ETH)
      throw new IOException("bad headers in a frame to segment");
    int payload = len - hdr, tcpLen = len - l4;
    int partial = f.getShort(l4 + 16) & 0xffff;
    int ident = f.getShort(ETH + 4) & 0xffff;
    int seq = f.getInt(l4 + 4);
    int flags = f.get(l4 + 13) & 0xff;
    List<byte[]> out = new ArrayList<>();
    int pieces = Math.max(1, (payload + mss - 1) / mss);
    for (int i = 0; i < pieces; i++) {
      int off = i * mss, n = Math.min(mss, payload - off);
      byte[] b = new byte[hdr + n];
      ByteBuffer p = ByteBuffer.wrap(b);
      p.put(0, f, 0, hdr);
      p.put(hdr, f, hdr + off, n);
      // IPv4: total length, identification, header checksum
      p.putShort(ETH + 2, (short) (ihl + doff + n));
      p.putShort(ETH + 4, (short) (ident + i));
      p.putShort(ETH + 10, (short) 0);
      p.putShort(ETH + 10, (short) finish(sum(p, ETH, ihl, 0)));
      // TCP: sequence number, flags, checksum from the partial one
      p.putInt(l4 + 4, seq + off);
      int fl = flags;
      if (i < pieces - 1) fl &= ~(TCP_FIN | TCP_PSH);
      if (i > 0) fl &= ~TCP_CWR;
      p.put(l4 + 13, (byte) fl);
      p.putShort(l4 + 16, (short) 0);
      long acc = partial + (~tcpLen & 0xffff) + (doff + n);   // the pseudo-header, for this piece's length
      p.putShort(l4 + 16, (short) finish(sum(p, l4, doff + n, acc)));
      out.add(b);
    }
    return out;
  }

  private static long sum(ByteBuffer b, int offset, int len, long acc) {
    int i = offset, end = offset + len;
    while (end - i >= 2) { acc += b.getShort(i) & 0xffff; i += 2; }
    if (i < end) acc += (b.get(i) & 0xff) << 8;
    return acc;
  }

  private static int finish(long acc) {
    while ((acc >>> 16) != 0) acc = (acc & 0xffff) + (acc >>> 16);
    return (int) (~acc & 0xffff);
  }
}
