package io.tapnfs.nfs.lock;

/**
 * The file a lock is on: the file system and the inode, as the VFS reports them (Attr.fsid,
 * Attr.fileid). The same file reached through two exports or two handle versions is one key.
 */
public record FileKey(long fsid, long fileid) {}
