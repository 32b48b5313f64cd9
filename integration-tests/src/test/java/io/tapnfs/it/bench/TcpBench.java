package io.tapnfs.it.bench;

import io.tapnfs.it.Lab;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark (a program, not a test): bulk TCP throughput over the tap, kernel → tapnfs and
 * tapnfs → kernel, with one connection and with four, side by side in the same run with kernel
 * → kernel over a veth pair between two namespaces. Prints Gbit/s and the ratios.
 *
 * <p>The kernel end is socat on kernel sockets; the tapnfs end is {@code StackTool} (the stack on
 * the lab's tap, reading or writing from Java threads through blocking sockets). Kernel → tapnfs
 * is timed by tapnfs from the first accept to the last EOF; tapnfs → kernel by tapnfs until every
 * FIN is acknowledged; kernel → kernel by the wall time of the sending socats. MTU 1500
 * everywhere; the veth keeps the kernel's offloads (GSO/GRO); tapnfs has segmentation offload
 * for what it sends (StackTool opens the tap with a vnet header; {@code -Dtapnfs.gso=false}
 * in JAVA_TOOL_OPTIONS without) and none for what it receives.
 *
 * <p>Run: {@code bench/tcp [MiB per direction, default 1024]} (root; builds what it needs).
 */
public final class TcpBench {
  record Figure(String what, int conns, long bytes, double seconds) {
    double gbps() { return bytes * 8 / seconds / 1e9; }
  }

  public static void main(String[] args) throws Exception {
    long total = (args.length > 0 ? Long.parseLong(args[0]) : 1024) << 20;
    List<Figure> figs = new ArrayList<>();
    try (Lab lab = Lab.create("bench-tcp")) {
      lab.spawn("kernel-sink", "socat", "-u", "-b", "262144", "TCP4-LISTEN:5002,reuseaddr,fork", "OPEN:/dev/null");
      lab.awaitTcpListener(5002, Duration.ofSeconds(20));
      kernelToStack(lab, 1, 64L << 20);                                       // warm up: JIT, ARP
      for (int conns : new int[] {1, 4}) {
        figs.add(kernelToStack(lab, conns, total));
        figs.add(stackToKernel(lab, conns, total));
      }
    }
    try (Lab a = Lab.bare("bench-veth-a"); Lab b = Lab.bare("bench-veth-b")) {
      a.ip("link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b.ns);
      a.ip("addr", "add", "10.78.0.1/24", "dev", "va");
      b.ip("addr", "add", "10.78.0.2/24", "dev", "vb");
      a.ip("link", "set", "va", "up");
      b.ip("link", "set", "vb", "up");
      b.spawn("veth-sink", "socat", "-u", "-b", "262144", "TCP4-LISTEN:5003,reuseaddr,fork", "OPEN:/dev/null");
      b.awaitTcpListener(5003, Duration.ofSeconds(20));
      kernelToKernel(a, 1, 64L << 20);
      for (int conns : new int[] {1, 4}) figs.add(kernelToKernel(a, conns, total));
    }
    System.out.printf(Locale.ROOT, "TCP bulk throughput, MTU 1500, %d MiB per run, same machine, same run%n", total >> 20);
    System.out.printf(Locale.ROOT, "%-34s %6s %10s %10s%n", "direction", "conns", "seconds", "Gbit/s");
    for (Figure f : figs)
      System.out.printf(Locale.ROOT, "%-34s %6d %10.3f %10.3f%n", f.what(), f.conns(), f.seconds(), f.gbps());
    for (int conns : new int[] {1, 4}) {
      double veth = find(figs, "kernel -> kernel (veth)", conns).gbps();
      System.out.printf(Locale.ROOT, "ratio to kernel->kernel, %d conn: kernel->tapnfs %.3f, tapnfs->kernel %.3f%n", conns,
          find(figs, "kernel -> tapnfs", conns).gbps() / veth, find(figs, "tapnfs -> kernel", conns).gbps() / veth);
    }
  }

  static Figure find(List<Figure> l, String what, int conns) {
    return l.stream().filter(f -> f.what().equals(what) && f.conns() == conns).findFirst().orElseThrow();
  }

  static Figure kernelToStack(Lab lab, int conns, long total) throws Exception {
    Lab.Server sink = lab.startServer(lab.javaMain("io.tapnfs.it.StackTool", Lab.STACK_TAP, Lab.STACK_IP + "/24", "sink", "5001",
        Integer.toString(conns)));
    sink.awaitLine("tapnfs: listening", Duration.ofSeconds(30));
    List<Process> senders = new ArrayList<>();
    for (int i = 0; i < conns; i++)
      senders.add(lab.spawn("kernel-send-" + i, "socat", "-u", "-b", "262144", "OPEN:/dev/zero,readbytes=" + total / conns,
          "TCP4:" + Lab.STACK_IP + ":5001"));
    for (Process p : senders) waitOk(p);
    if (!sink.process.waitFor(10, TimeUnit.MINUTES)) throw new IOException("sink did not finish");
    return result("kernel -> tapnfs", conns, sink.log());
  }

  static Figure stackToKernel(Lab lab, int conns, long total) throws Exception {
    Lab.Server source = lab.startServer(lab.javaMain("io.tapnfs.it.StackTool", Lab.STACK_TAP, Lab.STACK_IP + "/24", "source",
        Lab.HOST_IP, "5002", Long.toString(total / conns), Integer.toString(conns)));
    if (!source.process.waitFor(10, TimeUnit.MINUTES)) throw new IOException("source did not finish");
    return result("tapnfs -> kernel", conns, source.log());
  }

  static Figure kernelToKernel(Lab a, int conns, long total) throws Exception {
    long t0 = System.nanoTime();
    List<Process> senders = new ArrayList<>();
    for (int i = 0; i < conns; i++)
      senders.add(a.spawn("veth-send-" + i, "socat", "-u", "-b", "262144", "OPEN:/dev/zero,readbytes=" + total / conns,
          "TCP4:10.78.0.2:5003"));
    for (Process p : senders) waitOk(p);
    return new Figure("kernel -> kernel (veth)", conns, total / conns * conns, (System.nanoTime() - t0) / 1e9);
  }

  static void waitOk(Process p) throws Exception {
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) throw new IOException("sender failed: " + p.info());
  }

  static Figure result(String what, int conns, String log) throws IOException {
    Matcher m = Pattern.compile("RESULT bytes=(\\d+) seconds=([\\d.]+)").matcher(log);
    if (!m.find()) throw new IOException("no result from StackTool:\n" + log);
    return new Figure(what, conns, Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)));
  }
}
