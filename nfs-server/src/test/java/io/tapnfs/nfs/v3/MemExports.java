package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.vfs.ClientAccess;
import io.tapnfs.nfs.vfs.Export;
import io.tapnfs.nfs.vfs.Exports;
import io.tapnfs.nfs.vfs.Fh;
import io.tapnfs.nfs.vfs.Vfs;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Function;

/** Exports over {@link MemVfs}es: a handle belongs to the export whose id is its first byte. */
public final class MemExports implements Exports {
  public record MemExport(String path, MemVfs mem, Function<InetAddress, ClientAccess> rule) implements Export {
    @Override public Vfs vfs() { return mem; }

    @Override public ClientAccess access(InetAddress client) { return rule.apply(client); }
  }

  private final List<MemExport> exports;

  public MemExports(List<MemExport> exports) { this.exports = List.copyOf(exports); }

  @Override public List<Export> all() { return List.copyOf(exports); }

  @Override public Export byPath(String path) {
    for (MemExport e : exports) if (e.path().equals(path)) return e;
    return null;
  }

  @Override public Export byHandle(Fh fh) {
    for (MemExport e : exports) if (e.mem().mine(fh)) return e;
    return null;
  }
}
