package io.tapnfs.netstack.link;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes frames to a classic libpcap file (the format of {@code pcap-savefile(5)}, also
 * draft-ietf-opsawg-pcap): a 24-byte file header, then per frame a 16-byte record header and the
 * bytes. Everything is little-endian; readers learn the byte order from the magic number.
 * Timestamps are wall-clock microseconds since the epoch from an injectable source.
 *
 * <p>Size cap: the file never grows beyond {@code maxBytes}. The first frame that would cross it
 * stops the capture for good (later frames are counted in {@link #framesDroppedCap()}, a WARN is
 * logged once), so the file stays a valid pcap without gaps in the middle. An I/O error also stops
 * the capture (logged once, counted in {@link #framesDroppedError()}); {@link #record} never
 * throws, since the event loop must keep running.
 *
 * <p>Not thread-safe: the event loop owns it.
 */
public final class PcapWriter implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(PcapWriter.class);

  /** pcap-savefile(5): magic for microsecond timestamps, version 2.4. */
  static final int MAGIC = 0xa1b2c3d4, VERSION_MAJOR = 2, VERSION_MINOR = 4;
  static final int SNAPLEN = 65_535;
  /** LINKTYPE_ETHERNET: IEEE 802.3 frames without preamble and FCS (tcpdump.org linktypes). */
  static final int LINKTYPE_ETHERNET = 1;
  static final int FILE_HEADER_LEN = 24, RECORD_HEADER_LEN = 16;
  private static final int BUFFER_SIZE = 128 * 1024;   // > one record of SNAPLEN bytes

  private final Path file;
  private final FileChannel ch;
  private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
  private final long maxBytes;
  private final LongSupplier epochMicros;
  private long bytesWritten, framesWritten, framesDroppedCap, framesDroppedError;
  private boolean capReached, failed, closed;

  private PcapWriter(Path file, FileChannel ch, long maxBytes, LongSupplier epochMicros) {
    this.file = file;
    this.ch = ch;
    this.maxBytes = maxBytes;
    this.epochMicros = epochMicros;
  }

  /** Creates or truncates {@code file}; timestamps from the system wall clock. */
  public static PcapWriter open(Path file, long maxBytes) throws IOException {
    return open(file, maxBytes, PcapWriter::systemEpochMicros);
  }

  /** As {@link #open(Path, long)} with timestamps from {@code epochMicros} (microseconds since 1970). */
  public static PcapWriter open(Path file, long maxBytes, LongSupplier epochMicros) throws IOException {
    if (maxBytes < FILE_HEADER_LEN) throw new IllegalArgumentException("pcap size cap " + maxBytes + " below the 24-byte header");
    // every byte of file data crosses the capture: owner-only, and never through a symlink someone planted
    FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS),
        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    try {
      java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (IOException | UnsupportedOperationException e) {
      ch.close();
      throw new IOException("cannot make the capture " + file + " owner-only: " + e.getMessage(), e);
    }
    PcapWriter w = new PcapWriter(file, ch, maxBytes, epochMicros);
    try {
      w.buf.putInt(MAGIC).putShort((short) VERSION_MAJOR).putShort((short) VERSION_MINOR)
          .putInt(0)            // thiszone: timestamps are UTC
          .putInt(0)            // sigfigs
          .putInt(SNAPLEN)
          .putInt(LINKTYPE_ETHERNET);
      w.bytesWritten = FILE_HEADER_LEN;
      w.flush();
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    return w;
  }

  /** Appends {@code frame.position()..limit()}; the position does not move. */
  public void record(ByteBuffer frame) {
    if (closed) throw new IllegalStateException("pcap writer " + file + " is closed");
    if (failed) { framesDroppedError++; return; }
    if (capReached) { framesDroppedCap++; return; }
    int origLen = frame.remaining();
    int inclLen = Math.min(origLen, SNAPLEN);
    long size = RECORD_HEADER_LEN + inclLen;
    if (bytesWritten + size > maxBytes) {
      capReached = true;
      framesDroppedCap++;
      log.warn("capture {} reached its size cap of {} bytes; not writing further frames", file, maxBytes);
      return;
    }
    try {
      if (buf.remaining() < size) drain();
      long us = epochMicros.getAsLong();
      buf.putInt((int) Math.floorDiv(us, 1_000_000L))   // ts_sec, unsigned 32 bits (good to 2106)
          .putInt((int) Math.floorMod(us, 1_000_000L))  // ts_usec
          .putInt(inclLen)
          .putInt(origLen);
      buf.put(buf.position(), frame, frame.position(), inclLen);
      buf.position(buf.position() + inclLen);
      bytesWritten += size;
      framesWritten++;
    } catch (IOException e) {
      fail(e);
      framesDroppedError++;
    }
  }

  /** Hands buffered records to the OS. */
  public void flush() throws IOException {
    if (closed || failed) return;
    try {
      drain();
    } catch (IOException e) {
      fail(e);
      throw e;
    }
  }

  /** Flushes and closes; idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) return;
    try {
      flush();
    } finally {
      closed = true;
      ch.close();
    }
  }

  /** Bytes in the file, headers included (buffered ones too). */
  public long bytesWritten() { return bytesWritten; }

  public long framesWritten() { return framesWritten; }

  /** Frames not written because of the size cap. */
  public long framesDroppedCap() { return framesDroppedCap; }

  /** Frames not written because of an I/O error. */
  public long framesDroppedError() { return framesDroppedError; }

  public Path file() { return file; }

  private void drain() throws IOException {
    buf.flip();
    try {
      while (buf.hasRemaining()) ch.write(buf);
    } finally {
      buf.compact();
    }
  }

  private void fail(IOException e) {
    failed = true;
    buf.clear();
    log.warn("capture {} stopped: {}", file, e.toString());
  }

  static long systemEpochMicros() {
    Instant t = Instant.now();
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }
}
