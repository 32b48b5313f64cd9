package io.tapnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad flags give one clear line and a non-zero exit, before any device is touched. */
class TapnfsMainTest {
  static String[] run(String... args) {
    CommandLine cl = TapnfsMain.commandLine();
    StringWriter err = new StringWriter(), out = new StringWriter();
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(out));
    int rc = cl.execute(args);
    return new String[] {Integer.toString(rc), err.toString(), out.toString()};
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--ip 10.0.0.300/24            | bad IPv4 address: 10.0.0.300",
      "--ip 10.0.0.2                 | expected A.B.C.D/P",
      "--ip 10.0.0.2/24 --gateway 10.1.0.1 | gateway 10.1.0.1 is not on-link",
      "--mtu 40                      | MTU must be between 68 and 65535",
      "--mac 01:00:00:00:00:01       | is not a unicast address",
      "--sysctl rp_filter=7          | rp_filter must be between 0 and 1",
      "--sysctl nosuch=1             | unknown setting 'nosuch'",
      "--route 10.5.0.0/16           | --route wants DEST/P=GATEWAY",
      "--arp 10.0.0.9=zz:00:00:00:00:01 | For input string",
      "--export /nonexistent/dir     | cannot export /nonexistent/dir: not a directory",
      "--exports /nonexistent/exports | /nonexistent/exports",
      "--export /tmp --no-rpcbind    | NFS needs rpcbind",
      "--export /tmp --export /tmp/  | export /tmp given twice",
      "--nlm-port 70000              | --nlm-port must be between 0 and 65535",
      "--max-locks-per-client 0      | --max-locks-per-client must be at least 1",
      "--max-locks 10 --max-locks-per-client 20 | at most --max-locks (10)",
      "--max-lock-waiters-per-client -1 | --max-lock-waiters-per-client must be at least 0",
      "--lock-wait-max 0             | --lock-wait-max must be at least 1 second"})
  void badServeFlagsGiveOneLine(String flags, String message) {
    String[] args = ("serve " + flags.trim()).split("\\s+");
    String[] r = run(args);
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[1]).startsWith("tapnfs serve: ").contains(message);
    assertThat(r[1].strip().lines().count()).isEqualTo(1);
  }

  @Test void anFsidGivenToTwoExportsFailsBeforeTheTapIsTouched(@TempDir Path dir) throws Exception {
    Path a = Files.createDirectories(dir.resolve("a")), b = Files.createDirectories(dir.resolve("b"));
    Path exports = Files.writeString(dir.resolve("exports"), a + " *(fsid=3)\n" + b + " 10.0.0.1(fsid=3)\n");
    String[] r = run("serve", "--tap", "tapnfs-none", "--exports", exports.toString());
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[1].strip()).isEqualTo("tapnfs serve: fsid=3 is given to both " + a + " and " + b);
  }

  @Test void listSysctlsPrintsEverySetting() {
    String[] r = run("serve", "--list-sysctls");
    assertThat(r[0]).isEqualTo("0");
    for (io.tapnfs.netstack.Sysctl s : io.tapnfs.netstack.Sysctl.values()) assertThat(r[2]).contains(s.key());
  }

  @Test void statWithoutAServerSaysSo() {
    String[] r = run("stat", "--control", "/nonexistent/tapnfs.sock");
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[1]).contains("cannot reach tapnfs at /nonexistent/tapnfs.sock");
  }
}
