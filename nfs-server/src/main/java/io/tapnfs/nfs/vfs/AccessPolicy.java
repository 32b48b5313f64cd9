package io.tapnfs.nfs.vfs;

import io.tapnfs.rpc.RpcCaller;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * The export rules that are not the file system's, in one place for every protocol (NFSv3 through
 * its call context, MOUNT, and NFSv4 and NLM when they come): whether a caller may use an export
 * at all (a client rule matches it, from a reserved port if the rule says {@code secure}), as whom
 * (squashing, knfsd's {@code nfsd_setuser}) and whether it may change anything (the rule's
 * {@code ro}/{@code rw} and a read-only {@link Vfs}). The mode bits, ownership and root's override
 * stay with the {@link Vfs}, which stands for the kernel.
 *
 * <pre>
 *   Grant g = AccessPolicy.admit(export, RpcCaller.of(call));   // throws Refused
 *   vfs.lookup(dir, name, g.who());
 *   if (g.readOnly()) ...                                         // ROFS for a change
 * </pre>
 *
 * <p>Stateless: the methods are static and thread-safe.
 */
public final class AccessPolicy {
  /** AUTH_SYS {@code gids<16>}, RFC 5531 Appendix A (knfsd: UNX_NGROUPS). */
  public static final int MAX_GIDS = 16;
  /** (uid_t) -1 and (gid_t) -1: no id (knfsd INVALID_UID / INVALID_GID). */
  public static final int NO_ID = -1;
  /** Source ports below this are reserved (IPPORT_RESERVED; the kernel's svc_port_is_privileged). */
  public static final int IPPORT_RESERVED = 1024;

  private AccessPolicy() {}

  /** Why a caller may not use an export. Each protocol says it with its own status. */
  public enum Refusal {
    /** No client rule of the export matches the caller's address (NFS3ERR_ACCES, MNT3ERR_ACCES). */
    CLIENT,
    /**
     * A {@code secure} rule and a source port of 1024 or above. knfsd answers nfserr_perm
     * (fs/nfsd/nfsfh.c, nfsd_setuser_and_check_port), which is NFS3ERR_PERM; mountd fails the
     * MNT in auth_authenticate ("illegal port"), which is MNT3ERR_ACCES.
     */
    INSECURE_PORT,
    /**
     * More than {@value #MAX_GIDS} supplementary gids. The RPC layer already refuses such a
     * credential (AUTH_BADCRED, as knfsd's svcauth_unix); this is the policy's own guard.
     */
    CREDENTIAL
  }

  /** A refused caller: {@link #reason()} and a message for the log. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    private final Refusal reason;

    Refused(Refusal reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }

    public Refusal reason() { return reason; }
  }

  /**
   * An admitted caller.
   *
   * @param access   the client rule that matched
   * @param who      the caller after squashing, for every Vfs call
   * @param readOnly the rule says {@code ro} or the Vfs is read-only: changes are ROFS
   */
  public record Grant(ClientAccess access, Subject who, boolean readOnly) {}

  /**
   * Whether and how {@code caller} may use {@code export}, in knfsd's order: the client rule for
   * its address, then its source port if the rule is {@code secure} (for every flavor we take:
   * knfsd waives the port only for RPCSEC_GSS), then the squashed subject, and read-only when the
   * rule or the file system says so.
   *
   * @throws Refused when no rule matches the caller (or it has no address), a secure rule sees a
   *     port of {@value #IPPORT_RESERVED} or above, or the credential carries more gids than
   *     AUTH_SYS allows
   */
  public static Grant admit(Export export, RpcCaller caller) throws Refused {
    if (caller.isAuthSys() && caller.gids().length > MAX_GIDS)
      throw new Refused(Refusal.CREDENTIAL, caller.gids().length + " gids, AUTH_SYS has at most " + MAX_GIDS);
    InetSocketAddress from = caller.address();
    ClientAccess a = from == null ? null : export.access(from.getAddress());
    if (a == null) throw new Refused(Refusal.CLIENT, "export " + export.path() + " refuses " + (from == null ? null : from.getAddress()));
    if (a.secure() && !reservedPort(from))
      throw new Refused(Refusal.INSECURE_PORT, "export " + export.path() + " is secure: source port " + from.getPort() + " is not below "
          + IPPORT_RESERVED + " (exports(5) insecure allows it)");
    return new Grant(a, subject(a, caller), !a.readWrite() || export.vfs().readOnly());
  }

  /** Whether {@code from} is a reserved port, as the kernel's svc_port_is_privileged: below 1024. */
  public static boolean reservedPort(InetSocketAddress from) { return from.getPort() < IPPORT_RESERVED; }

  /**
   * The caller as the export sees it, as knfsd's {@code nfsd_setuser} (fs/nfsd/auth.c) makes it:
   * <ul>
   * <li>not AUTH_SYS (AUTH_NONE): the anonymous uid and gid, no groups (knfsd gives AUTH_NULL
   *     the invalid ids, which become the anonymous ones below);
   * <li>all_squash: the anonymous uid and gid, no groups;
   * <li>root_squash: uid 0 becomes the anonymous uid and, separately, gid 0 the anonymous gid,
   *     and gid 0 in the supplementary list the anonymous gid; the other ids are kept (so root
   *     keeps its other groups, as in knfsd);
   * <li>then, whatever the squashing: uid -1 becomes the anonymous uid and gid -1 the anonymous
   *     gid. A supplementary -1 is dropped: knfsd keeps INVALID_GID in the list, where it can
   *     match no file, which is the same.
   * </ul>
   * knfsd also sends to the anonymous ids any id that has no mapping in the server's user
   * namespace (!uid_valid / !gid_valid after make_kuid). This class knows only -1: an id the
   * namespace tapnfs runs in cannot map (a rootless container's) is left to the Vfs, whose
   * setfsuid/chown then fails or shows it as the overflow id.
   *
   * @throws IllegalArgumentException for more than {@value #MAX_GIDS} gids (see {@link #admit})
   */
  public static Subject subject(ClientAccess a, RpcCaller caller) {
    if (!caller.isAuthSys() || a.squash() == ClientAccess.Squash.ALL) return new Subject(a.anonUid(), a.anonGid(), new int[0], true);
    int[] in = caller.gids();
    if (in.length > MAX_GIDS) throw new IllegalArgumentException(in.length + " gids, AUTH_SYS has at most " + MAX_GIDS);
    boolean root = a.squash() == ClientAccess.Squash.ROOT;
    int uid = caller.uid(), gid = caller.gid();
    boolean squashed = (root && uid == 0) || uid == NO_ID;
    if (root && uid == 0) uid = a.anonUid();
    if (root && gid == 0) gid = a.anonGid();
    if (uid == NO_ID) uid = a.anonUid();
    if (gid == NO_ID) gid = a.anonGid();
    int[] gids = new int[in.length];
    int n = 0;
    for (int g : in) {
      if (g == NO_ID) continue;
      gids[n++] = root && g == 0 ? a.anonGid() : g;
    }
    return new Subject(uid, gid, n == gids.length ? gids : Arrays.copyOf(gids, n), squashed);
  }

  /**
   * The permission bits a create or SETATTR of {@code who} may set: a squashed caller gets no
   * set-uid or set-gid bit. knfsd would let the anonymous user make a set-uid-nobody file, as any
   * local user may; tapnfs does not, so a client that had to be squashed cannot plant set-id
   * programs of any owner. Every backend applies this to every mode it is asked to set.
   */
  public static int mode(Subject who, int mode) { return who.squashed() ? mode & 01777 : mode & 07777; }
}
