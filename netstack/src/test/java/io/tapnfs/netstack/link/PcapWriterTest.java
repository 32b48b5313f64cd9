package io.tapnfs.netstack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class PcapWriterTest {
  static final long T0 = 1_700_000_000_123_456L;   // epoch micros

  @TempDir Path dir;

  /** One parsed record of a classic pcap file. */
  record Rec(long tsSec, long tsUsec, int inclLen, int origLen, byte[] data) {}

  /** Checks the pcap-savefile(5) file header and returns the records. */
  static List<Rec> parse(Path f) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f));
    assertThat(b.remaining()).isGreaterThanOrEqualTo(24);
    // The magic tells the byte order; we write little-endian: d4 c3 b2 a1.
    assertThat(Arrays.copyOf(b.array(), 4)).containsExactly(0xd4, 0xc3, 0xb2, 0xa1);
    b.order(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.getInt(0)).isEqualTo(0xa1b2c3d4);
    assertThat(b.getShort(4)).isEqualTo((short) 2);
    assertThat(b.getShort(6)).isEqualTo((short) 4);
    assertThat(b.getInt(8)).isZero();       // thiszone
    assertThat(b.getInt(12)).isZero();      // sigfigs
    assertThat(b.getInt(16)).isEqualTo(65535);
    assertThat(b.getInt(20)).isEqualTo(1);  // LINKTYPE_ETHERNET
    b.position(24);
    List<Rec> out = new ArrayList<>();
    while (b.hasRemaining()) {
      assertThat(b.remaining()).as("record header").isGreaterThanOrEqualTo(16);
      long sec = b.getInt() & 0xffffffffL, usec = b.getInt() & 0xffffffffL;
      int incl = b.getInt(), orig = b.getInt();
      assertThat(b.remaining()).as("record data").isGreaterThanOrEqualTo(incl);
      byte[] d = new byte[incl];
      b.get(d);
      out.add(new Rec(sec, usec, incl, orig, d));
    }
    return out;
  }

  static ByteBuffer frame(int len, int fill) {
    ByteBuffer b = ByteBuffer.allocate(len);
    for (int i = 0; i < len; i++) b.put(i, (byte) (fill + i));
    return b;
  }

  @Test void theCaptureIsOwnerOnlyAndNeverWrittenThroughASymlink() throws IOException {
    Path f = dir.resolve("c.pcap");
    Files.writeString(f, "old");
    Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
    PcapWriter.open(f, 1 << 20).close();
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    Path target = dir.resolve("target");
    Files.writeString(target, "precious");
    Path link = Files.createSymbolicLink(dir.resolve("link.pcap"), target);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PcapWriter.open(link, 1 << 20)).isInstanceOf(IOException.class);
    assertThat(Files.readString(target)).isEqualTo("precious");
  }

  @Test void writesHeaderAndRecordsWithTimestampsAndBytes() throws IOException {
    Path f = dir.resolve("a.pcap");
    AtomicLong now = new AtomicLong(T0);
    PcapWriter w = PcapWriter.open(f, 1 << 20, () -> now.getAndAdd(1_000_001));
    ByteBuffer direct = ByteBuffer.allocateDirect(100);
    direct.put(frame(100, 9)).position(40).limit(100);   // record position..limit only
    w.record(frame(60, 1));
    w.record(direct);
    w.record(frame(1514, 3));
    assertThat(direct.position()).isEqualTo(40);
    w.close();
    w.close();   // idempotent

    List<Rec> recs = parse(f);
    assertThat(recs).extracting(Rec::inclLen).containsExactly(60, 60, 1514);
    assertThat(recs).extracting(Rec::origLen).containsExactly(60, 60, 1514);
    assertThat(recs.get(0).tsSec()).isEqualTo(1_700_000_000L);
    assertThat(recs.get(0).tsUsec()).isEqualTo(123_456);
    assertThat(recs.get(1).tsSec()).isEqualTo(1_700_000_001L);
    assertThat(recs.get(1).tsUsec()).isEqualTo(123_457);
    assertThat(recs.get(0).data()).isEqualTo(frame(60, 1).array());
    assertThat(recs.get(1).data()).isEqualTo(Arrays.copyOfRange(frame(100, 9).array(), 40, 100));
    assertThat(recs.get(2).data()).isEqualTo(frame(1514, 3).array());
    assertThat(w.framesWritten()).isEqualTo(3);
    assertThat(w.bytesWritten()).isEqualTo(Files.size(f)).isEqualTo(24 + 3 * 16 + 60 + 60 + 1514);
    assertThatThrownBy(() -> w.record(frame(60, 0))).isInstanceOf(IllegalStateException.class);
  }

  @Test void framesLongerThanTheSnaplenAreCut() throws IOException {
    Path f = dir.resolve("big.pcap");
    try (PcapWriter w = PcapWriter.open(f, 1 << 20, () -> T0)) {
      w.record(frame(70_000, 0));
    }
    Rec r = parse(f).get(0);
    assertThat(r.inclLen()).isEqualTo(65_535);
    assertThat(r.origLen()).isEqualTo(70_000);
  }

  @Test void manyFramesGoThroughTheBuffer() throws IOException {
    Path f = dir.resolve("many.pcap");
    try (PcapWriter w = PcapWriter.open(f, 1 << 26, () -> T0)) {
      for (int i = 0; i < 2_000; i++) w.record(frame(1 + i % 1514, i));
    }
    List<Rec> recs = parse(f);
    assertThat(recs).hasSize(2_000);
    for (int i = 0; i < 2_000; i += 97) assertThat(recs.get(i).data()).isEqualTo(frame(1 + i % 1514, i).array());
  }

  @Test void flushMakesRecordsVisibleBeforeClose() throws IOException {
    Path f = dir.resolve("flush.pcap");
    try (PcapWriter w = PcapWriter.open(f, 1 << 20, () -> T0)) {
      assertThat(Files.size(f)).isEqualTo(24);   // the header is written at once
      w.record(frame(60, 0));
      w.flush();
      assertThat(parse(f)).hasSize(1);
    }
  }

  @Test void sizeCapStopsTheCaptureAndTheFileStaysValid() throws IOException {
    Path f = dir.resolve("cap.pcap");
    long cap = 24 + 2 * (16 + 100) + 50;
    PcapWriter w = PcapWriter.open(f, cap, () -> T0);
    w.record(frame(100, 0));
    w.record(frame(100, 1));
    w.record(frame(100, 2));   // would cross the cap: capture stops
    w.record(frame(10, 3));    // would fit, but the capture has stopped
    w.close();
    assertThat(w.framesWritten()).isEqualTo(2);
    assertThat(w.framesDroppedCap()).isEqualTo(2);
    assertThat(Files.size(f)).isEqualTo(w.bytesWritten()).isLessThanOrEqualTo(cap);
    assertThat(parse(f)).hasSize(2);
    assertThatThrownBy(() -> PcapWriter.open(dir.resolve("x.pcap"), 23)).isInstanceOf(IllegalArgumentException.class);
  }

}
