package io.tapnfs.nfs.vfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The open-file cache: bounded, and eviction never closes a descriptor a call still uses. Needs root (handles). */
class NodeCacheTest {
  @TempDir Path dir;

  static boolean open(int fd) { return Files.exists(Path.of("/proc/self/fd/" + fd)); }

  @Test void anEvictedNodeInUseKeepsItsDescriptorsUntilReleased() throws Exception {
    Files.writeString(dir.resolve("a"), "a");
    Files.writeString(dir.resolve("b"), "b");
    KernelVfs v = KernelVfs.open(dir, new byte[32], KernelVfs.Options.defaults().maxOpenFiles(1));
    Fh a = v.lookup(v.root(), "a", Subject.ROOT);
    KernelVfs.Held held = v.held(a);                              // a call in progress on "a"
    {
      int pathFd = held.fd(), dataFd = held.node().dataFd(false, false);
      v.lookup(v.root(), "b", Subject.ROOT);                      // the cache holds one: "a" is evicted
      assertThat(v.nodes().size()).isEqualTo(1);
      assertThat(v.counters().get("openFileEvictions")).isPositive();
      assertThat(open(pathFd)).isTrue();
      assertThat(open(dataFd)).isTrue();
      assertThat(Sys.pread(dataFd, new byte[1], 1, 0)).isEqualTo(1); // still readable mid-call
      held.close();
      assertThat(open(pathFd)).as("closed once the last user let go").isFalse();
      assertThat(open(dataFd)).isFalse();
    }
    assertThat(v.getattr(a).size()).isEqualTo(1);                 // and the handle still resolves, opened anew
  }

  @Test void aRemovedFileIsForgottenSoItsSpaceIsFreed() throws Exception {
    KernelVfs v = KernelVfs.open(dir, new byte[32], KernelVfs.Options.defaults());
    Fh f = v.create(v.root(), "f", SetAttr.NONE, false, null, Subject.ROOT);
    int fd;
    try (KernelVfs.Held h = v.held(f)) {
      fd = h.node().dataFd(false, false);
    }
    v.remove(v.root(), "f", Subject.ROOT);
    assertThat(open(fd)).isFalse();
  }
}
