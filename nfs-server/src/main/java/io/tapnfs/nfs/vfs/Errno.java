package io.tapnfs.nfs.vfs;

/**
 * Why a file system operation failed, in the terms NFS reports (RFC 1813 §2.6 nfsstat3; the
 * NFSv4 names match). The protocol layers map these one to one to their status codes.
 */
public enum Errno {
  PERM, NOENT, IO, NXIO, ACCES, EXIST, XDEV, NODEV, NOTDIR, ISDIR, INVAL, FBIG, NOSPC, ROFS, MLINK,
  NAMETOOLONG, NOTEMPTY, DQUOT, STALE, BADHANDLE, NOT_SYNC, BAD_COOKIE, NOTSUPP, TOOSMALL, SERVERFAULT,
  BADTYPE, JUKEBOX
}
