package io.tapnfs.netstack.tcp;

import java.nio.ByteBuffer;

/**
 * A bounded FIFO of bytes on a circular array: the send buffer (the application appends, the
 * loop reads at offsets and drops what was acknowledged) and the receive buffer (the loop
 * appends in-order data, the application reads). Not thread-safe: the connection's lock guards it.
 *
 * <p>Memory follows use: the array starts small and doubles as data queues, up to the capacity,
 * so an idle connection holds a few KiB, not its whole buffer limit.
 */
final class ByteRing {
  static final int INITIAL = 4096;
  private int capacity;
  private byte[] buf;
  private int head;      // index of the first byte
  private int size;

  ByteRing(int capacity) {
    this.capacity = capacity;
    this.buf = new byte[Math.min(capacity, INITIAL)];
  }

  int capacity() { return capacity; }

  /** Raises the capacity (receive-buffer auto-tuning); memory still grows only with use. */
  void grow(int newCapacity) { if (newCapacity > capacity) capacity = newCapacity; }
  int size() { return size; }
  int free() { return capacity - size; }
  /** Bytes of memory the ring holds now. */
  int allocated() { return buf.length; }

  private void ensure(int total) {
    if (total <= buf.length) return;
    int len = (int) Math.min(capacity, Math.max(total, 2L * buf.length));
    byte[] b = new byte[len];
    int first = Math.min(size, buf.length - head);
    System.arraycopy(buf, head, b, 0, first);
    System.arraycopy(buf, 0, b, first, size - first);
    buf = b;
    head = 0;
  }

  /** Appends as much of {@code src} as fits; advances its position. @return bytes taken */
  int append(ByteBuffer src) {
    int n = Math.min(src.remaining(), free());
    ensure(size + n);
    int tail = (head + size) % buf.length;
    int first = Math.min(n, buf.length - tail);
    src.get(buf, tail, first);
    src.get(buf, 0, n - first);
    size += n;
    return n;
  }

  /** Copies {@code len} bytes starting {@code offset} bytes after the head into {@code dst}. */
  void peek(int offset, int len, ByteBuffer dst) {
    if (offset < 0 || len < 0 || offset + len > size) throw new IndexOutOfBoundsException(offset + "+" + len + " > " + size);
    int start = (head + offset) % buf.length;
    int first = Math.min(len, buf.length - start);
    dst.put(buf, start, first);
    dst.put(buf, 0, len - first);
  }

  /** Moves up to {@code dst.remaining()} bytes from the head into {@code dst}. @return bytes moved */
  int read(ByteBuffer dst) {
    int n = Math.min(dst.remaining(), size);
    peek(0, n, dst);
    drop(n);
    return n;
  }

  /** Discards {@code n} bytes from the head. */
  void drop(int n) {
    if (n < 0 || n > size) throw new IndexOutOfBoundsException(n + " > " + size);
    head = (head + n) % buf.length;
    size -= n;
  }
}
