package io.tapnfs.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The lab's Linux guest: Debian's kernel and a busybox initramfs under qemu (TCG), attached to the
 * lab bridge through gtap0, running one test script and reporting through its second serial port
 * (lab/run-guest.sh does the work; lab/build-guest.sh built the image before the tests).
 */
public final class Guest {
  private Guest() {}

  /**
   * A script line that waits (30 s at most) until the guest's rpc.statd, which its init starts
   * beside rpcbind, answers over UDP (the kernel's lockd reaches it so); exits 9 if it does not.
   */
  public static final String AWAIT_STATD = "i=0; until rpcinfo -T udp 127.0.0.1 100024 1 >/dev/null 2>&1; do"
      + " i=$((i+1)); [ $i -lt 300 ] || { echo 'no rpc.statd'; cat /run/statd.log; exit 9; }; sleep 0.1; done";

  /** The guest's test output and exit status. */
  public record Run(int exit, String output, String console) {}

  public static Run run(Lab lab, String name, String script, Duration timeout) throws IOException {
    Path lab_ = Path.of(System.getProperty("tapnfs.lab", "lab"));
    Path scriptFile = lab.out.resolve(name + ".sh");
    Files.writeString(scriptFile, script);
    Path result = lab.out.resolve(name + ".result");
    Path console = lab.out.resolve(name + ".console");
    Lab.Result r = Lab.run(List.of("bash", lab_.resolve("run-guest.sh").toString(),
        "--netns", lab.ns, "--tap", Lab.GUEST_TAP, "--ip", Lab.GUEST_IP + "/24",
        "--script", scriptFile.toString(), "--out", result.toString(), "--console", console.toString(),
        "--timeout", Long.toString(timeout.toSeconds())), timeout.plusSeconds(30));
    String out = Files.exists(result) ? Files.readString(result) : "";
    String con = Files.exists(console) ? Files.readString(console) : "";
    return new Run(r.exit(), out, con);
  }
}
