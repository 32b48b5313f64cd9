package io.tapnfs.nfs.nsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NsmStoreTest {
  static final Inet4Address A = ip("10.77.0.3"), B = ip("10.77.0.4");

  @TempDir Path stateDir;

  static Inet4Address ip(String s) { return (Inet4Address) Ipv4Address.parse(s).toInet(); }

  NsmStore open() throws IOException { return NsmStore.open(stateDir, 8); }

  Path nsm(String... more) { return stateDir.resolve(Path.of(NsmStore.DIR, more)); }

  static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test void theStateIsOneAtAFirstStartAndTheNextOddNumberAtEachStart() throws IOException {
    assertThat(open().state()).isEqualTo(1);
    assertThat(open().state()).isEqualTo(3);
    assertThat(open().state()).isEqualTo(5);
    assertThat(Files.readString(nsm("state"))).isEqualTo("5\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nsm("state")))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nsm()))).isEqualTo("rwx------");
    assertThat(names(nsm())).containsExactly("sm", "sm.bak", "state");           // no temporary file left
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"-1, 1", "0, 1", "1, 3", "4, 5", "7, 9", "2147483645, 2147483647", "2147483647, 1", "2147483646, 2147483647"})
  void theNextStateIsOddAndWraps(int old, int next) {
    assertThat(NsmStore.next(old)).isEqualTo(next);
  }

  @Test void anEvenStateWrittenByOthersGoesToTheNextOdd() throws IOException {
    Files.createDirectories(nsm());
    Files.writeString(nsm("state"), "8");                                    // no newline: still read
    assertThat(open().state()).isEqualTo(9);
  }

  /** A crash while writing leaves the temporary file half written and the old state whole. */
  @Test void aHalfWrittenTemporaryFileIsIgnoredAndRemoved() throws IOException {
    open();
    open();                                                                  // state 3
    Files.writeString(nsm(".state.tmp"), "9");                               // cut short before the rename
    Files.writeString(nsm("sm", ".guest.tmp"), "name=gue");                  // a record cut short
    NsmStore s = open();
    assertThat(s.state()).isEqualTo(5);
    assertThat(s.stateReinitialized()).isFalse();
    assertThat(s.toNotify()).isEmpty();
    assertThat(names(nsm())).containsExactly("sm", "sm.bak", "state");
    assertThat(names(nsm("sm"))).isEmpty();
    assertThat(names(nsm("sm.bak"))).isEmpty();
  }

  @Test void aStateFileThatDoesNotParseStartsOverAsNfsUtilsDoes() throws IOException {
    Files.createDirectories(nsm());
    Files.writeString(nsm("state"), "\u0003\u0000\u0000\u0000");            // nfs-utils' binary int
    NsmStore s = open();
    assertThat(s.state()).isEqualTo(1);
    assertThat(s.stateReinitialized()).isTrue();
    Files.writeString(nsm("state"), "9".repeat(40));
    assertThat(open().state()).isEqualTo(1);
  }

  @Test void monitorWritesTheRecordBeforeReturningAndOnlyWhenItChanges() throws IOException {
    NsmStore s = open();
    assertThat(s.monitor(new MonitorRecord("Guest", A))).isTrue();
    assertThat(Files.readString(nsm("sm", "guest"))).isEqualTo("name=Guest\naddress=10.77.0.3\n");
    assertThat(s.monitor(new MonitorRecord("Guest", A))).isFalse();
    assertThat(s.monitor(new MonitorRecord("guest", B))).isTrue();           // same client, moved
    assertThat(Files.readString(nsm("sm", "guest"))).isEqualTo("name=guest\naddress=10.77.0.4\n");
    assertThat(s.monitored()).containsExactly(new MonitorRecord("guest", B));
    assertThat(s.monitoredAs("GUEST")).isEqualTo(new MonitorRecord("guest", B));
    assertThat(names(nsm("sm"))).containsExactly("guest");
  }

  @Test void unmonitorRemovesTheRecord() throws IOException {
    NsmStore s = open();
    s.monitor(new MonitorRecord("a", A));
    s.monitor(new MonitorRecord("b", B));
    assertThat(s.unmonitor("A")).isTrue();
    assertThat(s.unmonitor("a")).isFalse();
    assertThat(names(nsm("sm"))).containsExactly("b");
    assertThat(s.monitored()).containsExactly(new MonitorRecord("b", B));
  }

  @Test void aStartRetiresTheMonitoredClientsUntilEachIsNotified() throws IOException {
    NsmStore first = open();
    first.monitor(new MonitorRecord("a", A));
    first.monitor(new MonitorRecord("b", B));
    NsmStore second = open();
    assertThat(second.monitored()).isEmpty();
    assertThat(names(nsm("sm"))).isEmpty();
    assertThat(names(nsm("sm.bak"))).containsExactly("a", "b");
    assertThat(second.toNotify()).extracting(NsmStore.Retired::client)
        .containsExactly(new MonitorRecord("a", A), new MonitorRecord("b", B));
    second.notified(second.toNotify().get(0));
    assertThat(names(nsm("sm.bak"))).containsExactly("b");
    second.monitor(new MonitorRecord("a", A));                               // a reclaims: monitored again
    NsmStore third = open();                                                 // b never answered: told again
    assertThat(third.toNotify()).extracting(NsmStore.Retired::client)
        .containsExactly(new MonitorRecord("a", A), new MonitorRecord("b", B));
  }

  @Test void aNewerRecordReplacesOneStillToNotify() throws IOException {
    open().monitor(new MonitorRecord("a", A));
    NsmStore second = open();                                                // a in sm.bak, not told
    second.monitor(new MonitorRecord("a", B));                               // a at another address now
    assertThat(open().toNotify()).extracting(NsmStore.Retired::client).containsExactly(new MonitorRecord("a", B));
  }

  @Test void moreClientsThanTheStoreKeepsAreRefused() throws IOException {
    NsmStore s = NsmStore.open(stateDir, 2);
    s.monitor(new MonitorRecord("a", A));
    s.monitor(new MonitorRecord("b", B));
    assertThatThrownBy(() -> s.monitor(new MonitorRecord("c", A))).isInstanceOf(NsmStore.Full.class);
    s.monitor(new MonitorRecord("b", A));                                    // one it has may still move
    assertThat(names(nsm("sm"))).containsExactly("a", "b");
  }

  @Test void aStartLoadsAtMostMaxClientsAndLeavesTheRest() throws IOException {
    NsmStore s = NsmStore.open(stateDir, 3);
    for (String n : new String[] {"a", "b", "c"}) s.monitor(new MonitorRecord(n, A));
    NsmStore.open(stateDir, 3).monitor(new MonitorRecord("d", A));           // a, b, c to notify; d monitored
    NsmStore small = NsmStore.open(stateDir, 2);
    assertThat(small.toNotify()).extracting(r -> r.client().name()).containsExactly("a", "b");
    assertThat(names(nsm("sm.bak"))).containsExactly("a", "b", "c", "d");
  }

  @Test void filesThatAreNotRecordsAreDeletedOrSkipped() throws IOException {
    open().monitor(new MonitorRecord("good", A));
    Files.writeString(nsm("sm", "bad"), "name=bad\n");
    Files.writeString(nsm("sm", "huge"), "x".repeat(MonitorRecord.MAX_FILE_BYTES + 1));
    Files.createDirectory(nsm("sm", "dir"));
    Path outside = Files.writeString(stateDir.resolve("outside"), new MonitorRecord("evil", B).format());
    Files.createSymbolicLink(nsm("sm", "link"), outside);
    NsmStore s = open();
    assertThat(s.toNotify()).extracting(NsmStore.Retired::client).containsExactly(new MonitorRecord("good", A));
    assertThat(s.corruptRecords()).isEqualTo(2);
    assertThat(names(nsm("sm.bak"))).containsExactly("dir", "good", "link");
    assertThat(Files.readString(outside)).contains("evil");                   // never followed, never touched
  }
}
