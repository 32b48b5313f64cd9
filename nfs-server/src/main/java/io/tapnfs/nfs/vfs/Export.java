package io.tapnfs.nfs.vfs;

import java.net.InetAddress;

/** One exported directory: its file system and who may use it how. */
public interface Export {
  /** The absolute server path clients mount (exports(5) first column). */
  String path();

  Vfs vfs();

  /** How {@code client} may use this export, or null when it may not (MNT3ERR_ACCES / NFS3ERR_ACCES). */
  ClientAccess access(InetAddress client);
}
