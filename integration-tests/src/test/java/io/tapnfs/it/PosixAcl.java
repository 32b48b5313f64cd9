package io.tapnfs.it;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A POSIX access ACL written on the server host, as {@code setfacl} would, through
 * {@code setxattr(2)} of {@code system.posix_acl_access} (the lab has no acl package). The value
 * is Linux's {@code posix_acl_xattr} format, little-endian: a u32 version 2, then per entry a u16
 * tag, a u16 permission (r 4, w 2, x 1) and a u32 id (-1 for the entries without one). Entries go
 * in tag order, then id order, or the kernel refuses them (EINVAL).
 */
final class PosixAcl {
  static final int USER_OBJ = 0x01, USER = 0x02, GROUP_OBJ = 0x04, GROUP = 0x08, MASK = 0x10, OTHER = 0x20;
  static final int NO_ID = -1;
  static final String XATTR = "system.posix_acl_access";

  /** size_t and ssize_t are Java longs on LP64 Linux (x86_64, aarch64). */
  interface LibC extends Library {
    LibC C = Native.load("c", LibC.class);

    int setxattr(String path, String name, byte[] value, long size, int flags) throws LastErrorException;

    long getxattr(String path, String name, byte[] value, long size) throws LastErrorException;
  }

  record Entry(int tag, int perm, int id) {
    static Entry of(int tag, int perm) { return new Entry(tag, perm, NO_ID); }
  }

  private PosixAcl() {}

  static byte[] encode(Entry... entries) {
    ByteBuffer b = ByteBuffer.allocate(4 + 8 * entries.length).order(ByteOrder.LITTLE_ENDIAN).putInt(2);
    for (Entry e : entries) b.putShort((short) e.tag()).putShort((short) e.perm()).putInt(e.id());
    return b.array();
  }

  /** Sets the access ACL of {@code file} and reads it back; a refusal is an exception with its errno. */
  static void set(Path file, Entry... entries) {
    byte[] v = encode(entries);
    LibC.C.setxattr(file.toString(), XATTR, v, v.length, 0);
    byte[] back = new byte[256];
    long n = LibC.C.getxattr(file.toString(), XATTR, back, back.length);
    if (!Arrays.equals(Arrays.copyOf(back, (int) n), v)) throw new IllegalStateException("the ACL read back differs from the one set on " + file);
  }
}
