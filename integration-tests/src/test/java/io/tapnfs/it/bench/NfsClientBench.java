package io.tapnfs.it.bench;

import io.tapnfs.it.Lab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Benchmark (a program, not a test): a user-space NFSv3 client ({@link NfsClientLoad} on
 * oncrpc4j, kernel TCP, inside the lab namespace) against tapnfs (its own stack, over the tap, at
 * 10.77.0.2) and against Debian's nfs-ganesha with FSAL_VFS (kernel sockets at the bridge address
 * 10.77.0.1, {@code lab/ganesha.sh} in its own mount and PID namespace), same namespace, same run.
 * Unlike {@link NfsBench} no qemu guest is in the way, so the servers' own costs show.
 *
 * <p>Both servers export the same directory (one file system, one set of kernel caches), and each
 * pass works in names of its own. The LIST-entry directory is made here, directly in the export
 * before the servers start, not over NFS. Rounds alternate which server goes first; the table shows
 * medians, the tapnfs/ganesha ratio and the server's CPU (utime + stime of its process: tapnfs's
 * JVM, ganesha.nfsd) per unit of work.
 *
 * <p>Run: {@code bench/nfs-client [--quick] [--files N] [--mib N] [--list N] [--nulls N]
 * [--rounds N] [--in-flight N] [--maxcount BYTES] [--sync] [--pcap] [--tapnfs-arg ARG]} (root;
 * builds what it needs and installs nfs-ganesha; {@code --pcap} has tapnfs capture to
 * {@code tapnfs.pcap}, {@code --tapnfs-arg} passes one more argument to tapnfs serve). Defaults: 5000 files, 1024 MiB, 100000 entries, 20000 NULLs, 3 rounds, 8 in flight,
 * READDIRPLUS maxcount 64 KiB (dircount 8 KiB); {@code --quick}: 500 files, 64 MiB, 10000 entries,
 * 2000 NULLs. The table also goes to {@code lab-out/nfs-client-bench.txt}.
 */
public final class NfsClientBench {
  static final String[] SERVERS = {"tapnfs", "ganesha"};

  /** A timed step of one pass. */
  record Result(String server, int round, String step, long work, double seconds, long ticks, long calls) {}

  record Latency(String server, int round, long p50, long p99) {}

  /** The options, with their defaults. */
  static final class Options {
    int files = 5000, mib = 1024, list = 100_000, nulls = 20_000, rounds = 3, inFlight = 8, maxcount = 64 * 1024;
    /** tapnfs's export: async (like ganesha's FSAL_VFS, which commits no metadata) unless --sync. */
    boolean sync;
    /** --pcap: tapnfs captures its frames to lab-out/.../tapnfs.pcap (costs time on its loop). */
    boolean pcap;
    /** --tapnfs-arg ARG (repeatable): more arguments for tapnfs serve, e.g. --no-gso or --sysctl=tcp_gso=0. */
    final List<String> tapnfsArgs = new java.util.ArrayList<>();

    static Options parse(String[] a) {
      Options o = new Options();
      for (int i = 0; i < a.length; i++) {
        switch (a[i]) {
          case "--quick" -> {
            o.files = 500;
            o.mib = 64;
            o.list = 10_000;
            o.nulls = 2000;
          }
          case "--files" -> o.files = Integer.parseInt(a[++i]);
          case "--mib" -> o.mib = Integer.parseInt(a[++i]);
          case "--list" -> o.list = Integer.parseInt(a[++i]);
          case "--nulls" -> o.nulls = Integer.parseInt(a[++i]);
          case "--rounds" -> o.rounds = Integer.parseInt(a[++i]);
          case "--in-flight" -> o.inFlight = Integer.parseInt(a[++i]);
          case "--maxcount" -> o.maxcount = Integer.parseInt(a[++i]);
          case "--sync" -> o.sync = true;
          case "--pcap" -> o.pcap = true;
          case "--tapnfs-arg" -> o.tapnfsArgs.add(a[++i]);
          default -> throw new IllegalArgumentException("unknown option " + a[i] + "\nusage: bench/nfs-client [--quick] [--files N] "
              + "[--mib N] [--list N] [--nulls N] [--rounds N] [--in-flight N] [--maxcount BYTES] [--sync] [--pcap] [--tapnfs-arg ARG]");
        }
      }
      return o;
    }
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    long hz = Long.parseLong(run("getconf", "CLK_TCK").trim());
    String output;
    Path outDir = Path.of(System.getProperty("tapnfs.out", "target/lab-out")).toAbsolutePath();
    Path export;
    try (Lab lab = Lab.create("bench-nfs-client")) {
      Path out = lab.out.toAbsolutePath();
      export = Files.createDirectories(out.resolve("export"));
      String listDir = "list-" + o.list;
      long t0 = System.nanoTime();
      Path ld = Files.createDirectories(export.resolve(listDir));
      for (int i = 0; i < o.list; i++) Files.createFile(ld.resolve("e" + i));
      System.err.printf(Locale.ROOT, "nfs-client-bench: %d empty files made in %s in %.1f s%n", o.list, ld, (System.nanoTime() - t0) / 1e9);
      Path exports = out.resolve("exports");
      Files.writeString(exports, export + " *(rw,no_root_squash,insecure," + (o.sync ? "sync" : "async") + ")\n");
      List<String> serve = new java.util.ArrayList<>(List.of("--exports", exports.toString(), "--state-dir", out.resolve("state").toString()));
      if (o.pcap) serve.addAll(List.of("--pcap", out.resolve("tapnfs.pcap").toString()));
      serve.addAll(o.tapnfsArgs);
      Lab.Server tapnfs = lab.startServer(serve.toArray(String[]::new));
      Process ganesha = NfsBench.startGanesha(lab, export, out.resolve("ganesha"));
      try {
        long tapnfsPid = tapnfs.process.pid(), ganeshaPid = ganesha.descendants()
            .filter(h -> comm(h.pid()).equals("ganesha.nfsd")).mapToLong(ProcessHandle::pid).findFirst()
            .orElseThrow(() -> new IOException("no ganesha.nfsd under " + ganesha.pid()));
        if (!comm(tapnfsPid).equals("java")) throw new IOException("tapnfs pid " + tapnfsPid + " is " + comm(tapnfsPid) + ", not java");
        List<String> cmd = lab.javaMain("io.tapnfs.it.bench.NfsClientLoad",
            "--server", "tapnfs", Lab.STACK_IP, export.toString(), Long.toString(tapnfsPid),
            "--server", "ganesha", Lab.HOST_IP, NfsBench.GANESHA_PSEUDO, Long.toString(ganeshaPid),
            "--files", Integer.toString(o.files), "--mib", Integer.toString(o.mib), "--list-dir", listDir,
            "--list", Integer.toString(o.list), "--nulls", Integer.toString(o.nulls), "--rounds", Integer.toString(o.rounds),
            "--in-flight", Integer.toString(o.inFlight), "--maxcount", Integer.toString(o.maxcount));
        Path loadOut = out.resolve("client.out");
        Process client = new ProcessBuilder(cmd).redirectOutput(loadOut.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (!client.waitFor(4, TimeUnit.HOURS)) {
          client.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          throw new IOException("the client did not finish within 4 hours:\n" + Files.readString(loadOut));
        }
        output = Files.readString(loadOut);
        if (client.exitValue() != 0 || !output.contains("\nDONE")) throw new IOException("the client failed (" + client.exitValue() + "):\n" + output);
        String log = tapnfs.log();
        if (log.contains("internal error")) System.err.println("nfs-client-bench: tapnfs logged an internal error; see " + tapnfs.log);
      } finally {
        NfsBench.stop(ganesha);
      }
    }
    deleteTree(export);                                 // LIST empty files per run would pile up under target/
    String table = table(o, hz, output);
    System.out.print(table);
    Files.createDirectories(outDir);
    Files.writeString(outDir.resolve("nfs-client-bench.txt"), table);
  }

  static String comm(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String s = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + s);
    return s;
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
    }
  }

  // ------------------------------------------------------------------ the table

  /** A row: a step, how its work is counted, and how its rate and CPU figure are made. */
  record Row(String step, String label, String unit, double perUnit, String cpuUnit, double cpuPer) {}

  static String table(Options o, long hz, String output) {
    List<Result> results = new ArrayList<>();
    List<Latency> lats = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^RESULT (\\S+) (\\d+) (\\S+) (\\d+) ([\\d.]+) (-?\\d+) (\\d+)$").matcher(output);
    while (m.find())
      results.add(new Result(m.group(1), Integer.parseInt(m.group(2)), m.group(3), Long.parseLong(m.group(4)),
          Double.parseDouble(m.group(5)), Long.parseLong(m.group(6)), Long.parseLong(m.group(7))));
    m = Pattern.compile("(?m)^LATENCY (\\S+) (\\d+) (\\d+) (\\d+)$").matcher(output);
    while (m.find())
      lats.add(new Latency(m.group(1), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)), Long.parseLong(m.group(4))));

    double gib = 1L << 30, mib = 1 << 20;
    String files = String.format(Locale.ROOT, "%,d", o.files);
    List<Row> rows = List.of(
        new Row("create", "CREATE UNCHECKED, " + files + " in one dir", "ops/s", 1, "s/1k ops", 1000),
        new Row("lookup", "LOOKUP of each (= stat)", "ops/s", 1, "s/1k ops", 1000),
        new Row("readdirplus", "READDIRPLUS of those " + files, "entries/s", 1, "s/1k ent", 1000),
        new Row("remove", "REMOVE of each", "ops/s", 1, "s/1k ops", 1000),
        new Row("list", String.format(Locale.ROOT, "READDIRPLUS, %,d-entry dir", o.list), "entries/s", 1, "s/1k ent", 1000),
        new Row("write", String.format(Locale.ROOT, "WRITE %d MiB UNSTABLE x%d+COMMIT", o.mib, o.inFlight), "MiB/s", mib, "s/GiB", gib),
        new Row("read", String.format(Locale.ROOT, "READ %d MiB x%d, checked", o.mib, o.inFlight), "MiB/s", mib, "s/GiB", gib),
        new Row("null", String.format(Locale.ROOT, "NULL x%,d, one at a time", o.nulls), "calls/s", 1, "s/1k calls", 1000));

    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "NFSv3 from a user-space client (oncrpc4j 3.4.2 on kernel TCP, in the lab namespace, one connection per server)%n"
        + "tapnfs %s (its own TCP/IP, over a tap) vs nfs-ganesha %s (FSAL_VFS, kernel sockets); one export directory, same run%n"
        + "median of %d round(s), interleaved (tapnfs first in even rounds, ganesha in odd); a smaller warm-up pass over both first%n",
        Lab.STACK_IP, Lab.HOST_IP, o.rounds));
    output.lines().filter(l -> l.startsWith("INFO ")).forEach(l -> b.append("  ").append(l.substring(5)).append('\n'));
    b.append(String.format(Locale.ROOT, "%-36s %-9s %10s %10s %7s | %-10s %8s %8s%n", "operation", "unit", "tapnfs", "ganesha",
        "t/g", "server CPU", "tapnfs", "ganesha"));
    for (Row r : rows) {
      double t = median(results, "tapnfs", r.step(), x -> x.work() / r.perUnit() / x.seconds());
      double g = median(results, "ganesha", r.step(), x -> x.work() / r.perUnit() / x.seconds());
      double tc = median(results, "tapnfs", r.step(), x -> cpu(x, hz) / (x.work() / r.cpuPer()));
      double gc = median(results, "ganesha", r.step(), x -> cpu(x, hz) / (x.work() / r.cpuPer()));
      b.append(String.format(Locale.ROOT, "%-36s %-9s %10s %10s %7s | %-10s %8s %8s%n", r.label(), r.unit(), num(t, 1), num(g, 1),
          ratio(t, g), r.cpuUnit(), num(tc, 4), num(gc, 4)));
    }
    double t50 = medianLat(lats, "tapnfs", true), g50 = medianLat(lats, "ganesha", true);
    double t99 = medianLat(lats, "tapnfs", false), g99 = medianLat(lats, "ganesha", false);
    b.append(String.format(Locale.ROOT, "%-36s %-9s %10s %10s %7s | lower = tapnfs faster%n", "NULL latency p50", "us", num(t50, 1),
        num(g50, 1), ratio(t50, g50)));
    b.append(String.format(Locale.ROOT, "%-36s %-9s %10s %10s %7s |%n", "NULL latency p99", "us", num(t99, 1), num(g99, 1), ratio(t99, g99)));
    b.append("t/g: tapnfs / ganesha; for rates above 1 means tapnfs is faster, for latencies below 1 does.\n"
        + "server CPU: utime+stime of the server process during the step, per unit (" + hz + " ticks/s).\n"
        + "LOOKUP of each name is what a Linux client's stat costs with cold caches (the attributes come with the LOOKUP).\n"
        + String.format(Locale.ROOT, "READDIRPLUS: maxcount %d, dircount %d (Linux asks for an eighth of maxcount).%n", o.maxcount, o.maxcount / 8)
        + (o.sync
            ? "tapnfs's export is sync (exports(5)'s default): it fsyncs directory and inode on every CREATE, REMOVE, MKDIR\n"
              + "(knfsd's commit_metadata); ganesha's FSAL_VFS does not, so the metadata rows compare unlike durability.\n"
            : "tapnfs's export is async, like ganesha's FSAL_VFS (no metadata commit); --sync measures exports(5)'s default.\n")
        + "Both fsync at COMMIT.\n");

    Map<String, String> calls = new TreeMap<>();
    for (String step : new String[] {"readdirplus", "list", "write", "read"})
      calls.put(step, String.format(Locale.ROOT, "%s / %s", num(median(results, "tapnfs", step, x -> x.calls()), 0),
          num(median(results, "ganesha", step, x -> x.calls()), 0)));
    b.append("calls per step (tapnfs / ganesha): ").append(calls).append('\n');
    b.append("seconds per round (tapnfs / ganesha):\n");
    for (Row r : rows) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-12s", r.step()));
      for (int i = 0; i < o.rounds; i++)
        line.append(String.format(Locale.ROOT, "  %8s / %8s", secs(results, "tapnfs", r.step(), i), secs(results, "ganesha", r.step(), i)));
      b.append(line).append('\n');
    }
    List<String> issues = output.lines().filter(l -> l.startsWith("FAIL ") || l.startsWith("NOTE ")).toList();
    if (!issues.isEmpty()) {
      b.append("server failures and oddities (a FAIL ends that pass; its later steps are missing from the medians):\n");
      for (String l : issues) b.append("  ").append(l).append('\n');
    }
    return b.toString();
  }

  static double cpu(Result r, long hz) { return r.ticks() < 0 ? Double.NaN : (double) r.ticks() / hz; }

  static double median(List<Result> rs, String server, String step, ToDoubleFunction<Result> f) {
    return median(rs.stream().filter(x -> x.server().equals(server) && x.step().equals(step)).mapToDouble(f).toArray());
  }

  static double medianLat(List<Latency> ls, String server, boolean p50) {
    return median(ls.stream().filter(x -> x.server().equals(server)).mapToDouble(x -> (p50 ? x.p50() : x.p99()) / 1e3).toArray());
  }

  static double median(double[] v) {
    if (v.length == 0) return Double.NaN;
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  static String secs(List<Result> rs, String server, String step, int round) {
    return rs.stream().filter(x -> x.server().equals(server) && x.step().equals(step) && x.round() == round).findFirst()
        .map(x -> String.format(Locale.ROOT, "%.3f", x.seconds())).orElse("-");
  }

  static String num(double v, int decimals) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  static String ratio(double t, double g) {
    return Double.isNaN(t) || Double.isNaN(g) || g == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", t / g);
  }
}
