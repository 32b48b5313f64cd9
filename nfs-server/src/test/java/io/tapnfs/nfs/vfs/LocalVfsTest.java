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

/** The local-directory backend: handles, confinement, permissions, cookies, data. Runs as root. */
class LocalVfsTest {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  static final Subject ALICE = new Subject(1000, 1000, new int[0]), BOB = new Subject(1001, 1001, new int[0]);

  @TempDir Path dir;

  LocalVfs vfs() throws Exception {
    LocalVfs v = LocalVfs.open(dir, KEY, false, false);
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
    LocalVfs v = vfs();
    Fh d = v.mkdir(v.root(), "d", mode(0777), Subject.ROOT);
    Fh f = v.create(d, "f", mode(0644), true, null, ALICE);
    v.write(f, 0, ByteBuffer.wrap("hello".getBytes()), Stability.FILE_SYNC, ALICE);
    LocalVfs again = vfs();                                            // a restart: same key, empty maps
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
    LocalVfs otherExport = LocalVfs.open(other, KEY, false, false);
    assertThat(otherExport.owns(f)).isFalse();
    assertThatThrownBy(() -> otherExport.getattr(f)).extracting(e -> ((VfsException) e).errno()).isEqualTo(Errno.BADHANDLE);
  }

  @Test void aDeletedFileIsStaleAndANewOneAtTheSameNameIsAnotherHandle() throws Exception {
    LocalVfs v = vfs();
    Fh f = v.create(v.root(), "f", mode(0644), true, null, ALICE);
    v.remove(v.root(), "f", ALICE);
    Fh g = v.create(v.root(), "f", mode(0644), true, null, ALICE);
    assertThat(g).isNotEqualTo(f);
    v.forgetLocations();
    assertThatThrownBy(() -> v.getattr(f)).extracting(e -> ((VfsException) e).errno()).isEqualTo(Errno.STALE);
    assertThat(v.getattr(g).type()).isEqualTo(FileType.REG);
  }

  @Test void theExportIsNeverEscaped() throws Exception {
    LocalVfs v = vfs();
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
    LocalVfs v = vfs();
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
    assertThatThrownBy(() -> v.remove(v.root(), "mine", BOB)).extracting(e -> ((VfsException) e).errno()).isEqualTo(Errno.ACCES);
    LocalVfs ro = LocalVfs.open(dir, KEY, true, false);
    assertThatThrownBy(() -> ro.create(ro.root(), "n", SetAttr.NONE, false, null, Subject.ROOT))
        .extracting(e -> ((VfsException) e).errno()).isEqualTo(Errno.ROFS);
  }

  @Test void dataWritesReadsCommitsAndExclusiveCreateRetransmissions() throws Exception {
    LocalVfs v = vfs();
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
    LocalVfs v = vfs();
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
    LocalVfs v = vfs();
    int n = LocalVfs.OPEN_FILES * 3;
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
}
