package io.tapnfs.nfs.v3;

import io.tapnfs.rpc.TwoHosts;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.ACCES;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.BADHANDLE;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.BADTYPE;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.EXIST;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.ISDIR;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.NAMETOOLONG;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.NOENT;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.NOTDIR;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.NOTEMPTY;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.NOT_SYNC;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.OK;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.ROFS;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.SERVERFAULT;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.STALE;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.TOOSMALL;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.XDEV;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.nfs.TestRpc;
import io.tapnfs.nfs.v3.MemExports.MemExport;
import io.tapnfs.nfs.v3.Nfs3Client.CreateRes;
import io.tapnfs.nfs.v3.Nfs3Client.DirRes;
import io.tapnfs.nfs.v3.Nfs3Client.Entry;
import io.tapnfs.nfs.v3.Nfs3Client.Fattr;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.vfs.ClientAccess;
import io.tapnfs.nfs.vfs.ClientAccess.Squash;
import io.tapnfs.rpc.RpcClient;
import io.tapnfs.rpc.RpcServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.dcache.oncrpc4j.rpc.OncRpcAcceptedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * NFSv3 over RPC over two in-memory stacks, against {@link MemVfs} exports: each procedure's
 * success and failure arms, export rules, size limits, paging. One server for the class; each
 * test works in its own directory.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Nfs3ProgramTest {
  // insecure: RpcClient's source ports are ephemeral (32768 and up); /secure is the exception
  static final ClientAccess RW = new ClientAccess(true, Squash.NONE, 65534, 65534, false);
  static final ClientAccess RO = new ClientAccess(false, Squash.NONE, 65534, 65534, false);
  static final ClientAccess ALL_SQUASHED = new ClientAccess(true, Squash.ALL, 65534, 65534, false);
  static final int ANON_UID = 4000, ANON_GID = 4001;
  static final ClientAccess ROOT_SQUASHED = new ClientAccess(true, Squash.ROOT, ANON_UID, ANON_GID, false);
  static final ClientAccess SECURE = new ClientAccess(true, Squash.NONE, 65534, 65534, true);

  final MemVfs data = new MemVfs(1, "/data", false), other = new MemVfs(2, "/other", false), ro = new MemVfs(3, "/ro", false),
      vro = new MemVfs(4, "/vro", true), denied = new MemVfs(5, "/denied", false), squash = new MemVfs(6, "/squash", false),
      rootSquash = new MemVfs(7, "/rsq", false), secure = new MemVfs(8, "/secure", false);
  TwoHosts hosts;
  RpcServer server;
  RpcClient rpc;
  Nfs3Program nfs;
  Nfs3Client c;

  @BeforeAll void start() throws Exception {
    nfs = new Nfs3Program(new MemExports(List.of(new MemExport("/data", data, a -> RW), new MemExport("/other", other, a -> RW),
        new MemExport("/ro", ro, a -> RO), new MemExport("/vro", vro, a -> RW), new MemExport("/denied", denied, a -> null),
        new MemExport("/squash", squash, a -> ALL_SQUASHED), new MemExport("/rsq", rootSquash, a -> ROOT_SQUASHED),
        new MemExport("/secure", secure, a -> SECURE))));
    hosts = new TwoHosts();
    server = RpcServer.on(hosts.b).program(Nfs3Program.PROGRAM, Nfs3Program.VERSION, nfs).tcp(2049).start();
    rpc = RpcClient.tcp(hosts.a, TwoHosts.onB(2049), Nfs3Client.T);
    c = new Nfs3Client(rpc);
  }

  @AfterAll void stop() throws Exception {
    if (rpc != null) rpc.close();
    if (server != null) server.close();
    if (hosts != null) hosts.close();
  }

  static byte[] root(MemVfs v) { return v.root().bytes(); }

  /** A fresh directory in /data named after the test. */
  byte[] dir(TestInfo t) throws Exception {
    CreateRes r = c.mkdir(root(data), t.getTestMethod().orElseThrow().getName());
    assertThat(r.status()).isEqualTo(OK);
    return r.fh();
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  // ------------------------------------------------------------------ NULL, GETATTR, SETATTR

  @Test void nullAndUnknownProcedure() throws Exception {
    long before = nfs.calls(Nfs3Procedure.NULL);
    c.nullProc();
    assertThat(nfs.calls(Nfs3Procedure.NULL)).isEqualTo(before + 1);
    assertThatThrownBy(() -> c.call(22, x -> { }, x -> null))
        .isInstanceOf(OncRpcAcceptedException.class).hasMessageContaining("PROC_UNAVAIL");
    assertThat(nfs.procUnavail()).isPositive();
  }

  @Test void getattrOfTheRoot() throws Exception {
    var r = c.getattr(root(data));
    assertThat(r.status()).isEqualTo(OK);
    assertThat(r.attr().type()).isEqualTo(2);                 // NF3DIR
    assertThat(r.attr().fileid()).isEqualTo(1);
    assertThat(r.attr().mode()).isEqualTo(0777);
    assertThat(r.attr().fsid()).isEqualTo(42);
    assertThat(r.attr().ctimeS()).isEqualTo(1_700_000_000L);   // nfstime3 seconds of MemVfs's clock
    assertThat(r.attr().ctimeNs()).isBetween(1L, 999_999_999L);
  }

  @Test void setattrWithWccAndTheCtimeGuard(TestInfo t) throws Exception {
    byte[] d = dir(t);
    byte[] f = c.create(d, "f").fh();
    Fattr a = c.getattr(f).attr();
    var wrongGuard = c.setattrMode(f, 0600, new long[] {a.ctimeS(), a.ctimeNs() + 1});
    assertThat(wrongGuard.status()).isEqualTo(NOT_SYNC);
    assertThat(wrongGuard.wcc().after().mode()).isEqualTo(0644);    // "must preserve the object attributes"
    assertThat(wrongGuard.wcc().before()).isNotNull();
    var ok = c.setattrMode(f, 0600, new long[] {a.ctimeS(), a.ctimeNs()});
    assertThat(ok.status()).isEqualTo(OK);
    assertThat(ok.wcc().before().ctimeNs()).isEqualTo(a.ctimeNs());
    assertThat(ok.wcc().after().mode()).isEqualTo(0600);
    assertThat(ok.wcc().after().ctimeNs()).isNotEqualTo(a.ctimeNs());
    var unguarded = c.setattrMode(f, 04755 | 0170000, null);          // file type bits are not the client's to set
    assertThat(unguarded.wcc().after().mode()).isEqualTo(04755);
    assertThat(c.truncate(f, -1L).status()).isEqualTo(Nfsstat3.FBIG); // size 2^64-1
    c.auth = Nfs3Client.unix(2000, 2000);
    try {
      assertThat(c.setattrMode(f, 0777, null).status()).isEqualTo(Nfsstat3.PERM);
    } finally {
      c.auth = Nfs3Client.unix(1000, 1000);
    }
  }

  // ------------------------------------------------------------------ LOOKUP, ACCESS, READLINK

  @Test void lookupFindsAndFails(TestInfo t) throws Exception {
    byte[] d = dir(t);
    CreateRes f = c.create(d, "file");
    var found = c.lookup(d, "file");
    assertThat(found.status()).isEqualTo(OK);
    assertThat(found.fh()).isEqualTo(f.fh());
    assertThat(found.obj().type()).isEqualTo(1);
    assertThat(found.dir().type()).isEqualTo(2);
    var missing = c.lookup(d, "nope");
    assertThat(missing.status()).isEqualTo(NOENT);
    assertThat(missing.dir()).as("dir_attributes in the failure arm").isNotNull();
    assertThat(c.lookup(f.fh(), "x").status()).isEqualTo(NOTDIR);
    assertThat(c.lookup(d, "n".repeat(256)).status()).isEqualTo(NAMETOOLONG);
    assertThat(c.lookup(d, "n".repeat(255)).status()).isEqualTo(NOENT);
    assertThat(c.lookup(d, ".").fh()).isEqualTo(d);
    assertThat(c.lookup(d, "..").fh()).isEqualTo(root(data));
    var notUtf8 = c.call(3, x -> {
      Nfs3Client.fh(x, d);
      x.xdrEncodeDynamicOpaque(new byte[] {(byte) 0xff, (byte) 0xfe});
    }, x -> Nfs3Client.status(x));
    assertThat(notUtf8).isEqualTo(Nfsstat3.INVAL);
  }

  @Test void accessBitsAndReadOnlyExports(TestInfo t) throws Exception {
    byte[] d = dir(t);
    byte[] f = c.create(d, "f", 1, 0640, null).fh();
    assertThat(c.access(f, 0x3f).access()).isEqualTo(0x01 | 0x04 | 0x08 | 0x10);   // owner rw-
    c.auth = Nfs3Client.unix(2000, 1000);                                           // group r--
    try {
      assertThat(c.access(f, 0x3f).access()).isEqualTo(0x01);
    } finally {
      c.auth = Nfs3Client.unix(1000, 1000);
    }
    var r = c.access(root(ro), 0x3f);
    assertThat(r.status()).isEqualTo(OK);
    assertThat(r.access()).as("no write bits on a read-only export").isEqualTo(0x01 | 0x02 | 0x20);
    assertThat(c.access(root(vro), 0x3f).access()).isEqualTo(0x01 | 0x02 | 0x20);
  }

  @Test void symlinkAndReadlink(TestInfo t) throws Exception {
    byte[] d = dir(t);
    CreateRes s = c.symlink(d, "l", "../some/where");
    assertThat(s.status()).isEqualTo(OK);
    assertThat(s.obj().type()).isEqualTo(5);
    assertThat(s.dir().before()).isNotNull();
    var r = c.readlink(s.fh());
    assertThat(r.status()).isEqualTo(OK);
    assertThat(r.target()).isEqualTo("../some/where");
    var notLink = c.readlink(d);
    assertThat(notLink.status()).isEqualTo(Nfsstat3.INVAL);
    assertThat(notLink.attr()).isNotNull();
    assertThat(c.symlink(d, "long", "x".repeat(4097)).status()).isEqualTo(NAMETOOLONG);
  }

  // ------------------------------------------------------------------ READ, WRITE, COMMIT

  @Test void oneMebibyteWriteAndReadRoundTrip(TestInfo t) throws Exception {
    byte[] d = dir(t);
    byte[] f = c.create(d, "big").fh();
    byte[] mib = random(1 << 20, 7);
    var w = c.write(f, 0, mib, 0);
    assertThat(w.status()).isEqualTo(OK);
    assertThat(w.count()).isEqualTo(1 << 20);
    assertThat(w.committed()).isEqualTo(2);                          // FILE_SYNC, as MemVfs reports
    assertThat(w.verf()).isEqualTo(MemVfs.VERIFIER);
    assertThat(w.wcc().before().size()).isZero();
    assertThat(w.wcc().after().size()).isEqualTo(1 << 20);
    var r = c.read(f, 0, 1 << 20);
    assertThat(r.status()).isEqualTo(OK);
    assertThat(r.count()).isEqualTo(1 << 20);
    assertThat(r.eof()).isTrue();
    assertThat(r.data()).isEqualTo(mib);
    var tail = c.read(f, (1 << 20) - 10, 100);
    assertThat(tail.data()).hasSize(10).isEqualTo(java.util.Arrays.copyOfRange(mib, (1 << 20) - 10, 1 << 20));
    assertThat(c.read(f, 5, 10).eof()).isFalse();
    var cm = c.commit(f, 0, 0);
    assertThat(cm.status()).isEqualTo(OK);
    assertThat(cm.verf()).isEqualTo(w.verf());
  }

  @Test void readsAndWritesAreCutAtOneMebibyte(TestInfo t) throws Exception {
    byte[] d = dir(t);
    byte[] f = c.create(d, "over").fh();
    byte[] more = random((1 << 20) + 4096, 8);
    var w = c.write(f, 0, more, 2);
    assertThat(w.status()).isEqualTo(OK);
    assertThat(w.count()).as("a short write of wtmax").isEqualTo(1 << 20);
    var r = c.read(f, 0, (1 << 20) + 4096);
    assertThat(r.count()).isEqualTo(1 << 20);
    assertThat(r.data()).isEqualTo(java.util.Arrays.copyOf(more, 1 << 20));
  }

  @Test void writeFailures(TestInfo t) throws Exception {
    byte[] d = dir(t);
    byte[] f = c.create(d, "f").fh();
    long garbage = nfs.garbageArgs();
    assertThatThrownBy(() -> c.writeRaw(f, 0, 10, new byte[9], 0))       // §3.3.7 count disagrees with the data
        .isInstanceOf(OncRpcAcceptedException.class).hasMessageContaining("GARBAGE_ARGS");
    assertThat(nfs.garbageArgs()).isEqualTo(garbage + 1);
    var isDir = c.write(d, 0, new byte[4], 0);
    assertThat(isDir.status()).isEqualTo(ISDIR);
    assertThat(isDir.wcc().before()).as("pre-op attributes taken before the failure").isNotNull();
    assertThat(isDir.wcc().after()).isNotNull();
    assertThat(c.write(f, Long.MAX_VALUE - 1, new byte[4], 0).status()).isEqualTo(Nfsstat3.FBIG);
    assertThat(c.read(d, 0, 10).status()).isEqualTo(ISDIR);
  }

  // ------------------------------------------------------------------ CREATE, MKDIR, MKNOD, REMOVE, RMDIR

  @Test void createModes(TestInfo t) throws Exception {
    byte[] d = dir(t);
    CreateRes u = c.create(d, "u", 0, 0600, null);
    assertThat(u.status()).isEqualTo(OK);
    assertThat(u.obj().mode()).isEqualTo(0600);
    assertThat(u.obj().uid()).isEqualTo(1000);
    assertThat(u.dir().before()).isNotNull();
    assertThat(u.dir().after().mtimeNs()).isNotEqualTo(u.dir().before().mtimeNs());
    assertThat(c.create(d, "u", 0, 0600, null).fh()).as("UNCHECKED: the existing file").isEqualTo(u.fh());
    CreateRes g = c.create(d, "u", 1, 0600, null);
    assertThat(g.status()).isEqualTo(EXIST);
    assertThat(g.dir().after()).isNotNull();
    byte[] verf = {1, 2, 3, 4, 5, 6, 7, 8};
    CreateRes x1 = c.create(d, "x", 2, null, verf);
    assertThat(x1.status()).isEqualTo(OK);
    CreateRes x2 = c.create(d, "x", 2, null, verf);
    assertThat(x2.status()).as("a retransmitted EXCLUSIVE create").isEqualTo(OK);
    assertThat(x2.fh()).isEqualTo(x1.fh());
    assertThat(c.create(d, "x", 2, null, new byte[] {8, 7, 6, 5, 4, 3, 2, 1}).status()).isEqualTo(EXIST);
    assertThat(c.create(d, "n".repeat(256)).status()).isEqualTo(NAMETOOLONG);
    assertThat(c.create(d, "..").status()).isEqualTo(Nfsstat3.INVAL);
    assertThatThrownBy(() -> c.call(8, x -> {
      Nfs3Client.dirop(x, d, "bad");
      x.xdrEncodeInt(3);                                                // createmode3 has 0..2
    }, x -> null)).isInstanceOf(OncRpcAcceptedException.class).hasMessageContaining("GARBAGE_ARGS");
  }

  @Test void squashedSubjectOwnsWhatItCreates() throws Exception {
    CreateRes r = c.create(root(squash), "mine");
    assertThat(r.status()).isEqualTo(OK);
    assertThat(r.obj().uid()).isEqualTo(65534);
    assertThat(r.obj().gid()).isEqualTo(65534);
  }

  @Test void authNoneIsTheAnonymousUser(TestInfo t) throws Exception {
    byte[] d = dir(t);
    c.auth = null;                                                      // AUTH_NONE
    try {
      CreateRes r = c.create(d, "anon");
      assertThat(r.status()).as("the directory is 0755 and owned by uid 1000").isEqualTo(ACCES);
      r = c.create(root(data), "anon-" + t.getTestMethod().orElseThrow().getName());
      assertThat(r.status()).isEqualTo(OK);
      assertThat(r.obj().uid()).isEqualTo(65534);
    } finally {
      c.auth = Nfs3Client.unix(1000, 1000);
    }
  }

  /** knfsd nfsd_setuser: uid and gid -1 are no ids, whatever the squashing; the export's anonymous ids stand in. */
  @Test void uidMinusOneCreatesAsTheAnonymousIds(TestInfo t) throws Exception {
    String name = t.getTestMethod().orElseThrow().getName();
    c.auth = Nfs3Client.unix(-1, -1, -1);
    try {
      CreateRes noSquash = c.create(root(data), name);                       // no_root_squash: 65534 is its anonuid
      assertThat(noSquash.status()).isEqualTo(OK);
      assertThat(noSquash.obj().uid()).isEqualTo(65534);
      assertThat(noSquash.obj().gid()).isEqualTo(65534);
      CreateRes squashed = c.create(root(rootSquash), name);
      assertThat(squashed.status()).isEqualTo(OK);
      assertThat(squashed.obj().uid()).isEqualTo(ANON_UID);
      assertThat(squashed.obj().gid()).isEqualTo(ANON_GID);
      CreateRes setuid = c.create(root(rootSquash), name + "-suid", 0, 04777, null);   // AccessPolicy.mode: no set-id bits
      assertThat(setuid.status()).isEqualTo(OK);
      assertThat(setuid.obj().uid()).isEqualTo(ANON_UID);
      assertThat(setuid.obj().mode()).isEqualTo(0777);
    } finally {
      c.auth = Nfs3Client.unix(1000, 1000);
    }
    c.auth = Nfs3Client.unix(1000, -1);
    try {
      CreateRes r = c.create(root(rootSquash), name + "-gid");
      assertThat(r.obj().uid()).isEqualTo(1000);
      assertThat(r.obj().gid()).isEqualTo(ANON_GID);
    } finally {
      c.auth = Nfs3Client.unix(1000, 1000);
    }
  }

  /**
   * root_squash maps gid 0 in the supplementary list too (knfsd nfsd_setuser), so a caller who
   * claims group 0 there cannot give a file to group 0; without root squashing it can.
   */
  @Test void rootSquashTakesGroupZeroOutOfTheSupplementaryList(TestInfo t) throws Exception {
    String name = t.getTestMethod().orElseThrow().getName();
    c.auth = Nfs3Client.unix(1000, 1000, 1000, 0);
    try {
      byte[] f = c.create(root(rootSquash), name).fh();
      var refused = c.setattrOwner(f, null, 0);
      assertThat(refused.status()).isEqualTo(Nfsstat3.PERM);
      assertThat(refused.wcc().after().gid()).isEqualTo(1000);
      assertThat(c.setattrOwner(f, null, 1000).status()).as("a group it is in").isEqualTo(OK);
      assertThat(c.setattrOwner(f, null, 5).status()).as("a group it is not in").isEqualTo(Nfsstat3.PERM);
      assertThat(c.create(root(rootSquash), name + "-root-gid").obj().gid()).isEqualTo(1000);

      byte[] g = c.create(root(data), name).fh();                            // no_root_squash
      var allowed = c.setattrOwner(g, null, 0);
      assertThat(allowed.status()).isEqualTo(OK);
      assertThat(allowed.wcc().after().gid()).isZero();
      assertThat(c.setattrOwner(g, 0, null).status()).as("only root gives a file away").isEqualTo(Nfsstat3.PERM);
    } finally {
      c.auth = Nfs3Client.unix(1000, 1000);
    }
    c.auth = Nfs3Client.unix(0, 0, 0, 20);                                    // root under root_squash
    try {
      CreateRes r = c.create(root(rootSquash), name + "-by-root");
      assertThat(r.obj().uid()).isEqualTo(ANON_UID);
      assertThat(r.obj().gid()).isEqualTo(ANON_GID);
      assertThat(c.setattrOwner(r.fh(), null, 20).status()).as("root keeps its other groups, as in knfsd").isEqualTo(OK);
      assertThat(c.setattrOwner(r.fh(), null, 0).status()).isEqualTo(Nfsstat3.PERM);
    } finally {
      c.auth = Nfs3Client.unix(1000, 1000);
    }
  }

  @Test void directoriesAndRemoval(TestInfo t) throws Exception {
    byte[] d = dir(t);
    CreateRes sub = c.mkdir(d, "sub");
    assertThat(sub.status()).isEqualTo(OK);
    assertThat(sub.obj().type()).isEqualTo(2);
    assertThat(c.mkdir(d, "sub").status()).isEqualTo(EXIST);
    c.create(sub.fh(), "inner");
    var notEmpty = c.rmdir(d, "sub");
    assertThat(notEmpty.status()).isEqualTo(NOTEMPTY);
    assertThat(notEmpty.wcc().before()).isNotNull();
    assertThat(notEmpty.wcc().after()).isNotNull();
    assertThat(c.remove(d, "sub").status()).isEqualTo(ISDIR);
    assertThat(c.rmdir(sub.fh(), "inner").status()).isEqualTo(NOTDIR);
    var rm = c.remove(sub.fh(), "inner");
    assertThat(rm.status()).isEqualTo(OK);
    assertThat(rm.wcc().before().ctimeNs()).isNotEqualTo(rm.wcc().after().ctimeNs());
    assertThat(c.remove(sub.fh(), "inner").status()).isEqualTo(NOENT);
    assertThat(c.rmdir(d, "sub").status()).isEqualTo(OK);
    var stale = c.getattr(sub.fh());
    assertThat(stale.status()).as("a removed directory's handle").isEqualTo(STALE);
  }

  @Test void mknodTypes(TestInfo t) throws Exception {
    byte[] d = dir(t);
    CreateRes fifo = c.mknod(d, "fifo", 7, 0, 0);
    assertThat(fifo.status()).isEqualTo(OK);
    assertThat(fifo.obj().type()).isEqualTo(7);
    assertThat(c.mknod(d, "sock", 6, 0, 0).obj().type()).isEqualTo(6);
    assertThat(c.mknod(d, "reg", 1, 0, 0).status()).isEqualTo(BADTYPE);
    assertThat(c.mknod(d, "chr", 4, 1, 3).status()).as("MemVfs: devices need root").isEqualTo(Nfsstat3.PERM);
    c.auth = Nfs3Client.unix(0, 0);
    try {
      CreateRes chr = c.mknod(d, "chr", 4, 1, 3);
      assertThat(chr.status()).isEqualTo(OK);
      assertThat(chr.obj().type()).isEqualTo(4);
      assertThat(chr.obj().major()).isEqualTo(1);
      assertThat(chr.obj().minor()).isEqualTo(3);
    } finally {
      c.auth = Nfs3Client.unix(1000, 1000);
    }
    assertThatThrownBy(() -> c.mknod(d, "x", 8, 0, 0)).hasMessageContaining("GARBAGE_ARGS");
  }

  // ------------------------------------------------------------------ RENAME, LINK

  @Test void renameAndLinkWithinAndAcrossExports(TestInfo t) throws Exception {
    byte[] d = dir(t);
    byte[] f = c.create(d, "a").fh();
    byte[] sub = c.mkdir(d, "sub").fh();
    var mv = c.rename(d, "a", sub, "b");
    assertThat(mv.status()).isEqualTo(OK);
    assertThat(mv.from().before()).isNotNull();
    assertThat(mv.to().after()).isNotNull();
    assertThat(c.lookup(sub, "b").fh()).isEqualTo(f);
    assertThat(c.lookup(d, "a").status()).isEqualTo(NOENT);
    var missing = c.rename(d, "a", sub, "c");
    assertThat(missing.status()).isEqualTo(NOENT);
    assertThat(missing.from().after()).isNotNull();
    assertThat(missing.to().after()).isNotNull();
    var ln = c.link(f, d, "hard");
    assertThat(ln.status()).isEqualTo(OK);
    assertThat(ln.file().nlink()).isEqualTo(2);
    assertThat(ln.dir().before()).isNotNull();
    assertThat(c.link(f, d, "hard").status()).isEqualTo(EXIST);
    assertThat(c.rename(d, "hard", root(other), "x").status()).isEqualTo(XDEV);
    var xdev = c.link(f, root(other), "x");
    assertThat(xdev.status()).isEqualTo(XDEV);
    assertThat(xdev.file()).isNotNull();
    assertThat(c.rename(d, "hard", d, "n".repeat(256)).status()).isEqualTo(NAMETOOLONG);
  }

  // ------------------------------------------------------------------ READDIR, READDIRPLUS

  @Test void readdirFitsCountAndSaysTooSmall(TestInfo t) throws Exception {
    byte[] d = dir(t);
    for (int i = 0; i < 20; i++) c.create(d, "file-" + i);
    DirRes tiny = c.readdir(d, 0, 0, 50);
    assertThat(tiny.status()).isEqualTo(TOOSMALL);
    assertThat(tiny.dir()).isNotNull();
    List<String> names = new ArrayList<>();
    long cookie = 0, verf = 0;
    int calls = 0;
    for (boolean eof = false; !eof; calls++) {
      DirRes r = c.readdir(d, cookie, verf, 300);
      assertThat(r.status()).isEqualTo(OK);
      assertThat(r.entries()).isNotEmpty();
      int size = 4 + 4 + 84 + 8 + 4 + 4;
      for (Entry e : r.entries()) size += 4 + 8 + 4 + ((e.name().length() + 3) & ~3) + 8;
      assertThat(size).as("the reply fits count").isLessThanOrEqualTo(300);
      r.entries().forEach(e -> names.add(e.name()));
      cookie = r.entries().get(r.entries().size() - 1).cookie();
      verf = r.verf();
      eof = r.eof();
    }
    assertThat(calls).isGreaterThan(2);
    assertThat(names).hasSize(22).contains(".", "..", "file-0", "file-19").doesNotHaveDuplicates();
    assertThat(c.readdir(d, 999_999, verf, 4096).status()).isEqualTo(Nfsstat3.BAD_COOKIE);
    byte[] f = c.lookup(d, "file-0").fh();
    assertThat(c.readdir(f, 0, 0, 4096).status()).isEqualTo(NOTDIR);
  }

  @Test void readdirplusPagesThroughTenThousandEntries(TestInfo t) throws Exception {
    byte[] d = dir(t);
    for (int i = 0; i < 10_000; i++) assertThat(c.create(d, "entry-" + i, 0, 0644, null).status()).isEqualTo(OK);
    Set<String> seen = new HashSet<>();
    long cookie = 0, verf = 0;
    int pages = 0;
    for (boolean eof = false; !eof; pages++) {
      DirRes r = c.readdirplus(d, cookie, verf, 8192, 32768);
      assertThat(r.status()).isEqualTo(OK);
      for (Entry e : r.entries()) {
        assertThat(seen.add(e.name())).as("no entry twice: %s", e.name()).isTrue();
        assertThat(e.attr()).isNotNull();
        assertThat(e.fh()).isNotNull();
        assertThat(e.attr().fileid()).isEqualTo(e.fileid());
      }
      cookie = r.entries().get(r.entries().size() - 1).cookie();
      verf = r.verf();
      eof = r.eof();
    }
    assertThat(seen).hasSize(10_002).contains("entry-0", "entry-9999");
    assertThat(pages).isGreaterThan(10_000 / 300);
    byte[] fh = c.lookup(d, "entry-5000").fh();
    DirRes again = c.readdirplus(d, 0, 0, 8192, 32768);
    assertThat(again.entries().get(0).name()).isEqualTo(".");
    assertThat(c.readdirplus(d, 0, 0, 8192, 100).status()).isEqualTo(TOOSMALL);
    assertThat(fh).hasSize(MemVfs.HANDLE_LEN);
  }

  /** dircount is a "should" that knfsd ignores, and so do we: only maxcount bounds the reply. */
  @Test void readdirplusIsBoundedByMaxcountNotDircount(TestInfo t) throws Exception {
    byte[] d = dir(t);
    for (int i = 0; i < 50; i++) c.create(d, "e" + i);
    DirRes r = c.readdirplus(d, 0, 0, 100, 65536);
    assertThat(r.status()).isEqualTo(OK);
    assertThat(r.entries()).hasSize(52);                                  // ".", ".." and 50, far past 100 bytes of names
    assertThat(r.eof()).isTrue();
    DirRes small = c.readdirplus(d, 0, 0, 65536, 1024);
    assertThat(small.entries().size()).isBetween(1, 10);
    assertThat(small.eof()).isFalse();
  }

  // ------------------------------------------------------------------ FSSTAT, FSINFO, PATHCONF

  @Test void fileSystemInformation() throws Exception {
    var s = c.fsstat(root(data));
    assertThat(s.status()).isEqualTo(OK);
    assertThat(s.tbytes()).isEqualTo(1L << 40);
    assertThat(s.afiles()).isEqualTo(800_000);
    assertThat(s.attr()).isNotNull();
    var i = c.fsinfo(root(data));
    assertThat(i.status()).isEqualTo(OK);
    assertThat(i.rtmax()).isEqualTo(1 << 20);
    assertThat(i.rtpref()).isEqualTo(1 << 20);
    assertThat(i.wtmax()).isEqualTo(1 << 20);
    assertThat(i.wtpref()).isEqualTo(1 << 20);
    assertThat(i.dtpref()).isEqualTo(64 * 1024);
    assertThat(i.maxfilesize()).isEqualTo(Long.MAX_VALUE);
    assertThat(i.deltaS()).isZero();
    assertThat(i.deltaNs()).isEqualTo(1);
    assertThat(i.properties()).isEqualTo(0x1 | 0x2 | 0x8 | 0x10);
    var p = c.pathconf(root(data));
    assertThat(p.status()).isEqualTo(OK);
    assertThat(p.nameMax()).isEqualTo(255);
    assertThat(p.noTrunc()).isTrue();
    assertThat(p.chownRestricted()).isTrue();
    assertThat(p.caseInsensitive()).isFalse();
    assertThat(p.casePreserving()).isTrue();
  }

  // ------------------------------------------------------------------ handles, export rules, faults

  @Test void badAndStaleHandles() throws Exception {
    byte[] long65 = new byte[65];
    long65[0] = 1;
    assertThat(c.getattr(long65).status()).as("65-byte handle").isEqualTo(BADHANDLE);
    assertThat(c.getattr(new byte[0]).status()).isEqualTo(BADHANDLE);
    var bad = c.lookup(long65, "x");
    assertThat(bad.status()).isEqualTo(BADHANDLE);
    assertThat(bad.dir()).isNull();
    assertThat(c.getattr(new byte[] {9, 0, 0, 0, 0, 0, 0, 0, 1}).status()).as("no export knows it").isEqualTo(STALE);
    byte[] gone = data.handle(987_654).bytes();
    assertThat(c.getattr(gone).status()).as("export knows it, the inode is gone").isEqualTo(STALE);
    assertThat(c.getattr(new byte[] {1, 2, 3}).status()).isEqualTo(STALE);
    assertThatThrownBy(() -> c.call(1, x -> x.xdrEncodeInt(1 << 30), x -> null))   // a handle past the message
        .hasMessageContaining("GARBAGE_ARGS");
    assertThat(nfs.errors(BADHANDLE)).isGreaterThanOrEqualTo(3);
  }

  @Test void exportRules() throws Exception {
    var refused = c.getattr(root(denied));
    assertThat(refused.status()).isEqualTo(ACCES);
    var refusedLookup = c.lookup(root(denied), "x");
    assertThat(refusedLookup.status()).isEqualTo(ACCES);
    assertThat(refusedLookup.dir()).as("nothing about a refused export").isNull();
    CreateRes r = c.create(root(ro), "f");
    assertThat(r.status()).isEqualTo(ROFS);
    assertThat(r.dir().after()).as("attributes still readable").isNotNull();
    assertThat(c.create(root(vro), "f").status()).isEqualTo(ROFS);
    assertThat(c.mkdir(root(ro), "d").status()).isEqualTo(ROFS);
    assertThat(c.remove(root(ro), "d").status()).isEqualTo(ROFS);
    assertThat(c.setattrMode(root(vro), 0700, null).status()).isEqualTo(ROFS);
    assertThat(c.write(root(ro), 0, new byte[1], 0).status()).isEqualTo(ROFS);
    assertThat(c.commit(root(ro), 0, 0).status()).isEqualTo(ROFS);
    assertThat(c.getattr(root(ro)).status()).isEqualTo(OK);
    assertThat(c.readdir(root(ro), 0, 0, 4096).status()).isEqualTo(OK);
  }

  /**
   * exports(5) secure: a call from source port 1024 or above is refused with NFS3ERR_PERM, as
   * knfsd's nfsd_setuser_and_check_port answers nfserr_perm, and nothing about the file leaks;
   * from a reserved port it is served. An insecure export serves both.
   */
  @Test void aSecureExportWantsAReservedSourcePort() throws Exception {
    assertThat(rpc.localAddress().getPort()).as("RpcClient's ephemeral port").isGreaterThanOrEqualTo(1024);
    long refusedBefore = nfs.insecurePortRefused(), permBefore = nfs.errors(Nfsstat3.PERM);
    var refused = c.getattr(root(secure));
    assertThat(refused.status()).isEqualTo(Nfsstat3.PERM);
    var refusedLookup = c.lookup(root(secure), "x");
    assertThat(refusedLookup.status()).isEqualTo(Nfsstat3.PERM);
    assertThat(refusedLookup.dir()).as("nothing about a refused export").isNull();
    assertThat(c.create(root(secure), "f").status()).isEqualTo(Nfsstat3.PERM);
    assertThat(nfs.insecurePortRefused()).isEqualTo(refusedBefore + 3);
    assertThat(nfs.errors(Nfsstat3.PERM)).isEqualTo(permBefore + 3);
    assertThat(c.getattr(root(data)).status()).as("an insecure export").isEqualTo(OK);

    try (TestRpc reserved = TestRpc.tcpFromPort(hosts.a, 700, TwoHosts.onB(2049))) {
      Nfs3Client k = new Nfs3Client(reserved);
      assertThat(k.getattr(root(secure)).status()).isEqualTo(OK);
      CreateRes f = k.create(root(secure), "from-700");
      assertThat(f.status()).isEqualTo(OK);
      assertThat(f.obj().uid()).isEqualTo(1000);
      assertThat(k.getattr(root(data)).status()).isEqualTo(OK);
      assertThat(c.getattr(f.fh()).status()).as("its handle from a port above 1023").isEqualTo(Nfsstat3.PERM);
    }
    assertThat(nfs.insecurePortRefused()).isEqualTo(refusedBefore + 4);
  }

  @Test void permissionDenied(TestInfo t) throws Exception {
    c.auth = Nfs3Client.unix(0, 0);
    byte[] d;
    try {
      CreateRes r = c.mkdir(root(data), t.getTestMethod().orElseThrow().getName());
      d = r.fh();
      assertThat(r.obj().uid()).isZero();
    } finally {
      c.auth = Nfs3Client.unix(1000, 1000);
    }
    var denied = c.create(d, "f");
    assertThat(denied.status()).isEqualTo(ACCES);
    assertThat(denied.dir().before()).isNotNull();
    assertThat(c.access(d, 0x04).access()).isZero();
  }

  @Test void aVfsBugIsServerfault() throws Exception {
    long before = nfs.errors(SERVERFAULT);
    var r = c.lookup(root(data), "boom");
    assertThat(r.status()).isEqualTo(SERVERFAULT);
    assertThat(r.dir()).isNotNull();
    assertThat(nfs.errors(SERVERFAULT)).isEqualTo(before + 1);
    assertThat(c.getattr(root(data)).status()).as("the server goes on").isEqualTo(OK);
  }

  @Test void counters() throws Exception {
    c.getattr(root(data));
    c.lookup(root(data), "no-such-name");
    var m = nfs.counters();
    assertThat(m).containsKeys("nullCalls", "getattrCalls", "readdirplusCalls", "commitCalls", "noentErrors", "notSyncErrors",
        "garbageArgs", "procUnavail");
    assertThat(m).doesNotContainKey("okErrors");
    assertThat(m.get("getattrCalls")).isPositive();
    assertThat(m.get("lookupCalls")).isPositive();
    assertThat(m.get("noentErrors")).isPositive();
    assertThat(m).containsKey("insecurePortRefused");
    assertThat(m).hasSize(22 + Nfsstat3.values().length - 1 + 3);
  }

  @Test void namesAreUtf8OnTheWire(TestInfo t) throws Exception {
    byte[] d = dir(t);
    String name = "f\u00e9\u4e2d";
    assertThat(c.create(d, name).status()).isEqualTo(OK);
    DirRes r = c.readdir(d, 0, 0, 4096);
    assertThat(r.entries()).extracting(Entry::name).contains(name);
    assertThat(c.lookup(d, new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).status()).isEqualTo(OK);
  }
}
