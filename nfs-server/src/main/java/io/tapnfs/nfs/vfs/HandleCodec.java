package io.tapnfs.nfs.vfs;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * tapnfs's file handle around a kernel one ({@code name_to_handle_at(2)}):
 *
 * <pre>
 *   0      1        5      6                  6+n           6+n+16
 *   | ver  | export | type | kernel f_handle   | HMAC-SHA256 (first 16 bytes) over bytes 0..6+n |
 * </pre>
 *
 * The kernel handle is what knfsd puts in its own handles: the file system keeps it stable
 * across renames, hard links and restarts and puts the inode's generation in it, so a deleted
 * file whose inode number is reused gives ESTALE. The MAC under the server's key (the state
 * directory's {@code handle.key}) is ours: {@code open_by_handle_at} would open <em>any</em>
 * inode of the file system, inside the export or not, so only handles this server made — for
 * files reached inside the export — are ever given to it. The export id makes a handle of one
 * export useless on another. At most {@value #MAX_KERNEL_HANDLE} bytes of kernel handle fit in
 * NFSv3's 64 (ext4 8, xfs 8–16, btrfs 12–20, tmpfs 12).
 */
final class HandleCodec {
  static final byte VERSION = 2;
  static final int HEADER = 6, MAC_LEN = 16;
  static final int MAX_KERNEL_HANDLE = Fh.MAX_LEN - HEADER - MAC_LEN;

  private final int exportId;
  private final ThreadLocal<Mac> macs;

  HandleCodec(byte[] key, int exportId) {
    if (key.length < 16) throw new IllegalArgumentException("handle key of " + key.length + " bytes");
    byte[] k = key.clone();
    this.exportId = exportId;
    this.macs = ThreadLocal.withInitial(() -> {
      try {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(new SecretKeySpec(k, "HmacSHA256"));
        return m;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
      }
    });
  }

  int exportId() { return exportId; }

  /**
   * A handle as {@code name_to_handle_at(2)} gives it: the {@code struct file_handle} bytes
   * (handle_bytes, handle_type, f_handle; native order; what open_by_handle_at takes) and the id of
   * the mount it was found on.
   */
  record Kernel(byte[] struct, int mountId) {
    int length() { return Sys.le(struct).getInt(0); }

    int type() { return Sys.le(struct).getInt(4); }

    /** Whether it fits in our handle: at most {@value #MAX_KERNEL_HANDLE} bytes, a one-byte type. */
    boolean fits() { return length() <= MAX_KERNEL_HANDLE && type() >= 0 && type() <= 255; }

    /** {@code name_to_handle_at(dirFd, name, flags)}, or null ({@link Sys#errno()} says why). */
    static Kernel of(int dirFd, byte[] name, int flags) {
      byte[] h = new byte[8 + Sys.MAX_HANDLE_SZ];
      Sys.le(h).putInt(0, Sys.MAX_HANDLE_SZ);
      int[] mnt = new int[1];
      if (Sys.name_to_handle_at(dirFd, name, h, mnt, flags) != 0) return null;
      return new Kernel(java.util.Arrays.copyOf(h, 8 + Math.min(Sys.le(h).getInt(0), Sys.MAX_HANDLE_SZ)), mnt[0]);
    }
  }

  /** Our handle for a kernel one (which {@link Kernel#fits}). */
  Fh encode(Kernel k) { return encode(k.type(), k.struct(), 8, k.length()); }

  /** Our handle for a kernel handle of {@code type} ({@code f_handle} bytes). */
  private Fh encode(int type, byte[] kernel, int off, int len) {
    if (len > MAX_KERNEL_HANDLE || type < 0 || type > 255) throw new IllegalArgumentException("kernel handle type " + type + " of " + len + " bytes");
    byte[] b = new byte[HEADER + len + MAC_LEN];
    ByteBuffer.wrap(b).put(VERSION).putInt(exportId).put((byte) type);
    System.arraycopy(kernel, off, b, HEADER, len);
    System.arraycopy(mac(b, HEADER + len), 0, b, HEADER + len, MAC_LEN);
    return new Fh(b);
  }

  /** Whether {@code fh} was made by this codec (right version, export and MAC). */
  boolean owns(Fh fh) { return decode(fh) != null; }

  /**
   * The {@code struct file_handle} for {@code open_by_handle_at} (handle_bytes, handle_type,
   * f_handle, native order), or null when the handle is not ours.
   */
  byte[] decode(Fh fh) {
    byte[] b = fh.bytes();
    int n = b.length - HEADER - MAC_LEN;
    if (n <= 0 || b[0] != VERSION || ByteBuffer.wrap(b).getInt(1) != exportId) return null;
    if (!MessageDigest.isEqual(Arrays.copyOf(mac(b, HEADER + n), MAC_LEN), Arrays.copyOfRange(b, HEADER + n, b.length))) return null;
    byte[] fhs = new byte[8 + n];
    Sys.le(fhs).putInt(0, n).putInt(4, b[5] & 0xff);
    System.arraycopy(b, HEADER, fhs, 8, n);
    return fhs;
  }

  private byte[] mac(byte[] data, int len) {
    Mac m = macs.get();
    m.update(data, 0, len);
    return m.doFinal();
  }
}
