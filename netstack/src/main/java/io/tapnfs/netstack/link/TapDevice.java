package io.tapnfs.netstack.link;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.tapnfs.netstack.ethernet.MacAddress;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Linux TAP device ({@code Documentation/networking/tuntap.rst}): one read(2) or write(2) per
 * Ethernet frame, no packet-information header ({@code IFF_NO_PI}). The fd is non-blocking;
 * {@link #await} poll(2)s it together with an eventfd that {@link #wakeup} writes.
 *
 * <p>Segmentation offload ({@link #open(String, int, boolean)} with {@code gso}): the tap is
 * attached with {@code IFF_VNET_HDR}, so every frame either way is preceded by a 10-byte
 * {@code struct virtio_net_hdr} (readv(2)/writev(2), no copy), as qemu and gVisor's fdbased link
 * use it. {@link #writeGso} then hands the kernel one TCP frame of up to {@link #GSO_MAX_FRAME}
 * bytes with {@code VIRTIO_NET_HDR_GSO_TCPV4} and a partial checksum: one system call, and one
 * pass through the kernel's receive path, instead of one per MTU-sized segment; the kernel cuts it
 * only if it must forward it somewhere it does not fit. We never ask for offloads the other way
 * ({@code TUNSETOFFLOAD}), so what we read is MTU-sized frames with complete checksums and a
 * header that says nothing we need. The header is in the host's byte order (the legacy virtio
 * layout, little-endian on x86_64 and aarch64).
 *
 * <p>Threads. {@link #read}, {@link #write} and {@link #await} belong to the event-loop thread;
 * {@link #wakeup}, {@link #close}, {@link #txDropsQueueFull} and the link configuration calls may
 * come from any thread. The rule that keeps a closed (or already reused) fd number out of every
 * syscall: each call that uses an fd first takes a reference in {@code state}, which fails once
 * {@code CLOSING} is set; the fds are closed by whoever drops the last reference, which is
 * {@link #close} itself when no call is in progress, else the loop thread on its way out of
 * read/write/await. So {@link #close} never blocks and never waits for the loop: it sets
 * {@code CLOSING}, writes the eventfd (which makes a poll(2) in progress return) and leaves.
 * After that read, write and await throw {@link EOFException}.
 *
 * <p>The configuration calls ({@link #setUp}, {@link #setMtu}, {@link #setHostAddress},
 * {@link #kernelMac}, {@link #kernelIfIndex}) are SIOC* ioctls on a throwaway AF_INET socket,
 * addressed by interface name, in the network namespace of the calling thread. They act on the
 * kernel's side of the tap and do not need the tap fd.
 */
public final class TapDevice implements LinkEndpoint {
  private static final Logger log = LoggerFactory.getLogger(TapDevice.class);

  // linux/if_tun.h: TUNSETIFF = _IOW('T', 202, int)
  static final long TUNSETIFF = 0x400454caL;
  static final short IFF_TAP = 0x0002, IFF_NO_PI = 0x1000, IFF_VNET_HDR = 0x4000;
  // linux/if_tun.h: TUNSETVNETHDRSZ = _IOW('T', 216, int)
  static final long TUNSETVNETHDRSZ = 0x400454d8L;
  // linux/virtio_net.h: struct virtio_net_hdr { u8 flags; u8 gso_type; u16 hdr_len; u16 gso_size;
  // u16 csum_start; u16 csum_offset; }
  static final int VNET_HDR_LEN = 10, VNET_GSO_TYPE = 1, VNET_HDR_LEN_FIELD = 2, VNET_GSO_SIZE = 4, VNET_CSUM_START = 6,
      VNET_CSUM_OFFSET = 8;
  static final byte VIRTIO_NET_HDR_F_NEEDS_CSUM = 1, VIRTIO_NET_HDR_GSO_TCPV4 = 1;
  /** The largest frame {@link #writeGso} takes: what a 65535-byte pcap snapshot still holds whole. */
  public static final int GSO_MAX_FRAME = 65_535;
  /** Offset of the TCP checksum in the TCP header (RFC 9293 §3.1). */
  static final int TCP_CHECKSUM_OFFSET = 16;
  // linux/sockios.h
  static final long SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914, SIOCSIFADDR = 0x8916, SIOCSIFNETMASK = 0x891c,
      SIOCSIFMTU = 0x8922, SIOCGIFHWADDR = 0x8927, SIOCGIFINDEX = 0x8933;
  // linux/if.h: IFF_UP; struct ifreq is IFNAMSIZ (16) name bytes then a 24-byte union
  static final int IFF_UP = 0x1, IFNAMSIZ = 16, IFREQ_SIZE = 40, IFR_UNION = 16;
  // netinet/in.h struct sockaddr_in inside the ifreq union: family (host order), port, address
  static final int SIN_FAMILY = IFR_UNION, SIN_ADDR = IFR_UNION + 4;
  // net/if_arp.h: sockaddr.sa_family of SIOCGIFHWADDR for Ethernet
  static final int ARPHRD_ETHER = 1;
  /** RFC 791: every IPv4 host must take 68-octet datagrams; 65535 is the IPv4 total-length limit. */
  static final int MIN_MTU = 68, MAX_MTU = 65535, ETH_HEADER = 14;

  private static final int CLOSING = 1 << 30, RELEASED = 1 << 29;

  private final String name;
  private final boolean vnetHdr;
  private final int tapFd;
  private final int eventFd;
  private volatile int mtu;
  /** {@code CLOSING}, {@code RELEASED} and the count of calls inside a syscall on our fds. */
  private final AtomicInteger state = new AtomicInteger();
  private volatile long txDropsQueueFull;

  // Loop-thread state. Native memory is allocated once; buffer addresses are cached per buffer,
  // so the steady-state read/write/await path allocates nothing.
  private final Memory pollFds = new Memory(2L * LibC.POLLFD_SIZE);
  private final Memory drain = new Memory(8);
  private final Memory one = new Memory(8);   // eventfd counter increment; never changed, so shared
  private final long drainAddr, oneAddr;
  private ByteBuffer rxBuf, txBuf;
  private long rxBase, txBase;
  private ByteBuffer txScratch;   // heap frames are copied here
  private long txScratchBase;
  // with IFF_VNET_HDR: the header read with each frame, the one written, and two iovecs each
  private final Memory rxHdr = new Memory(VNET_HDR_LEN), txHdr = new Memory(VNET_HDR_LEN);
  private final Memory rxIov = new Memory(32), txIov = new Memory(32);

  private TapDevice(String name, boolean vnetHdr, int tapFd, int eventFd, int mtu) {
    this.name = name;
    this.vnetHdr = vnetHdr;
    this.tapFd = tapFd;
    this.eventFd = eventFd;
    this.mtu = mtu;
    pollFds.clear();
    pollFds.setInt(0, tapFd);
    pollFds.setShort(LibC.POLLFD_EVENTS, LibC.POLLIN);
    pollFds.setInt(LibC.POLLFD_SIZE, eventFd);
    pollFds.setShort(LibC.POLLFD_SIZE + LibC.POLLFD_EVENTS, LibC.POLLIN);
    one.setLong(0, 1);
    drainAddr = Pointer.nativeValue(drain);
    oneAddr = Pointer.nativeValue(one);
    rxIov.setPointer(0, rxHdr);
    rxIov.setLong(8, VNET_HDR_LEN);
    txIov.setPointer(0, txHdr);
    txIov.setLong(8, VNET_HDR_LEN);
  }

  /**
   * Creates the tap {@code name}, or attaches to an existing persistent one ({@code ip tuntap add
   * dev NAME mode tap}). An empty name lets the kernel pick one ({@code tap%d}).
   *
   * @param mtu the IP MTU this link carries; sets {@link #maxFrameSize()}. It does not change the
   *     kernel's MTU of the tap: {@link #setMtu} does both.
   */
  public static TapDevice open(String name, int mtu) throws IOException { return open(name, mtu, false); }

  /**
   * {@link #open(String, int)}, with TCP segmentation offload toward the kernel when {@code gso}
   * (see the class comment).
   */
  public static TapDevice open(String name, int mtu, boolean gso) throws IOException {
    checkName(name);
    checkMtu(mtu);
    if (!Platform.isLinux()) throw new IOException("TAP devices need Linux, not " + System.getProperty("os.name"));
    int fd = LibC.open("/dev/net/tun", LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
    if (fd < 0) {
      int e = Native.getLastError();
      throw new IOException("cannot open /dev/net/tun: " + LibC.errorText(e) + switch (e) {
        case LibC.EACCES, LibC.EPERM -> " (are you root / have CAP_NET_ADMIN?)";
        case LibC.ENOENT, LibC.ENODEV, LibC.ENXIO -> " (is the tun module loaded? modprobe tun)";
        default -> "";
      });
    }
    String assigned;
    int efd;
    try (Memory ifr = ifreq(name)) {
      ifr.setShort(IFR_UNION, (short) (IFF_TAP | IFF_NO_PI | (gso ? IFF_VNET_HDR : 0)));
      if (LibC.ioctl(fd, new NativeLong(TUNSETIFF), ifr) < 0) {
        int e = Native.getLastError();
        throw new IOException("TUNSETIFF " + name + ": " + LibC.errorText(e) + switch (e) {
          case LibC.EPERM, LibC.EACCES -> " (are you root / have CAP_NET_ADMIN? or the persistent tap belongs to another user)";
          case LibC.EBUSY -> " (another process is attached to it)";
          case LibC.EINVAL -> " (a device of that name exists and is not a TAP?)";
          default -> "";
        });
      }
      assigned = ifr.getString(0, StandardCharsets.US_ASCII.name());
      if (gso) {
        // the default is sizeof(struct virtio_net_hdr) already; say so, in case another user changed it
        try (Memory sz = new Memory(4)) {
          sz.setInt(0, VNET_HDR_LEN);
          if (LibC.ioctl(fd, new NativeLong(TUNSETVNETHDRSZ), sz) < 0)
            throw new IOException("TUNSETVNETHDRSZ " + assigned + ": " + LibC.errorText(Native.getLastError()));
        }
      }
      efd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
      if (efd < 0) throw new IOException("eventfd: " + LibC.errorText(Native.getLastError()));
    } catch (IOException | RuntimeException e) {
      LibC.close(fd);
      throw e;
    }
    log.debug("opened tap {} (fd {}, wake-up eventfd {}), mtu {}{}", assigned, fd, efd, mtu, gso ? ", vnet header" : "");
    return new TapDevice(assigned, gso, fd, efd, mtu);
  }

  @Override public String name() { return name; }

  @Override public int maxFrameSize() { return mtu + ETH_HEADER; }

  /** The IP MTU this link carries. */
  public int mtu() { return mtu; }

  /** Frames dropped because write(2) said EAGAIN: the tap's queue toward the kernel was full. */
  public long txDropsQueueFull() { return txDropsQueueFull; }

  public boolean isOpen() { return (state.get() & CLOSING) == 0; }

  // ------------------------------------------------------------------ frames (loop thread)

  /**
   * Reads one frame into {@code dst}, a direct buffer with room for {@link #maxFrameSize()} bytes;
   * the kernel cuts a longer frame to the room there is.
   */
  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (!dst.isDirect() || dst.isReadOnly())
      throw new IllegalArgumentException("TapDevice.read needs a writable direct ByteBuffer");
    int room = dst.remaining();
    if (room == 0) throw new IllegalArgumentException("no room in the buffer");
    enter();
    try {
      // JNA would pass a direct Buffer as the address of its first byte, ignoring position, and
      // dst.slice() would allocate per frame; so we pass base address + position, the base cached
      // while the loop keeps reusing the same buffer (holding it keeps its memory alive).
      if (dst != rxBuf) { rxBase = LibC.address(dst); rxBuf = dst; }
      long n;
      if (vnetHdr) {
        rxIov.setLong(16, rxBase + dst.position());
        rxIov.setLong(24, room);
        n = LibC.readv(tapFd, Pointer.nativeValue(rxIov), 2);
      } else {
        n = LibC.read(tapFd, rxBase + dst.position(), room);
      }
      if (n < 0) {
        int e = Native.getLastError();
        if (e == LibC.EAGAIN || e == LibC.EINTR) return 0;
        throw failure("read", e);
      }
      if (vnetHdr) {
        if (n < VNET_HDR_LEN) throw new IOException("read " + name + ": " + n + " bytes, less than the vnet header");
        n -= VNET_HDR_LEN;
      }
      int len = (int) Math.min(n, room);
      dst.position(dst.position() + len);
      return len;
    } finally {
      exit();
    }
  }

  /**
   * Writes {@code frame.position()..limit()} as one frame; the position does not move. A full
   * queue (EAGAIN) drops the frame and counts it in {@link #txDropsQueueFull()}.
   *
   * @throws IOException for an empty frame, one longer than {@link #maxFrameSize()}, or an error
   *     from write(2)
   */
  @Override
  public void write(ByteBuffer frame) throws IOException {
    int len = frame.remaining();
    if (len == 0 || len > maxFrameSize())
      throw new IOException("write " + name + ": frame of " + len + " bytes (max " + maxFrameSize() + ")");
    if (vnetHdr) txHdr.clear();                   // VIRTIO_NET_HDR_GSO_NONE, checksums complete
    writeFrame(frame, len);
  }

  @Override public int gsoMaxSize() { return vnetHdr ? GSO_MAX_FRAME : 0; }

  /**
   * One TCP/IPv4 frame of up to {@link #GSO_MAX_FRAME} bytes for the kernel to take as
   * {@code mss}-byte segments (see {@link LinkEndpoint#writeGso}): {@code VIRTIO_NET_HDR_GSO_TCPV4}
   * with {@code NEEDS_CSUM} from the TCP header on.
   */
  @Override
  public void writeGso(ByteBuffer frame, int mss) throws IOException {
    if (!vnetHdr) throw new UnsupportedOperationException(name + " was opened without segmentation offload");
    int len = frame.remaining(), p = frame.position();
    if (len > GSO_MAX_FRAME || len < ETH_HEADER + 40 || mss <= 0
        || (frame.getShort(p + 12) & 0xffff) != 0x0800 || frame.get(p + ETH_HEADER + 9) != 6)
      throw new IOException("write " + name + ": not a TCP/IPv4 frame for segmentation (" + len + " bytes, mss " + mss + ")");
    int l3 = (frame.get(p + ETH_HEADER) & 0x0f) * 4;
    int l4 = ETH_HEADER + l3;
    int hdrLen = l4 + ((frame.get(p + l4 + 12) >>> 4) & 0x0f) * 4;
    txHdr.setByte(0, VIRTIO_NET_HDR_F_NEEDS_CSUM);
    txHdr.setByte(VNET_GSO_TYPE, len - hdrLen > mss ? VIRTIO_NET_HDR_GSO_TCPV4 : 0);
    txHdr.setShort(VNET_HDR_LEN_FIELD, (short) hdrLen);
    txHdr.setShort(VNET_GSO_SIZE, (short) mss);
    txHdr.setShort(VNET_CSUM_START, (short) l4);
    txHdr.setShort(VNET_CSUM_OFFSET, (short) TCP_CHECKSUM_OFFSET);
    writeFrame(frame, len);
  }

  private void writeFrame(ByteBuffer frame, int len) throws IOException {
    enter();
    try {
      long addr;
      if (frame.isDirect()) {
        if (frame != txBuf) { txBase = LibC.address(frame); txBuf = frame; }
        addr = txBase + frame.position();
      } else {
        if (txScratch == null || txScratch.capacity() < len) {
          txScratch = ByteBuffer.allocateDirect(Math.max(len, maxFrameSize()));
          txScratchBase = LibC.address(txScratch);
        }
        txScratch.put(0, frame, frame.position(), len);
        addr = txScratchBase;
      }
      long n;
      if (vnetHdr) {
        txIov.setLong(16, addr);
        txIov.setLong(24, len);
        n = LibC.writev(tapFd, Pointer.nativeValue(txIov), 2);
        if (n >= 0) n -= VNET_HDR_LEN;
      } else {
        n = LibC.write(tapFd, addr, len);
      }
      if (n < 0) {
        int e = Native.getLastError();
        if (e == LibC.EAGAIN) { txDropsQueueFull++; return; }   // single writer: the loop thread
        throw failure("write", e);
      }
      if (n != len) throw new IOException("write " + name + ": short write, " + n + " of " + len + " bytes");
    } finally {
      exit();
    }
  }

  /**
   * poll(2)s the tap and the wake-up eventfd. The timeout is rounded up to whole milliseconds, so
   * a timer 0.3 ms away does not turn into a busy loop of zero-timeout polls.
   */
  @Override
  public void await(long timeoutNanos) throws IOException {
    int ms = pollTimeoutMillis(timeoutNanos);
    enter();
    try {
      int r = LibC.poll(pollFds, 2, ms);
      if (r < 0) {
        int e = Native.getLastError();
        if (e == LibC.EINTR) return;
        throw failure("poll", e);
      }
      if ((pollFds.getShort(LibC.POLLFD_SIZE + LibC.POLLFD_REVENTS) & LibC.POLLIN) != 0)
        LibC.read(eventFd, drainAddr, 8);   // resets the counter; EAGAIN if a racing await drained it
    } finally {
      exit();
    }
  }

  /** Milliseconds for poll(2): negative means infinite (-1), else rounded up. */
  static int pollTimeoutMillis(long timeoutNanos) {
    if (timeoutNanos < 0) return -1;
    long ms = timeoutNanos / 1_000_000L + (timeoutNanos % 1_000_000L == 0 ? 0 : 1);
    return (int) Math.min(ms, Integer.MAX_VALUE);
  }

  @Override
  public void wakeup() {
    if (!tryEnter()) return;   // closing: close() has woken the loop already
    try {
      LibC.write(eventFd, oneAddr, 8);
    } finally {
      exit();
    }
  }

  /** Idempotent, from any thread, never blocks; see the class comment. */
  @Override
  public void close() {
    int s;
    do {
      s = state.get();
      if ((s & CLOSING) != 0) return;
    } while (!state.compareAndSet(s, (s | CLOSING) + 1));
    try {
      LibC.write(eventFd, oneAddr, 8);   // a poll(2) in progress returns; the loop then sees CLOSING
    } finally {
      exit();
    }
  }

  private void enter() throws EOFException {
    if (!tryEnter()) throw new EOFException("tap " + name + " is closed");
  }

  private boolean tryEnter() {
    int s;
    do {
      s = state.get();
      if ((s & CLOSING) != 0) return false;
    } while (!state.compareAndSet(s, s + 1));
    return true;
  }

  private void exit() {
    // Once CLOSING is set nobody enters, so exactly one exit sees the count reach zero.
    if (state.decrementAndGet() == CLOSING && state.compareAndSet(CLOSING, CLOSING | RELEASED)) {
      LibC.close(tapFd);
      LibC.close(eventFd);
      log.debug("closed tap {}", name);
    }
  }

  private IOException failure(String call, int errno) {
    // EBADFD: the tun driver detached us, e.g. `ip link del` of the tap under our feet.
    if (errno == LibC.EBADFD) return new EOFException("tap " + name + " was removed (" + call + ": " + LibC.errorText(errno) + ")");
    return new IOException(call + " " + name + ": " + LibC.errorText(errno));
  }

  // ------------------------------------------------------------------ configuration (any thread)

  /** Sets IFF_UP on the kernel's side ({@code ip link set NAME up/down}). */
  public void setUp(boolean up) throws IOException {
    try (Memory ifr = ifreq(name)) {
      ifIoctl("SIOCGIFFLAGS", SIOCGIFFLAGS, ifr);
      int flags = ifr.getShort(IFR_UNION) & 0xffff;
      flags = up ? flags | IFF_UP : flags & ~IFF_UP;
      ifr.setShort(IFR_UNION, (short) flags);
      ifIoctl("SIOCSIFFLAGS", SIOCSIFFLAGS, ifr);
    }
  }

  /** Sets the kernel's MTU of the tap and this link's {@link #maxFrameSize()}. */
  public void setMtu(int mtu) throws IOException {
    checkMtu(mtu);
    try (Memory ifr = ifreq(name)) {
      ifr.setInt(IFR_UNION, mtu);
      ifIoctl("SIOCSIFMTU " + mtu, SIOCSIFMTU, ifr);
    }
    this.mtu = mtu;
  }

  /**
   * Gives the KERNEL's side of the tap the IPv4 address {@code addrBits/prefixLen}, replacing its
   * primary address ({@code ip addr add} for the host end of the cable, not for this stack).
   *
   * @param addrBits the address as a big-endian int (10.0.0.1 is 0x0a000001)
   */
  public void setHostAddress(int addrBits, int prefixLen) throws IOException {
    if (prefixLen < 0 || prefixLen > 32) throw new IllegalArgumentException("prefix length " + prefixLen);
    int mask = prefixLen == 0 ? 0 : -1 << (32 - prefixLen);
    String text = dotted(addrBits) + "/" + prefixLen;
    try (Memory ifr = ifreq(name)) {
      sockaddrIn(ifr, addrBits);
      ifIoctl("SIOCSIFADDR " + text, SIOCSIFADDR, ifr);
      sockaddrIn(ifr, mask);
      ifIoctl("SIOCSIFNETMASK " + text, SIOCSIFNETMASK, ifr);
    }
  }

  /** The MAC of the kernel's side of the tap; the stack must use a different one. */
  public MacAddress kernelMac() throws IOException {
    try (Memory ifr = ifreq(name)) {
      ifIoctl("SIOCGIFHWADDR", SIOCGIFHWADDR, ifr);
      int family = ifr.getShort(IFR_UNION) & 0xffff;
      if (family != ARPHRD_ETHER) throw new IOException(name + " is not Ethernet (hardware type " + family + ")");
      long v = 0;
      for (int i = 0; i < 6; i++) v = (v << 8) | (ifr.getByte(IFR_UNION + 2 + i) & 0xff);
      return new MacAddress(v);
    }
  }

  /** The kernel's interface index of the tap ({@code /sys/class/net/NAME/ifindex}). */
  public int kernelIfIndex() throws IOException {
    try (Memory ifr = ifreq(name)) {
      ifIoctl("SIOCGIFINDEX", SIOCGIFINDEX, ifr);
      return ifr.getInt(IFR_UNION);
    }
  }

  private void ifIoctl(String what, long request, Memory ifr) throws IOException {
    int s = LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
    if (s < 0) throw new IOException("socket(AF_INET) for " + what + " " + name + ": " + LibC.errorText(Native.getLastError()));
    try {
      if (LibC.ioctl(s, new NativeLong(request), ifr) < 0) {
        int e = Native.getLastError();   // before close(2) can overwrite errno
        throw new IOException(what + " " + name + ": " + LibC.errorText(e)
            + (e == LibC.EPERM || e == LibC.EACCES ? " (are you root / have CAP_NET_ADMIN?)" : ""));
      }
    } finally {
      LibC.close(s);
    }
  }

  /** A struct sockaddr_in in the ifreq union: AF_INET in host order, port 0, address big-endian. */
  private static void sockaddrIn(Memory ifr, int addrBits) {
    ifr.setMemory(IFR_UNION, IFREQ_SIZE - IFR_UNION, (byte) 0);
    ifr.setShort(SIN_FAMILY, (short) LibC.AF_INET);
    for (int i = 0; i < 4; i++) ifr.setByte(SIN_ADDR + i, (byte) (addrBits >>> (24 - 8 * i)));
  }

  /** A zeroed struct ifreq with the NUL-terminated name. */
  private static Memory ifreq(String name) {
    Memory m = new Memory(IFREQ_SIZE);
    m.clear();
    byte[] b = name.getBytes(StandardCharsets.US_ASCII);
    m.write(0, b, 0, b.length);
    return m;
  }

  /** Linux {@code dev_valid_name}: at most IFNAMSIZ-1 bytes, not "." or "..", no '/', ':' or space. */
  static void checkName(String name) {
    if (name.length() >= IFNAMSIZ || name.equals(".") || name.equals(".."))
      throw new IllegalArgumentException("bad interface name '" + name + "' (at most " + (IFNAMSIZ - 1) + " characters)");
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == '/' || c == ':') throw new IllegalArgumentException("bad interface name '" + name + "'");
    }
  }

  private static void checkMtu(int mtu) {
    if (mtu < MIN_MTU || mtu > MAX_MTU) throw new IllegalArgumentException("MTU " + mtu + " not in " + MIN_MTU + ".." + MAX_MTU);
  }

  private static String dotted(int a) {
    return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
  }

  @Override public String toString() { return "TapDevice[" + name + "]"; }
}
