package io.tapnfs.it.bench;

import io.tapnfs.it.bench.Nfs3BenchClient.WriteOk;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The client side of {@link NfsClientBench}, run inside the lab namespace on kernel sockets: one
 * {@link Nfs3BenchClient} (one TCP connection) per server, a warm-up pass over both servers, then
 * rounds that alternate which server goes first. A pass, per server:
 * <ol>
 *   <li>{@code create}: MKDIR a fresh directory (untimed), then CREATE UNCHECKED of FILES names in
 *       it, one call at a time;
 *   <li>{@code lookup}: LOOKUP of each name, one at a time: what {@code stat} of a name costs a
 *       Linux client whose caches are cold (LOOKUP returns the attributes; no GETATTR follows);
 *   <li>{@code readdirplus}: READDIRPLUS of that directory until eof, every name checked;
 *   <li>{@code remove}: REMOVE of each name, one at a time (then RMDIR, untimed);
 *   <li>{@code list}: READDIRPLUS of the directory of LIST entries made on the server's side;
 *   <li>{@code write}: MiB MiB in {@code chunk}-byte UNSTABLE WRITEs, IN_FLIGHT outstanding on the
 *       connection, then COMMIT; the COMMIT's verifier must be the WRITEs';
 *   <li>{@code read}: the same file back in {@code chunk}-byte READs, IN_FLIGHT outstanding, every
 *       byte checked against the pattern written;
 *   <li>{@code null}: NULLS NULL calls one at a time, each timed (p50, p99).
 * </ol>
 * READDIRPLUS asks as Linux does (fs/nfs/nfs3xdr.c): maxcount the buffer, dircount an eighth of it.
 *
 * <p>Around each timed step it reads the server process's utime + stime (ticks) from
 * /proc/PID/stat: {@code ip netns exec} changes the network namespace only, so the host's /proc is
 * the one seen here.
 *
 * <p>Output, one line each: {@code INFO server text}, {@code RESULT server round step work seconds
 * ticks calls} (work in operations, entries or bytes), {@code LATENCY server round p50ns p99ns},
 * {@code NOTE server round step text} (a server did something a client must make up for),
 * {@code FAIL server round step: call -> status} (the rest of that pass is skipped), and
 * {@code DONE} at the end. Progress goes to stderr.
 *
 * <p>Arguments: {@code --server NAME HOST EXPORT PID} (once per server), {@code --files N --mib N
 * --list-dir NAME --list N --nulls N --rounds N --in-flight N --maxcount N}.
 */
public final class NfsClientLoad {
  /** The pattern's period: a random MiB; every 4 KiB block starts with its own file offset. */
  static final int BASE = 1 << 20, BLOCK = 4096;
  static final int UNCHECKED = 0;
  /** The warm-up pass: enough for both JITs, ARP and both servers' caches; the listing is the full one. */
  static final int WARMUP_FILES = 500, WARMUP_MIB = 64, WARMUP_NULLS = 2000;

  record Target(String name, InetAddress host, String export, long pid) {}

  record Sizes(int files, long bytes, int nulls) {}

  final String listDir;
  final int listEntries, inFlight, maxcount;
  final byte[] base = new byte[BASE];

  NfsClientLoad(String listDir, int listEntries, int inFlight, int maxcount) {
    this.listDir = listDir;
    this.listEntries = listEntries;
    this.inFlight = inFlight;
    this.maxcount = maxcount;
    new SplittableRandom(1813).nextBytes(base);
  }

  public static void main(String[] a) throws Exception {
    List<Target> targets = new ArrayList<>();
    int files = 5000, mib = 1024, list = 100_000, nulls = 20_000, rounds = 3, inFlight = 8, maxcount = 64 * 1024;
    String listDir = null;
    for (int i = 0; i < a.length; i++) {
      switch (a[i]) {
        case "--server" -> {
          targets.add(new Target(a[i + 1], InetAddress.getByName(a[i + 2]), a[i + 3], Long.parseLong(a[i + 4])));
          i += 4;
        }
        case "--files" -> files = Integer.parseInt(a[++i]);
        case "--mib" -> mib = Integer.parseInt(a[++i]);
        case "--list-dir" -> listDir = a[++i];
        case "--list" -> list = Integer.parseInt(a[++i]);
        case "--nulls" -> nulls = Integer.parseInt(a[++i]);
        case "--rounds" -> rounds = Integer.parseInt(a[++i]);
        case "--in-flight" -> inFlight = Integer.parseInt(a[++i]);
        case "--maxcount" -> maxcount = Integer.parseInt(a[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + a[i]);
      }
    }
    NfsClientLoad load = new NfsClientLoad(listDir, list, inFlight, maxcount);
    List<Nfs3BenchClient> clients = new ArrayList<>();
    try {
      for (Target t : targets) {
        Nfs3BenchClient c = Nfs3BenchClient.mount(t.host(), t.export());
        clients.add(c);
        Nfs3BenchClient.FsInfo fi = c.fsinfo();
        System.out.printf(Locale.ROOT, "INFO %s fsinfo rtmax=%d rtpref=%d wtmax=%d wtpref=%d dtpref=%d%n", t.name(), fi.rtmax(),
            fi.rtpref(), fi.wtmax(), fi.wtpref(), fi.dtpref());
      }
      int chunk = BASE;                                 // 1 MiB, or the largest power of two both servers take
      for (Nfs3BenchClient c : clients) {
        Nfs3BenchClient.FsInfo fi = c.fsinfo();
        chunk = (int) Math.min(chunk, Long.highestOneBit(Math.min(fi.rtmax(), fi.wtmax())));
      }
      System.out.println("INFO all chunk=" + chunk);
      Sizes warm = new Sizes(Math.min(files, WARMUP_FILES), (long) Math.min(mib, WARMUP_MIB) << 20, Math.min(nulls, WARMUP_NULLS));
      for (int s = 0; s < targets.size(); s++) load.pass(targets.get(s), clients.get(s), "warmup", warm, chunk);
      Sizes sizes = new Sizes(files, (long) mib << 20, nulls);
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < targets.size(); k++) {
          int s = r % 2 == 0 ? k : targets.size() - 1 - k;
          load.pass(targets.get(s), clients.get(s), Integer.toString(r), sizes, chunk);
        }
      }
    } finally {
      for (Nfs3BenchClient c : clients) c.close();
    }
    System.out.println("DONE");
    System.exit(0);                                     // oncrpc4j's threads are not daemons
  }

  @FunctionalInterface interface Step { long run() throws Exception; }

  /** One pass of every step over one server; a failed call ends the pass (reported, never hidden). */
  void pass(Target t, Nfs3BenchClient c, String round, Sizes z, int chunk) throws IOException {
    String dirName = "m-" + t.name() + "-" + round, dataName = "d-" + t.name() + "-" + round;
    byte[][] dir = new byte[1][], data = new byte[1][];
    long[] calls = new long[1];
    long[] nullLat = new long[z.nulls()];
    String step = "setup";
    try {
      dir[0] = c.mkdir(c.root, dirName);
      step = "create";
      timed(t, round, step, calls, () -> {
        for (int i = 0; i < z.files(); i++) c.create(dir[0], "f" + i, UNCHECKED);
        calls[0] = z.files();
        return z.files();
      });
      step = "lookup";
      timed(t, round, step, calls, () -> {
        int noAttrs = 0;
        for (int i = 0; i < z.files(); i++) if (!c.lookup(dir[0], "f" + i).attrs()) noAttrs++;
        if (noAttrs > 0) note(t, round, "lookup", noAttrs + " of " + z.files() + " LOOKUP replies had no attributes (a client must GETATTR)");
        calls[0] = z.files();
        return z.files();
      });
      step = "readdirplus";
      timed(t, round, step, calls, () -> list(t, round, "readdirplus", c, dir[0], "f", z.files(), calls));
      step = "remove";
      timed(t, round, step, calls, () -> {
        for (int i = 0; i < z.files(); i++) c.remove(dir[0], "f" + i);
        calls[0] = z.files();
        return z.files();
      });
      step = "rmdir";
      c.rmdir(c.root, dirName);
      if (listDir != null) {
        step = "list";
        byte[] ld = c.lookup(c.root, listDir).fh();
        timed(t, round, step, calls, () -> list(t, round, "list", c, ld, "e", listEntries, calls));
      }
      step = "write";
      data[0] = c.create(c.root, dataName, UNCHECKED);
      timed(t, round, step, calls, () -> write(t, round, c, data[0], z.bytes(), chunk, calls));
      step = "read";
      timed(t, round, step, calls, () -> read(t, round, c, data[0], z.bytes(), chunk, calls));
      step = "remove-data";
      c.remove(c.root, dataName);
      step = "null";
      timed(t, round, step, calls, () -> {
        for (int i = 0; i < z.nulls(); i++) {
          long s = System.nanoTime();
          c.nullCall();
          nullLat[i] = System.nanoTime() - s;
        }
        calls[0] = z.nulls();
        return z.nulls();
      });
      Arrays.sort(nullLat);
      System.out.printf(Locale.ROOT, "LATENCY %s %s %d %d%n", t.name(), round, nullLat[z.nulls() / 2], nullLat[(int) (z.nulls() * 0.99)]);
    } catch (Exception e) {
      String why = e instanceof Nfs3BenchClient.StatusException ? e.getMessage() : e.toString();
      System.out.printf("FAIL %s %s %s: %s%n", t.name(), round, step, why);
      System.err.printf("nfs-client-bench: %s round %s: %s failed: %s%n", t.name(), round, step, why);
    }
  }

  void timed(Target t, String round, String step, long[] calls, Step s) throws Exception {
    calls[0] = 0;
    long cpu0 = ticks(t.pid()), t0 = System.nanoTime();
    long work = s.run();
    long t1 = System.nanoTime(), cpu1 = ticks(t.pid());
    double secs = (t1 - t0) / 1e9;
    System.out.printf(Locale.ROOT, "RESULT %s %s %s %d %.6f %d %d%n", t.name(), round, step, work, secs,
        cpu0 < 0 ? -1 : cpu1 - cpu0, calls[0]);
    System.err.printf(Locale.ROOT, "nfs-client-bench: %-7s round %-6s %-11s %10d in %7.3f s%n", t.name(), round, step, work, secs);
  }

  static void note(Target t, String round, String step, String text) {
    System.out.printf("NOTE %s %s %s %s%n", t.name(), round, step, text);
  }

  /** utime + stime of a process, in clock ticks (proc(5)); -1 when not known. */
  static long ticks(long pid) throws IOException {
    if (pid <= 0) return -1;
    String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");   // f[0] is field 3, state
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);          // fields 14 utime, 15 stime
  }

  /**
   * READDIRPLUS of {@code dir} from cookie 0 to eof; every name {@code prefix + i} for i below
   * {@code n} must come exactly once, and nothing else but "." and "..". @return n
   */
  long list(Target t, String round, String step, Nfs3BenchClient c, byte[] dir, String prefix, int n, long[] calls) throws Exception {
    BitSet seen = new BitSet(n);
    int[] odd = new int[4];                             // duplicates, strangers, no attributes, no handle
    long cookie = 0, verf = 0;
    boolean eof = false;
    while (!eof) {
      Nfs3BenchClient.DirPage p = c.readdirplus(dir, cookie, verf, maxcount / 8, maxcount, (name, attrs, handle) -> {
        if (name.equals(".") || name.equals("..")) return;
        int i = index(name, prefix);
        if (i < 0 || i >= n) odd[1]++;
        else if (seen.get(i)) odd[0]++;
        else seen.set(i);
        if (!attrs) odd[2]++;
        if (!handle) odd[3]++;
      });
      calls[0]++;
      if (p.entries() == 0 && !p.eof()) throw new IOException("READDIRPLUS cookie " + cookie + ": no entries and no eof");
      cookie = p.lastCookie();
      verf = p.cookieverf();
      eof = p.eof();
    }
    if (seen.cardinality() != n || odd[0] > 0 || odd[1] > 0)
      throw new IOException("READDIRPLUS listing: " + seen.cardinality() + " of " + n + " names, " + odd[0] + " twice, " + odd[1]
          + " unexpected");
    if (odd[2] > 0 || odd[3] > 0)
      note(t, round, step, odd[2] + " entries without attributes, " + odd[3] + " without a handle (a client must LOOKUP them)");
    return n;
  }

  static int index(String name, String prefix) {
    if (!name.startsWith(prefix) || name.length() == prefix.length() || name.length() > prefix.length() + 9) return -1;
    int v = 0;
    for (int i = prefix.length(); i < name.length(); i++) {
      char ch = name.charAt(i);
      if (ch < '0' || ch > '9') return -1;
      v = v * 10 + (ch - '0');
    }
    return v;
  }

  /** Fills {@code buf} with the pattern's bytes at file offsets [off, off + len); off is a multiple of len, len divides BASE. */
  void pattern(byte[] buf, long off, int len) {
    System.arraycopy(base, (int) (off % BASE), buf, 0, len);
    ByteBuffer b = ByteBuffer.wrap(buf);
    for (int k = 0; k + 8 <= len; k += BLOCK) b.putLong(k, off + k);
  }

  /** Checks {@code data} (a READ's bytes) against the pattern at file offset {@code off}. */
  void check(ByteBuffer data, long off) throws IOException {
    int p = data.position(), n = data.remaining(), bo = (int) (off % BASE);
    ByteBuffer want = ByteBuffer.wrap(base);
    for (int k = 0; k < n; k += BLOCK) {
      int end = Math.min(k + BLOCK, n), from = k + 8;
      if (from <= end && data.getLong(p + k) != off + k)
        throw new IOException("READ offset " + off + ": block at " + (off + k) + " holds the stamp " + data.getLong(p + k));
      if (from < end && data.slice(p + from, end - from).mismatch(want.slice(bo + from, end - from)) != -1)
        throw new IOException("READ offset " + off + ": wrong data in the block at " + (off + k));
    }
  }

  /** WRITEs with {@link #inFlight} outstanding, then COMMIT. @return bytes written */
  long write(Target t, String round, Nfs3BenchClient c, byte[] fh, long bytes, int chunk, long[] calls) throws Exception {
    Semaphore slots = new Semaphore(inFlight);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong verf = new AtomicLong();
    int[] stable = {Integer.MAX_VALUE};
    boolean[] verfSet = new boolean[1];
    byte[] buf = new byte[chunk];
    for (long off = 0; off < bytes && failure.get() == null; off += chunk) {
      acquire(slots, 1);
      int len = (int) Math.min(chunk, bytes - off);
      pattern(buf, off, len);
      long at = off;
      try {
        c.writeAsync(fh, off, buf, len, Nfs3BenchClient.UNSTABLE, (WriteOk ok, Throwable f) -> {
          if (f == null && ok.count() != len) f = new IOException("WRITE offset " + at + ": " + ok.count() + " of " + len + " bytes written");
          if (f == null) {
            synchronized (verfSet) {
              if (!verfSet[0]) verf.set(ok.verf());
              else if (verf.get() != ok.verf()) f = new IOException("WRITE offset " + at + ": the write verifier changed mid-file");
              verfSet[0] = true;
              stable[0] = Math.min(stable[0], ok.committed());
            }
          }
          if (f != null) failure.compareAndSet(null, f);
          slots.release();
        });
      } catch (IOException | RuntimeException e) {
        slots.release();
        throw e;
      }
      calls[0]++;
    }
    acquire(slots, inFlight);
    if (failure.get() != null) throw asException(failure.get());
    long v = c.commit(fh);
    calls[0]++;
    if (stable[0] == Nfs3BenchClient.UNSTABLE && v != verf.get())
      throw new IOException("COMMIT verifier " + Long.toHexString(v) + " is not the WRITEs' " + Long.toHexString(verf.get())
          + ": the server lost the data (a client must write it again)");
    if (stable[0] != Nfs3BenchClient.UNSTABLE) note(t, round, "write", "the server answered UNSTABLE WRITEs with committed=" + stable[0]);
    return bytes;
  }

  /** READs with {@link #inFlight} outstanding, every byte checked. @return bytes read */
  long read(Target t, String round, Nfs3BenchClient c, byte[] fh, long bytes, int chunk, long[] calls) throws Exception {
    Semaphore slots = new Semaphore(inFlight);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong got = new AtomicLong();
    boolean[] lastEof = new boolean[1];
    for (long off = 0; off < bytes && failure.get() == null; off += chunk) {
      acquire(slots, 1);
      int len = (int) Math.min(chunk, bytes - off);
      long at = off;
      boolean last = off + len >= bytes;
      try {
        c.readAsync(fh, off, len, (data, eof) -> {
          if (data.remaining() != len && !(eof && at + data.remaining() == bytes))
            throw new IOException("READ offset " + at + ": " + data.remaining() + " of " + len + " bytes" + (eof ? ", eof" : ""));
          if (eof && !last) throw new IOException("READ offset " + at + ": eof before the end of the file");
          check(data, at);
          got.addAndGet(data.remaining());
          if (last) lastEof[0] = eof;
        }, f -> {
          if (f != null) failure.compareAndSet(null, f);
          slots.release();
        });
      } catch (IOException | RuntimeException e) {
        slots.release();
        throw e;
      }
      calls[0]++;
    }
    acquire(slots, inFlight);
    if (failure.get() != null) throw asException(failure.get());
    if (got.get() != bytes) throw new IOException("READ: " + got.get() + " of " + bytes + " bytes came back");
    if (!lastEof[0]) note(t, round, "read", "the READ that reached the end of the file had eof=false (a client asks once more)");
    return bytes;
  }

  static void acquire(Semaphore s, int n) throws Exception {
    if (!s.tryAcquire(n, 2 * Nfs3BenchClient.TIMEOUT_S, TimeUnit.SECONDS))
      throw new IOException("calls still outstanding after " + 2 * Nfs3BenchClient.TIMEOUT_S + " s");
  }

  static Exception asException(Throwable t) {
    return t instanceof Exception e ? e : new IOException(t);
  }
}
