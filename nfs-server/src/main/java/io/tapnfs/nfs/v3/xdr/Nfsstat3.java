package io.tapnfs.nfs.v3.xdr;

import io.tapnfs.nfs.vfs.Errno;

/** RFC 1813 §2.6 nfsstat3, with the wire values. {@link #of(Errno)} maps a VFS error by name. */
public enum Nfsstat3 {
  OK(0), PERM(1), NOENT(2), IO(5), NXIO(6), ACCES(13), EXIST(17), XDEV(18), NODEV(19), NOTDIR(20),
  ISDIR(21), INVAL(22), FBIG(27), NOSPC(28), ROFS(30), MLINK(31), NAMETOOLONG(63), NOTEMPTY(66),
  DQUOT(69), STALE(70), REMOTE(71), BADHANDLE(10001), NOT_SYNC(10002), BAD_COOKIE(10003),
  NOTSUPP(10004), TOOSMALL(10005), SERVERFAULT(10006), BADTYPE(10007), JUKEBOX(10008);

  private final int code;

  Nfsstat3(int code) { this.code = code; }

  public int code() { return code; }

  /** The nfsstat3 of the same name: {@link Errno} was made from this list (RFC 1813 §2.6). */
  public static Nfsstat3 of(Errno e) { return valueOf(e.name()); }

  public static Nfsstat3 ofCode(int code) {
    for (Nfsstat3 s : values()) if (s.code == code) return s;
    throw new IllegalArgumentException("nfsstat3 " + code);
  }
}
