package io.tapnfs.nfs.vfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel-handle backend: handles, confinement, the kernel's permissions as the caller, cookies, data. Needs root (CAP_DAC_READ_SEARCH, CAP_SETUID). */
class KernelVfsTest {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  static final Subject ALICE = new Subject(1000, 1000, new int[0]), BOB = new Subject(1001, 1001, new int[0]);

  @TempDir Path dir;

  KernelVfs vfs() throws Exception {
    KernelVfs v = KernelVfs.open(dir, KEY, false, false);
    v.setattr(v.root(), mode(0777), Subject.ROOT);                      // @TempDir is 0700: let the users in
    return v;
  }

  static SetAttr mode(int m) { return new SetAttr(m, null, null, null, null, null); }

  static byte[] bytes(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return a;
  }

  @Test void handlesAreStableAcrossRestartsRenamesAndLinksAndCannotBeForged() throws Exception {
    KernelVfs v = vfs();
    Fh d = v.mkdir(v.root(), "d", mode(0777), Subject.ROOT);
    Fh f = v.create(d, "f", mode(0644), true, null, ALICE);
    v.write(f, 0, ByteBuffer.wrap("hello".getBytes()), Stability.FILE_SYNC, ALICE);
    KernelVfs again = vfs();                                            // a restart: same key, empty maps
    assertThat(again.getattr(f).size()).isEqualTo(5);
    assertThat(again.lookup(d, "f", ALICE)).isEqualTo(f);
    again.rename(v.root(), "d", v.root(), "e", Subject.ROOT);
    assertThat(again.getattr(f).uid()).isEqualTo(1000);               // found again after the rename
    again.link(f, v.root(), "hard", Subject.ROOT);
    assertThat(again.lookup(again.root(), "hard", ALICE)).isEqualTo(f);
    byte[] forged = f.bytes();
    forged[10] ^= 1;
    assertThatThrownBy(() -> again.getattr(new Fh(forged))).isInstanceOf(VfsException.class)
        .extracting(e -> ((VfsException) e).errno()).isEqualTo(Errno.BADHANDLE);
    Path other = Files.createDirectory(dir.resolve("other"));
    KernelVfs otherExport = KernelVfs.open(other, KEY, false, false);
    assertThat(otherExport.owns(f)).isFalse();
    assertThatThrownBy(() -> otherExport.getattr(f)).extracting(e -> ((VfsException) e).errno()).isEqualTo(Errno.BADHANDLE);
  }

  @Test void aDeletedFileIsStaleAndANewOneAtTheSameNameIsAnotherHandle() throws Exception {
    KernelVfs v = vfs();
    Fh f = v.create(v.root(), "f", mode(0644), true, null, ALICE);
    v.remove(v.root(), "f", ALICE);
    Fh g = v.create(v.root(), "f", mode(0644), true, null, ALICE);
    assertThat(g).isNotEqualTo(f);
    assertThatThrownBy(() -> v.getattr(f)).extracting(e -> ((VfsException) e).errno()).isEqualTo(Errno.STALE);
    assertThat(v.getattr(g).type()).isEqualTo(FileType.REG);
  }

  @Test void theExportIsNeverEscaped() throws Exception {
    KernelVfs v = vfs();
    assertThat(v.lookup(v.root(), "..", ALICE)).isEqualTo(v.root());  // ".." at the root stays there
    Fh link = v.symlink(v.root(), "out", "/etc", SetAttr.NONE, ALICE);
    assertThat(v.getattr(link).type()).isEqualTo(FileType.LNK);
    assertThat(v.readlink(link, ALICE)).isEqualTo("/etc");
    assertThatThrownBy(() -> v.lookup(link, "passwd", ALICE)).extracting(e -> ((VfsException) e).errno()).isEqualTo(Errno.NOTDIR);
    for (String bad : new String[] {"a/b", "..", ".", ""})
      assertThatThrownBy(() -> v.create(v.root(), bad, SetAttr.NONE, false, null, ALICE)).isInstanceOf(VfsException.class);
    assertThatThrownBy(() -> v.create(v.root(), "x".repeat(256), SetAttr.NONE, false, null, ALICE))
        .extracting(e -> ((VfsException) e).errno()).isEqualTo(Errno.NAMETOOLONG);
  }

  @Test void modeBitsAreEnforcedAndFilesBelongToTheirCreator() throws Exception {
    KernelVfs v = vfs();
    v.setattr(v.root(), mode(0777), Subject.ROOT);
    Fh f = v.create(v.root(), "mine", mode(0640), true, null, ALICE);
    Attr a = v.getattr(f);
    assertThat(a.uid()).isEqualTo(1000);
    assertThat(a.gid()).isEqualTo(1000);
    assertThat(a.mode()).isEqualTo(0640);
    assertThatThrownBy(() -> v.read(f, 0, 10, BOB)).extracting(e -> ((VfsException) e).errno()).isEqualTo(Errno.ACCES);
    assertThatThrownBy(() -> v.write(f, 0, ByteBuffer.allocate(1), Stability.UNSTABLE, BOB))
        .extracting(e -> ((VfsException) e).errno()).isEqualTo(Errno.ACCES);
    assertThatThrownBy(() -> v.setattr(f, mode(0777), BOB)).extracting(e -> ((VfsException) e).errno()).isEqualTo(Errno.PERM);
    assertThatThrownBy(() -> v.setattr(f, new SetAttr(null, 1001, null, null, null, null), ALICE))
        .extracting(e -> ((VfsException) e).errno()).isEqualTo(Errno.PERM);
    assertThat(v.access(f, 0x3f, BOB)).isZero();
    assertThat(v.access(f, 0x01 | 0x04, ALICE)).isEqualTo(0x01 | 0x04);
    v.setattr(v.root(), mode(01777), Subject.ROOT);                   // sticky: Bob may not remove Alice's file
    assertThatThrownBy(() -> v.remove(v.root(), "mine", BOB)).extracting(e -> ((VfsException) e).errno()).isEqualTo(Errno.PERM);   // the kernel's EPERM
    KernelVfs ro = KernelVfs.open(dir, KEY, true, false);
    assertThatThrownBy(() -> ro.create(ro.root(), "n", SetAttr.NONE, false, null, Subject.ROOT))
        .extracting(e -> ((VfsException) e).errno()).isEqualTo(Errno.ROFS);
  }

  @Test void dataWritesReadsCommitsAndExclusiveCreateRetransmissions() throws Exception {
    KernelVfs v = vfs();
    byte[] verf = {1, 2, 3, 4, 5, 6, 7, 8};
    Fh f = v.create(v.root(), "x", SetAttr.NONE, false, verf, ALICE);
    assertThat(v.create(v.root(), "x", SetAttr.NONE, false, verf, ALICE)).isEqualTo(f);   // the retransmission succeeds
    assertThatThrownBy(() -> v.create(v.root(), "x", SetAttr.NONE, false, new byte[] {9, 9, 9, 9, 9, 9, 9, 9}, ALICE))
        .extracting(e -> ((VfsException) e).errno()).isEqualTo(Errno.EXIST);
    byte[] mib = new byte[1 << 20];
    new java.util.Random(1).nextBytes(mib);
    assertThat(v.write(f, 4096, ByteBuffer.wrap(mib), Stability.UNSTABLE, ALICE).count()).isEqualTo(1 << 20);
    v.commit(f, 0, 0);
    Vfs.ReadResult r = v.read(f, 4096, 1 << 20, ALICE);
    assertThat(bytes(r.data())).isEqualTo(mib);
    assertThat(r.eof()).isTrue();
    assertThat(bytes(v.read(f, 0, 4096, ALICE).data())).containsOnly(0);
    v.setattr(f, new SetAttr(null, null, null, 10L, null, null), ALICE);
    assertThat(v.getattr(f).size()).isEqualTo(10);
    assertThat(v.writeVerifier()).isNotEqualTo(vfs().writeVerifier());
  }

  @Test void listingCookiesNeverSkipRepeatOrLoopWhileTheDirectoryChanges() throws Exception {
    KernelVfs v = vfs();
    Fh d = v.mkdir(v.root(), "big", SetAttr.NONE, Subject.ROOT);
    Path p = dir.resolve("big");
    for (int i = 0; i < 10_000; i++) Files.createFile(p.resolve("f" + i));             // behind the server's back
    Set<String> deleted = new HashSet<>();
    for (int page = 0; page < 100; page++) for (int i = page * 100; i < page * 100 + 100; i += 3) deleted.add("f" + i);
    Set<String> stayed = new HashSet<>();
    for (int i = 0; i < 10_000; i++) if (!deleted.contains("f" + i)) stayed.add("f" + i);
    Map<String, Integer> seen = new HashMap<>();
    long cookie = 0;
    int page = 0;
    while (true) {
      Vfs.DirList l = v.list(d, cookie, 0, 100, Subject.ROOT);
      for (Vfs.DirEntry e : l.entries()) {
        seen.merge(e.name(), 1, Integer::sum);
        cookie = e.cookie();
      }
      // between pages: delete every third original, create new ones
      if (page < 100) {
        for (int i = page * 100; i < page * 100 + 100; i += 3) Files.deleteIfExists(p.resolve("f" + i));
        Files.createFile(p.resolve("new" + page));
      }
      page++;
      if (l.eof()) break;
      assertThat(page).as("no loop").isLessThan(1000);
    }
    for (String n : stayed) assertThat(seen.get(n)).as(n).isEqualTo(1);
    assertThat(seen.values()).allMatch(c -> c == 1);
    assertThat(seen).containsKeys(".", "..");
  }

  @Test void moreOpenFilesThanTheCacheHoldsStayCorrectAndRemovedFilesFreeTheirSpace() throws Exception {
    KernelVfs v = KernelVfs.open(dir, KEY, KernelVfs.Options.defaults().maxOpenFiles(16));
    v.setattr(v.root(), mode(0777), Subject.ROOT);
    int n = 16 * 3;
    Fh[] files = new Fh[n];
    for (int i = 0; i < n; i++) {
      files[i] = v.create(v.root(), "f" + i, mode(0644), true, null, ALICE);
      v.write(files[i], 0, ByteBuffer.wrap(("file " + i).getBytes()), Stability.UNSTABLE, ALICE);
    }
    for (int i = n - 1; i >= 0; i--)                                    // every channel evicted and reopened on the way
      assertThat(new String(bytes(v.read(files[i], 0, 100, ALICE).data()))).isEqualTo("file " + i);
    v.write(files[0], 0, ByteBuffer.allocate(1 << 20), Stability.FILE_SYNC, ALICE);
    v.remove(v.root(), "f0", ALICE);
    assertThatThrownBy(() -> v.read(files[0], 0, 10, ALICE)).isInstanceOf(VfsException.class);   // gone, not served from the cache
  }

  static Errno errno(org.assertj.core.api.ThrowableAssert.ThrowingCallable c) {
    try {
      c.call();
    } catch (VfsException e) {
      return e.errno();
    } catch (Throwable t) {
      throw new AssertionError("not a VfsException", t);
    }
    throw new AssertionError("no error");
  }

  @Test @org.junit.jupiter.api.Timeout(10)
  void fifosAreNeverOpenedSoNoCallHangs() throws Exception {
    KernelVfs v = vfs();
    Fh fifo = v.mknod(v.root(), "p", FileType.FIFO, 0, 0, mode(0666), ALICE);
    assertThat(v.getattr(fifo).type()).isEqualTo(FileType.FIFO);
    v.setattr(fifo, mode(0600), ALICE);
    v.setattr(fifo, new SetAttr(null, null, null, null, SetAttr.SERVER_TIME, 5_000_000_000L), ALICE);
    assertThat(v.getattr(fifo).mode()).isEqualTo(0600);
    assertThat(v.getattr(fifo).mtimeNanos()).isEqualTo(5_000_000_000L);
    assertThat(errno(() -> v.create(v.root(), "p", SetAttr.NONE, false, new byte[8], ALICE))).isEqualTo(Errno.EXIST);
    assertThat(errno(() -> v.create(v.root(), "p", new SetAttr(null, null, null, 0L, null, null), false, null, ALICE))).isEqualTo(Errno.EXIST);
    assertThat(errno(() -> v.read(fifo, 0, 10, ALICE))).isEqualTo(Errno.INVAL);
    assertThat(errno(() -> v.write(fifo, 0, ByteBuffer.allocate(1), Stability.FILE_SYNC, ALICE))).isEqualTo(Errno.INVAL);
    assertThat(errno(() -> v.setattr(fifo, new SetAttr(null, null, null, 0L, null, null), ALICE))).isEqualTo(Errno.INVAL);
    assertThat(errno(() -> v.mknod(v.root(), "dev", FileType.CHR, 1, 3, SetAttr.NONE, Subject.ROOT))).isEqualTo(Errno.PERM);
  }

  @Test void theKernelClearsSetIdBitsOnANonOwnersWriteAndTruncate() throws Exception {
    KernelVfs v = vfs();
    Fh f = v.create(v.root(), "suid", mode(06777), true, null, ALICE);
    assertThat(v.getattr(f).mode()).isEqualTo(06777);
    v.write(f, 0, ByteBuffer.wrap("x".getBytes()), Stability.UNSTABLE, BOB);
    assertThat(v.getattr(f).mode() & 06000).isZero();
    v.setattr(f, mode(06777), ALICE);
    v.setattr(f, new SetAttr(null, null, null, 0L, null, null), BOB);
    assertThat(v.getattr(f).mode() & 06000).isZero();
    v.setattr(f, mode(06777), ALICE);
    v.write(f, 0, ByteBuffer.wrap("y".getBytes()), Stability.UNSTABLE, Subject.ROOT);        // root keeps CAP_FSETID
    assertThat(v.getattr(f).mode()).isEqualTo(06777);
    Subject anon = new Subject(65534, 65534, new int[0], true);                             // squashed: no set-id bits at all
    Fh planted = v.create(v.root(), "planted", mode(04777), true, null, anon);
    assertThat(v.getattr(planted).mode()).isEqualTo(0777);
    v.setattr(planted, mode(06755), anon);
    assertThat(v.getattr(planted).mode()).isEqualTo(0755);
  }

  @Test void ownerOverrideLetsTheOwnerWriteItsReadOnlyFileButNobodyElse() throws Exception {
    KernelVfs v = vfs();
    Fh f = v.create(v.root(), "ro", mode(0444), true, null, ALICE);
    v.write(f, 0, ByteBuffer.wrap("mine".getBytes()), Stability.FILE_SYNC, ALICE);          // knfsd: open, then chmod
    assertThat(errno(() -> v.write(f, 0, ByteBuffer.allocate(1), Stability.UNSTABLE, BOB))).isEqualTo(Errno.ACCES);
    Fh x = v.create(v.root(), "exec", mode(0711), true, null, ALICE);
    v.write(x, 0, ByteBuffer.wrap("#!".getBytes()), Stability.UNSTABLE, ALICE);
    assertThat(new String(bytes(v.read(x, 0, 2, BOB).data()))).isEqualTo("#!");             // read-if-exec
  }

  @Test void aPosixAclDenyIsHonouredThoughTheModeBitsAllow() throws Exception {
    KernelVfs v = vfs();
    Fh f = v.create(v.root(), "acl", mode(0666), true, null, ALICE);
    // system.posix_acl_access: user::rw- user:1001:--- group::rw- mask::rw- other::rw-
    ByteBuffer acl = ByteBuffer.allocate(4 + 5 * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(2);
    acl.putShort((short) 0x01).putShort((short) 6).putInt(-1);
    acl.putShort((short) 0x02).putShort((short) 0).putInt(1001);
    acl.putShort((short) 0x04).putShort((short) 6).putInt(-1);
    acl.putShort((short) 0x10).putShort((short) 6).putInt(-1);
    acl.putShort((short) 0x20).putShort((short) 6).putInt(-1);
    int r = XattrLib.INSTANCE.setxattr(dir.resolve("acl").toString(), "system.posix_acl_access", acl.array(), acl.capacity(), 0);
    assertThat(r).as("setxattr of the ACL (errno %d)", com.sun.jna.Native.getLastError()).isZero();
    assertThat(errno(() -> v.read(f, 0, 1, BOB))).isEqualTo(Errno.ACCES);
    assertThat(errno(() -> v.write(f, 0, ByteBuffer.allocate(1), Stability.UNSTABLE, BOB))).isEqualTo(Errno.ACCES);
    assertThat(v.access(f, 0x01 | 0x04, BOB)).isZero();
    Subject carol = new Subject(1002, 1002, new int[0]);
    assertThat(v.access(f, 0x01 | 0x04, carol)).isEqualTo(0x01 | 0x04);
  }

  interface XattrLib extends com.sun.jna.Library {
    XattrLib INSTANCE = com.sun.jna.Native.load("c", XattrLib.class);

    int setxattr(String path, String name, byte[] value, long size, int flags);
  }

  @Test void hardLinksFollowTheKernelsProtectedHardlinksAndSupplementaryGroupsCount() throws Exception {
    KernelVfs v = vfs();
    Fh secret = v.create(v.root(), "secret", mode(0600), true, null, ALICE);
    assertThat(errno(() -> v.link(secret, v.root(), "stolen", BOB))).isEqualTo(Errno.PERM);
    v.link(secret, v.root(), "mine", ALICE);
    assertThat(v.getattr(secret).nlink()).isEqualTo(2);
    Fh team = v.mkdir(v.root(), "team", new SetAttr(0770, null, 500, null, null, null), Subject.ROOT);
    assertThat(v.getattr(team).gid()).isEqualTo(500);
    Subject member = new Subject(1003, 1003, new int[] {500});
    Fh made = v.create(team, "by-member", SetAttr.NONE, true, null, member);
    assertThat(v.getattr(made).uid()).isEqualTo(1003);
    assertThat(errno(() -> v.create(team, "by-bob", SetAttr.NONE, true, null, BOB))).isEqualTo(Errno.ACCES);
    assertThat(errno(() -> v.lookup(team, "by-member", BOB))).isEqualTo(Errno.ACCES);
    assertThat(errno(() -> v.setattr(made, new SetAttr(null, null, 0, null, null, null), member))).isEqualTo(Errno.PERM);
  }

  @Test void aSymlinkSwappedInForADirectoryIsNeverFollowed() throws Exception {
    KernelVfs v = vfs();
    Path outside = Files.createTempDirectory("outside");
    Files.writeString(outside.resolve("sentinel"), "outside");
    Fh d = v.mkdir(v.root(), "d", mode(0777), ALICE);
    Files.delete(dir.resolve("d"));                                                  // behind the server's back
    Files.createSymbolicLink(dir.resolve("d"), outside);
    assertThat(errno(() -> v.getattr(d))).isEqualTo(Errno.STALE);
    Fh link = v.lookup(v.root(), "d", ALICE);
    assertThat(v.getattr(link).type()).isEqualTo(FileType.LNK);
    assertThat(errno(() -> v.lookup(link, "sentinel", ALICE))).isEqualTo(Errno.NOTDIR);
    assertThat(errno(() -> v.create(link, "planted", SetAttr.NONE, false, null, ALICE))).isEqualTo(Errno.NOTDIR);
    assertThat(Files.exists(outside.resolve("planted"))).isFalse();
  }

  @Test void unexportableFileSystemsAndMissingDirectoriesAreOneLineErrors() {
    assertThatThrownBy(() -> KernelVfs.open(dir.resolve("missing"), KEY, false, false)).hasMessageContaining("missing")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> KernelVfs.open(Path.of("/proc/1"), KEY, false, false)).hasMessageContaining("cannot give file handles");
  }
}
