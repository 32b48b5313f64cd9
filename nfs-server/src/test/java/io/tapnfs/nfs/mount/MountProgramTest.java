package io.tapnfs.nfs.mount;

import io.tapnfs.nfs.TestRpc;
import io.tapnfs.rpc.TwoHosts;
import static io.tapnfs.nfs.mount.Mountstat3.MNT3ERR_ACCES;
import static io.tapnfs.nfs.mount.Mountstat3.MNT3ERR_NAMETOOLONG;
import static io.tapnfs.nfs.mount.Mountstat3.MNT3ERR_NOENT;
import static io.tapnfs.nfs.mount.Mountstat3.MNT3ERR_NOTDIR;
import static io.tapnfs.nfs.mount.Mountstat3.MNT3_OK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.nfs.mount.MountXdr.ExportNode;
import io.tapnfs.nfs.mount.MountXdr.MountBody;
import io.tapnfs.nfs.mount.MountXdr.Mountres3;
import io.tapnfs.nfs.vfs.Fh;
import io.tapnfs.nfs.vfs.FileType;
import io.tapnfs.nfs.vfs.Vfs;
import io.tapnfs.rpc.RpcClient;
import io.tapnfs.rpc.RpcServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dcache.oncrpc4j.rpc.OncRpcAcceptedException;
import org.dcache.oncrpc4j.rpc.RpcAuthTypeUnix;
import org.dcache.oncrpc4j.xdr.XdrVoid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingConsumer;

/** MOUNT v3 (and v1/v2) through RpcServer and RpcClient on two in-memory stacks. */
class MountProgramTest {
  static final String A = TwoHosts.A_IP.toString();
  /** insecure: RpcClient's source ports are ephemeral; /srv/secure keeps exports(5)'s default. */
  static final String EXPORTS = """
      /srv/a       10.9.0.0/24(rw,insecure)
      /srv/denied  10.9.0.99(rw) 192.168.0.0/16
      /srv/nrs     10.9.0.1(rw,no_root_squash,insecure)
      /srv/secure  10.9.0.0/24(rw)
      """;

  final Map<String, FakeVfs> vfs = new HashMap<>();
  Fh sub, deeper, file, priv, privIn, nrsPriv;
  TwoHosts hosts;
  RpcServer server;
  MountProgram mount;

  Vfs open(ExportRule rule) {
    FakeVfs v = new FakeVfs(vfs.size() + 1, rule.path());
    vfs.put(rule.path(), v);
    return v;
  }

  /** Serves MOUNT v1, v2, v3 on TCP and UDP 20048 of host B and runs {@code body} with a client on A. */
  void serve(int maxMounts, ThrowingConsumer<MountClient> body) throws Throwable {
    ExportTable table = ExportTable.open(ExportsFile.parse(EXPORTS, "test"), this::open);
    FakeVfs a = vfs.get("/srv/a");
    sub = a.add(a.root(), "sub", FileType.DIR);
    deeper = a.add(sub, "deeper", FileType.DIR);
    file = a.add(a.root(), "file", FileType.REG);
    a.add(a.root(), "fifo", FileType.FIFO);
    priv = a.privateDir(a.root(), "priv", 1000);
    privIn = a.add(priv, "in", FileType.DIR);
    FakeVfs nrs = vfs.get("/srv/nrs");
    nrsPriv = nrs.privateDir(nrs.root(), "priv", 1000);
    nrs.add(nrsPriv, "in", FileType.DIR);
    mount = new MountProgram(table, maxMounts);
    hosts = new TwoHosts();
    server = RpcServer.on(hosts.b).program(MountProgram.PROGRAM, 1, mount).program(MountProgram.PROGRAM, 2, mount)
        .program(MountProgram.PROGRAM, 3, mount).tcp(20048).udp(20048).start();
    try (MountClient c = new MountClient(RpcClient.tcp(hosts.a, TwoHosts.onB(20048), MountClient.T))) {
      body.accept(c);
    }
  }

  void serve(ThrowingConsumer<MountClient> body) throws Throwable { serve(MountProgram.DEFAULT_MAX_MOUNTS, body); }

  @AfterEach void close() throws Exception {
    if (server != null) server.close();
    if (hosts != null) hosts.close();
  }

  long counter(String name) { return mount.counters().get(name); }

  static void assertStatus(Mountres3 r, Mountstat3 s) {
    assertThat(r.status()).as("mountstat3").isEqualTo(s);
    if (s != MNT3_OK) assertThat(r.fhandle()).isEmpty();
  }

  @Test void nullAndMntOfAnExportGiveItsRootHandleAndAuthSys() throws Throwable {
    serve(c -> {
      c.nul(3);
      Mountres3 r = c.mnt("/srv/a");
      assertStatus(r, MNT3_OK);
      assertThat(r.fhandle()).isEqualTo(vfs.get("/srv/a").root().bytes());
      assertThat(r.authFlavors()).containsExactly(MountXdr.AUTH_SYS);
      assertThat(c.mnt("//srv/a/").fhandle()).isEqualTo(r.fhandle());               // same export, same entry
      assertThat(c.dump(3)).containsExactly(new MountBody(A, "/srv/a"));
      assertThat(counter("nullCalls")).isEqualTo(1);
      assertThat(counter("mntCalls")).isEqualTo(2);
      assertThat(counter("mntOk")).isEqualTo(2);
    });
  }

  @Test void mntBelowAnExportWalksTheVfsAndNeedsADirectoryOrFile() throws Throwable {
    serve(c -> {
      assertThat(c.mnt("/srv/a/sub/deeper").fhandle()).isEqualTo(deeper.bytes());
      assertThat(c.mnt("/srv/a/file").fhandle()).isEqualTo(file.bytes());
      assertStatus(c.mnt("/srv/a/fifo"), MNT3ERR_NOTDIR);
      assertStatus(c.mnt("/srv/a/file/x"), MNT3ERR_NOTDIR);
      assertStatus(c.mnt("/srv/a/missing"), MNT3ERR_NOENT);
      assertThat(c.dump(3)).containsExactly(new MountBody(A, "/srv/a/sub/deeper"), new MountBody(A, "/srv/a/file"));
      assertThat(counter("mntNotdir")).isEqualTo(2);
    });
  }

  @Test void everyMntErrorHasItsStatusAndCounterAndRecordsNothing() throws Throwable {
    serve(c -> {
      assertStatus(c.mnt("/nope"), MNT3ERR_NOENT);
      assertStatus(c.mnt("/srv"), MNT3ERR_NOENT);                              // above the exports
      assertStatus(c.mnt("srv/a"), MNT3ERR_NOENT);
      assertStatus(c.mnt("/srv/a/../a"), MNT3ERR_NOENT);
      assertStatus(c.mnt(new byte[] {'/', 's', (byte) 0xc3}), MNT3ERR_NOENT);   // not UTF-8
      assertStatus(c.mnt(("/" + "x".repeat(127)).repeat(8)), MNT3ERR_NOENT);      // 1024 bytes: allowed, unknown
      assertStatus(c.mnt("/srv/denied"), MNT3ERR_ACCES);
      assertStatus(c.mnt("/srv/a/" + "n".repeat(256)), MNT3ERR_NAMETOOLONG);    // a component over MNTNAMLEN
      assertStatus(c.mnt("/" + "y".repeat(1999)), MNT3ERR_NAMETOOLONG);         // 2000 bytes, over MNTPATHLEN
      assertThat(c.dump(3)).isEmpty();
      assertThat(counter("mntNoent")).isEqualTo(6);
      assertThat(counter("mntAcces")).isEqualTo(1);
      assertThat(counter("mntNametoolong")).isEqualTo(2);
      assertThat(counter("mntOk")).isZero();
      c.nul(3);                                                                   // the connection is fine
    });
  }

  @Test void lookupsBelowTheExportRunAsTheSquashedCaller() throws Throwable {
    serve(c -> {
      assertStatus(c.mnt("/srv/a/priv/in"), MNT3ERR_ACCES);                                       // AUTH_NONE: anonymous
      c.as(new RpcAuthTypeUnix(1000, 1000, new int[0], 0, "client"));
      assertThat(c.mnt("/srv/a/priv/in").fhandle()).isEqualTo(privIn.bytes());
      c.as(new RpcAuthTypeUnix(1001, 1000, new int[0], 0, "client"));
      assertStatus(c.mnt("/srv/a/priv/in"), MNT3ERR_ACCES);
      c.as(new RpcAuthTypeUnix(0, 0, new int[0], 0, "client"));
      assertStatus(c.mnt("/srv/a/priv/in"), MNT3ERR_ACCES);                                       // root_squash: 65534
      assertStatus(c.mnt("/srv/nrs/priv/in"), MNT3_OK);                                           // no_root_squash
      assertThat(c.mnt("/srv/a/priv").fhandle()).isEqualTo(priv.bytes());                        // no search needed
    });
  }

  /**
   * exports(5) secure: MNT from a source port of 1024 or above is MNT3ERR_ACCES, as mountd's
   * auth_authenticate ("illegal port"); from a reserved port it is served. UMNT is refused the
   * same way (mountd authenticates it too), so the entry stays.
   */
  @Test void aSecureExportWantsAReservedSourcePort() throws Throwable {
    serve(c -> {
      assertStatus(c.mnt("/srv/secure"), MNT3ERR_ACCES);
      assertThat(c.mntV1(1, "/srv/secure").status()).isEqualTo(MountProgram.V1_EACCES);
      assertThat(counter("mntInsecurePort")).isEqualTo(2);
      assertThat(counter("mntAcces")).isEqualTo(2);
      assertStatus(c.mnt("/srv/a"), MNT3_OK);                                         // insecure
      try (MountClient k = new MountClient(TestRpc.tcpFromPort(hosts.a, 800, TwoHosts.onB(20048)))) {
        Mountres3 r = k.mnt("/srv/secure");
        assertStatus(r, MNT3_OK);
        assertThat(r.fhandle()).isEqualTo(vfs.get("/srv/secure").root().bytes());
        assertThat(k.dump(3)).containsExactly(new MountBody(A, "/srv/a"), new MountBody(A, "/srv/secure"));
        c.umnt("/srv/secure");                                                         // from the ephemeral port
        assertThat(counter("umntRefused")).isEqualTo(1);
        assertThat(k.dump(3)).contains(new MountBody(A, "/srv/secure"));
        k.umnt("/srv/secure");
        assertThat(k.dump(3)).containsExactly(new MountBody(A, "/srv/a"));
      }
      assertThat(counter("mntInsecurePort")).isEqualTo(2);
    });
  }

  @Test void dumpUmntAndUmntall() throws Throwable {
    serve(c -> {
      c.mnt("/srv/a");
      c.mnt("/srv/a/sub");
      c.mnt("/srv/nrs");
      assertThat(c.dump(3)).containsExactly(new MountBody(A, "/srv/a"), new MountBody(A, "/srv/a/sub"), new MountBody(A, "/srv/nrs"));
      c.umnt("/srv/a/sub/");
      assertThat(c.dump(3)).containsExactly(new MountBody(A, "/srv/a"), new MountBody(A, "/srv/nrs"));
      c.umnt("/never/mounted");
      c.umnt("relative/../x");
      assertThat(counter("umntNotMounted")).isEqualTo(2);
      assertThat(c.dump(1)).containsExactly(new MountBody(A, "/srv/a"), new MountBody(A, "/srv/nrs"));   // v1 DUMP, same list
      c.umntall();
      assertThat(c.dump(3)).isEmpty();
      assertThat(mount.mounts()).isEmpty();
      assertThat(counter("umntCalls")).isEqualTo(3);
      assertThat(counter("umntallCalls")).isEqualTo(1);
      assertThat(counter("dumpCalls")).isEqualTo(4);
    });
  }

  @Test void theMountListIsBoundedOldestDropped() throws Throwable {
    serve(2, c -> {
      c.mnt("/srv/a");
      c.mnt("/srv/a/sub");
      c.mnt("/srv/a");                                   // moves to the newest end
      c.mnt("/srv/a/sub/deeper");                        // drops the oldest: /srv/a/sub
      assertThat(c.dump(3)).containsExactly(new MountBody(A, "/srv/a"), new MountBody(A, "/srv/a/sub/deeper"));
      assertThat(counter("mountsDropped")).isEqualTo(1);
    });
  }

  @Test void exportListsEveryExportWithItsClientsOverEveryVersion() throws Throwable {
    serve(c -> {
      List<ExportNode> want = List.of(new ExportNode("/srv/a", List.of("10.9.0.0/24")),
          new ExportNode("/srv/denied", List.of("10.9.0.99", "192.168.0.0/16")), new ExportNode("/srv/nrs", List.of("10.9.0.1")),
          new ExportNode("/srv/secure", List.of("10.9.0.0/24")));
      assertThat(c.export(3, MountProgram.EXPORT)).isEqualTo(want);
      assertThat(c.export(1, MountProgram.EXPORT)).isEqualTo(want);
      assertThat(c.export(1, MountProgram.EXPORTALL)).isEqualTo(want);
      assertThat(c.export(2, MountProgram.EXPORTALL)).isEqualTo(want);
      assertThat(counter("exportCalls")).isEqualTo(4);
    });
  }

  @Test void mntOverVersion1And2IsRefusedWithEaccesOrItsError() throws Throwable {
    serve(c -> {
      assertThat(c.mntV1(1, "/srv/a").status()).isEqualTo(MountProgram.V1_EACCES);
      assertThat(c.mntV1(2, "/srv/a").status()).isEqualTo(MountProgram.V1_EACCES);
      assertThat(c.mntV1(1, "/nope").status()).isEqualTo(2);                    // ENOENT
      assertThat(c.mntV1(1, "/srv/denied").status()).isEqualTo(13);
      assertThat(c.dump(3)).isEmpty();
      assertThat(counter("mntV1Refused")).isEqualTo(2);
    });
  }

  @Test void mntOverUdp() throws Throwable {
    serve(tcp -> {
      try (MountClient c = new MountClient(RpcClient.udp(hosts.a, TwoHosts.onB(20048)))) {
        assertThat(c.mnt("/srv/a/sub").fhandle()).isEqualTo(sub.bytes());
        assertThat(c.dump(3)).containsExactly(new MountBody(A, "/srv/a/sub"));
      }
    });
  }

  @Test void garbageArgumentsUnknownProceduresAndVersionsGetTheirRpcErrors() throws Throwable {
    serve(c -> {
      assertGarbage(c, MountProgram.MNT, MountClient.words());                              // no dirpath at all
      assertGarbage(c, MountProgram.MNT, MountClient.words(100, 0x2f000000));               // 100 bytes claimed, 4 sent
      assertGarbage(c, MountProgram.MNT, MountClient.words(0x7ffffff0));                    // 2 GiB claimed
      assertGarbage(c, MountProgram.MNT, MountClient.words(-1));
      assertGarbage(c, MountProgram.UMNT, MountClient.dirpath(new byte[2000]));            // UMNT has no NAMETOOLONG
      assertThat(counter("garbageArgs")).isEqualTo(5);
      assertThatThrownBy(() -> c.call(3, MountProgram.EXPORTALL, XdrVoid.XDR_VOID, x -> null))
          .isInstanceOf(OncRpcAcceptedException.class).hasMessageContaining("PROC_UNAVAIL");
      assertThatThrownBy(() -> c.call(2, 7, XdrVoid.XDR_VOID, x -> null))                  // v2 PATHCONF
          .isInstanceOf(OncRpcAcceptedException.class).hasMessageContaining("PROC_UNAVAIL");
      assertThatThrownBy(() -> c.call(4, MountProgram.NULL, XdrVoid.XDR_VOID, x -> null))
          .isInstanceOf(OncRpcAcceptedException.class).hasMessageContaining("PROG_MISMATCH");
      assertThat(counter("procUnavail")).isEqualTo(2);
      assertThat(c.mnt("/srv/a").status()).isEqualTo(MNT3_OK);                             // still serving
      assertThat(c.dump(3)).containsExactly(new MountBody(A, "/srv/a"));
    });
  }

  static void assertGarbage(MountClient c, int proc, org.dcache.oncrpc4j.xdr.XdrAble args) {
    assertThatThrownBy(() -> c.call(3, proc, args, x -> null))
        .isInstanceOf(OncRpcAcceptedException.class).hasMessageContaining("GARBAGE_ARGS");
  }
}
