package io.tapnfs.it.bench;

import io.tapnfs.it.Guest;
import io.tapnfs.it.Lab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Benchmark (a program, not a test): the Linux kernel's NFSv3 client in the lab guest against
 * tapnfs (its own stack, over the tap, at 10.77.0.2) and against Debian's nfs-ganesha with
 * FSAL_VFS (kernel sockets at the bridge address 10.77.0.1, started by {@code lab/ganesha.sh} in
 * its own mount and PID namespace), both in the same lab namespace, exporting two directories on
 * the same file system, mounted side by side in one guest boot. Per server and round: a dd write
 * from /dev/zero with {@code conv=fsync} (so COMMIT is in the time), a dd read after dropping the
 * guest's caches, then creating FILES empty files, stat-ing each (caches dropped, so each is a
 * LOOKUP), and {@code rm -r} of them. A smaller pass over both servers goes first, unreported
 * (JIT, caches); rounds alternate which server goes first; the table shows
 * the median of the rounds and tapnfs/ganesha ratios of the rates (above 1: tapnfs is faster).
 *
 * <p>The guest runs under qemu TCG on one vCPU, so absolute figures are low and much of the time
 * is the guest's own; the ratio is what to read. Times come from the guest's /proc/uptime (10 ms).
 *
 * <p>Run: {@code bench/nfs [MiB, default 256] [FILES, default 2000] [ROUNDS, default 3]} (root;
 * builds what it needs and installs nfs-ganesha).
 */
public final class NfsBench {
  static final String GANESHA_PSEUDO = "/ganesha";
  static final String[] OPS = {"write", "read", "create", "stat", "remove"};
  /** A first, unreported pass over both servers: tapnfs's JIT, both servers' caches, ARP. */
  static final int WARMUP_MIB = 64, WARMUP_FILES = 500;

  /** One timed operation in the guest. */
  record Sample(String server, int round, String op, double seconds) {}

  public static void main(String[] args) throws Exception {
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    int files = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    List<Sample> samples;
    List<String> mounts = new ArrayList<>();
    try (Lab lab = Lab.create("bench-nfs")) {
      Path out = lab.out.toAbsolutePath();
      Path tapnfsDir = Files.createDirectories(out.resolve("tapnfs-export"));
      Path ganeshaDir = Files.createDirectories(out.resolve("ganesha-export"));
      Path exports = out.resolve("exports");
      Files.writeString(exports, tapnfsDir + " *(rw,no_root_squash)\n");
      lab.startServer("--exports", exports.toString(), "--state-dir", out.resolve("state").toString());
      Process ganesha = startGanesha(lab, ganeshaDir, out.resolve("ganesha"));
      try {
        Duration timeout = Duration.ofSeconds(300 + rounds * 2L * (mib + files / 10));
        Guest.Run run = Guest.run(lab, "bench-nfs", script(tapnfsDir, mib, files, rounds), timeout);
        if (run.exit() != 0 || !run.output().contains("bench-ok"))
          throw new IOException("guest failed (" + run.exit() + "):\n" + run.output() + "\nconsole:\n" + run.console());
        samples = parse(run.output());
        run.output().lines().filter(l -> l.startsWith("MOUNT ")).forEach(l -> mounts.add(l.substring(6)));
      } finally {
        stop(ganesha);
      }
      for (Path d : new Path[] {tapnfsDir, ganeshaDir})
        try (Stream<Path> s = Files.list(d)) {
          if (s.findAny().isPresent()) throw new IOException(d + " is not empty after the run: a remove did not reach the server");
        }
    }
    if (samples.size() != 2 * rounds * OPS.length) throw new IOException("expected " + 2 * rounds * OPS.length + " results, got " + samples);
    print(samples, mounts, mib, files, rounds);
  }

  /**
   * Starts {@code lab/ganesha.sh} for {@code dir} at the bridge address and waits for its ready
   * line. setpriv ties it to this JVM: if we die, it dies, and takes ganesha and its rpcbind along.
   */
  static Process startGanesha(Lab lab, Path dir, Path work) throws IOException, InterruptedException {
    Files.createDirectories(work);
    Path script = Path.of(System.getProperty("tapnfs.lab", "lab")).resolve("ganesha.sh");
    Path log = work.resolve("ganesha-sh.log");
    Process p = new ProcessBuilder("setpriv", "--pdeathsig", "KILL", "bash", script.toString(), "--netns", lab.ns,
        "--export", dir.toString(), "--work", work.toString(), "--bind", Lab.HOST_IP, "--pseudo", GANESHA_PSEUDO)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!Files.readString(log).contains("ganesha: ready")) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        stop(p);
        throw new IOException("ganesha did not start:\n" + Files.readString(log));
      }
      Thread.sleep(100);                             // polling a log file for start-up, not timing
    }
    return p;
  }

  /** SIGTERM to ganesha.sh (it SIGKILLs its PID namespace), and wait until every process of it is gone. */
  static void stop(Process p) throws InterruptedException {
    List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
    all.add(p.toHandle());
    p.destroy();
    if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(10, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        System.err.println("NfsBench: ganesha process " + h.pid() + " still there after stop");
      }
    }
  }

  /**
   * The guest's script: both mounts, a warm-up pass, then per round and server (alternating which
   * goes first) the five timed steps, each reported as "RESULT server round op start end" (uptime
   * seconds; the warm-up's round is "warmup", which {@link #parse} skips).
   * Only builtins ({@code :}, {@code [}, {@code read}) run inside the file loops: a fork costs
   * more than an NFS call under TCG.
   */
  static String script(Path tapnfsDir, int mib, int files, int rounds) {
    String opts = "vers=3,proto=tcp,nolock", size = mib + " " + files;
    return String.join("\n",
        "set -e",
        "mkdir -p /mnt/t /mnt/g",
        "mount -t nfs -o " + opts + ",addr=" + Lab.STACK_IP + " " + Lab.STACK_IP + ":" + tapnfsDir + " /mnt/t",
        "mount -t nfs -o " + opts + ",addr=" + Lab.HOST_IP + " " + Lab.HOST_IP + ":" + GANESHA_PSEUDO + " /mnt/g",
        "grep ' nfs ' /proc/mounts | sed 's/^/MOUNT /'",
        "drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }",
        "report() { read b x < /proc/uptime; echo \"RESULT $n $r $1 $a $b\"; }",
        "bench() {                                   # NAME DIR ROUND MIB FILES",
        "  n=$1 d=$2 r=$3",
        "  drop; read a x < /proc/uptime",
        "  dd if=/dev/zero of=$d/big bs=1M count=$4 conv=fsync 2>/dev/null",
        "  report write",
        "  drop; read a x < /proc/uptime",
        "  dd if=$d/big of=/dev/null bs=1M 2>/dev/null",
        "  report read",
        "  rm $d/big; mkdir $d/meta",
        "  drop; read a x < /proc/uptime",
        "  i=0; while [ $i -lt $5 ]; do : > $d/meta/f$i; i=$((i + 1)); done",
        "  report create",
        "  drop; read a x < /proc/uptime",
        "  i=0; while [ $i -lt $5 ]; do [ -e $d/meta/f$i ] || { echo missing $d/meta/f$i; exit 1; }; i=$((i + 1)); done",
        "  report stat",
        "  read a x < /proc/uptime",
        "  rm -r $d/meta",
        "  report remove",
        "}",
        "bench tapnfs /mnt/t warmup " + WARMUP_MIB + " " + WARMUP_FILES,
        "bench ganesha /mnt/g warmup " + WARMUP_MIB + " " + WARMUP_FILES,
        "r=0",
        "while [ $r -lt " + rounds + " ]; do",
        "  if [ $((r % 2)) = 0 ]; then bench tapnfs /mnt/t $r " + size + "; bench ganesha /mnt/g $r " + size + ";",
        "  else bench ganesha /mnt/g $r " + size + "; bench tapnfs /mnt/t $r " + size + "; fi",
        "  r=$((r + 1))",
        "done",
        "umount /mnt/t",
        "umount /mnt/g",
        "echo bench-ok",
        "");
  }

  static List<Sample> parse(String output) {
    List<Sample> l = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^RESULT (\\S+) (\\d+) (\\S+) ([\\d.]+) ([\\d.]+)$").matcher(output);
    while (m.find())
      l.add(new Sample(m.group(1), Integer.parseInt(m.group(2)), m.group(3),     // at least one tick of /proc/uptime
          Math.max(0.01, Double.parseDouble(m.group(5)) - Double.parseDouble(m.group(4)))));
    return l;
  }

  static double seconds(List<Sample> samples, String server, String op, int round) {
    return samples.stream().filter(x -> x.server().equals(server) && x.op().equals(op) && x.round() == round)
        .findFirst().orElseThrow().seconds();
  }

  static double median(List<Sample> samples, String server, String op) {
    double[] s = samples.stream().filter(x -> x.server().equals(server) && x.op().equals(op))
        .mapToDouble(Sample::seconds).sorted().toArray();
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  static void print(List<Sample> samples, List<String> mounts, int mib, int files, int rounds) {
    System.out.printf(Locale.ROOT, "NFSv3 from the lab guest (Linux, qemu TCG, 1 vCPU): %d MiB dd, %d files, median of %d rounds, "
        + "same namespace, same run%n", mib, files, rounds);
    for (String m : mounts) System.out.println("  mount: " + m);
    System.out.printf(Locale.ROOT, "%-22s %10s %10s %-8s %8s%n", "operation", "tapnfs", "ganesha", "unit", "ratio");
    for (String op : OPS) {
      boolean bulk = op.equals("write") || op.equals("read");
      double work = bulk ? mib : files;
      double t = work / median(samples, "tapnfs", op), g = work / median(samples, "ganesha", op);
      String label = switch (op) {
        case "write" -> "dd write (fsync)";
        case "read" -> "dd read (cold cache)";
        case "create" -> "create";
        case "stat" -> "stat (cold cache)";
        default -> "remove (rm -r)";
      };
      System.out.printf(Locale.ROOT, "%-22s %10.1f %10.1f %-8s %7.2fx%n", label, t, g, bulk ? "MiB/s" : "files/s", t / g);
    }
    System.out.println("seconds per round (tapnfs / ganesha):");
    for (String op : OPS) {
      StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  %-8s", op));
      for (int r = 0; r < rounds; r++) {
        b.append(String.format(Locale.ROOT, "  %6.2f / %6.2f", seconds(samples, "tapnfs", op, r), seconds(samples, "ganesha", op, r)));
      }
      System.out.println(b);
    }
    System.out.println("ratio: tapnfs rate / ganesha rate (above 1: tapnfs faster)");
  }
}
