package io.tapnfs.nfs.vfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The open-file cache: bounded, and eviction never closes a descriptor a call still uses. Needs root (handles). */
class NodeCacheTest {
  @TempDir Path dir;

  /**
   * Whether descriptor {@code fd} is open on {@code file} (a number closed here may be reused at
   * once by another thread of the test JVM, so the number alone proves nothing).
   */
  static boolean holds(int fd, Path file) {
    try {
      return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString().startsWith(file.toString());
    } catch (java.io.IOException e) {
      return false;
    }
  }

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
      assertThat(holds(pathFd, dir.resolve("a"))).isTrue();
      assertThat(holds(dataFd, dir.resolve("a"))).isTrue();
      assertThat(Sys.pread(dataFd, new byte[1], 1, 0)).isEqualTo(1); // still readable mid-call
      held.close();
      assertThat(holds(pathFd, dir.resolve("a"))).as("closed once the last user let go").isFalse();
      assertThat(holds(dataFd, dir.resolve("a"))).isFalse();
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
    assertThat(holds(fd, dir.resolve("f"))).isFalse();
  }
}
