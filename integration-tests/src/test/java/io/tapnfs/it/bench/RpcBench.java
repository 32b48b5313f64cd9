package io.tapnfs.it.bench;

import io.tapnfs.it.Lab;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark (a program, not a test): RPC NULL calls per second and round-trip p50/p99, one call
 * at a time, over TCP and UDP, to tapnfs's diagnostic program (oncrpc4j on Grizzly on the stack,
 * over the tap) and, in the same run and namespace, to the same program served by oncrpc4j on
 * kernel sockets at the bridge's own address. The client is oncrpc4j on kernel sockets.
 *
 * <p>Run: {@code bench/rpc [CALLS]} (root; builds what it needs).
 */
public final class RpcBench {
  record Figure(String target, String proto, int calls, double seconds, double p50, double p99) {
    double perSec() { return calls / seconds; }
  }

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    List<Figure> figs = new ArrayList<>();
    try (Lab lab = Lab.create("bench-rpc")) {
      lab.startServer("--diag-services");
      lab.spawnJava("kernel-rpc", "io.tapnfs.it.bench.KernelRpcServer", Lab.HOST_IP, "6000");
      lab.awaitTcpListener(6000, Duration.ofSeconds(30));
      String p = lab.exec("rpcinfo", "-p", Lab.STACK_IP).ok().stdout();
      for (String proto : new String[] {"tcp", "udp"}) {
        Matcher m = Pattern.compile("(?m)^\\s*" + 0x20001234 + "\\s+1\\s+" + proto + "\\s+(\\d+)").matcher(p);
        if (!m.find()) throw new IOException("diag program not registered on " + proto + ":\n" + p);
        figs.add(run(lab, "tapnfs " + Lab.STACK_IP, Lab.STACK_IP, proto, m.group(1), calls));
        figs.add(run(lab, "kernel oncrpc4j " + Lab.HOST_IP, Lab.HOST_IP, proto, "6000", calls));
      }
    }
    System.out.printf(Locale.ROOT, "RPC NULL, one call at a time, %d calls per run, same namespace, same run%n", calls);
    System.out.printf(Locale.ROOT, "%-28s %5s %12s %10s %10s%n", "server", "proto", "calls/s", "p50 us", "p99 us");
    for (Figure f : figs)
      System.out.printf(Locale.ROOT, "%-28s %5s %12.0f %10.1f %10.1f%n", f.target(), f.proto(), f.perSec(), f.p50(), f.p99());
    for (String proto : new String[] {"tcp", "udp"}) {
      Figure s = figs.stream().filter(f -> f.target().startsWith("tapnfs") && f.proto().equals(proto)).findFirst().orElseThrow();
      Figure k = figs.stream().filter(f -> f.target().startsWith("kernel") && f.proto().equals(proto)).findFirst().orElseThrow();
      System.out.printf(Locale.ROOT, "ratio tapnfs/kernel over %s: calls/s %.2fx, p50 %.2fx%n", proto, s.perSec() / k.perSec(), s.p50() / k.p50());
    }
  }

  static Figure run(Lab lab, String name, String host, String proto, String port, int calls) throws Exception {
    Lab.Result r = lab.execJava(Duration.ofMinutes(10), "io.tapnfs.it.bench.RpcBenchClient", host, proto, port, Integer.toString(calls));
    Matcher m = Pattern.compile("RESULT calls=(\\d+) seconds=([\\d.]+) p50us=([\\d.]+) p99us=([\\d.]+)").matcher(r.stdout());
    if (!m.find()) throw new IOException("no result from the client:\n" + r.stdout() + r.stderr());
    return new Figure(name, proto, Integer.parseInt(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
        Double.parseDouble(m.group(4)));
  }
}
