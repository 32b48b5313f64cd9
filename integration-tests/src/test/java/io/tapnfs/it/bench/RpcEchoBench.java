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
 * Benchmark (a program, not a test): the diagnostic program's ECHO one call at a time from a plain
 * kernel socket ({@link RpcEchoClient}, inside the lab namespace), small and large, against
 * tapnfs (its own stack, over the tap) and, in the same run, the same program served by oncrpc4j
 * on kernel sockets ({@link KernelRpcServer}). Latency p50/p99/max per size: a reply that waits for
 * an ACK or a timer shows in p50 as whole delayed-ACK periods.
 *
 * <p>Run: {@code bench/rpc-echo [--calls N] [--rounds N] [--pcap] [--dumpcap] [--ab-gso] [SIZE...]} (root). Defaults:
 * 2000 calls (a tenth for 64 KiB and up), 2 rounds, sizes 16, 65536 and 1048576. {@code --pcap}
 * captures tapnfs's frames to {@code lab-out/.../echo.pcap} (which costs time on its loop);
 * {@code --dumpcap} captures on the tap's kernel side instead (headers only, kernel timestamps, no
 * cost on tapnfs's loop) to {@code tap.pcapng}. {@code --ab-gso} also runs the same server with
 * segmentation offload switched off ({@code tapnfs set tcp_gso=0}) just before, as "tap-nogso".
 */
public final class RpcEchoBench {
  record Row(String server, int round, int size, int calls, double p50, double p99, double max) {}

  public static void main(String[] args) throws Exception {
    int calls = 2000, rounds = 2;
    boolean pcap = false, dumpcap = false, abGso = false;
    List<String> sizes = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--calls" -> calls = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--pcap" -> pcap = true;
        case "--dumpcap" -> dumpcap = true;
        case "--ab-gso" -> abGso = true;
        default -> sizes.add(Integer.toString(Integer.parseInt(args[i])));
      }
    }
    if (sizes.isEmpty()) sizes = List.of("16", "65536", "1048576");
    List<Row> rows = new ArrayList<>();
    try (Lab lab = Lab.create("bench-rpc-echo")) {
      List<String> extra = new ArrayList<>(List.of("--diag-services"));
      if (pcap) extra.addAll(List.of("--pcap", lab.out.resolve("echo.pcap").toString()));
      Lab.Server server = lab.startServer(extra.toArray(String[]::new));
      if (dumpcap) {
        // the kernel's view of the tap, timestamped by the kernel: nothing runs on tapnfs's loop
        lab.spawn("dumpcap", "dumpcap", "-q", "-i", Lab.STACK_TAP, "-f", "tcp", "-s", "128", "-w", lab.out.resolve("tap.pcapng").toString());
        Thread.sleep(1000);                         // dumpcap needs a moment before it captures
      }
      lab.spawnJava("kernel-rpc", "io.tapnfs.it.bench.KernelRpcServer", Lab.HOST_IP, "6000");
      lab.awaitTcpListener(6000, Duration.ofSeconds(30));
      String p = lab.exec("rpcinfo", "-p", Lab.STACK_IP).ok().stdout();
      Matcher m = Pattern.compile("(?m)^\\s*" + 0x20001234 + "\\s+1\\s+tcp\\s+(\\d+)").matcher(p);
      if (!m.find()) throw new IOException("diag program not registered on tcp:\n" + p);
      String stackPort = m.group(1);
      for (int r = 0; r < rounds; r++) {
        // alternate who goes first
        for (int k = 0; k < 2; k++) {
          boolean stack = (r + k) % 2 == 0;
          if (stack && abGso) {
            // the same server with segmentation offload off, then on again (tapnfs set tcp_gso)
            set(server, "tcp_gso=0");
            rows.addAll(run(lab, "tap-nogso", r, Lab.STACK_IP, stackPort, calls, sizes));
            set(server, "tcp_gso=1");
          }
          rows.addAll(run(lab, stack ? "tapnfs" : "kernel", r, stack ? Lab.STACK_IP : Lab.HOST_IP, stack ? stackPort : "6000",
              calls, sizes));
        }
      }
      // the server's counters (retransmissions, drops, delayed ACKs...) after the run
      java.nio.file.Path stat = lab.out.resolve("stat.txt");
      new ProcessBuilder("java", "-jar", Lab.jar().toString(), "stat", "--control", server.control.toString())
          .redirectErrorStream(true).redirectOutput(stat.toFile()).start().waitFor();
      System.out.println("tapnfs stat: " + stat);
      if (pcap) System.out.println("capture: " + lab.out.resolve("echo.pcap"));
      if (dumpcap) System.out.println("capture: " + lab.out.resolve("tap.pcapng"));
    }
    System.out.printf(Locale.ROOT, "RPC ECHO from a kernel socket, one call at a time, same namespace, same run%n");
    System.out.printf(Locale.ROOT, "%-8s %5s %9s %6s %10s %10s %10s%n", "server", "round", "size", "calls", "p50 us", "p99 us", "max us");
    rows.sort(java.util.Comparator.comparingInt(Row::size).thenComparing(Row::server).thenComparingInt(Row::round));
    for (Row w : rows)
      System.out.printf(Locale.ROOT, "%-8s %5d %9d %6d %10.1f %10.1f %10.1f%n", w.server(), w.round(), w.size(), w.calls(), w.p50(),
          w.p99(), w.max());
  }

  static void set(Lab.Server server, String assignment) throws Exception {
    Process p = new ProcessBuilder("java", "-jar", Lab.jar().toString(), "set", assignment, "--control", server.control.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) throw new IOException("tapnfs set " + assignment + ": " + out);
  }

  static List<Row> run(Lab lab, String name, int round, String host, String port, int calls, List<String> sizes) throws Exception {
    List<String> a = new ArrayList<>(List.of(host, port, Integer.toString(calls)));
    a.addAll(sizes);
    Lab.Result r = lab.execJava(Duration.ofMinutes(10), "io.tapnfs.it.bench.RpcEchoClient", a.toArray(String[]::new));
    Matcher m = Pattern.compile("RESULT size=(\\d+) calls=(\\d+) p50us=([\\d.]+) p99us=([\\d.]+) maxus=([\\d.]+)").matcher(r.stdout());
    List<Row> rows = new ArrayList<>();
    while (m.find())
      rows.add(new Row(name, round, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Double.parseDouble(m.group(3)),
          Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5))));
    if (rows.size() != sizes.size()) throw new IOException("client failed against " + name + ":\n" + r.stdout() + r.stderr());
    return rows;
  }
}
