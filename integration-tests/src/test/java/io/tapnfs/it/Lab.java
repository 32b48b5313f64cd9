package io.tapnfs.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A private network for one test: a namespace it creates ({@code ip netns add}), a bridge with the
 * kernel's address 10.77.0.1/24 on it, and persistent taps on the bridge for tapnfs (tn0,
 * 10.77.0.2) and for a qemu guest (gtap0, 10.77.0.3). Every address lives inside the namespace;
 * nothing touches the root namespace. {@link #close} kills what it started and deletes the
 * namespace, which removes the bridge and the taps with it.
 *
 * <p>Needs root and /dev/net/tun: it fails loudly (never skips) where they are missing.
 */
public final class Lab implements AutoCloseable {
  public static final String HOST_IP = "10.77.0.1";
  public static final String STACK_IP = "10.77.0.2";
  public static final String GUEST_IP = "10.77.0.3";
  public static final String BRIDGE = "br0", STACK_TAP = "tn0", GUEST_TAP = "gtap0";
  private static final AtomicInteger SEQ = new AtomicInteger();

  public final String ns;
  public final Path out;
  private final List<Process> started = new ArrayList<>();

  private Lab(String ns, Path out) {
    this.ns = ns;
    this.out = out;
  }

  /** Creates the namespace with the bridge and both taps. */
  public static Lab create(String testName) throws IOException {
    String ns = "tnlab-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    Path out = outDir().resolve(testName + "-" + ns);
    Files.createDirectories(out);
    Lab lab = new Lab(ns, out);
    try {
      host("ip", "netns", "add", ns);
      lab.ip("link", "set", "lo", "up");
      lab.ip("link", "add", BRIDGE, "type", "bridge");
      lab.ip("addr", "add", HOST_IP + "/24", "dev", BRIDGE);
      lab.ip("link", "set", BRIDGE, "up");
      for (String tap : new String[] {STACK_TAP, GUEST_TAP}) {
        lab.ip("tuntap", "add", "dev", tap, "mode", "tap");
        lab.ip("link", "set", tap, "master", BRIDGE);
        lab.ip("link", "set", tap, "up");
      }
    } catch (IOException | RuntimeException e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  /** Only a namespace (no bridge, no taps). */
  public static Lab bare(String testName) throws IOException {
    String ns = "tnlab-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    Path out = outDir().resolve(testName + "-" + ns);
    Files.createDirectories(out);
    host("ip", "netns", "add", ns);
    Lab lab = new Lab(ns, out);
    lab.ip("link", "set", "lo", "up");
    return lab;
  }

  static Path outDir() {
    return Path.of(System.getProperty("tapnfs.out", "target/lab-out"));
  }

  public static Path jar() {
    Path p = Path.of(System.getProperty("tapnfs.jar", "../nfs-server/target/nfs-server-0.1.0-SNAPSHOT-all.jar"));
    if (!Files.isRegularFile(p)) throw new IllegalStateException("tapnfs jar not built: " + p);
    return p;
  }

  /** {@code ip} inside the namespace; fails on a non-zero exit. */
  public void ip(String... args) throws IOException {
    List<String> c = new ArrayList<>(List.of("ip", "-n", ns));
    c.addAll(List.of(args));
    Result r = run(c, Duration.ofSeconds(20));
    if (r.exit != 0) throw new IOException(String.join(" ", c) + " failed: " + r.stderr);
  }

  /** Runs a command inside the namespace. */
  public Result exec(Duration timeout, String... cmd) throws IOException {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    c.addAll(List.of(cmd));
    return run(c, timeout);
  }

  public Result exec(String... cmd) throws IOException { return exec(Duration.ofSeconds(60), cmd); }

  /** Runs a shell snippet inside the namespace. */
  public Result sh(Duration timeout, String script) throws IOException { return exec(timeout, "bash", "-c", script); }

  /** Starts a command inside the namespace in the background, output to {@code name}.log; {@link #close} kills it. */
  public Process spawn(String name, String... cmd) throws IOException {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    c.addAll(List.of(cmd));
    Process p = new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(out.resolve(name + ".log").toFile()).start();
    started.add(p);
    return p;
  }

  /** Waits until something listens on TCP {@code port} inside the namespace. */
  public void awaitTcpListener(int port, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!exec("ss", "-Hltn", "sport = :" + port).stdout().contains(":" + port)) {
      if (System.nanoTime() > deadline) throw new IOException("nothing listens on TCP " + port + " in " + ns);
      try {
        Thread.sleep(50);                           // polling an external process: no event to wait on
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException();
      }
    }
  }

  /** The command that runs a Java main from the test class path inside the namespace. */
  public List<String> javaMain(String mainClass, String... args) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    c.addAll(java(mainClass, args));
    return c;
  }

  private static List<String> java(String mainClass, String... args) {
    List<String> c = new ArrayList<>(List.of("java", "-cp", testClassPath(), mainClass));
    c.addAll(List.of(args));
    return c;
  }

  /**
   * The class path of the tests: {@code java.class.path} under surefire/failsafe, the context
   * class loader's URLs under {@code exec:java} (the benchmarks), where the JVM's own class path is
   * Maven's.
   */
  static String testClassPath() {
    if (Thread.currentThread().getContextClassLoader() instanceof java.net.URLClassLoader u && u.getURLs().length > 0) {
      List<String> parts = new ArrayList<>();
      for (java.net.URL url : u.getURLs()) {
        try {
          parts.add(Path.of(url.toURI()).toString());
        } catch (java.net.URISyntaxException e) {
          throw new IllegalStateException(e);
        }
      }
      return String.join(java.io.File.pathSeparator, parts);
    }
    return System.getProperty("java.class.path");
  }

  /** Runs a Java main from the test class path inside the namespace and waits for it. */
  public Result execJava(Duration timeout, String mainClass, String... args) throws IOException {
    return exec(timeout, java(mainClass, args).toArray(String[]::new));
  }

  /** {@link #spawn} for a Java main from the test class path. */
  public Process spawnJava(String name, String mainClass, String... args) throws IOException {
    return spawn(name, java(mainClass, args).toArray(String[]::new));
  }

  /** Starts tapnfs serve in the namespace on tn0 with 10.77.0.2/24 and waits for "ready". */
  public Server startServer(String... extra) throws IOException {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns, "java", "-jar", jar().toString(), "serve",
        "--tap", STACK_TAP, "--ip", STACK_IP + "/24", "--control", out.resolve("control.sock").toString()));
    c.addAll(List.of(extra));
    return startServer(c);
  }

  /** Starts {@code command}; {@code -Dtapnfs.log.level=DEBUG} (or TRACE, ...) sets the server's TAPNFS_LOG_LEVEL. */
  public Server startServer(List<String> command) throws IOException {
    Path log = out.resolve("server-" + started.size() + ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    String level = System.getProperty("tapnfs.log.level");
    if (level != null) pb.environment().put("TAPNFS_LOG_LEVEL", level);
    Process p = pb.start();
    started.add(p);
    Server s = new Server(p, log, out.resolve("control.sock"));
    s.awaitLine("tapnfs: ready", Duration.ofSeconds(90));
    return s;
  }

  @Override
  public void close() {
    for (Process p : started) Server.stop(p);
    try {
      run(List.of("ip", "netns", "del", ns), Duration.ofSeconds(20));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- processes

  /** A finished command. */
  public record Result(int exit, String stdout, String stderr) {
    public Result ok() {
      if (exit != 0) throw new AssertionError("exit " + exit + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
      return this;
    }
  }

  static void host(String... cmd) throws IOException {
    Result r = run(List.of(cmd), Duration.ofSeconds(20));
    if (r.exit != 0) throw new IOException(String.join(" ", cmd) + " failed (root needed?): " + r.stderr);
  }

  static Result run(List<String> cmd, Duration timeout) throws IOException {
    Path o = Files.createTempFile("lab", ".out"), e = Files.createTempFile("lab", ".err");
    try {
      Process p = new ProcessBuilder(cmd).redirectOutput(o.toFile()).redirectError(e.toFile()).start();
      boolean done;
      try {
        done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        done = false;
      }
      if (!done) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new IOException("timed out after " + timeout + ": " + String.join(" ", cmd)
            + "\nstdout so far:\n" + Files.readString(o) + "\nstderr so far:\n" + Files.readString(e));
      }
      return new Result(p.exitValue(), Files.readString(o, StandardCharsets.UTF_8), Files.readString(e, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(o);
      Files.deleteIfExists(e);
    }
  }

  /** A running tapnfs process. */
  public static final class Server {
    public final Process process;
    public final Path log;
    public final Path control;

    Server(Process process, Path log, Path control) {
      this.process = process;
      this.log = log;
      this.control = control;
    }

    public String log() throws IOException { return Files.readString(log); }

    public void awaitLine(String line, Duration timeout) throws IOException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        String s = Files.readString(log);
        if (s.contains(line)) return;
        if (!process.isAlive()) throw new IOException("tapnfs exited with " + process.exitValue() + " before '" + line + "':\n" + s);
        try {
          Thread.sleep(100);   // polling a log file for start-up, not timing a test
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted");
        }
      }
      throw new IOException("no '" + line + "' from tapnfs within " + timeout + ":\n" + Files.readString(log));
    }

    /** SIGTERM, and wait for a clean exit. @return the exit code */
    public int stop() throws IOException {
      process.toHandle().descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) throw new IOException("tapnfs did not stop within 20 s of SIGTERM");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return process.exitValue();
    }

    static void stop(Process p) {
      if (!p.isAlive()) return;
      p.toHandle().descendants().forEach(ProcessHandle::destroy);
      p.destroy();
      try {
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
