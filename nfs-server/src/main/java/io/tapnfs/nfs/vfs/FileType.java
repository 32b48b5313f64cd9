package io.tapnfs.nfs.vfs;

/** File types (RFC 1813 §2.5 ftype3, same order). */
public enum FileType { REG, DIR, BLK, CHR, LNK, SOCK, FIFO }
