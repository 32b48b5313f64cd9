package io.tapnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.netstack.ethernet.MacAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackMacTest {
  @TempDir Path state;
  static final MacAddress KERNEL = MacAddress.parse("02:11:22:33:44:55");

  @Test void theMacIsMadeOnceAndKeptAcrossRestartsPerTap() throws Exception {
    MacAddress first = StackMac.load(state, "tn0", KERNEL);
    assertThat(StackMac.load(state, "tn0", KERNEL)).isEqualTo(first);          // a restart
    assertThat(first).isNotEqualTo(KERNEL);
    assertThat(StackMac.load(state, "tn1", KERNEL)).isNotEqualTo(first);       // another tap, another MAC
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("mac-tn0")))).isEqualTo("rw-------");
  }

  @Test void aDamagedFileOrTheTapsOwnMacIsReplaced() throws Exception {
    Files.writeString(state.resolve("mac-tn0"), "not a mac\n");
    MacAddress m = StackMac.load(state, "tn0", KERNEL);
    assertThat(StackMac.load(state, "tn0", KERNEL)).isEqualTo(m);
    Files.writeString(state.resolve("mac-tn0"), KERNEL + "\n");
    assertThat(StackMac.load(state, "tn0", KERNEL)).isNotEqualTo(KERNEL);
  }
}
