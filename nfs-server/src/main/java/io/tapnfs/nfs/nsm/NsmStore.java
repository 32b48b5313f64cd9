package io.tapnfs.nfs.nsm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status monitor's state on disk, in {@code <state dir>/nsm/}, laid out as nfs-utils lays out
 * {@code /var/lib/nfs} for statd and sm-notify:
 * <pre>
 *   nsm/state     our NSM state number, in decimal, and a newline
 *   nsm/sm/       one {@link MonitorRecord} file per client that holds locks now (monitored)
 *   nsm/sm.bak/   one per client that held locks before this start and has not been told of it yet
 * </pre>
 *
 * <p>{@link #open} is a start, as sm-notify's at boot: the state number goes up to the next odd
 * number (the XNFS convention: odd while up; nfs-utils' {@code nsm_get_state} adds 2 and keeps it
 * odd, and so do we; a first start is 1), written before anything else happens, and every record in
 * {@code sm/} moves to {@code sm.bak/} ({@code nsm_retire_monitored_hosts}). A record leaves
 * {@code sm.bak/} when its client has been notified ({@link #notified}); one whose client could not
 * be reached stays there and is notified after the next start too, as with sm-notify. A client
 * that reclaims its locks is monitored again, in {@code sm/}. A record leaves {@code sm/} on
 * {@link #unmonitor}.
 *
 * <p>Crash safety: every write goes to a temporary file in the same directory (its name starts
 * with '.', which no record file name does), is fsynced, renamed over its target and the directory
 * fsynced (nfs-utils' {@code nsm_atomic_write} does the same), so a crash leaves the old file or
 * the new one; leftover temporary files are deleted at open. Deletions and moves are followed by
 * an fsync of the directory. A state file that does not parse (nothing we write does that) counts
 * as none, after a warning, as nfs-utils does with a short one.
 *
 * <p>Bounds: at most {@code maxClients} monitored records (one more is refused with {@link Full})
 * and at most {@code maxClients} records loaded from {@code sm.bak/} (the rest stay on disk for a
 * later start); record files over {@link MonitorRecord#MAX_FILE_BYTES} or not in the format are
 * deleted with a warning and counted; anything that is not a regular file is skipped.
 *
 * <p>Concurrency: every method holds the store's lock, file I/O included: {@link #monitor} runs
 * once per client before its first lock, and each call is a few small writes.
 */
public final class NsmStore {
  private static final Logger LOG = LoggerFactory.getLogger(NsmStore.class);
  public static final String DIR = "nsm", STATE = "state", SM = "sm", SM_BAK = "sm.bak";
  public static final int DEFAULT_MAX_CLIENTS = 4096;
  static final int MAX_STATE_FILE = 32;

  /** {@link #monitor} of one more client than the store may hold. */
  public static final class Full extends IOException {
    private static final long serialVersionUID = 1L;

    Full(String m) { super(m); }
  }

  /** A record in {@code sm.bak/}: the file it is in and the client it names. */
  public record Retired(String fileName, MonitorRecord client) {}

  private final Path dir, sm, smBak;
  private final int maxClients;
  private final int state;
  private final boolean stateReinitialized;
  private final int corruptRecords;
  private final Map<String, MonitorRecord> monitored = new LinkedHashMap<>();   // by MonitorRecord.key
  private final Map<String, Retired> toNotify = new LinkedHashMap<>();          // by file name

  private NsmStore(Path dir, int maxClients, int state, boolean reinitialized, int corrupt, List<Retired> retired) {
    this.dir = dir;
    this.sm = dir.resolve(SM);
    this.smBak = dir.resolve(SM_BAK);
    this.maxClients = maxClients;
    this.state = state;
    this.stateReinitialized = reinitialized;
    this.corruptRecords = corrupt;
    for (Retired r : retired) toNotify.put(r.fileName(), r);
  }

  /** Opens (making it if need be) {@code <stateDir>/nsm}, bumps the state number and retires the monitored clients. */
  public static NsmStore open(Path stateDir, int maxClients) throws IOException {
    if (maxClients < 1) throw new IllegalArgumentException("maxClients " + maxClients);
    Path dir = stateDir.resolve(DIR);
    Files.createDirectories(stateDir);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      fsyncDirectory(stateDir);
    }
    Path sm = dir.resolve(SM), smBak = dir.resolve(SM_BAK);
    for (Path d : new Path[] {sm, smBak}) {
      if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(d);
        fsyncDirectory(dir);
      }
    }
    for (Path d : new Path[] {dir, sm, smBak}) removeTemporaries(d);

    Path stateFile = dir.resolve(STATE);
    boolean[] reinit = new boolean[1];
    int old = readState(stateFile, reinit);
    int state = next(old);
    writeAtomically(stateFile, (state + "\n").getBytes(StandardCharsets.US_ASCII));

    // Retire: sm/ -> sm.bak/ (a record already there is replaced by the newer one).
    boolean moved = false;
    for (String name : list(sm)) {
      Files.move(sm.resolve(name), smBak.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      moved = true;
    }
    if (moved) {
      fsyncDirectory(smBak);
      fsyncDirectory(sm);
    }

    List<Retired> retired = new ArrayList<>();
    int corrupt = 0, left = 0;
    boolean deleted = false;
    for (String name : list(smBak)) {
      Path f = smBak.resolve(name);
      if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
        LOG.warn("NSM: {} is not a regular file: skipped", f);
        continue;
      }
      MonitorRecord r = readRecord(f);
      if (r == null) {
        LOG.warn("NSM: {} is not a client record: deleted", f);
        Files.delete(f);
        deleted = true;
        corrupt++;
      } else if (retired.size() >= maxClients) {
        left++;
      } else {
        retired.add(new Retired(name, r));
      }
    }
    if (deleted) fsyncDirectory(smBak);
    if (left > 0) LOG.warn("NSM: {} more clients in {} than the {} a start loads: left for a later start", left, smBak, maxClients);
    return new NsmStore(dir, maxClients, state, reinit[0], corrupt, retired);
  }

  /** The state number after {@code old}: the next odd number above it (a first start, {@code old} 0 or -1, is 1), wrapping to 1 past 2^31 - 1. */
  static int next(int old) {
    if (old < 0) return 1;
    long n = (old & 1) == 1 ? old + 2L : old + 1L;
    return n > Integer.MAX_VALUE ? 1 : (int) n;
  }

  /** The state file's number, -1 when there is none (or it does not parse: {@code reinit[0]} set). */
  private static int readState(Path f, boolean[] reinit) throws IOException {
    byte[] b;
    try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
      b = in.readNBytes(MAX_STATE_FILE + 1);
    } catch (NoSuchFileException e) {
      LOG.info("NSM: no {}: a first start", f);
      return -1;
    }
    String s = new String(b, StandardCharsets.US_ASCII);
    if (b.length <= MAX_STATE_FILE && s.matches("[0-9]{1,10}\n?")) {
      long v = Long.parseLong(s.strip());
      if (v <= Integer.MAX_VALUE) return (int) v;
    }
    LOG.warn("NSM: {} does not hold a state number: starting over at 1", f);
    reinit[0] = true;
    return -1;
  }

  private static MonitorRecord readRecord(Path f) throws IOException {
    byte[] b;
    try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
      b = in.readNBytes(MonitorRecord.MAX_FILE_BYTES + 1);
    }
    if (b.length > MonitorRecord.MAX_FILE_BYTES) return null;
    return MonitorRecord.parse(new String(b, StandardCharsets.US_ASCII));
  }

  /** The names in {@code d} that are not temporary files, sorted. */
  private static List<String> list(Path d) throws IOException {
    TreeSet<String> names = new TreeSet<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(d)) {
      for (Path p : s) {
        String n = p.getFileName().toString();
        if (!n.startsWith(".")) names.add(n);
      }
    }
    return new ArrayList<>(names);
  }

  private static void removeTemporaries(Path d) throws IOException {
    boolean any = false;
    try (DirectoryStream<Path> s = Files.newDirectoryStream(d, ".*")) {
      for (Path p : s) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          LOG.info("NSM: removing {}, left by an interrupted write", p);
          Files.delete(p);
          any = true;
        }
      }
    }
    if (any) fsyncDirectory(d);
  }

  /** Temporary file, fsync, rename over {@code target}, fsync of the directory. */
  static void writeAtomically(Path target, byte[] data) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try (FileChannel c = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      ByteBuffer b = ByteBuffer.wrap(data);
      while (b.hasRemaining()) c.write(b);
      c.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDirectory(target.getParent());
  }

  static void fsyncDirectory(Path d) throws IOException {
    try (FileChannel c = FileChannel.open(d, StandardOpenOption.READ)) {
      c.force(true);
    }
  }

  /** Our state number since this start (odd). */
  public int state() { return state; }

  /** Whether the state file was there but unreadable, so the number started over. */
  public boolean stateReinitialized() { return stateReinitialized; }

  /** Record files deleted at open because they were not records. */
  public int corruptRecords() { return corruptRecords; }

  public Path directory() { return dir; }

  public int maxClients() { return maxClients; }

  /**
   * Records {@code r} in {@code sm/}, durably, unless the same record (same key, same name, same
   * address) is there already.
   * @return whether anything was written
   * @throws Full when {@code maxClients} other clients are monitored
   */
  public synchronized boolean monitor(MonitorRecord r) throws IOException {
    Objects.requireNonNull(r, "record");
    String key = MonitorRecord.key(r.name());
    MonitorRecord had = monitored.get(key);
    if (r.equals(had)) return false;
    if (had == null && monitored.size() >= maxClients)
      throw new Full("NSM: " + monitored.size() + " clients monitored already, the most it keeps");
    writeAtomically(sm.resolve(r.fileName()), r.format().getBytes(StandardCharsets.US_ASCII));
    monitored.put(key, r);
    return true;
  }

  /** Removes the record of {@code name} (matched as {@link MonitorRecord#key}) from {@code sm/}. @return whether there was one */
  public synchronized boolean unmonitor(String name) throws IOException {
    MonitorRecord had = monitored.remove(MonitorRecord.key(name));
    if (had == null) return false;
    Files.deleteIfExists(sm.resolve(had.fileName()));
    fsyncDirectory(sm);
    return true;
  }

  /** The monitored record named {@code name} (matched as {@link MonitorRecord#key}), or null. */
  public synchronized MonitorRecord monitoredAs(String name) { return monitored.get(MonitorRecord.key(name)); }

  public synchronized List<MonitorRecord> monitored() { return List.copyOf(monitored.values()); }

  /** The clients of before this start still to be notified. */
  public synchronized List<Retired> toNotify() { return List.copyOf(toNotify.values()); }

  /** {@code r}'s client has been told of this start: its record leaves {@code sm.bak/}. */
  public synchronized void notified(Retired r) throws IOException {
    if (toNotify.remove(r.fileName()) == null) return;
    Files.deleteIfExists(smBak.resolve(r.fileName()));
    fsyncDirectory(smBak);
  }
}
