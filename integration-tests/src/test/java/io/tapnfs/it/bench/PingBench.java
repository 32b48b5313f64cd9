package io.tapnfs.it.bench;

import io.tapnfs.it.Lab;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark (a program, not a test): flood-ping round trips and frames per second to tapnfs over
 * its tap, side by side with the same flood to the kernel's own address in the same namespace,
 * in one run. Prints both and the ratio.
 *
 * <p>Run: {@code bench/ping [COUNT] [SIZE]} (root; builds what it needs).
 */
public final class PingBench {
  record Figures(String target, int count, double lossPct, double minMs, double avgMs, double maxMs, double mdevMs,
                 double wallMs) {
    /** Frames per second through the target: each round trip is two frames. */
    double framesPerSec() { return 2.0 * count * (1 - lossPct / 100) / (wallMs / 1000); }
  }

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int size = args.length > 1 ? Integer.parseInt(args[1]) : 56;
    try (Lab lab = Lab.create("bench")) {
      lab.startServer();
      lab.exec("ping", "-c", "3", "-W", "2", Lab.STACK_IP).ok();        // warm up: ARP, JIT
      flood(lab, Lab.STACK_IP, 5000, size);
      Figures stack = flood(lab, Lab.STACK_IP, count, size);
      Figures kernel = flood(lab, Lab.HOST_IP, count, size);
      System.out.printf(Locale.ROOT, "flood ping, %d packets of %d bytes, same namespace, same run%n", count, size);
      System.out.printf(Locale.ROOT, "%-28s %9s %9s %9s %9s %7s %12s%n", "target", "min ms", "avg ms", "max ms", "mdev ms", "loss%", "frames/s");
      for (Figures f : new Figures[] {stack, kernel})
        System.out.printf(Locale.ROOT, "%-28s %9.3f %9.3f %9.3f %9.3f %7.2f %12.0f%n", f.target(), f.minMs(), f.avgMs(),
            f.maxMs(), f.mdevMs(), f.lossPct(), f.framesPerSec());
      System.out.printf(Locale.ROOT, "ratio tapnfs/kernel: avg rtt %.2fx, frames/s %.2fx%n",
          stack.avgMs() / kernel.avgMs(), stack.framesPerSec() / kernel.framesPerSec());
    }
  }

  static Figures flood(Lab lab, String ip, int count, int size) throws Exception {
    String out = lab.exec(Duration.ofMinutes(10), "ping", "-f", "-q", "-c", Integer.toString(count),
        "-s", Integer.toString(size), "-W", "1", ip).ok().stdout();
    Matcher loss = Pattern.compile("(\\d+(?:\\.\\d+)?)% packet loss, time (\\d+)ms").matcher(out);
    Matcher rtt = Pattern.compile("= ([\\d.]+)/([\\d.]+)/([\\d.]+)/([\\d.]+) ms").matcher(out);
    if (!loss.find() || !rtt.find()) throw new IllegalStateException("cannot read ping output:\n" + out);
    String name = (ip.equals(Lab.STACK_IP) ? "tapnfs " : "kernel (own address) ") + ip;
    return new Figures(name, count, Double.parseDouble(loss.group(1)), Double.parseDouble(rtt.group(1)),
        Double.parseDouble(rtt.group(2)), Double.parseDouble(rtt.group(3)), Double.parseDouble(rtt.group(4)),
        Double.parseDouble(loss.group(2)));
  }
}
