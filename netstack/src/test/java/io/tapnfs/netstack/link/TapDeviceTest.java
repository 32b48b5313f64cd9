package io.tapnfs.netstack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.tapnfs.netstack.ethernet.MacAddress;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real TAP devices. Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN) and /dev/net/tun, and FAILS where
 * they are missing: it is never skipped. Taps in the root namespace get no addresses and no routes
 * (IPv6 is switched off on them before they go up, so no link-local address appears either); the
 * one test that configures an address runs on a thread that unshare(2)d a private namespace.
 */
class TapDeviceTest {
  static final long MS = 1_000_000L;
  static final String TUN = "/dev/net/tun";

  private String name;
  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private ExecutorService loop;

  @BeforeAll
  static void needsRootAndTun() throws IOException {
    String uid = Files.readAllLines(Path.of("/proc/self/status")).stream()
        .filter(l -> l.startsWith("Uid:")).findFirst().orElse("Uid: ?").split("\\s+")[2];
    assertThat(uid).as("TapDeviceTest needs root (effective uid 0, CAP_NET_ADMIN); run the tests as root").isEqualTo("0");
    assertThat(Path.of(TUN)).as("TapDeviceTest needs %s (modprobe tun; in a container: --device /dev/net/tun)", TUN).exists();
  }

  @BeforeEach
  void setUp() {
    name = "tntest" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000000));
    loop = Executors.newSingleThreadExecutor(r -> new Thread(r, "tap-test-loop"));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : cleanup) c.close();
    loop.shutdownNow();
    if (Files.exists(sys(name))) run("ip", "link", "del", name);
  }

  private TapDevice open(String n) throws IOException {
    TapDevice d = TapDevice.open(n, 1500);
    cleanup.add(0, d);
    return d;
  }

  // ------------------------------------------------------------------ configuration

  @Test @Timeout(10)
  void opensConfiguresAndReadsBackThroughSysfs() throws Exception {
    TapDevice d = open(name);
    assertThat(d.name()).isEqualTo(name);
    assertThat(d.maxFrameSize()).isEqualTo(1514);
    assertThat(sysRead(name, "tun_flags")).isEqualTo("0x1002");   // IFF_TAP | IFF_NO_PI
    assertThat(d.kernelIfIndex()).isEqualTo(Integer.parseInt(sysRead(name, "ifindex")));
    MacAddress mac = d.kernelMac();
    assertThat(mac).isEqualTo(MacAddress.parse(sysRead(name, "address")));
    assertThat(mac.isUnicast()).isTrue();

    noIpv6(name);
    d.setUp(true);
    assertThat(Integer.decode(sysRead(name, "flags")) & TapDevice.IFF_UP).isEqualTo(TapDevice.IFF_UP);
    d.setMtu(9000);
    assertThat(sysRead(name, "mtu")).isEqualTo("9000");
    assertThat(d.maxFrameSize()).isEqualTo(9014);
    d.setUp(false);
    assertThat(Integer.decode(sysRead(name, "flags")) & TapDevice.IFF_UP).isZero();

    d.close();
    assertThat(sys(name)).as("a non-persistent tap goes away with its fd").doesNotExist();
  }

  @Test @Timeout(10)
  void kernelPicksTheNameWhenNoneIsGiven() throws Exception {
    TapDevice d = open("");
    name = d.name();   // for tearDown
    assertThat(name).matches("tap\\d+");
    assertThat(sys(name)).exists();
  }

  @Test @Timeout(10)
  void secondAttachToAnOpenTapIsBusy() throws Exception {
    open(name);
    assertThatThrownBy(() -> open(name))
        .isInstanceOf(IOException.class)
        .hasMessage("TUNSETIFF " + name + ": Device or resource busy (another process is attached to it)");
  }

  @Test @Timeout(10)
  void attachesToAPersistentTapTwice() throws Exception {
    run("ip", "tuntap", "add", "dev", name, "mode", "tap");
    cleanup.add(() -> run("ip", "tuntap", "del", "dev", name, "mode", "tap"));
    TapDevice first = TapDevice.open(name, 1500);
    assertThat(first.name()).isEqualTo(name);
    first.close();
    assertThat(sys(name)).as("persistent tap survives its fd").exists();
    TapDevice second = open(name);
    assertThat(second.kernelIfIndex()).isEqualTo(Integer.parseInt(sysRead(name, "ifindex")));
    second.close();
  }

  @Test @Timeout(10)
  void rejectsBadArguments() throws Exception {
    assertThatThrownBy(() -> TapDevice.open("sixteen-chars-xx", 1500)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TapDevice.open("a/b", 1500)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TapDevice.open(name, 67)).isInstanceOf(IllegalArgumentException.class);
    TapDevice d = open(name);
    assertThatThrownBy(() -> d.read(ByteBuffer.allocate(2000))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.write(ByteBuffer.allocateDirect(1515)))
        .isInstanceOf(IOException.class).hasMessageContaining("1515 bytes");
    assertThatThrownBy(() -> d.setHostAddress(0x0a000001, 33)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test void pollTimeoutRoundsUpToMilliseconds() {
    assertThat(TapDevice.pollTimeoutMillis(-1)).isEqualTo(-1);
    assertThat(TapDevice.pollTimeoutMillis(0)).isZero();
    assertThat(TapDevice.pollTimeoutMillis(300_000)).isEqualTo(1);   // a 0.3 ms timer does not spin
    assertThat(TapDevice.pollTimeoutMillis(MS)).isEqualTo(1);
    assertThat(TapDevice.pollTimeoutMillis(MS + 1)).isEqualTo(2);
    assertThat(TapDevice.pollTimeoutMillis(Long.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
  }

  // ------------------------------------------------------------------ await, wakeup, close

  @Test @Timeout(10)
  void awaitTimesOutWhenNoFrameComes() throws Exception {
    TapDevice d = open(name);   // down: the kernel sends nothing
    long t0 = System.nanoTime();
    d.await(50 * MS);
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(49 * MS);
    assertThat(d.read(ByteBuffer.allocateDirect(2048))).isZero();
  }

  @Test @Timeout(10)
  void wakeupFromAnotherThreadReleasesABlockedAwait() throws Exception {
    TapDevice d = open(name);
    CompletableFuture<Integer> tid = new CompletableFuture<>();
    Future<?> waiter = loop.submit(() -> {
      tid.complete(TapTestNative.gettid());
      d.await(-1);
      return null;
    });
    awaitInPoll(tid.get(5, TimeUnit.SECONDS));
    d.wakeup();
    waiter.get(5, TimeUnit.SECONDS);

    // A wake-up with nobody waiting is kept for the next await, then used up.
    d.wakeup();
    d.await(-1);
    long t0 = System.nanoTime();
    d.await(20 * MS);
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(19 * MS);
  }

  @Test @Timeout(10)
  void closeFromAnotherThreadReleasesAwaitAndReadThenThrowsEof() throws Exception {
    TapDevice d = open(name);
    CompletableFuture<Integer> tid = new CompletableFuture<>();
    Future<Throwable> waiter = loop.submit(() -> {
      tid.complete(TapTestNative.gettid());
      d.await(-1);
      try {
        d.read(ByteBuffer.allocateDirect(2048));
        return null;
      } catch (Throwable e) {
        return e;
      }
    });
    awaitInPoll(tid.get(5, TimeUnit.SECONDS));
    d.close();
    assertThat(waiter.get(5, TimeUnit.SECONDS)).isInstanceOf(EOFException.class).hasMessageContaining(name);
    // The loop left its last call, so the fds are closed and the non-persistent tap is gone.
    assertThat(sys(name)).doesNotExist();
  }

  /** close() racing wake-ups and a busy loop thread: never hangs, the loop always ends in EOF. */
  @Test @Timeout(60)
  void closeRacingWakeupsAndTheLoopNeverHangs() throws Exception {
    ExecutorService wakers = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 30; round++) {
        TapDevice d = TapDevice.open(name, 1500);
        Future<Throwable> loopEnd = loop.submit(() -> {
          ByteBuffer rx = ByteBuffer.allocateDirect(2048);
          try {
            while (true) {
              d.await(-1);
              rx.clear();
              d.read(rx);
            }
          } catch (Throwable e) {
            return e;
          }
        });
        List<Future<?>> ws = new ArrayList<>();
        for (int w = 0; w < 2; w++) ws.add(wakers.submit(() -> { for (int i = 0; i < 200; i++) d.wakeup(); }));
        if (round % 2 == 0) ws.get(0).get(5, TimeUnit.SECONDS);   // vary where close lands
        d.close();
        for (Future<?> w : ws) w.get(5, TimeUnit.SECONDS);
        assertThat(loopEnd.get(5, TimeUnit.SECONDS)).isInstanceOf(EOFException.class);
        assertThat(sys(name)).doesNotExist();
      }
    } finally {
      wakers.shutdownNow();
    }
  }

  @Test @Timeout(10)
  void closeIsIdempotentAndEverythingAfterItThrowsEof() throws Exception {
    TapDevice d = open(name);
    d.close();
    d.close();
    d.wakeup();   // no-op
    assertThat(d.isOpen()).isFalse();
    assertThatThrownBy(() -> d.read(ByteBuffer.allocateDirect(2048))).isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> d.write(ByteBuffer.allocateDirect(60))).isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> d.await(0)).isInstanceOf(EOFException.class);
  }

  // ------------------------------------------------------------------ frames, in a private namespace

  /**
   * ARP with the kernel: we give the kernel's side 10.99.0.1/24, ask who-has 10.99.0.1 and expect
   * its reply. The whole test runs on one thread that moved to a fresh network namespace, since
   * the tap and the configuration ioctls belong to the calling thread's namespace.
   */
  @Test @Timeout(20)
  void exchangesFramesWithTheKernelInAPrivateNamespace() throws Exception {
    Future<?> f = loop.submit(() -> {
      if (TapTestNative.unshare(TapTestNative.CLONE_NEWNET) != 0)
        fail("unshare(CLONE_NEWNET): errno " + com.sun.jna.Native.getLastError() + " (needs CAP_SYS_ADMIN)");
      try (TapDevice d = TapDevice.open("tn0", 1500)) {
        int hostIp = 0x0a630001, ourIp = 0x0a630002;   // 10.99.0.1, 10.99.0.2
        MacAddress ours = MacAddress.parse("02:00:00:00:00:02");
        d.setHostAddress(hostIp, 24);
        d.setUp(true);
        MacAddress kernel = d.kernelMac();

        // From a heap buffer (copied) and from a direct buffer at an offset: the position counts.
        d.write(ByteBuffer.wrap(arpRequest(ours, ourIp, hostIp)));
        ByteBuffer direct = ByteBuffer.allocateDirect(100);
        direct.position(7).put(arpRequest(ours, ourIp, hostIp)).flip().position(7);
        d.write(direct);
        assertThat(direct.position()).isEqualTo(7);
        assertThat(d.txDropsQueueFull()).isZero();

        ByteBuffer rx = ByteBuffer.allocateDirect(2048);
        int replies = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (replies < 2 && System.nanoTime() < deadline) {
          d.await(100 * MS);
          rx.clear().position(3);   // read at an offset too
          int n = d.read(rx);
          if (n == 0) continue;
          assertThat(rx.position()).isEqualTo(3 + n);
          ByteBuffer frame = rx.flip().position(3).slice();
          if ((frame.getShort(12) & 0xffff) != 0x0806) continue;   // IPv6 chatter and the like
          assertThat(n).isGreaterThanOrEqualTo(42);
          assertThat(MacAddress.read(frame, 0)).isEqualTo(ours);                // Ethernet destination
          assertThat(MacAddress.read(frame, 6)).isEqualTo(kernel);              // Ethernet source
          assertThat(frame.getShort(14 + 6)).isEqualTo((short) 2);              // ARP reply, RFC 826
          assertThat(MacAddress.read(frame, 14 + 8)).isEqualTo(kernel);         // sender hardware address
          assertThat(frame.getInt(14 + 14)).isEqualTo(hostIp);                  // sender protocol address
          assertThat(frame.getInt(14 + 24)).isEqualTo(ourIp);                   // target protocol address
          replies++;
        }
        assertThat(replies).as("ARP replies from the kernel").isEqualTo(2);
      }
      return null;
    });
    f.get(15, TimeUnit.SECONDS);
  }

  /**
   * Segmentation offload: the tap opened with a vnet header takes one 28,960-byte TCP segment
   * (20 x 1448, partial checksum) with writeGso, and the kernel treats it as that one segment: to
   * a closed port it answers one RST whose ACK covers all of it (RFC 9293 §3.10.7.1). The kernel's
   * ARP request for us, read through the vnet header and answered with a plain write, comes first.
   */
  @Test @Timeout(20)
  void writesOneLargeTcpSegmentThatTheKernelTakesWhole() throws Exception {
    Future<?> f = loop.submit(() -> {
      if (TapTestNative.unshare(TapTestNative.CLONE_NEWNET) != 0)
        fail("unshare(CLONE_NEWNET): errno " + com.sun.jna.Native.getLastError() + " (needs CAP_SYS_ADMIN)");
      try (TapDevice d = TapDevice.open("tn0", 1500, true)) {
        assertThat(d.gsoMaxSize()).isEqualTo(TapDevice.GSO_MAX_FRAME);
        int hostIp = 0x0a630001, ourIp = 0x0a630002;
        MacAddress ours = MacAddress.parse("02:00:00:00:00:02");
        d.setHostAddress(hostIp, 24);
        d.setUp(true);
        MacAddress kernel = d.kernelMac();
        int seq = 0x12345678, payload = 20 * 1448;
        d.writeGso(tcpFrame(ours, kernel, ourIp, hostIp, 40000, 9, seq, payload), 1448);

        ByteBuffer rx = ByteBuffer.allocateDirect(2048);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int rstAck = 0;
        boolean rst = false;
        while (!rst && System.nanoTime() < deadline) {
          d.await(100 * MS);
          rx.clear();
          int n = d.read(rx);
          if (n == 0) continue;
          ByteBuffer frame = rx.flip().slice();
          int type = frame.getShort(12) & 0xffff;
          if (type == 0x0806 && frame.getShort(14 + 6) == 1 && frame.getInt(14 + 24) == ourIp) {
            d.write(ByteBuffer.wrap(arpReply(ours, ourIp, kernel, hostIp)));   // who-has us: we do
          } else if (type == 0x0800 && frame.get(14 + 9) == 6) {
            int l4 = 14 + (frame.get(14) & 0x0f) * 4;
            assertThat(frame.getShort(l4 + 2) & 0xffff).isEqualTo(40000);
            assertThat(frame.get(l4 + 13) & 0x04).as("RST").isNotZero();
            rstAck = frame.getInt(l4 + 8);
            rst = true;
          }
        }
        assertThat(rst).as("a RST from the kernel").isTrue();
        assertThat(rstAck).isEqualTo(seq + payload);
      }
      return null;
    });
    f.get(15, TimeUnit.SECONDS);
  }

  /**
   * Ethernet, IPv4 (DF) and a TCP segment with PSH only, {@code len} zero bytes of payload, and
   * the partial checksum of {@link LinkEndpoint#writeGso}: the pseudo-header sum, not complemented.
   */
  static ByteBuffer tcpFrame(MacAddress src, MacAddress dst, int srcIp, int dstIp, int sport, int dport, int seq, int len) {
    ByteBuffer b = ByteBuffer.allocateDirect(14 + 20 + 20 + len);
    dst.write(b, 0);
    src.write(b, 6);
    b.putShort(12, (short) 0x0800);
    b.put(14, (byte) 0x45).putShort(16, (short) (40 + len)).putShort(18, (short) 7).putShort(20, (short) 0x4000)
        .put(22, (byte) 64).put(23, (byte) 6).putInt(26, srcIp).putInt(30, dstIp);
    long sum = 0;
    for (int i = 14; i < 34; i += 2) sum += b.getShort(i) & 0xffff;
    b.putShort(24, (short) fold(sum, true));
    b.putShort(34, (short) sport).putShort(36, (short) dport).putInt(38, seq).putInt(42, 0)
        .put(46, (byte) 0x50).put(47, (byte) 0x08).putShort(48, (short) 65535);
    long pseudo = (srcIp >>> 16) + (srcIp & 0xffff) + (dstIp >>> 16) + (dstIp & 0xffff) + 6 + 20 + len;
    b.putShort(50, (short) fold(pseudo, false));
    return b;
  }

  static int fold(long sum, boolean complement) {
    while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
    return (int) ((complement ? ~sum : sum) & 0xffff);
  }

  /** RFC 826 reply from {@code sha}/{@code spa} to {@code tha}/{@code tpa}; 42 bytes. */
  static byte[] arpReply(MacAddress sha, int spa, MacAddress tha, int tpa) {
    ByteBuffer b = ByteBuffer.wrap(arpRequest(sha, spa, tpa));
    tha.write(b, 0);
    b.putShort(20, (short) 2);
    tha.write(b, 32);
    return b.array();
  }

  /** RFC 826 request, Ethernet/IPv4, broadcast; 42 bytes. */
  static byte[] arpRequest(MacAddress sha, int spa, int tpa) {
    ByteBuffer b = ByteBuffer.allocate(42);
    MacAddress.BROADCAST.write(b, 0);
    sha.write(b, 6);
    b.putShort(12, (short) 0x0806);
    b.putShort(14, (short) 1).putShort(16, (short) 0x0800).put(18, (byte) 6).put(19, (byte) 4).putShort(20, (short) 1);
    sha.write(b, 22);
    b.putInt(28, spa);
    MacAddress.ZERO.write(b, 32);
    b.putInt(38, tpa);
    return b.array();
  }

  // ------------------------------------------------------------------ helpers

  /** syscalls that poll(2) may show up as: x86_64 poll/ppoll, aarch64 ppoll. */
  static final Set<String> POLL_SYSCALLS = switch (System.getProperty("os.arch")) {
    case "amd64", "x86_64" -> Set.of("7", "271");
    case "aarch64" -> Set.of("73");
    default -> Set.of();
  };

  /** Spins (bounded) until thread {@code tid} is inside poll(2), as /proc/self/task/TID/syscall shows. */
  static void awaitInPoll(int tid) throws IOException {
    Path p = Path.of("/proc/self/task/" + tid + "/syscall");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      String s = Files.readString(p, StandardCharsets.US_ASCII).trim();
      String nr = s.split(" ")[0];
      if (POLL_SYSCALLS.isEmpty() || POLL_SYSCALLS.contains(nr)) return;
      if (System.nanoTime() > deadline) fail("thread " + tid + " never entered poll(2): " + s);
      Thread.onSpinWait();
    }
  }

  static Path sys(String dev) { return Path.of("/sys/class/net", dev); }

  static String sysRead(String dev, String attr) throws IOException {
    return Files.readString(sys(dev).resolve(attr)).trim();
  }

  /** Keeps the kernel from giving the tap an IPv6 link-local address when it goes up. */
  static void noIpv6(String dev) throws IOException {
    Path p = Path.of("/proc/sys/net/ipv6/conf", dev, "disable_ipv6");
    if (Files.exists(p)) Files.writeString(p, "1");
  }

  static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", cmd) + " did not finish in 10 s");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) fail(String.join(" ", cmd) + " failed: " + out);
  }
}
