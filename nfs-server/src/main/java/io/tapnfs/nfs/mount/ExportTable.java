package io.tapnfs.nfs.mount;

import io.tapnfs.nfs.vfs.ClientAccess;
import io.tapnfs.nfs.vfs.Errno;
import io.tapnfs.nfs.vfs.Export;
import io.tapnfs.nfs.vfs.Exports;
import io.tapnfs.nfs.vfs.Fh;
import io.tapnfs.nfs.vfs.Vfs;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * The server's exports: one {@link Vfs} per {@link ExportRule}, opened once at construction.
 * Immutable, so thread-safe without locks.
 *
 * <pre>
 *   // --exports FILE
 *   Exports e = ExportTable.open(ExportsFile.read(file), rule -> KernelVfs.open(Path.of(rule.path()), key, KernelVfs.Options.defaults().sync(rule.sync()).fsid(rule.fsid())));
 *   // --export DIR (everyone, read-write, root squashed, insecure)
 *   Exports e = ExportTable.open(List.of(ExportRule.everyone(dir, new ClientAccess(true, Squash.ROOT, 65534, 65534, false))), opener);
 * </pre>
 *
 * <p>{@link #byHandle} asks each export's Vfs whether a handle is its own through the
 * {@code owns} predicate. {@link #GETATTR_PROBE} works with any Vfs (a handle is its own unless
 * getattr says BADHANDLE or STALE, which the {@link Vfs} contract requires for another export's
 * handle), but costs a getattr per export per lookup and calls a deleted file's handle nobody's;
 * a Vfs that can tell from the bytes alone (its export id in the handle) should be given with a
 * cheaper predicate, or better a {@code Vfs.owns(Fh)} method.
 */
public final class ExportTable implements Exports {
  /**
   * How an export becomes a Vfs: the rule gives the path and what the backend is to honour
   * ({@link ExportRule#sync}, {@link ExportRule#fsid}).
   */
  @FunctionalInterface
  public interface Opener {
    Vfs open(ExportRule rule) throws IOException;
  }

  /** A handle is {@code vfs}'s unless {@link Vfs#getattr} says BADHANDLE or STALE. */
  public static final BiPredicate<Vfs, Fh> GETATTR_PROBE = (vfs, fh) -> {
    try {
      vfs.getattr(fh);
      return true;
    } catch (VfsException e) {
      return e.errno() != Errno.BADHANDLE && e.errno() != Errno.STALE;
    }
  };

  private final List<Export> all;
  private final Map<String, Export> byPath;
  private final BiPredicate<Vfs, Fh> owns;

  private ExportTable(List<Export> all, BiPredicate<Vfs, Fh> owns) {
    this.all = List.copyOf(all);
    this.owns = Objects.requireNonNull(owns, "owns");
    Map<String, Export> m = new HashMap<>();
    for (Export e : all) {
      if (m.put(e.path(), e) != null) throw new IllegalArgumentException("export " + e.path() + " given twice");
    }
    this.byPath = Map.copyOf(m);
  }

  /** Opens a Vfs for every rule's path; handles are told apart with {@link #GETATTR_PROBE}. */
  public static ExportTable open(List<ExportRule> rules, Opener opener) throws IOException {
    return open(rules, opener, GETATTR_PROBE);
  }

  /**
   * Opens a Vfs for every rule, in order, after {@link #check}.
   *
   * @throws IOException from the opener, with the path in the message
   * @throws IllegalArgumentException when {@link #check} finds the rules at odds
   */
  public static ExportTable open(List<ExportRule> rules, Opener opener, BiPredicate<Vfs, Fh> owns) throws IOException {
    check(rules);
    List<Export> out = new ArrayList<>(rules.size());
    for (ExportRule r : rules) {
      Vfs vfs;
      try {
        vfs = opener.open(r);
      } catch (IOException e) {
        throw new IOException("cannot export " + r.path() + ": " + e.getMessage(), e);
      }
      out.add(new RuleExport(r, Objects.requireNonNull(vfs, "opener gave null for " + r.path())));
    }
    // Handles name their export by an id (fsid= or a hash of the path): two exports that would
    // each take the other's root handle as their own could not be told apart. Refuse at start.
    for (int i = 0; i < out.size(); i++)
      for (int j = 0; j < out.size(); j++)
        if (i != j && owns.test(out.get(j).vfs(), out.get(i).vfs().root()))
          throw new IOException("exports " + out.get(i).path() + " and " + out.get(j).path()
              + " cannot tell their file handles apart (the same export id); give one of them an fsid=");
    return new ExportTable(out, owns);
  }

  /**
   * Whether {@code rules} can make one table: no path twice, and no fsid given to two exports
   * (knfsd would find one export's handles in the other). Nothing is opened.
   *
   * @throws IllegalArgumentException naming the path, or both paths and the fsid
   */
  public static void check(List<ExportRule> rules) {
    Map<String, ExportRule> byPath = new HashMap<>();
    Map<Integer, ExportRule> byFsid = new HashMap<>();
    for (ExportRule r : rules) {
      if (byPath.put(r.path(), r) != null) throw new IllegalArgumentException("export " + r.path() + " given twice");
      if (r.fsid() == null) continue;
      ExportRule other = byFsid.putIfAbsent(r.fsid(), r);
      if (other != null)
        throw new IllegalArgumentException("fsid=" + Integer.toUnsignedString(r.fsid()) + " is given to both " + other.path() + " and "
            + r.path());
    }
  }

  @Override public List<Export> all() { return all; }

  @Override public Export byPath(String path) {
    if (path == null) return null;
    try {
      return byPath.get(ExportsFile.normalizePath(path));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override public Export byHandle(Fh fh) {
    if (fh == null) return null;
    for (Export e : all) if (owns.test(e.vfs(), fh)) return e;
    return null;
  }

  /** The rules the table was built from, in order. */
  public List<ExportRule> rules() {
    List<ExportRule> l = new ArrayList<>(all.size());
    for (Export e : all) l.add(((RuleExport) e).rule());
    return l;
  }

  /** An export as a rule says, on an opened Vfs. */
  record RuleExport(ExportRule rule, Vfs vfs) implements Export {
    @Override public String path() { return rule.path(); }

    @Override public ClientAccess access(InetAddress client) { return client == null ? null : rule.access(client); }

    /** What MOUNT EXPORT lists as this export's groups: each client as written. */
    List<String> groups() {
      List<String> g = new ArrayList<>(rule.clients().size());
      for (ClientRule c : rule.clients()) {
        String s = c.match().toString();
        if (!g.contains(s)) g.add(s);
      }
      return g;
    }
  }
}
