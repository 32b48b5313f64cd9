package io.tapnfs.nfs.v3.xdr;

import io.tapnfs.nfs.vfs.Attr;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * RFC 1813 §2.5 fattr3, encoded from a VFS {@link Attr} (the record that holds the same fields):
 * <pre>
 *   ftype3 type; mode3 mode; uint32 nlink; uid3 uid; gid3 gid; size3 size; size3 used;
 *   specdata3 rdev; uint64 fsid; fileid3 fileid; nfstime3 atime, mtime, ctime;
 * </pre>
 */
public final class Fattr3 {
  private Fattr3() {}

  /** Encoded length: 5 words + 2 uint64 + specdata3 + 2 uint64 + 3 nfstime3. */
  public static final int LEN = 5 * 4 + 2 * 8 + 8 + 2 * 8 + 3 * Nfstime3.LEN;

  /** ftype3: NF3REG = 1 ... NF3FIFO = 7, FileType's order. */
  public static int ftype3(io.tapnfs.nfs.vfs.FileType t) { return t.ordinal() + 1; }

  public static void encode(XdrEncodingStream out, Attr a) {
    out.xdrEncodeInt(ftype3(a.type()));
    out.xdrEncodeInt(a.mode() & 07777);
    Xdr3.uint32Clamped(out, a.nlink());
    out.xdrEncodeInt(a.uid());
    out.xdrEncodeInt(a.gid());
    Xdr3.uint64(out, a.size());
    Xdr3.uint64(out, a.used());
    out.xdrEncodeInt(a.rdevMajor());
    out.xdrEncodeInt(a.rdevMinor());
    Xdr3.uint64(out, a.fsid());
    Xdr3.uint64(out, a.fileid());
    Nfstime3.ofNanos(a.atimeNanos()).encode(out);
    Nfstime3.ofNanos(a.mtimeNanos()).encode(out);
    Nfstime3.ofNanos(a.ctimeNanos()).encode(out);
  }
}
