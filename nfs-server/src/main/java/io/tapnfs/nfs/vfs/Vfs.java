package io.tapnfs.nfs.vfs;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The file system the NFS and MOUNT protocol code works on: one export. The protocol layers call
 * only this (never java.nio.file), pass the caller as a {@link Subject} already squashed, and map
 * {@link VfsException#errno()} to their status codes. Permission checks from the mode bits happen
 * here, for every operation. Names are single path components: "" , "." , ".." (but in
 * {@link #lookup}) and names containing '/' or NUL are {@link Errno#INVAL} or
 * {@link Errno#NOENT}; over 255 bytes of UTF-8 are {@link Errno#NAMETOOLONG}.
 *
 * <p>File handles: opaque, stable across restarts, renames and hard links, bound to this export
 * (a handle of another export or a forged one is {@link Errno#BADHANDLE} or {@link Errno#STALE}),
 * and a file deleted and its inode number reused gives {@link Errno#STALE}.
 *
 * <p>Implementations are thread-safe.
 */
public interface Vfs {
  /** The root directory of the export. */
  Fh root();

  /** Whether {@code fh} was made by this file system (the handle names its export); cheap, no I/O needed. */
  default boolean owns(Fh fh) {
    try {
      getattr(fh);
      return true;
    } catch (VfsException e) {
      return false;
    }
  }

  /** The absolute server path of the export (what a client mounts). */
  String exportPath();

  boolean readOnly();

  Attr getattr(Fh fh) throws VfsException;

  /** Changes attributes (size truncates or extends; uid/gid only by root or, gid, the owner in the group). */
  Attr setattr(Fh fh, SetAttr s, Subject who) throws VfsException;

  /** A name in a directory; "." is the directory, ".." its parent (the root's parent is the root). */
  Fh lookup(Fh dir, String name, Subject who) throws VfsException;

  /** The subset of {@code mask} (ACCESS3_* bits of RFC 1813 §3.3.4) that {@code who} has. */
  int access(Fh fh, int mask, Subject who) throws VfsException;

  String readlink(Fh fh, Subject who) throws VfsException;

  /** Reads up to {@code count} bytes at {@code offset}. */
  ReadResult read(Fh fh, long offset, int count, Subject who) throws VfsException;

  /** Writes all of {@code data} at {@code offset}, durable as {@code stable} asks (or more). */
  WriteResult write(Fh fh, long offset, ByteBuffer data, Stability stable, Subject who) throws VfsException;

  /** Makes everything written to the file durable (COMMIT); the range is advisory. */
  void commit(Fh fh, long offset, long count) throws VfsException;

  /** The write verifier: changes whenever unstable data may have been lost (a restart). */
  long writeVerifier();

  /**
   * Creates a regular file. {@code exclusive} non-null: EXCLUSIVE create (RFC 1813 §3.3.8) with
   * that 8-byte verifier, kept so a retransmitted create of the same name and verifier succeeds;
   * {@code guarded}: EXIST if the name exists; else UNCHECKED (an existing file is truncated if
   * attrs.size is 0, else left alone).
   */
  Fh create(Fh dir, String name, SetAttr attrs, boolean guarded, byte[] exclusive, Subject who) throws VfsException;

  Fh mkdir(Fh dir, String name, SetAttr attrs, Subject who) throws VfsException;

  Fh symlink(Fh dir, String name, String target, SetAttr attrs, Subject who) throws VfsException;

  /** FIFO or SOCK; BLK and CHR only when the export allows devices, else NOTSUPP or PERM. */
  Fh mknod(Fh dir, String name, FileType type, int major, int minor, SetAttr attrs, Subject who) throws VfsException;

  /** Removes a non-directory. */
  void remove(Fh dir, String name, Subject who) throws VfsException;

  /** Removes an empty directory. */
  void rmdir(Fh dir, String name, Subject who) throws VfsException;

  /** Renames, replacing a target of a compatible type (POSIX rename(2)). */
  void rename(Fh fromDir, String fromName, Fh toDir, String toName, Subject who) throws VfsException;

  /** A hard link to {@code file} named {@code name} in {@code dir}. */
  void link(Fh file, Fh dir, String name, Subject who) throws VfsException;

  /**
   * Directory entries after {@code cookie} (0: from the start). Cookies are stable: an entry
   * keeps its cookie while it exists, so a listing interrupted by changes neither skips nor
   * repeats entries that stayed, and never loops. {@code verifier} is advisory (a stale one is
   * tolerated, as knfsd does); a cookie this directory never gave is {@link Errno#BAD_COOKIE}
   * where the backend can tell (a file system's own offsets cannot always).
   * "." and ".." are included.
   */
  DirList list(Fh dir, long cookie, long verifier, int maxEntries, Subject who) throws VfsException;

  /**
   * As {@link #list(Fh, long, long, int, Subject)}; {@code plus} false: the entries' handles and
   * attributes are not wanted (READDIR), so a backend may leave them null and save the work.
   */
  default DirList list(Fh dir, long cookie, long verifier, int maxEntries, Subject who, boolean plus) throws VfsException {
    return list(dir, cookie, verifier, maxEntries, who);
  }

  FsStat fsstat(Fh fh) throws VfsException;

  /** Counters for {@code tapnfs stat} (open files, cache hits, ...), by name; none by default. */
  default java.util.Map<String, Long> counters() { return java.util.Map.of(); }

  /** READ's result: the bytes and whether the file ends there. */
  record ReadResult(ByteBuffer data, boolean eof) {}

  /** WRITE's result: bytes written and how durable they are now. */
  record WriteResult(int count, Stability committed) {}

  /** One directory entry; {@code fh} and {@code attr} may be null if they could not be had. */
  record DirEntry(String name, long fileid, long cookie, Fh fh, Attr attr) {}

  /** A piece of a listing. */
  record DirList(List<DirEntry> entries, boolean eof, long verifier) {}

  /** FSSTAT's figures (RFC 1813 §3.3.18), bytes and file counts. */
  record FsStat(long totalBytes, long freeBytes, long availBytes, long totalFiles, long freeFiles, long availFiles) {}
}
