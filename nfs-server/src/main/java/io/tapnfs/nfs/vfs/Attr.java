package io.tapnfs.nfs.vfs;

/**
 * The attributes of a file (RFC 1813 §2.5 fattr3). Times in nanoseconds since the epoch.
 * {@code mode} holds the permission bits and set-id/sticky bits (07777), not the type.
 * {@code change}: NFSv4's change attribute (RFC 7530 §5.8.1.4), different after every change of
 * the file's data or attributes that a reader could have seen before it. The kernel's i_version is
 * not visible to user space; {@code KernelVfs} gives the ctime in nanoseconds, which Linux 6.13+
 * makes fine-grained once it has been read (multigrain timestamps), so two changes within one
 * clock tick differ whenever anyone looked in between.
 */
public record Attr(FileType type, int mode, long nlink, int uid, int gid, long size, long used, int rdevMajor,
                   int rdevMinor, long fsid, long fileid, long atimeNanos, long mtimeNanos, long ctimeNanos, long change) {
  /** As the canonical constructor, with the ctime as the change attribute. */
  public Attr(FileType type, int mode, long nlink, int uid, int gid, long size, long used, int rdevMajor, int rdevMinor, long fsid,
              long fileid, long atimeNanos, long mtimeNanos, long ctimeNanos) {
    this(type, mode, nlink, uid, gid, size, used, rdevMajor, rdevMinor, fsid, fileid, atimeNanos, mtimeNanos, ctimeNanos, ctimeNanos);
  }
}
