package io.tapnfs.nfs.vfs;

import java.util.List;

/** The exports of the server, for MOUNT (by path) and NFS (by file handle). Thread-safe. */
public interface Exports {
  List<Export> all();

  /** The export mounted as {@code path} (exact, after normalizing trailing slashes), or null. */
  Export byPath(String path);

  /** The export a handle belongs to, or null when no export made it (BADHANDLE / STALE). */
  Export byHandle(Fh fh);
}
