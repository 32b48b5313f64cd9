package io.tapnfs.nfs.vfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.nfs.vfs.AccessPolicy.Refusal;
import io.tapnfs.nfs.vfs.ClientAccess.Squash;
import io.tapnfs.rpc.RpcCaller;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.function.Function;
import org.dcache.oncrpc4j.rpc.RpcAuthType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The export rules every protocol applies: squashing as knfsd's nfsd_setuser, client rules, secure ports, read-only. */
class AccessPolicyTest {
  static final int ANON_UID = 4000, ANON_GID = 4001;
  static final InetSocketAddress FROM = new InetSocketAddress("10.0.0.1", 700);

  static RpcCaller sys(int uid, int gid, int... gids) { return new RpcCaller(RpcAuthType.UNIX, uid, gid, gids, FROM); }

  static int[] ids(String s) {
    return s.isBlank() ? new int[0] : Arrays.stream(s.trim().split(" +")).mapToInt(Integer::parseInt).toArray();
  }

  static ClientAccess access(Squash s) { return new ClientAccess(true, s, ANON_UID, ANON_GID, false); }

  @ParameterizedTest(name = "[{index}] {0} {1}:{2} [{3}]")
  @CsvSource(delimiter = '|', value = {
      // squash | uid  | gid  | gids         | uid after | gid after | gids after
      "NONE     | 0    | 0    | 0 10         | 0    | 0    | 0 10",
      "NONE     | 1000 | 1000 | 1000 0       | 1000 | 1000 | 1000 0",
      "ROOT     | 0    | 0    | 0 10         | 4000 | 4001 | 4001 10",         // root keeps its other groups
      "ROOT     | 0    | 1000 | 1000         | 4000 | 1000 | 1000",            // uid and gid squashed apart
      "ROOT     | 1000 | 0    | 0            | 1000 | 4001 | 4001",
      "ROOT     | 1000 | 1000 | 5 0 7        | 1000 | 1000 | 5 4001 7",        // supplementary 0 too
      "ROOT     | 1000 | 1000 | 5 7          | 1000 | 1000 | 5 7",
      "ALL      | 1000 | 1000 | 5 7          | 4000 | 4001 | ''",
      "ALL      | 0    | 0    | 0            | 4000 | 4001 | ''",
      "NONE     | -1   | -1   | -1 5         | 4000 | 4001 | 5",               // (uid_t) -1: no id
      "ROOT     | -1   | 5    | ''           | 4000 | 5    | ''",
      "ROOT     | 5    | -1   | -1 -1        | 5    | 4001 | ''",
      "NONE     | -2   | -2   | -2           | -2   | -2   | -2",              // 4294967294 is an id
  })
  void squashingAsKnfsd(Squash squash, int uid, int gid, String gids, int wantUid, int wantGid, String wantGids) {
    Subject s = AccessPolicy.subject(access(squash), sys(uid, gid, ids(gids)));
    assertThat(s.uid()).isEqualTo(wantUid);
    assertThat(s.gid()).isEqualTo(wantGid);
    assertThat(s.gids()).containsExactly(ids(wantGids));
  }

  @Test void aCallerWithoutAuthSysIsTheAnonymousIdsWhateverTheSquashing() {
    for (Squash sq : Squash.values()) {
      Subject s = AccessPolicy.subject(access(sq), new RpcCaller(RpcAuthType.NONE, -1, -1, new int[0], FROM));
      assertThat(s.uid()).isEqualTo(ANON_UID);
      assertThat(s.gid()).isEqualTo(ANON_GID);
      assertThat(s.gids()).isEmpty();
    }
  }

  @Test void moreThanSixteenGidsAreRefused() throws Exception {
    int[] sixteen = new int[AccessPolicy.MAX_GIDS], seventeen = new int[AccessPolicy.MAX_GIDS + 1];
    Arrays.setAll(sixteen, i -> 100 + i);
    Arrays.setAll(seventeen, i -> 100 + i);
    Export e = export(a -> access(Squash.NONE), false);
    assertThat(AccessPolicy.admit(e, sys(1000, 1000, sixteen)).who().gids()).hasSize(16);
    assertThatThrownBy(() -> AccessPolicy.admit(e, sys(1000, 1000, seventeen)))
        .isInstanceOfSatisfying(AccessPolicy.Refused.class, r -> assertThat(r.reason()).isEqualTo(Refusal.CREDENTIAL));
    assertThatThrownBy(() -> AccessPolicy.subject(access(Squash.NONE), sys(1000, 1000, seventeen)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest(name = "[{index}] rw {0}, Vfs read-only {1}")
  @CsvSource({"true, false, false", "false, false, true", "true, true, true", "false, true, true"})
  void readOnlyIsTheRuleOrTheVfs(boolean rw, boolean vfsReadOnly, boolean readOnly) throws Exception {
    ClientAccess a = new ClientAccess(rw, Squash.ROOT, ANON_UID, ANON_GID, false);
    AccessPolicy.Grant g = AccessPolicy.admit(export(x -> a, vfsReadOnly), sys(0, 0));
    assertThat(g.readOnly()).isEqualTo(readOnly);
    assertThat(g.access()).isEqualTo(a);
    assertThat(g.who().uid()).isEqualTo(ANON_UID);
  }

  /** exports(5) secure: "requests originate on an Internet port less than IPPORT_RESERVED (1024)". */
  @ParameterizedTest(name = "[{index}] secure {0}, port {1}, flavor {2}")
  @CsvSource({
      "true,  1023,  1, true",
      "true,  1,     1, true",
      "true,  1024,  1, false",
      "true,  32768, 1, false",
      "true,  65535, 0, false",      // AUTH_NONE is no exception (knfsd waives the port for RPCSEC_GSS only)
      "true,  700,   0, true",
      "false, 1024,  1, true",
      "false, 65535, 0, true",
  })
  void aSecureRuleWantsAReservedPort(boolean secure, int port, int flavor, boolean admitted) throws Exception {
    Export e = export(a -> new ClientAccess(true, Squash.NONE, ANON_UID, ANON_GID, secure), false);
    RpcCaller c = new RpcCaller(flavor, 1000, 1000, new int[0], new InetSocketAddress("10.0.0.1", port));
    if (admitted) {
      assertThat(AccessPolicy.admit(e, c).who().uid()).isEqualTo(flavor == RpcAuthType.UNIX ? 1000 : ANON_UID);
    } else {
      assertThatThrownBy(() -> AccessPolicy.admit(e, c)).isInstanceOfSatisfying(AccessPolicy.Refused.class,
          r -> assertThat(r.reason()).isEqualTo(Refusal.INSECURE_PORT));
    }
  }

  @Test void aClientNoRuleMatchesIsRefused() {
    ClientAccess secure = new ClientAccess(true, Squash.NONE, ANON_UID, ANON_GID, true);
    Export e = export(a -> a.getHostAddress().equals("10.0.0.1") ? secure : null, false);
    assertThatThrownBy(() -> AccessPolicy.admit(e, new RpcCaller(RpcAuthType.UNIX, 0, 0, new int[0],
        new InetSocketAddress("10.0.0.2", 40000)))).as("the client rule first, then the port, as knfsd")
        .isInstanceOfSatisfying(AccessPolicy.Refused.class, r -> assertThat(r.reason()).isEqualTo(Refusal.CLIENT));
    assertThatThrownBy(() -> AccessPolicy.admit(e, new RpcCaller(RpcAuthType.UNIX, 0, 0, new int[0], null)))
        .isInstanceOf(AccessPolicy.Refused.class);
  }

  @Test void anonymousIdsCannotBeMinusOne() {
    assertThatThrownBy(() -> new ClientAccess(true, Squash.ROOT, -1, 0, true)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ClientAccess(true, Squash.ROOT, 0, -1, true)).isInstanceOf(IllegalArgumentException.class);
  }

  /** An export at /e whose Vfs answers only readOnly(). */
  static Export export(Function<InetAddress, ClientAccess> rule, boolean readOnly) {
    Vfs vfs = (Vfs) Proxy.newProxyInstance(Vfs.class.getClassLoader(), new Class<?>[] {Vfs.class}, (p, m, args) -> {
      if (m.getName().equals("readOnly")) return readOnly;
      throw new UnsupportedOperationException(m.getName());
    });
    return new Export() {
      @Override public String path() { return "/e"; }

      @Override public Vfs vfs() { return vfs; }

      @Override public ClientAccess access(InetAddress client) { return rule.apply(client); }
    };
  }
}
