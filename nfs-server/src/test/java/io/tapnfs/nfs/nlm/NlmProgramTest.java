package io.tapnfs.nfs.nlm;

import static io.tapnfs.nfs.nlm.NlmClient.BLOCKED;
import static io.tapnfs.nfs.nlm.NlmClient.DENIED;
import static io.tapnfs.nfs.nlm.NlmClient.DENIED_GRACE_PERIOD;
import static io.tapnfs.nfs.nlm.NlmClient.DENIED_NOLOCKS;
import static io.tapnfs.nfs.nlm.NlmClient.FAILED;
import static io.tapnfs.nfs.nlm.NlmClient.GRANTED;
import static io.tapnfs.nfs.nlm.NlmClient.STALE_FH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.Clock;
import io.tapnfs.nfs.lock.FileKey;
import io.tapnfs.nfs.lock.Grace;
import io.tapnfs.nfs.lock.LockClients;
import io.tapnfs.nfs.lock.LockManager;
import io.tapnfs.nfs.lock.LockManager.Lock;
import io.tapnfs.nfs.lock.LockRange;
import io.tapnfs.nfs.nlm.ClientLockd.Call;
import io.tapnfs.nfs.nlm.NlmClient.Alock;
import io.tapnfs.nfs.nlm.NlmClient.TestRes;
import io.tapnfs.nfs.v3.MemExports;
import io.tapnfs.nfs.v3.MemExports.MemExport;
import io.tapnfs.nfs.v3.MemVfs;
import io.tapnfs.nfs.vfs.ClientAccess;
import io.tapnfs.nfs.vfs.Fh;
import io.tapnfs.nfs.vfs.SetAttr;
import io.tapnfs.nfs.vfs.Subject;
import io.tapnfs.rpc.RpcClient;
import io.tapnfs.rpc.RpcServer;
import io.tapnfs.rpc.TwoHosts;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.dcache.oncrpc4j.rpc.OncRpcAcceptedException;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * NLM over RPC over two in-memory stacks: host A is the client (with its own rpcbind and a small
 * NLM that takes GRANTED, {@link ClientLockd}), host B the server, over {@link MemVfs} exports.
 * One server for the class; each test locks its own file. GRANTED retries run on short real
 * timings (50 ms doubling to 100 ms, given up after 600 ms); the schedule itself is tested on a
 * manual clock in {@link CallbacksTest}.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NlmProgramTest {
  static final ClientAccess RW = new ClientAccess(true, ClientAccess.Squash.NONE, 65534, 65534, false);
  static final int GRACE_PORT = 4046;
  static final Duration WAIT = Duration.ofSeconds(10);

  final MemVfs data = new MemVfs(1, "/data", false), denied = new MemVfs(5, "/denied", false);
  final MemExports exports = new MemExports(List.of(new MemExport("/data", data, a -> RW), new MemExport("/denied", denied, a -> null)));
  final List<String> monitored = new CopyOnWriteArrayList<>();
  volatile boolean monitorFails;
  final LockClients monitor = (host, address) -> {
    if (monitorFails) throw new java.io.IOException("statd is down");
    monitored.add(host + "@" + address.getHostAddress());
  };
  final LockManager lm = new LockManager(new LockManager.Limits(64, 1024, 16, 64, Duration.ofMinutes(10)));
  final NlmConfig config = NlmConfig.defaults().withCallTimeout(Duration.ofSeconds(2))
      .withRetries(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(600));
  TwoHosts hosts;
  NlmProgram nlm, graced;
  RpcServer server, gracedServer;
  ClientLockd lockd;
  NlmClient tcp, udp, inGrace;

  @BeforeAll void start() throws Exception {
    hosts = new TwoHosts();
    nlm = new NlmProgram(exports, lm, monitor, Grace.none(), config, Clock.SYSTEM, hosts.b);
    RpcServer.Builder b = RpcServer.on(hosts.b).tcp(NlmProgram.PORT).udp(NlmProgram.PORT);
    for (int v : NlmProgram.VERSIONS) b.program(NlmProgram.PROGRAM, v, nlm);
    server = b.start();
    graced = new NlmProgram(exports, new LockManager(LockManager.Limits.defaults()), LockClients.NONE,
        new Grace(Clock.SYSTEM.nanos(), Duration.ofHours(1)), config, Clock.SYSTEM, hosts.b);
    RpcServer.Builder g = RpcServer.on(hosts.b).tcp(GRACE_PORT);
    for (int v : NlmProgram.VERSIONS) g.program(NlmProgram.PROGRAM, v, graced);
    gracedServer = g.start();
    lockd = new ClientLockd(hosts.a);
    tcp = new NlmClient(RpcClient.tcp(hosts.a, TwoHosts.onB(NlmProgram.PORT), NlmClient.T));
    udp = new NlmClient(RpcClient.udp(hosts.a, TwoHosts.onB(NlmProgram.PORT)));
    inGrace = new NlmClient(RpcClient.tcp(hosts.a, TwoHosts.onB(GRACE_PORT), NlmClient.T));
  }

  @AfterAll void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {server, gracedServer, nlm, graced, lockd, hosts}) if (c != null) c.close();
  }

  @BeforeEach void quiet() {
    lockd.calls.clear();
    lockd.answers.clear();
    monitorFails = false;
  }

  // ------------------------------------------------------------------ fixtures

  /** A new file in /data named after the test (and {@code suffix}); its handle. */
  byte[] file(TestInfo t, String suffix) throws Exception {
    String name = t.getTestMethod().orElseThrow().getName() + suffix;
    return data.create(data.root(), name, SetAttr.NONE, false, null, Subject.ROOT).bytes();
  }

  byte[] file(TestInfo t) throws Exception { return file(t, ""); }

  FileKey key(byte[] fh) throws Exception {
    var a = data.getattr(new Fh(fh));
    return new FileKey(a.fsid(), a.fileid());
  }

  static Alock lk(String caller, byte[] fh, int svid, long offset, long len) {
    return new Alock(caller, fh, (caller + "-" + svid).getBytes(StandardCharsets.UTF_8), svid, offset, len);
  }

  /** Who holds what on a file, as "svid:first-last:R|W". */
  List<String> held(byte[] fh) throws Exception {
    return lm.locks(key(fh)).stream().map(NlmProgramTest::show).sorted().toList();
  }

  static String show(Lock l) {
    byte[] o = l.owner().owner();
    int svid = java.nio.ByteBuffer.wrap(o).getInt();
    String last = l.range().last() == LockRange.TO_EOF ? "eof" : Long.toUnsignedString(l.range().last());
    return svid + ":" + Long.toUnsignedString(l.range().offset()) + "-" + last + ":" + l.type().name().charAt(0);
  }

  static void await(String what, BooleanSupplier cond) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.yield();
    }
  }

  NlmClient over(String netid) { return netid.equals("tcp") ? tcp : udp; }

  // ------------------------------------------------------------------ NULL, procedure numbers

  @Test void nullInEveryVersionAndUnknownProcedures() throws Exception {
    for (int v : NlmProgram.VERSIONS) tcp.nul(v);
    assertThat(nlm.calls(NlmProcedure.NULL)).isGreaterThanOrEqualTo(3);
    long unavail = nlm.counter(NlmStat.PROC_UNAVAIL);
    assertThatThrownBy(() -> tcp.raw(4, 16, x -> { })).isInstanceOf(OncRpcAcceptedException.class).hasMessageContaining("PROC_UNAVAIL");
    assertThatThrownBy(() -> tcp.raw(4, 24, x -> { })).hasMessageContaining("PROC_UNAVAIL");
    assertThatThrownBy(() -> tcp.raw(1, 20, x -> { })).hasMessageContaining("PROC_UNAVAIL");   // SHARE is version 3 on
    assertThatThrownBy(() -> tcp.raw(1, 23, x -> { })).hasMessageContaining("PROC_UNAVAIL");
    assertThat(nlm.counter(NlmStat.PROC_UNAVAIL)).isEqualTo(unavail + 4);
    assertThatThrownBy(() -> tcp.raw(2, 0, x -> { })).hasMessageContaining("PROG_MISMATCH");
  }

  // ------------------------------------------------------------------ TEST, LOCK, UNLOCK

  @ParameterizedTest(name = "over {0}")
  @ValueSource(strings = {"tcp", "udp"})
  void testLockUnlockWith64BitRanges(String netid, TestInfo t) throws Exception {
    NlmClient c = over(netid);
    byte[] fh = file(t, netid);
    Alock a = lk("alpha", fh, 1, 1L << 40, 100), b = lk("beta", fh, 2, (1L << 40) + 50, 100);
    assertThat(c.lock(4, false, true, a)).isEqualTo(GRANTED);
    TestRes r = c.test(4, false, b);
    assertThat(r.stat()).isEqualTo(DENIED);
    assertThat(r.cookie()).containsExactly(7);
    assertThat(r.holder().exclusive()).isTrue();
    assertThat(r.holder().svid()).isEqualTo(1);
    assertThat(new String(r.holder().oh(), StandardCharsets.UTF_8)).isEqualTo("alpha-1");
    assertThat(r.holder().offset()).isEqualTo(1L << 40);
    assertThat(r.holder().len()).isEqualTo(100);
    assertThat(c.test(4, true, a).stat()).as("an owner never conflicts with itself").isEqualTo(GRANTED);
    assertThat(c.test(4, false, b.at((1L << 40) + 100, 0)).stat()).isEqualTo(GRANTED);
    assertThat(c.lock(4, false, false, b)).isEqualTo(DENIED);
    assertThat(c.unlock(4, a)).isEqualTo(GRANTED);
    assertThat(c.lock(4, false, true, b)).isEqualTo(GRANTED);
    assertThat(held(fh)).containsExactly("2:1099511627826-1099511627925:W");
    assertThat(c.unlock(4, b)).isEqualTo(GRANTED);
    assertThat(held(fh)).isEmpty();
  }

  @Test void sharedLocksUpgradeDowngradeAndSplit(TestInfo t) throws Exception {
    byte[] fh = file(t);
    Alock a = lk("alpha", fh, 1, 0, 100), b = lk("beta", fh, 2, 50, 10);
    assertThat(tcp.lock(4, false, false, a)).isEqualTo(GRANTED);
    assertThat(tcp.lock(4, false, false, b)).as("readers share").isEqualTo(GRANTED);
    assertThat(tcp.lock(4, false, true, a)).as("no upgrade over another reader").isEqualTo(DENIED);
    assertThat(tcp.unlock(4, b)).isEqualTo(GRANTED);
    assertThat(tcp.lock(4, false, true, a)).isEqualTo(GRANTED);
    assertThat(tcp.lock(4, false, false, a.at(20, 10))).isEqualTo(GRANTED);                 // downgrade a piece
    assertThat(tcp.unlock(4, a.at(60, 10))).isEqualTo(GRANTED);                            // split
    assertThat(held(fh)).containsExactly("1:0-19:W", "1:20-29:R", "1:30-59:W", "1:70-99:W");
    assertThat(tcp.test(4, false, b.at(25, 1)).stat()).isEqualTo(GRANTED);
    assertThat(tcp.test(4, false, b.at(60, 10)).stat()).isEqualTo(GRANTED);
    assertThat(tcp.unlock(4, a.at(0, 0))).isEqualTo(GRANTED);
    assertThat(tcp.unlock(4, a)).as("unlock of nothing held").isEqualTo(GRANTED);
    assertThat(held(fh)).isEmpty();
  }

  @Test void version1And3Use32BitRanges(TestInfo t) throws Exception {
    byte[] fh = file(t);
    Alock a = lk("v1host", fh, 7, 0xfffffff0L, 0), b = lk("other", fh, 8, 0, 0);
    assertThat(tcp.lock(1, false, true, a)).isEqualTo(GRANTED);
    assertThat(held(fh)).containsExactly("7:4294967280-eof:W");
    TestRes r = tcp.test(1, false, b);
    assertThat(r.stat()).isEqualTo(DENIED);
    assertThat(r.holder().offset()).isEqualTo(0xfffffff0L);
    assertThat(r.holder().len()).isZero();
    assertThat(tcp.unlock(3, a)).isEqualTo(GRANTED);
    // a version 4 lock past 2^32, seen by versions 1 and 3: clamped to the last 32-bit offset, to the end
    assertThat(tcp.lock(4, false, true, a.at(1L << 33, 10))).isEqualTo(GRANTED);
    for (int v : new int[] {1, 3}) {
      TestRes c = tcp.test(v, false, b);
      assertThat(c.holder().offset()).isEqualTo(0xffffffffL);
      assertThat(c.holder().len()).isZero();
    }
    assertThat(tcp.test(4, false, b).holder().offset()).isEqualTo(1L << 33);
    assertThat(tcp.unlock(4, a.at(1L << 33, 10))).isEqualTo(GRANTED);
  }

  @Test void staleHandlesRefusedExportsAndOverflowingRanges(TestInfo t) throws Exception {
    byte[] gone = file(t, "-gone");
    data.remove(data.root(), t.getTestMethod().orElseThrow().getName() + "-gone", Subject.ROOT);
    byte[] unknown = {99, 1, 2, 3};
    long stale = nlm.counter(NlmStat.STALE_HANDLES), refused = nlm.counter(NlmStat.EXPORT_REFUSED), bad = nlm.counter(NlmStat.BAD_RANGES);
    for (byte[] fh : new byte[][] {gone, unknown, new byte[0]}) {
      assertThat(tcp.lock(4, false, true, lk("h", fh, 1, 0, 1))).isEqualTo(STALE_FH);
      assertThat(tcp.lock(1, false, true, lk("h", fh, 1, 0, 1))).as("versions 1 and 3 have no STALE_FH").isEqualTo(DENIED_NOLOCKS);
      assertThat(tcp.unlock(4, lk("h", fh, 1, 0, 1))).isEqualTo(STALE_FH);
    }
    assertThat(nlm.counter(NlmStat.STALE_HANDLES)).isEqualTo(stale + 9);
    byte[] deniedRoot = denied.root().bytes();
    assertThat(tcp.lock(4, false, true, lk("h", deniedRoot, 1, 0, 1))).as("as knfsd's nlm_fopen").isEqualTo(DENIED);
    TestRes r = tcp.test(4, false, lk("h", deniedRoot, 1, 0, 1));
    assertThat(r.stat()).as("a DENIED TEST would need a holder").isEqualTo(FAILED);
    assertThat(r.holder()).isNull();
    assertThat(nlm.counter(NlmStat.EXPORT_REFUSED)).isEqualTo(refused + 2);
    byte[] fh = file(t);
    assertThat(tcp.lock(4, false, true, lk("h", fh, 1, -1L, 2))).as("offset + length past 2^64").isEqualTo(FAILED);
    assertThat(tcp.lock(4, false, true, lk("h", fh, 1, -1L, 1))).as("the last byte").isEqualTo(GRANTED);
    assertThat(tcp.test(4, false, lk("h2", fh, 2, (1L << 63) + 1, 1L << 63)).stat()).isEqualTo(FAILED);
    assertThat(nlm.counter(NlmStat.BAD_RANGES)).isEqualTo(bad + 2);
    assertThat(tcp.unlock(4, lk("h", fh, 1, 0, 0))).isEqualTo(GRANTED);
  }

  // ------------------------------------------------------------------ blocking locks, GRANTED

  @ParameterizedTest(name = "over {0}")
  @ValueSource(strings = {"tcp", "udp"})
  void aBlockedLockIsGrantedByCallingTheClientBack(String netid, TestInfo t) throws Exception {
    NlmClient c = over(netid);
    byte[] fh = file(t, netid);
    Alock holder = lk("alpha", fh, 10, 0, 100), waiter = lk("alpha", fh, 11, 0, 50);
    assertThat(c.lock(4, false, true, holder)).isEqualTo(GRANTED);
    assertThat(c.lock(4, true, true, waiter)).isEqualTo(BLOCKED);
    assertThat(c.lock(4, true, true, waiter)).as("polling: the same waiter, renewed").isEqualTo(BLOCKED);
    assertThat(lm.waiting(key(fh))).hasSize(1);
    long delivered = nlm.callbackCounter(Callbacks.Stat.GRANTED_DELIVERED);
    assertThat(c.unlock(4, holder)).isEqualTo(GRANTED);
    Call g = lockd.next(WAIT, x -> x.proc() == 5);
    assertThat(g).as("GRANTED at the client").isNotNull();
    assertThat(g.version()).isEqualTo(4);
    assertThat(g.from().getAddress()).isEqualTo(TwoHosts.B_IP.toInet());
    assertThat(g.exclusive()).isTrue();
    assertThat(g.alock().caller()).isEqualTo("alpha");
    assertThat(g.alock().fh()).isEqualTo(fh);
    assertThat(g.alock().oh()).isEqualTo(waiter.oh());
    assertThat(g.alock().svid()).isEqualTo(11);
    assertThat(g.alock().offset()).isZero();
    assertThat(g.alock().len()).isEqualTo(50);
    assertThat(g.cookie()).hasSize(8);
    assertThat(held(fh)).containsExactly("11:0-49:W");
    await("GRANTED answered", () -> nlm.callbackCounter(Callbacks.Stat.GRANTED_DELIVERED) == delivered + 1);
    assertThat(c.lock(4, true, true, waiter)).as("a poll after the grant").isEqualTo(GRANTED);
    assertThat(c.unlock(4, waiter)).isEqualTo(GRANTED);
  }

  @Test void waitersAreServedInOrder(TestInfo t) throws Exception {
    byte[] fh = file(t);
    Alock holder = lk("alpha", fh, 1, 0, 0), w1 = lk("alpha", fh, 2, 0, 10), w2 = lk("alpha", fh, 3, 0, 10), w3 = lk("alpha", fh, 4, 5, 1);
    tcp.lock(4, false, true, holder);
    for (Alock w : List.of(w1, w2, w3)) assertThat(tcp.lock(4, true, true, w)).isEqualTo(BLOCKED);
    tcp.unlock(4, holder);
    assertThat(lockd.next(WAIT, x -> x.proc() == 5).alock().svid()).isEqualTo(2);
    tcp.unlock(4, w1);
    assertThat(lockd.next(WAIT, x -> x.proc() == 5).alock().svid()).isEqualTo(3);
    tcp.unlock(4, w2);
    assertThat(lockd.next(WAIT, x -> x.proc() == 5).alock().svid()).isEqualTo(4);
    tcp.unlock(4, w3);
  }

  /**
   * The first waiter is a version 1 client, and the client host's rpcbind has no NLM version 1:
   * its GRANTED cannot be delivered, is tried again for 600 ms, then the lock goes to the next.
   */
  @Test void anUndeliverableGrantIsReleasedToTheNextWaiter(TestInfo t) throws Exception {
    byte[] fh = file(t);
    Alock holder = lk("alpha", fh, 20, 0, 100), w1 = lk("alpha", fh, 21, 0, 100), w2 = lk("alpha", fh, 22, 0, 100);
    assertThat(tcp.lock(4, false, true, holder)).isEqualTo(GRANTED);
    assertThat(tcp.lock(1, true, true, w1)).isEqualTo(BLOCKED);
    assertThat(tcp.lock(4, true, true, w2)).isEqualTo(BLOCKED);
    long givenUp = nlm.callbackCounter(Callbacks.Stat.GRANTED_GIVEN_UP);
    long started = System.nanoTime();
    tcp.unlock(4, holder);
    Call g = lockd.next(WAIT, x -> x.proc() == 5);
    assertThat(g).isNotNull();
    assertThat(g.alock().svid()).isEqualTo(22);
    assertThat(System.nanoTime() - started).as("after the first waiter's grace of 600 ms").isGreaterThanOrEqualTo(600_000_000L);
    assertThat(nlm.callbackCounter(Callbacks.Stat.GRANTED_GIVEN_UP)).isEqualTo(givenUp + 1);
    assertThat(held(fh)).containsExactly("22:0-99:W");
    tcp.unlock(4, w2);
  }

  /** The GRANTED of a waiter that cannot be called back is dropped when the client polls and gets the lock from LOCK itself. */
  @Test void aPollWhileTheGrantIsUndeliveredTakesTheLock(TestInfo t) throws Exception {
    byte[] fh = file(t);
    Alock holder = lk("alpha", fh, 30, 0, 10), waiter = lk("alpha", fh, 31, 0, 10);
    tcp.lock(1, false, true, holder);
    assertThat(tcp.lock(1, true, true, waiter)).isEqualTo(BLOCKED);
    long superseded = nlm.counter(NlmStat.GRANTED_SUPERSEDED), givenUp = nlm.callbackCounter(Callbacks.Stat.GRANTED_GIVEN_UP);
    tcp.unlock(1, holder);
    assertThat(held(fh)).containsExactly("31:0-9:W");            // granted; its GRANTED has no v1 NLM to go to
    assertThat(tcp.lock(1, true, true, waiter)).isEqualTo(GRANTED);
    assertThat(nlm.counter(NlmStat.GRANTED_SUPERSEDED)).isEqualTo(superseded + 1);
    await("no callback left", () -> nlm.callbacks.clients().isEmpty());
    assertThat(nlm.callbackCounter(Callbacks.Stat.GRANTED_GIVEN_UP)).isEqualTo(givenUp);
    assertThat(held(fh)).containsExactly("31:0-9:W");
    tcp.unlock(1, waiter);
  }

  @Test void aClientThatRefusesTheGrantLosesTheLock(TestInfo t) throws Exception {
    byte[] fh = file(t);
    Alock holder = lk("alpha", fh, 40, 0, 10), w1 = lk("alpha", fh, 41, 0, 10), w2 = lk("alpha", fh, 42, 0, 10);
    tcp.lock(4, false, true, holder);
    tcp.lock(4, true, true, w1);
    tcp.lock(4, true, true, w2);
    lockd.answers.put(41, DENIED);                               // "no such blocked request here"
    tcp.unlock(4, holder);
    assertThat(lockd.next(WAIT, x -> x.proc() == 5).alock().svid()).isEqualTo(41);
    assertThat(lockd.next(WAIT, x -> x.proc() == 5).alock().svid()).isEqualTo(42);
    assertThat(held(fh)).containsExactly("42:0-9:W");
    tcp.unlock(4, w2);
  }

  @Test void cancel(TestInfo t) throws Exception {
    byte[] fh = file(t);
    Alock holder = lk("alpha", fh, 50, 0, 10), waiter = lk("alpha", fh, 51, 0, 10);
    tcp.lock(4, false, true, holder);
    assertThat(tcp.lock(4, true, true, waiter)).isEqualTo(BLOCKED);
    assertThat(tcp.cancel(4, true, false, waiter)).as("exclusive must match the LOCK").isEqualTo(DENIED);
    assertThat(tcp.cancel(4, true, true, waiter)).isEqualTo(GRANTED);
    assertThat(lm.waiting(key(fh))).isEmpty();
    assertThat(tcp.cancel(4, true, true, waiter)).as("nothing left to cancel").isEqualTo(DENIED);
    long queued = nlm.callbackCounter(Callbacks.Stat.GRANTED_QUEUED);
    tcp.unlock(4, holder);
    assertThat(nlm.callbackCounter(Callbacks.Stat.GRANTED_QUEUED)).isEqualTo(queued);
    assertThat(held(fh)).isEmpty();
  }

  @Test void cancelOfAGrantNotYetDeliveredTakesItBack(TestInfo t) throws Exception {
    byte[] fh = file(t);
    Alock holder = lk("alpha", fh, 55, 0, 10), waiter = lk("alpha", fh, 56, 0, 10), next = lk("alpha", fh, 57, 0, 10);
    tcp.lock(1, false, true, holder);
    tcp.lock(1, true, true, waiter);                              // version 1: its GRANTED cannot be delivered
    tcp.lock(4, true, true, next);
    tcp.unlock(1, holder);
    assertThat(held(fh)).containsExactly("56:0-9:W");
    assertThat(tcp.cancel(1, true, true, waiter)).isEqualTo(GRANTED);
    assertThat(lockd.next(WAIT, x -> x.proc() == 5).alock().svid()).isEqualTo(57);
    assertThat(held(fh)).containsExactly("57:0-9:W");
    tcp.unlock(4, next);
  }

  @Test void unlockCancelsTheOwnersWaiterForTheRange(TestInfo t) throws Exception {
    byte[] fh = file(t);
    Alock holder = lk("alpha", fh, 60, 0, 10), waiter = lk("alpha", fh, 61, 0, 10);
    tcp.lock(4, false, true, holder);
    tcp.lock(4, true, true, waiter);
    assertThat(tcp.unlock(4, waiter)).isEqualTo(GRANTED);
    assertThat(lm.waiting(key(fh))).isEmpty();
    tcp.unlock(4, holder);
  }

  // ------------------------------------------------------------------ the _MSG forms

  @Test void lockMsgAnswersWithLockResAndGrantsWithGrantedMsg(TestInfo t) throws Exception {
    byte[] fh = file(t);
    Alock holder = lk("alpha", fh, 70, 0, 10), waiter = lk("alpha", fh, 71, 0, 10);
    tcp.lockMsg(4, false, true, holder);
    Call res = lockd.next(WAIT, x -> x.proc() == 12);
    assertThat(res.cookie()).containsExactly(1, 2, 3, 4, 5);
    assertThat(res.stat()).isEqualTo(GRANTED);
    tcp.lockMsg(4, true, true, waiter);
    assertThat(lockd.next(WAIT, x -> x.proc() == 12).stat()).isEqualTo(BLOCKED);
    long delivered = nlm.callbackCounter(Callbacks.Stat.GRANTED_DELIVERED);
    tcp.unlock(4, holder);
    Call g = lockd.next(WAIT, x -> x.proc() == 10);
    assertThat(g.alock().svid()).isEqualTo(71);
    tcp.grantedRes(4, g.cookie(), GRANTED);
    await("GRANTED_RES taken", () -> nlm.callbackCounter(Callbacks.Stat.GRANTED_DELIVERED) == delivered + 1);
    long unmatched = nlm.counter(NlmStat.GRANTED_RES_UNMATCHED);
    tcp.grantedRes(4, g.cookie(), GRANTED);                        // again: nothing waits for it
    assertThat(nlm.counter(NlmStat.GRANTED_RES_UNMATCHED)).isEqualTo(unmatched + 1);
    assertThat(held(fh)).containsExactly("71:0-9:W");
    tcp.unlock(4, waiter);
  }

  @Test void grantedReceivedByTheServerIsDenied() throws Exception {
    NlmClient.Res r = tcp.call(4, 5, x -> {
      x.xdrEncodeDynamicOpaque(new byte[] {1});
      x.xdrEncodeBoolean(true);
      NlmClient.alock(x, 4, lk("srv", new byte[] {1, 2}, 1, 0, 1));
    }, NlmClient::res);
    assertThat(r.stat()).isEqualTo(DENIED);
    assertThat(nlm.counter(NlmStat.GRANTED_RECEIVED)).isPositive();
  }

  // ------------------------------------------------------------------ SHARE, NM_LOCK, FREE_ALL, reboots, grace

  @Test void shareReservations(TestInfo t) throws Exception {
    byte[] fh = file(t);
    byte[] o1 = {1}, o2 = {2}, o3 = {3};
    assertThat(tcp.share(4, "s1", fh, o1, 2, 1)).as("read, deny write").isEqualTo(GRANTED);
    assertThat(tcp.share(4, "s2", fh, o2, 0, 2)).as("write meets the deny").isEqualTo(DENIED);
    assertThat(tcp.share(3, "s2", fh, o2, 0, 1)).isEqualTo(GRANTED);
    assertThat(tcp.share(4, "s3", fh, o3, 1, 1)).as("deny read meets their reads").isEqualTo(DENIED);
    assertThat(tcp.unshare(4, "s1", fh, o1)).isEqualTo(GRANTED);
    assertThat(tcp.share(4, "s2", fh, o2, 0, 3)).as("its own share, replaced").isEqualTo(GRANTED);
    assertThat(nlm.shares.shares(key(fh))).hasSize(1);
    assertThat(tcp.unshare(4, "s2", fh, o2)).isEqualTo(GRANTED);
    assertThat(tcp.unshare(4, "s2", fh, o2)).isEqualTo(GRANTED);
    assertThat(nlm.shares.shares(key(fh))).isEmpty();
  }

  @Test void theHostIsMonitoredBeforeItsFirstLockButNotForNmLock(TestInfo t) throws Exception {
    byte[] fh = file(t);
    monitored.clear();
    assertThat(tcp.lock(4, false, true, lk("mu", fh, 1, 0, 1))).isEqualTo(GRANTED);
    assertThat(tcp.lock(4, false, true, lk("mu", fh, 1, 1, 1))).isEqualTo(GRANTED);
    assertThat(monitored).containsExactly("mu@" + TwoHosts.A_IP);
    assertThat(tcp.nmLock(4, true, lk("nu", fh, 2, 10, 1))).isEqualTo(GRANTED);
    assertThat(monitored).containsExactly("mu@" + TwoHosts.A_IP);
    monitorFails = true;
    long failed = nlm.counter(NlmStat.MONITOR_FAILED);
    assertThat(tcp.lock(4, false, true, lk("xi", fh, 3, 20, 1))).isEqualTo(DENIED_NOLOCKS);
    assertThat(nlm.counter(NlmStat.MONITOR_FAILED)).isEqualTo(failed + 1);
    assertThat(held(fh)).containsExactly("1:0-1:W", "2:10-10:W");
    tcp.unlock(4, lk("mu", fh, 1, 0, 0));
    tcp.unlock(4, lk("nu", fh, 2, 0, 0));
  }

  @Test void freeAllDropsOneHostsLocksWaitersAndShares(TestInfo t) throws Exception {
    byte[] fh = file(t);
    assertThat(tcp.lock(4, false, true, lk("gamma", fh, 1, 0, 10))).isEqualTo(GRANTED);
    assertThat(tcp.lock(4, false, true, lk("delta", fh, 2, 20, 10))).isEqualTo(GRANTED);
    assertThat(tcp.lock(4, true, true, lk("gamma", fh, 3, 20, 10))).isEqualTo(BLOCKED);
    assertThat(tcp.share(4, "gamma", fh, new byte[] {9}, 0, 1)).isEqualTo(GRANTED);
    long freed = nlm.counter(NlmStat.HOSTS_FREED);
    tcp.freeAll(4, "gamma");
    assertThat(held(fh)).containsExactly("2:20-29:W");
    assertThat(lm.waiting(key(fh))).isEmpty();
    assertThat(nlm.shares.shares(key(fh))).isEmpty();
    assertThat(nlm.counter(NlmStat.HOSTS_FREED)).isEqualTo(freed + 1);
    tcp.unlock(4, lk("delta", fh, 2, 0, 0));
  }

  @Test void aRebootDropsTheHostByAddressOrByName(TestInfo t) throws Exception {
    byte[] fh = file(t);
    assertThat(tcp.lock(4, false, true, lk("zeta", fh, 1, 0, 10))).isEqualTo(GRANTED);
    nlm.rebooted("ZETA", null);
    assertThat(held(fh)).isEmpty();
    assertThat(tcp.lock(4, false, true, lk("eta", fh, 2, 0, 10))).isEqualTo(GRANTED);
    assertThat(tcp.lock(4, true, true, lk("eta", fh, 3, 0, 10))).isEqualTo(BLOCKED);
    nlm.rebooted("eta.example", InetAddress.getByName("10.9.0.99"));
    assertThat(held(fh)).hasSize(1);
    nlm.rebooted("eta.example", TwoHosts.A_IP.toInet());          // SM_NOTIFY's name need not be the caller_name
    assertThat(held(fh)).isEmpty();
    assertThat(lm.waiting(key(fh))).isEmpty();
    assertThat(nlm.counters().get("hostsRebooted")).isPositive();
  }

  @Test void theGracePeriod(TestInfo t) throws Exception {
    byte[] fh = file(t);
    Alock a = lk("alpha", fh, 1, 0, 10);
    long refused = graced.counter(NlmStat.GRACE_REFUSED);
    assertThat(inGrace.lock(4, false, true, a)).isEqualTo(DENIED_GRACE_PERIOD);
    assertThat(inGrace.lock(1, false, true, a)).isEqualTo(DENIED_GRACE_PERIOD);
    assertThat(inGrace.nmLock(4, true, a)).isEqualTo(DENIED_GRACE_PERIOD);
    assertThat(inGrace.test(4, true, a).stat()).isEqualTo(DENIED_GRACE_PERIOD);
    assertThat(inGrace.share(4, "alpha", fh, new byte[] {1}, 0, 1)).isEqualTo(DENIED_GRACE_PERIOD);
    assertThat(inGrace.lock(4, false, true, a, true)).as("a reclaim").isEqualTo(GRANTED);
    assertThat(inGrace.unlock(4, a)).as("unlocks free, so go on").isEqualTo(GRANTED);
    assertThat(graced.counter(NlmStat.GRACE_REFUSED)).isEqualTo(refused + 5);
    assertThat(tcp.lock(4, false, true, a, true)).as("a reclaim after the grace period").isEqualTo(DENIED_GRACE_PERIOD);
  }

  @Test void theLockManagersBoundIsDeniedNolocks(TestInfo t) throws Exception {
    byte[] fh = file(t);
    for (int i = 0; i < 64; i++) assertThat(tcp.lock(4, false, true, lk("many", fh, 1, 2L * i, 1))).isEqualTo(GRANTED);
    long limit = nlm.counter(NlmStat.LOCK_LIMIT);
    assertThat(tcp.lock(4, false, true, lk("many", fh, 1, 1000, 1))).isEqualTo(DENIED_NOLOCKS);
    assertThat(tcp.lock(1, false, true, lk("many", fh, 1, 1000, 1))).isEqualTo(DENIED_NOLOCKS);
    assertThat(nlm.counter(NlmStat.LOCK_LIMIT)).isEqualTo(limit + 2);
    assertThat(tcp.lock(4, false, true, lk("many", fh, 1, 1, 1))).as("merging needs no room").isEqualTo(GRANTED);
    tcp.unlock(4, lk("many", fh, 1, 0, 0));
    assertThat(held(fh)).isEmpty();
  }

  // ------------------------------------------------------------------ malformed arguments

  static byte[] bytes(int n) { return new byte[n]; }

  static void lockArgs(XdrEncodingStream x, byte[] cookie, int block, String caller, byte[] fh, byte[] oh) {
    x.xdrEncodeDynamicOpaque(cookie);
    x.xdrEncodeInt(block);
    x.xdrEncodeBoolean(true);
    x.xdrEncodeDynamicOpaque(caller.getBytes(StandardCharsets.UTF_8));
    x.xdrEncodeDynamicOpaque(fh);
    x.xdrEncodeDynamicOpaque(oh);
    x.xdrEncodeInt(1);
    x.xdrEncodeLong(0);
    x.xdrEncodeLong(1);
    x.xdrEncodeBoolean(false);
    x.xdrEncodeInt(0);
  }

  static Stream<Arguments> garbage() {
    String longName = "h".repeat(1025);
    return Stream.of(
        Arguments.of("cookie of 1025 bytes", 4, 2, (NlmClient.Enc) x -> lockArgs(x, bytes(1025), 0, "h", bytes(9), bytes(4))),
        Arguments.of("oh of 1025 bytes", 4, 2, (NlmClient.Enc) x -> lockArgs(x, bytes(4), 0, "h", bytes(9), bytes(1025))),
        Arguments.of("fh of 65 bytes", 4, 2, (NlmClient.Enc) x -> lockArgs(x, bytes(4), 0, "h", bytes(65), bytes(4))),
        Arguments.of("caller_name of 1025 bytes", 4, 2, (NlmClient.Enc) x -> lockArgs(x, bytes(4), 0, longName, bytes(9), bytes(4))),
        Arguments.of("block 2", 4, 2, (NlmClient.Enc) x -> lockArgs(x, bytes(4), 2, "h", bytes(9), bytes(4))),
        Arguments.of("a netobj past the message", 4, 1, (NlmClient.Enc) x -> x.xdrEncodeInt(100)),
        Arguments.of("truncated", 1, 4, (NlmClient.Enc) x -> x.xdrEncodeDynamicOpaque(bytes(4))),
        Arguments.of("fsh_mode 4", 3, 20, (NlmClient.Enc) x -> NlmClient.shareArgs(x, "h", bytes(9), bytes(1), 4, 0, false)),
        Arguments.of("nlm_notify name of 1026 bytes", 4, 23, (NlmClient.Enc) x -> {
          x.xdrEncodeDynamicOpaque(bytes(1026));
          x.xdrEncodeInt(0);
        }),
        Arguments.of("nlm4_stats 10 in GRANTED_RES", 4, 15, (NlmClient.Enc) x -> {
          x.xdrEncodeDynamicOpaque(bytes(8));
          x.xdrEncodeInt(10);
        }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("garbage")
  void malformedArgumentsAreGarbageArgs(String what, int version, int proc, NlmClient.Enc args) {
    long before = nlm.counter(NlmStat.GARBAGE_ARGS);
    assertThatThrownBy(() -> tcp.raw(version, proc, args)).isInstanceOf(OncRpcAcceptedException.class).hasMessageContaining("GARBAGE_ARGS");
    assertThat(nlm.counter(NlmStat.GARBAGE_ARGS)).isEqualTo(before + 1);
    assertThat(nlm.counter(NlmStat.SERVER_FAULTS)).isZero();
  }

  @Test void countersForStat() {
    assertThat(nlm.counters()).containsKeys("nullCalls", "lockMsgCalls", "freeAllCalls", "v1Calls", "v4Calls", "grantedReplies",
        "staleFhReplies", "garbageArgs", "grantedQueued", "grantedGivenUp", "shares", "hostsMonitored");
    assertThat(nlm.replies(io.tapnfs.nfs.nlm.xdr.NlmStats.GRANTED)).isPositive();
    assertThat(nlm.counter(NlmStat.SERVER_FAULTS)).isZero();
  }
}
