package io.tapnfs.nfs.v3.xdr;

import io.tapnfs.nfs.vfs.SetAttr;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * RFC 1813 §2.5 sattr3: set_mode3, set_uid3, set_gid3, set_size3 (each a bool-switched union),
 * set_atime and set_mtime (switched on time_how: DONT_CHANGE 0, SET_TO_SERVER_TIME 1,
 * SET_TO_CLIENT_TIME 2 with an nfstime3). Null fields are not set.
 */
public record Sattr3(Integer mode, Integer uid, Integer gid, Long size, TimeHow atimeHow, Nfstime3 atime,
                     TimeHow mtimeHow, Nfstime3 mtime) {
  public enum TimeHow { DONT_CHANGE, SET_TO_SERVER_TIME, SET_TO_CLIENT_TIME }

  public static final Sattr3 NONE = new Sattr3(null, null, null, null, TimeHow.DONT_CHANGE, null, TimeHow.DONT_CHANGE, null);

  public static Sattr3 decode(XdrDecodingStream in) throws IOException {
    Integer mode = Xdr3.bool(in) ? in.xdrDecodeInt() : null;
    Integer uid = Xdr3.bool(in) ? in.xdrDecodeInt() : null;
    Integer gid = Xdr3.bool(in) ? in.xdrDecodeInt() : null;
    Long size = Xdr3.bool(in) ? in.xdrDecodeLong() : null;
    TimeHow ah = TimeHow.values()[Xdr3.enumValue(in, 2, "time_how")];
    Nfstime3 at = ah == TimeHow.SET_TO_CLIENT_TIME ? Nfstime3.decode(in) : null;
    TimeHow mh = TimeHow.values()[Xdr3.enumValue(in, 2, "time_how")];
    Nfstime3 mt = mh == TimeHow.SET_TO_CLIENT_TIME ? Nfstime3.decode(in) : null;
    return new Sattr3(mode, uid, gid, size, ah, at, mh, mt);
  }

  /**
   * What to change, for the VFS. The mode keeps the permission and set-id/sticky bits (07777; the
   * file type is not the client's to set, as knfsd masks with S_IALLUGO). A size of 2^63 or more
   * is FBIG; a time with nseconds of a second or more is INVAL.
   */
  public SetAttr toSetAttr() throws NfsStatusException {
    if (size != null && size < 0) throw new NfsStatusException(Nfsstat3.FBIG, "size " + Long.toUnsignedString(size));
    return new SetAttr(mode == null ? null : mode & 07777, uid, gid, size, time(atimeHow, atime), time(mtimeHow, mtime));
  }

  private static Long time(TimeHow how, Nfstime3 t) throws NfsStatusException {
    return switch (how) {
      case DONT_CHANGE -> null;
      case SET_TO_SERVER_TIME -> SetAttr.SERVER_TIME;
      case SET_TO_CLIENT_TIME -> {
        if (!t.valid()) throw new NfsStatusException(Nfsstat3.INVAL, "nseconds " + t.nseconds());
        yield t.toNanos();
      }
    };
  }
}
