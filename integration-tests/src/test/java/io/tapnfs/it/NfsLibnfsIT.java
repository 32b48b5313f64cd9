package io.tapnfs.it;

import static io.tapnfs.it.Lab.HOST_IP;
import static io.tapnfs.it.Lab.STACK_IP;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A second, user-space NFS client: libnfs's nfs-ls and nfs-cp on the kernel side of the bridge
 * list the export and copy 64 MiB in and out; {@code showmount -e} lists the export; and the export is limited to that address, so the
 * guest's kernel client at another address is refused at MOUNT. Needs root and the guest.
 */
class NfsLibnfsIT {
  @Test @Timeout(600)
  void libnfsListsAndCopiesAndAClientNotInTheExportsIsRefused() throws Exception {
    try (Lab lab = Lab.create("libnfs")) {
      Path export = lab.out.resolve("export");
      Files.createDirectories(export);
      Files.writeString(export.resolve("present.txt"), "here\n");
      Path exports = lab.out.resolve("exports");
      Files.writeString(exports, export + " " + HOST_IP + "(rw,no_root_squash)\n");   // the bridge's address only
      lab.startServer("--exports", exports.toString(), "--state-dir", lab.out.resolve("state").toString());
      // showmount asks rpcbind for mountd, then MOUNT EXPORT
      assertThat(lab.exec(Duration.ofSeconds(60), "showmount", "-e", STACK_IP).ok().stdout())
          .containsPattern(java.util.regex.Pattern.quote(export.toString()) + "\\s+" + java.util.regex.Pattern.quote(HOST_IP));
      String url = "nfs://" + STACK_IP + export;
      assertThat(lab.exec(Duration.ofSeconds(60), "nfs-ls", url).ok().stdout()).contains("present.txt");
      Path local = lab.out.resolve("in.bin"), back = lab.out.resolve("back.bin");
      lab.sh(Duration.ofSeconds(60), "head -c 67108864 /dev/urandom > " + local).ok();
      lab.exec(Duration.ofSeconds(300), "nfs-cp", local.toString(), url + "/copied.bin").ok();
      lab.exec(Duration.ofSeconds(300), "nfs-cp", url + "/copied.bin", back.toString()).ok();
      assertThat(NfsGuestIT.sha256(export.resolve("copied.bin"))).isEqualTo(NfsGuestIT.sha256(local));
      assertThat(NfsGuestIT.sha256(back)).isEqualTo(NfsGuestIT.sha256(local));
      // the guest (10.77.0.3) is not in the exports: MNT3ERR_ACCES, the mount fails
      Guest.Run run = Guest.run(lab, "denied", String.join("\n",
          "mkdir -p /mnt",
          "if mount -t nfs -o vers=3,nolock,addr=" + STACK_IP + " " + STACK_IP + ":" + export + " /mnt; then echo MOUNTED; else echo refused; fi",
          ""), Duration.ofSeconds(240));
      assertThat(run.output()).as(run.output() + run.console()).contains("refused").doesNotContain("MOUNTED");
      assertThat(lab.exec("rm", "-f", local.toString(), back.toString()).exit()).isZero();
    }
  }
}
