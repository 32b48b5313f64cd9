package io.tapnfs.it;

import io.tapnfs.it.RawNfs3.Entry;
import io.tapnfs.it.RawNfs3.Res;
import io.tapnfs.it.RawNfs3.Sattr;
import io.tapnfs.it.RawRpc.Cred;
import io.tapnfs.it.RawRpc.Reply;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The file-system core of tapnfs seen from the wire: NFSv3 calls from {@link RawNfs3} on kernel
 * sockets inside the lab namespace, with the credentials, xids and local ports each check needs.
 * Prints {@code OK name: detail} or {@code FAIL name: why} per check, {@code INFO ...} lines with
 * what was seen, and {@code ALL OK} or {@code N FAILED} last. Arguments: a scenario, then
 * {@code key=value} pairs:
 * <ul>
 * <li>{@code checks host= squash= core= secure= insecure=}: set-id bits and squashing, FIFOs,
 *     reserved ports, the duplicate-request cache, ACL / sticky / hard-link refusals by the
 *     kernel (the server host prepared {@code core/acl/secret}, {@code core/sticky},
 *     {@code core/links}).
 * <li>{@code race host= export= outside= sentinelIno= outsideIno= seconds=}: a directory swapped
 *     with a symlink to {@code outside} while other connections look up, list, read and create
 *     through it.
 * <li>{@code sync host= export= step=1..4 pid= [root= file=]}: one step of a change then SIGKILL
 *     of the server ({@code pid}) right after the reply; the next step checks it over NFS with the
 *     handles of before.
 * </ul>
 */
public final class KernelNfsCoreProbe {
  static final Cred ROOT = Cred.ROOT, U1000 = Cred.sys(1000, 1000, 1000), U1001 = Cred.sys(1001, 1001, 1001),
      U1002 = Cred.sys(1002, 1002, 1002);
  static final int NOBODY = 65534;

  private final InetAddress host;
  private final Map<String, String> opt;
  private int failures;

  private KernelNfsCoreProbe(Map<String, String> opt) throws IOException {
    this.opt = opt;
    this.host = InetAddress.getByName(get("host"));
  }

  public static void main(String[] a) throws Exception {
    Map<String, String> opt = new HashMap<>();
    for (String kv : Arrays.asList(a).subList(1, a.length)) {
      int eq = kv.indexOf('=');
      opt.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    KernelNfsCoreProbe p = new KernelNfsCoreProbe(opt);
    switch (a[0]) {
      case "checks" -> p.checks();
      case "race" -> p.race();
      case "sync" -> p.sync();
      default -> throw new IllegalArgumentException("scenario " + a[0]);
    }
    System.out.println(p.failures == 0 ? "ALL OK" : p.failures + " FAILED");
    System.out.flush();
    System.exit(p.failures == 0 ? 0 : 1);
  }

  private String get(String key) {
    String v = opt.get(key);
    if (v == null) throw new IllegalArgumentException("missing " + key + "=");
    return v;
  }

  private void check(String name, boolean ok, String detail) {
    System.out.println((ok ? "OK " : "FAIL ") + name + ": " + detail);
    if (!ok) failures++;
  }

  /** Runs one check; an exception fails it (and only it). */
  private void run(String name, Check c) {
    try {
      c.run();
    } catch (Exception e) {
      check(name, false, "exception " + e);
      e.printStackTrace(System.out);
    }
  }

  interface Check { void run() throws Exception; }

  static void info(String s) { System.out.println("INFO " + s); }

  static String mode(Res r) { return r.attr() == null ? "no attributes" : "0" + Integer.toOctalString(r.attr().mode()); }

  // =================================================================== checks

  private void checks() throws IOException {
    byte[] squash = RawNfs3.rootHandle(host, get("squash")), core = RawNfs3.rootHandle(host, get("core"));
    run("setid-squashed", () -> setidSquashed(squash));
    run("setid-cleared-on-write", () -> setidClearedOnWrite(core));
    run("no-chgrp-to-0", () -> noChgrpTo0(squash));
    run("fifo-calls-answer", () -> fifoCallsAnswer(core));
    run("secure-port", this::securePort);
    run("drc-replay", () -> drcReplay(core));
    run("acl-denies-over-wire", () -> aclDenies(core));
    run("sticky-over-wire", () -> sticky(core));
    run("hardlink-over-wire", () -> hardlink(core));
  }

  /** 1. root_squash: uid = gid = 4294967295 (-1) creates 04777: owned by nobody, no set-id bit. */
  private void setidSquashed(byte[] squash) throws IOException {
    Cred minus1 = Cred.sys(-1, -1);
    try (RawNfs3 c = RawNfs3.connect(host, minus1)) {
      Res r = c.create(squash, "setid-by-minus1", 04777);
      info("setid-squashed: CREATE UNCHECKED mode 04777 as " + minus1 + " -> " + r.describe() + (r.attr() == null ? "" : ", " + r.attr()));
      if (!r.ok()) {
        check("setid-squashed", false, "CREATE answered " + r.describe());
        return;
      }
      Res g = c.getattr(r.fh());
      info("setid-squashed: GETATTR -> " + g.describe() + (g.attr() == null ? "" : ", " + g.attr()));
      boolean ok = g.ok() && g.attr().uid() == NOBODY && (g.attr().mode() & 06000) == 0;
      check("setid-squashed", ok, "GETATTR " + g.describe() + " uid " + (g.attr() == null ? "?" : Integer.toUnsignedString(g.attr().uid()))
          + " mode " + mode(g) + " (want uid 65534, no set-id bits)");
    }
  }

  /** 2. A 06777 file of uid 1000 written by uid 1001 loses its set-id bits. */
  private void setidClearedOnWrite(byte[] core) throws IOException {
    try (RawNfs3 c = RawNfs3.connect(host, U1000)) {
      Res f = c.create(core, "setid-victim", 0644);
      if (!f.ok()) throw new IOException("CREATE as 1000: " + f.describe());
      Res s = c.setattr(f.fh(), Sattr.mode(06777));
      Res before = c.getattr(f.fh());
      info("setid-cleared-on-write: SETATTR 06777 as 1000 -> " + s.describe() + ", mode now " + mode(before));
      if (!s.ok() || before.attr().mode() != 06777) {
        check("setid-cleared-on-write", false, "precondition: the file is " + mode(before) + ", not 06777");
        return;
      }
      Res w = c.as(U1001).write(f.fh(), 0, "by 1001".getBytes(StandardCharsets.UTF_8));
      Res after = c.getattr(f.fh());
      info("setid-cleared-on-write: WRITE as 1001 -> " + w.describe() + ", mode now " + mode(after));
      check("setid-cleared-on-write", w.ok() && after.ok() && (after.attr().mode() & 06000) == 0 && (after.attr().mode() & 0777) == 0777,
          "WRITE " + w.describe() + ", mode " + mode(before) + " -> " + mode(after));
    }
  }

  /** 3. root_squash: uid 1000 gid 1000 with supplementary gid 0 may not give its file to group 0. */
  private void noChgrpTo0(byte[] squash) throws IOException {
    Cred withGroup0 = Cred.sys(1000, 1000, 0);
    try (RawNfs3 c = RawNfs3.connect(host, withGroup0)) {
      Res f = c.create(squash, "chgrp-mine", 0644);
      if (!f.ok()) throw new IOException("CREATE as " + withGroup0 + ": " + f.describe());
      Res s = c.setattr(f.fh(), Sattr.gid(0));
      Res g = c.getattr(f.fh());
      info("no-chgrp-to-0: SETATTR gid 0 as " + withGroup0 + " -> " + s.describe() + "; " + g.attr());
      check("no-chgrp-to-0", s.status() == RawNfs3.PERM && g.ok() && g.attr().gid() != 0,
          "SETATTR gid 0 answered " + s.describe() + " (want NFS3ERR_PERM), gid now " + (g.attr() == null ? "?" : g.attr().gid()));
    }
  }

  /** A call and how long its answer took. */
  record Timed(String what, Res res, long ms) {
    @Override public String toString() { return what + " " + res.describe() + " in " + ms + " ms"; }
  }

  interface Call { Res call() throws IOException; }

  static Timed timed(String what, Call c) throws IOException {
    long t0 = System.nanoTime();
    Res r = c.call();
    return new Timed(what, r, (System.nanoTime() - t0) / 1_000_000);
  }

  /**
   * 4. A FIFO is never opened: MKNOD, SETATTR mode and times, an EXCLUSIVE CREATE over its name,
   * each answered within 1 s; then 8 such calls (and READ / WRITE of it) at once on 8
   * connections, and a NULL and a GETATTR on a ninth still answered within 1 s.
   */
  private void fifoCallsAnswer(byte[] core) throws IOException {
    byte[] verf = "fifoverf".getBytes(StandardCharsets.US_ASCII);
    try (RawNfs3 c = RawNfs3.connect(host, U1000)) {
      Timed mk = timed("MKNOD FIFO", () -> c.mkfifo(core, "fifo", 0644));
      if (!mk.res().ok()) throw new IOException(mk.toString());
      byte[] fifo = mk.res().fh();
      List<Timed> first = List.of(mk,
          timed("SETATTR mode 0600", () -> c.setattr(fifo, Sattr.mode(0600))),
          timed("SETATTR times", () -> c.setattr(fifo, Sattr.times(1_000_000_000))),
          timed("CREATE EXCLUSIVE over it", () -> c.createExclusive(core, "fifo", verf)));
      info("fifo-calls-answer: " + first);
      boolean ok = first.stream().allMatch(t -> t.ms() < 1000) && first.get(1).res().ok() && first.get(2).res().ok()
          && first.get(3).res().status() != RawNfs3.RPC_REFUSED;
      List<byte[]> calls = List.of(
          RawNfs3.setattrArgs(fifo, Sattr.mode(0640)), RawNfs3.setattrArgs(fifo, Sattr.mode(0600)),
          RawNfs3.setattrArgs(fifo, Sattr.times(1_100_000_000)), RawNfs3.setattrArgs(fifo, Sattr.times(1_200_000_000)),
          RawNfs3.createArgs(core, "fifo", RawNfs3.EXCLUSIVE, null, verf), RawNfs3.createArgs(core, "fifo", RawNfs3.EXCLUSIVE, null, verf),
          RawNfs3.readArgs(fifo, 0, 4096), RawNfs3.writeArgs(fifo, 0, "x".getBytes(StandardCharsets.US_ASCII)));
      int[] procs = {RawNfs3.SETATTR, RawNfs3.SETATTR, RawNfs3.SETATTR, RawNfs3.SETATTR, RawNfs3.CREATE, RawNfs3.CREATE, RawNfs3.READ,
          RawNfs3.WRITE};
      List<RawNfs3> conns = new ArrayList<>();
      try {
        for (int i = 0; i < calls.size(); i++) conns.add(RawNfs3.connect(host, U1000));
        long t0 = System.nanoTime();
        for (int i = 0; i < calls.size(); i++)
          conns.get(i).rpc.send(RawRpc.callBytes(RawRpc.nextXid(), RawNfs3.NFS, 3, procs[i], U1000, calls.get(i)));
        try (RawNfs3 other = RawNfs3.connect(host, U1000)) {
          Timed nul = timed("NULL", other::nul), ga = timed("GETATTR", () -> other.getattr(fifo));
          info("fifo-calls-answer: while 8 FIFO calls run: " + nul + ", " + ga);
          ok &= nul.res().ok() && ga.res().ok() && nul.ms() < 1000 && ga.ms() < 1000;
        }
        List<String> eight = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
          Reply r = conns.get(i).rpc.receive(10_000);
          long ms = (System.nanoTime() - t0) / 1_000_000;
          eight.add(r == null ? "proc " + procs[i] + " NO ANSWER in 10 s" : "proc " + procs[i] + " " + RawNfs3.decode(procs[i], r).describe() + " by " + ms + " ms");
          ok &= r != null;
        }
        info("fifo-calls-answer: 8 at once: " + eight);
      } finally {
        for (RawNfs3 x : conns) x.close();
      }
      check("fifo-calls-answer", ok, "see INFO lines (each first call < 1000 ms, all 8 answered, NULL and GETATTR < 1000 ms)");
    }
  }

  /** 5. Reserved ports: a secure export refuses calls from port 1024 and up; an insecure one serves them. */
  private void securePort() throws IOException {
    String secure = get("secure"), insecure = get("insecure");
    try (RawNfs3 m = RawNfs3.connect(host, RawNfs3.MOUNT_PORT, ROOT, false)) {
      Res r = m.mnt(secure);
      info("secure-port: MNT " + secure + " from port " + m.rpc.localPort() + " -> " + mntDescribe(r));
      check("secure-port.mount-from-1024-up-refused", m.rpc.localPort() >= 1024 && !r.ok(),
          "MNT from port " + m.rpc.localPort() + " answered " + mntDescribe(r));
    }
    byte[] root = RawNfs3.rootHandle(host, secure);
    try (RawNfs3 hi = RawNfs3.connect(host, RawNfs3.NFS_PORT, ROOT, false); RawNfs3 lo = RawNfs3.connect(host, ROOT)) {
      Res h = hi.getattr(root), l = lo.getattr(root);
      info("secure-port: GETATTR of the secure export's root from port " + hi.rpc.localPort() + " -> " + h.describe() + ", from port "
          + lo.rpc.localPort() + " -> " + l.describe());
      check("secure-port.nfs-from-1024-up-refused", hi.rpc.localPort() >= 1024 && !h.ok(), "GETATTR from port " + hi.rpc.localPort() + " answered " + h.describe()
          + " (want a refusal, NFS3ERR_PERM as knfsd)");
      check("secure-port.nfs-from-reserved-served", l.ok() && lo.rpc.localPort() < 1024, "GETATTR from port " + lo.rpc.localPort() + " answered " + l.describe());
    }
    try (RawNfs3 m = RawNfs3.connect(host, RawNfs3.MOUNT_PORT, ROOT, false)) {
      Res r = m.mnt(insecure);
      Res g = null;
      if (r.ok()) {
        try (RawNfs3 hi = RawNfs3.connect(host, RawNfs3.NFS_PORT, ROOT, false)) {
          g = hi.getattr(r.fh());
          info("secure-port: insecure export: MNT from port " + m.rpc.localPort() + " -> " + mntDescribe(r) + ", GETATTR from port "
              + hi.rpc.localPort() + " -> " + g.describe());
        }
      }
      check("secure-port.insecure-export-served-from-1024-up", m.rpc.localPort() >= 1024 && r.ok() && g != null && g.ok(),
          "MNT " + mntDescribe(r) + ", GETATTR " + (g == null ? "not tried" : g.describe()));
    }
  }

  static String mntDescribe(Res r) {
    return r.status() == RawNfs3.RPC_REFUSED ? "RPC " + r.rpc() : r.status() == 0 ? "MNT3_OK" : "mountstat3 " + r.status();
  }

  /**
   * 6. A REMOVE sent again with its xid gets the first reply, byte for byte, on the same and on a
   * new connection; a RENAME replayed after a new file took the old name does not move it.
   */
  private void drcReplay(byte[] core) throws IOException {
    try (RawNfs3 c = RawNfs3.connect(host, ROOT)) {
      if (!c.create(core, "drc-victim", 0644).ok()) throw new IOException("CREATE drc-victim failed");
      int xid = RawRpc.nextXid();
      byte[] remove = RawRpc.callBytes(xid, RawNfs3.NFS, 3, RawNfs3.REMOVE, ROOT, RawNfs3.diropArgs(core, "drc-victim"));
      c.rpc.send(remove);
      Reply first = c.rpc.receive();
      c.rpc.send(remove);
      Reply again = c.rpc.receive();
      Res r1 = RawNfs3.decode(RawNfs3.REMOVE, first), r2 = RawNfs3.decode(RawNfs3.REMOVE, again);
      info("drc-replay: REMOVE xid " + xid + " -> " + r1.describe() + "; same bytes again -> " + r2.describe() + ", identical reply "
          + Arrays.equals(first.bytes(), again.bytes()));
      check("drc-replay.remove-same-connection", r1.ok() && r2.ok() && Arrays.equals(first.bytes(), again.bytes()),
          "first " + r1.describe() + ", replay " + r2.describe() + ", reply bytes equal " + Arrays.equals(first.bytes(), again.bytes()));
      Res fresh = c.remove(core, "drc-victim");
      check("drc-replay.remove-new-xid-runs", fresh.status() == RawNfs3.NOENT, "REMOVE with a new xid answered " + fresh.describe()
          + " (want NFS3ERR_NOENT: only the same xid is a retransmission)");
      try (RawNfs3 n = RawNfs3.connect(host, ROOT)) {
        n.rpc.send(remove);
        Reply third = n.rpc.receive();
        Res r3 = RawNfs3.decode(RawNfs3.REMOVE, third);
        info("drc-replay: same REMOVE on a new connection (port " + c.rpc.localPort() + " -> " + n.rpc.localPort() + ") -> " + r3.describe());
        check("drc-replay.remove-new-connection", n.rpc.localPort() != c.rpc.localPort() && r3.ok() && Arrays.equals(first.bytes(), third.bytes()),
            "replay from port " + n.rpc.localPort() + " answered " + r3.describe() + ", reply bytes equal " + Arrays.equals(first.bytes(), third.bytes()));
      }

      Res a = c.create(core, "ren-a", 0644);
      if (!a.ok()) throw new IOException("CREATE ren-a: " + a.describe());
      int rxid = RawRpc.nextXid();
      byte[] rename = RawRpc.callBytes(rxid, RawNfs3.NFS, 3, RawNfs3.RENAME, ROOT, RawNfs3.renameArgs(core, "ren-a", core, "ren-b"));
      c.rpc.send(rename);
      Reply rr1 = c.rpc.receive();
      Res newA = c.create(core, "ren-a", 0644);
      if (!newA.ok()) throw new IOException("CREATE of the new ren-a: " + newA.describe());
      Reply rr2;
      try (RawNfs3 n = RawNfs3.connect(host, ROOT)) {
        n.rpc.send(rename);
        rr2 = n.rpc.receive();
      }
      Res la = c.lookup(core, "ren-a"), lb = c.lookup(core, "ren-b");
      Res d1 = RawNfs3.decode(RawNfs3.RENAME, rr1), d2 = RawNfs3.decode(RawNfs3.RENAME, rr2);
      info("drc-replay: RENAME ren-a -> ren-b xid " + rxid + " -> " + d1.describe() + "; new ren-a fileid " + newA.attr().fileid()
          + "; RENAME replayed on a new connection -> " + d2.describe() + "; LOOKUP ren-a " + la.describe()
          + (la.attr() == null ? "" : " fileid " + la.attr().fileid()) + ", ren-b " + lb.describe() + (lb.attr() == null ? "" : " fileid " + lb.attr().fileid()));
      check("drc-replay.rename-not-clobbered", d1.ok() && d2.ok() && Arrays.equals(rr1.bytes(), rr2.bytes()) && la.ok()
              && la.attr().fileid() == newA.attr().fileid() && lb.ok() && lb.attr().fileid() == a.attr().fileid(),
          "replay " + d2.describe() + ", reply bytes equal " + Arrays.equals(rr1.bytes(), rr2.bytes()) + ", new ren-a still there "
              + (la.ok() && la.attr().fileid() == newA.attr().fileid()));
    }
  }

  private byte[] walk(RawNfs3 c, byte[] dir, String... names) throws IOException {
    for (String n : names) {
      Res r = c.lookup(dir, n);
      if (!r.ok()) throw new IOException("LOOKUP " + n + ": " + r.describe());
      dir = r.fh();
    }
    return dir;
  }

  /** A POSIX ACL entry user:1001:--- on a 0644 file (set on the server host) denies 1001's READ; 1002 reads. */
  private void aclDenies(byte[] core) throws IOException {
    try (RawNfs3 c = RawNfs3.connect(host, ROOT)) {
      byte[] secret = walk(c, core, "acl", "secret");
      Res r1001 = c.as(U1001).read(secret, 0, 100), r1002 = c.as(U1002).read(secret, 0, 100);
      info("acl-denies-over-wire: READ as 1001 -> " + r1001.describe() + ", as 1002 -> " + r1002.describe());
      check("acl-denies-over-wire", r1001.status() == RawNfs3.ACCES && r1002.ok() && r1002.data().length > 0,
          "READ as 1001 " + r1001.describe() + " (want NFS3ERR_ACCES), as 1002 " + r1002.describe());
    }
  }

  /** In a 1777 directory 1001 can neither remove nor rename 1000's file; 1000 can. */
  private void sticky(byte[] core) throws IOException {
    try (RawNfs3 c = RawNfs3.connect(host, U1000)) {
      byte[] dir = walk(c, core, "sticky");
      if (!c.create(dir, "of1000", 0666).ok()) throw new IOException("CREATE of1000 as 1000 failed");
      Res rm = c.as(U1001).remove(dir, "of1000"), mv = c.as(U1001).rename(dir, "of1000", dir, "stolen");
      Res own = c.remove(dir, "of1000");
      info("sticky-over-wire: as 1001 REMOVE -> " + rm.describe() + ", RENAME -> " + mv.describe() + "; as 1000 REMOVE -> " + own.describe());
      check("sticky-over-wire", !rm.ok() && !mv.ok() && rm.status() != RawNfs3.RPC_REFUSED && mv.status() != RawNfs3.RPC_REFUSED && own.ok(),
          "1001: REMOVE " + rm.describe() + ", RENAME " + mv.describe() + "; 1000: REMOVE " + own.describe());
    }
  }

  /** protected_hardlinks on the server host: 1001 may not link to 1000's 0600 file; 1000 may. */
  private void hardlink(byte[] core) throws IOException {
    try (RawNfs3 c = RawNfs3.connect(host, U1000)) {
      byte[] dir = walk(c, core, "links");
      Res f = c.create(dir, "p1000", 0600);
      if (!f.ok()) throw new IOException("CREATE p1000 as 1000: " + f.describe());
      Res other = c.as(U1001).link(f.fh(), dir, "by1001"), own = c.link(f.fh(), dir, "by1000");
      info("hardlink-over-wire: LINK as 1001 -> " + other.describe() + ", as 1000 -> " + own.describe());
      check("hardlink-over-wire", other.status() == RawNfs3.PERM && own.ok(),
          "LINK as 1001 " + other.describe() + " (want NFS3ERR_PERM), as 1000 " + own.describe());
    }
  }

  // =================================================================== race

  /**
   * 7. One connection swaps directory {@code d} of the export with a symlink to {@code outside}
   * (renames and symlink/remove, alternately) while three others LOOKUP d, then LOOKUP
   * "sentinel" in it, READDIRPLUS it, READ it and CREATE (then REMOVE) "planted-*" in it. No reply
   * may show the outside directory: its name "sentinel", the sentinel's or the outside
   * directory's fileid.
   */
  private void race() throws Exception {
    String outside = get("outside");
    long sentinelIno = Long.parseLong(get("sentinelIno")), outsideIno = Long.parseLong(get("outsideIno"));
    long deadline = System.nanoTime() + Long.parseLong(get("seconds")) * 1_000_000_000L;
    byte[] root = RawNfs3.rootHandle(host, get("export"));
    try (RawNfs3 c = RawNfs3.connect(host, ROOT)) {
      Res d = c.mkdir(root, "d", 0777), l = c.symlink(root, "lnk", outside);
      if (!d.ok() || !l.ok()) throw new IOException("setup: MKDIR d " + d.describe() + ", SYMLINK lnk " + l.describe());
    }
    Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    List<String> escapes = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong planted = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    List<Throwable> crashed = java.util.Collections.synchronizedList(new ArrayList<>());
    Map<String, long[]> latency = new TreeMap<>();      // call -> {count, total ms, max ms}; the swapper's thread only
    Runnable swapper = () -> {
      try (RawNfs3 c = RawNfs3.connect(host, ROOT)) {
        for (long i = 0; !stop.get(); i++) {
          List<Res> steps = new ArrayList<>();
          if (i % 2 == 0) {                          // d -> tmp, symlink d -> outside, remove it, tmp -> d
            steps.add(swap(latency, "RENAME", () -> c.rename(root, "d", root, "tmp")));
            steps.add(swap(latency, "SYMLINK", () -> c.symlink(root, "d", outside)));
            steps.add(swap(latency, "REMOVE", () -> c.remove(root, "d")));
          } else {                                   // four atomic renames: d is a symlink between the 2nd and 3rd
            steps.add(swap(latency, "RENAME", () -> c.rename(root, "d", root, "tmp")));
            steps.add(swap(latency, "RENAME", () -> c.rename(root, "lnk", root, "d")));
            steps.add(swap(latency, "RENAME", () -> c.rename(root, "d", root, "lnk")));
          }
          steps.add(swap(latency, "RENAME", () -> c.rename(root, "tmp", root, "d")));
          for (Res s : steps) count(counts, "swap", s);
          if (steps.stream().anyMatch(s -> !s.ok())) throw new IOException("swap step failed: " + steps.stream().map(Res::describe).toList());
        }
      } catch (Throwable t) {
        crashed.add(t);
      }
    };
    threads.add(new Thread(swapper, "swapper"));
    for (int t = 0; t < 3; t++) {
      int id = t;
      threads.add(new Thread(() -> {
        try (RawNfs3 c = RawNfs3.connect(host, ROOT)) {
          for (long n = 0; !stop.get(); n++) {
            Res look = c.lookup(root, "d");
            count(counts, "lookup-d", look);
            if (!look.ok()) continue;
            String type = look.attr() == null ? "?" : look.attr().type() == RawNfs3.NF3DIR ? "dir" : look.attr().type() == RawNfs3.NF3LNK ? "symlink" : "type " + look.attr().type();
            counts.computeIfAbsent("lookup-d-was-" + type, k -> new LongAdder()).increment();
            if (look.attr() != null && (look.attr().fileid() == outsideIno || look.attr().fileid() == sentinelIno))
              escapes.add("LOOKUP(root, d) gave the outside's fileid: " + look.attr());
            byte[] result = look.fh();
            Res s = c.lookup(result, "sentinel");
            count(counts, "lookup-sentinel", s);
            if (s.ok()) escapes.add("LOOKUP(d, sentinel) succeeded: " + s.attr());
            Res list = c.readdirplus(result, 0, 0);
            count(counts, "readdirplus", list);
            for (Entry e : list.entries()) {
              if (e.name().equals("sentinel") || e.fileid() == sentinelIno || e.attrFileid() == sentinelIno)
                escapes.add("READDIRPLUS(d) listed " + e.name() + " fileid " + e.fileid() + " / " + e.attrFileid());
            }
            Res read = c.read(result, 0, 4096);
            count(counts, "read", read);
            if (read.ok() && new String(read.data(), StandardCharsets.ISO_8859_1).contains("SENTINEL"))
              escapes.add("READ(d) returned the sentinel's data");
            String name = "planted-" + id + "-" + n;
            Res cr = c.create(result, name, 0644);
            count(counts, "create", cr);
            if (cr.ok()) {
              planted.incrementAndGet();
              if (cr.attr() != null && cr.attr().fileid() == sentinelIno) escapes.add("CREATE returned the sentinel's fileid");
              count(counts, "remove-planted", c.remove(result, name));
            }
          }
        } catch (Throwable e) {
          crashed.add(e);
        }
      }, "reader-" + t));
    }
    threads.forEach(Thread::start);
    while (System.nanoTime() < deadline && crashed.isEmpty()) Thread.sleep(200);   // the race runs for a set time
    stop.set(true);
    for (Thread t : threads) t.join(30_000);
    Map<String, Long> sorted = new TreeMap<>();
    counts.forEach((k, v) -> sorted.put(k, v.sum()));
    long total = sorted.entrySet().stream().filter(e -> !e.getKey().startsWith("lookup-d-was")).mapToLong(Map.Entry::getValue).sum();
    info("race: " + total + " operations; by call and status: " + sorted);
    info("race: planted files created (each removed at once) " + planted.get());
    for (String e : escapes.subList(0, Math.min(20, escapes.size()))) info("race: ESCAPE " + e);
    for (Throwable t : crashed) info("race: thread failed: " + t);
    latency.forEach((call, l) -> info("race: swapper " + call + ": " + l[0] + " calls, mean " + (l[0] == 0 ? 0 : l[1] / l[0]) + " ms, max " + l[2] + " ms"));
    long symlinks = sorted.getOrDefault("lookup-d-was-symlink", 0L), dirs = sorted.getOrDefault("lookup-d-was-dir", 0L);
    check("race.ran", crashed.isEmpty() && symlinks > 0 && dirs > 0,
        "LOOKUP(d) saw the directory " + dirs + " times and the symlink " + symlinks + " times; thread failures " + crashed.size());
    check("race", escapes.isEmpty(), escapes.size() + " replies showed the outside directory");
  }

  private static Res swap(Map<String, long[]> latency, String call, Call c) throws IOException {
    Timed t = timed(call, c);
    long[] l = latency.computeIfAbsent(call, k -> new long[3]);
    l[0]++;
    l[1] += t.ms();
    l[2] = Math.max(l[2], t.ms());
    return t.res();
  }

  private static void count(Map<String, LongAdder> counts, String call, Res r) {
    counts.computeIfAbsent(call + " " + r.describe(), k -> new LongAdder()).increment();
  }

  // =================================================================== sync

  /**
   * 8. One step of sync-kill. Step 1 CREATEs "durable"; 2 checks the old handle, RENAMEs it to
   * "renamed"; 3 checks it, SETATTRs mode 0600; 4 checks the mode. Steps 1 to 3 SIGKILL the
   * server right after the reply.
   */
  private void sync() throws IOException {
    int step = Integer.parseInt(get("step"));
    byte[] root = step == 1 ? RawNfs3.rootHandle(host, get("export")) : RawNfs3.unhex(get("root"));
    byte[] file = step == 1 ? null : RawNfs3.unhex(get("file"));
    try (RawNfs3 c = RawNfs3.connect(host, ROOT)) {
      if (step > 1) {
        Res g = c.getattr(file), r = c.getattr(root);
        info("sync step " + step + ": GETATTR of the handles from before the restart: file " + g.describe() + " " + g.attr() + ", root " + r.describe());
        check("sync-kill.handles-survive-" + (step - 1), g.ok() && r.ok(), "file " + g.describe() + ", root " + r.describe());
        if (step >= 3) {
          Res l = c.lookup(root, "renamed");
          check("sync-kill.rename-seen-over-nfs", l.ok() && g.ok() && l.attr().fileid() == g.attr().fileid(),
              "LOOKUP renamed " + l.describe() + (l.attr() == null ? "" : " fileid " + l.attr().fileid()));
        }
        if (step == 4) check("sync-kill.mode-seen-over-nfs", g.ok() && g.attr().mode() == 0600, "mode " + mode(g));
      }
      Res change = switch (step) {
        case 1 -> c.create(root, "durable", 0644);
        case 2 -> c.rename(root, "durable", root, "renamed");
        case 3 -> c.setattr(file, Sattr.mode(0600));
        default -> null;
      };
      if (change == null) return;
      killServer(Long.parseLong(get("pid")));                               // at once after the reply
      String what = switch (step) {
        case 1 -> "create";
        case 2 -> "rename";
        default -> "setattr";
      };
      check("sync-kill." + what + "-replied", change.ok(), change.describe());
      if (step == 1) {
        System.out.println("HANDLE root " + RawNfs3.hex(root));
        if (change.fh() != null) System.out.println("HANDLE file " + RawNfs3.hex(change.fh()));
      }
    }
  }

  /** SIGKILL to the tapnfs process the test started (checked by its command line). */
  static void killServer(long pid) {
    ProcessHandle p = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
    String cmd = p.info().commandLine().orElse("");
    if (!cmd.contains(" serve ")) throw new IllegalStateException("process " + pid + " is not tapnfs serve: " + cmd);
    p.destroyForcibly();
  }
}
