package io.tapnfs.nfs.mount;

import io.tapnfs.nfs.vfs.ClientAccess;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One exported path and its clients, as written (line order; lines naming the same path merged in
 * file order). {@link #access} picks the client rule exports(5) says wins; {@link #sync} and
 * {@link #fsid} are the export-wide views of those per-client options for the backend.
 */
public record ExportRule(String path, List<ClientRule> clients) {
  /** @throws IllegalArgumentException for no client, or two clients with different fsids */
  public ExportRule {
    path = ExportsFile.normalizePath(Objects.requireNonNull(path, "path"));
    clients = List.copyOf(clients);
    if (clients.isEmpty()) throw new IllegalArgumentException("export " + path + " has no client");
    Integer fsid = null;
    for (ClientRule c : clients) {
      if (c.fsid() == null) continue;
      if (fsid != null && !fsid.equals(c.fsid()))
        throw new IllegalArgumentException("export " + path + " has fsid=" + Integer.toUnsignedString(fsid) + " and fsid="
            + Integer.toUnsignedString(c.fsid()));
      fsid = c.fsid();
    }
  }

  /** {@code path} for everyone ({@code *}) with {@code access}: what {@code --export DIR} means. */
  public static ExportRule everyone(String path, ClientAccess access) {
    return new ExportRule(path, List.of(new ClientRule(ClientMatch.ANYONE, access)));
  }

  /**
   * How {@code client} may use the export, or null if no rule matches it. exports(5): the first
   * match in kind order (single host, then networks, then {@code *}), and within a kind the first
   * on the line. knfsd (nfs-utils {@code client_check}, by {@code MCL_*} type) does the same.
   */
  public ClientAccess access(InetAddress client) {
    ClientRule best = null;
    for (ClientRule r : clients) {
      if (r.match().matches(client) && (best == null || r.match().precedence() < best.match().precedence())) best = r;
    }
    return best == null ? null : best.access();
  }

  /**
   * Whether writes to the export are to be made durable before the reply: true unless every
   * client says {@code async} (a mixed export is kept safe).
   */
  public boolean sync() {
    for (ClientRule c : clients) if (c.sync()) return true;
    return false;
  }

  /** The {@code fsid=N} its clients give (at most one value, see the constructor), or null. */
  public Integer fsid() {
    for (ClientRule c : clients) if (c.fsid() != null) return c.fsid();
    return null;
  }

  /** The clients in the order {@link #access} tries them. */
  public List<ClientRule> byPrecedence() {
    List<ClientRule> l = new ArrayList<>(clients);
    l.sort(Comparator.comparingInt(r -> r.match().precedence()));   // stable: line order within a kind
    return l;
  }

  @Override public String toString() {
    StringBuilder b = new StringBuilder(ExportsFile.quote(path));
    for (ClientRule r : clients) b.append(' ').append(r);
    return b.toString();
  }
}
