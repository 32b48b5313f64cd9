package io.tapnfs.nfs.vfs;

/**
 * The attributes of a file (RFC 1813 §2.5 fattr3). Times in nanoseconds since the epoch.
 * {@code mode} holds the permission bits and set-id/sticky bits (07777), not the type.
 */
public record Attr(FileType type, int mode, long nlink, int uid, int gid, long size, long used, int rdevMajor,
                   int rdevMinor, long fsid, long fileid, long atimeNanos, long mtimeNanos, long ctimeNanos) {}
