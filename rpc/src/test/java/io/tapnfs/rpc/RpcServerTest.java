package io.tapnfs.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.link.Impairments;
import io.tapnfs.netstack.socket.TcpSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.dcache.oncrpc4j.rpc.OncRpcAcceptedException;
import org.dcache.oncrpc4j.rpc.RpcAuthTypeUnix;
import org.dcache.oncrpc4j.xdr.XdrOpaque;
import org.dcache.oncrpc4j.xdr.XdrVoid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** RPC on two in-memory stacks: oncrpc4j on Grizzly on the stack's own sockets, both ends. */
@Timeout(60)
class RpcServerTest {
  static final Duration T = Duration.ofSeconds(10);

  record Registered(int prog, int vers, String netid, int port, String owner) {}

  /** A registry that remembers, to check what a server announces. */
  static final class Recording implements RpcRegistry {
    final List<Registered> live = new ArrayList<>();

    @Override public synchronized void register(int program, int version, String netid, int port, String owner) {
      live.add(new Registered(program, version, netid, port, owner));
    }

    @Override public synchronized void unregister(int program, int version, String netid) {
      live.removeIf(r -> r.prog() == program && r.vers() == version && r.netid().equals(netid));
    }
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  @Test void tcpAndUdpCallsWithAuthSysLargeArgumentsAndFragmentedReplies() throws Exception {
    Recording reg = new Recording();
    try (TwoHosts h = new TwoHosts();
         RpcServer s = RpcServer.on(h.b).program(DiagProgram.PROGRAM, DiagProgram.VERSION, new DiagProgram())
             .tcp(5555).udp(5555).registry(reg).owner("test").start()) {
      assertThat(reg.live).containsExactlyInAnyOrder(
          new Registered(DiagProgram.PROGRAM, 1, "tcp", 5555, "test"), new Registered(DiagProgram.PROGRAM, 1, "udp", 5555, "test"));
      try (RpcClient tcp = RpcClient.tcp(h.a, TwoHosts.onB(5555), T); RpcClient udp = RpcClient.udp(h.a, TwoHosts.onB(5555))) {
        tcp.call(DiagProgram.PROGRAM, 1, DiagProgram.NULL, XdrVoid.XDR_VOID, new XdrVoid(), null, T, 0);
        byte[] mib = random(1 << 20, 1);                                   // a 1 MiB argument: many TCP segments
        XdrOpaque back = new XdrOpaque();
        tcp.call(DiagProgram.PROGRAM, 1, DiagProgram.ECHO, new XdrOpaque(mib), back, null, T, 0);
        assertThat(back.getOpaque()).isEqualTo(mib);
        byte[] big = random(60_000, 2);                                    // over UDP: IP fragments both ways
        XdrOpaque udpBack = new XdrOpaque();
        udp.call(DiagProgram.PROGRAM, 1, DiagProgram.ECHO, new XdrOpaque(big), udpBack, null, T, 2);
        assertThat(udpBack.getOpaque()).isEqualTo(big);
        DiagProgram.Who who = new DiagProgram.Who();
        tcp.call(DiagProgram.PROGRAM, 1, DiagProgram.WHOAMI, XdrVoid.XDR_VOID, who,
            new RpcAuthTypeUnix(1000, 100, new int[] {4, 24, 27}, 0, "client"), T, 0);
        assertThat(who.flavor).isEqualTo(1);
        assertThat(who.uid).isEqualTo(1000);
        assertThat(who.gid).isEqualTo(100);
        assertThat(who.gids).containsExactly(4, 24, 27);
        assertThat(who.address).isEqualTo(TwoHosts.A_IP.toString());
        DiagProgram.Who anon = new DiagProgram.Who();
        udp.call(DiagProgram.PROGRAM, 1, DiagProgram.WHOAMI, XdrVoid.XDR_VOID, anon, null, T, 2);
        assertThat(anon.flavor).isZero();
        assertThat(anon.uid).isEqualTo(RpcCaller.NOBODY);
      }
      org.dcache.oncrpc4j.xdr.XdrString n1 = new org.dcache.oncrpc4j.xdr.XdrString(), n2 = new org.dcache.oncrpc4j.xdr.XdrString();
      try (RpcClient tcp = RpcClient.tcp(h.a, TwoHosts.onB(5555), T); RpcClient udp = RpcClient.udp(h.a, TwoHosts.onB(5555))) {
        tcp.call(DiagProgram.PROGRAM, 1, DiagProgram.NETID, XdrVoid.XDR_VOID, n1, null, T, 0);
        udp.call(DiagProgram.PROGRAM, 1, DiagProgram.NETID, XdrVoid.XDR_VOID, n2, null, T, 2);
      }
      assertThat(n1.stringValue()).isEqualTo("tcp");                        // a program can tell its transport
      assertThat(n2.stringValue()).isEqualTo("udp");
      assertThat(RpcServer.currentNetid()).isNull();
      assertThat(s.counters()).containsEntry("calls", 7L);
    }
    assertThat(reg.live).isEmpty();                                         // unregistered on close
  }

  @Test void unknownVersionsProgramsAndProceduresGetTheirRpcErrors() throws Exception {
    try (TwoHosts h = new TwoHosts();
         RpcServer s = RpcServer.on(h.b).program(DiagProgram.PROGRAM, 1, new DiagProgram()).program(DiagProgram.PROGRAM, 3, new DiagProgram())
             .tcp(5556).start();
         RpcClient c = RpcClient.tcp(h.a, TwoHosts.onB(5556), T)) {
      assertThatThrownBy(() -> c.call(DiagProgram.PROGRAM, 2, 0, XdrVoid.XDR_VOID, new XdrVoid(), null, T, 0))
          .isInstanceOf(OncRpcAcceptedException.class).hasMessageContaining("PROG_MISMATCH");
      assertThatThrownBy(() -> c.call(0x20000100, 1, 0, XdrVoid.XDR_VOID, new XdrVoid(), null, T, 0))
          .isInstanceOf(OncRpcAcceptedException.class).hasMessageContaining("PROG_UNAVAIL");
      assertThatThrownBy(() -> c.call(DiagProgram.PROGRAM, 1, 77, XdrVoid.XDR_VOID, new XdrVoid(), null, T, 0))
          .isInstanceOf(OncRpcAcceptedException.class).hasMessageContaining("PROC_UNAVAIL");
      c.call(DiagProgram.PROGRAM, 3, 0, XdrVoid.XDR_VOID, new XdrVoid(), null, T, 0);   // still serving
      assertThat(s.counter(RpcStat.PROG_MISMATCH)).isEqualTo(1);
      assertThat(s.counter(RpcStat.PROG_UNAVAIL)).isEqualTo(1);
    }
  }

  /** Raw bytes over a stack TCP socket: what a broken or hostile client sends. */
  static ByteBuffer record(int... words) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * words.length);
    b.putInt(0x80000000 | 4 * words.length);
    for (int w : words) b.putInt(w);
    return b.flip();
  }

  static int[] readReply(TcpSocket s) throws Exception {
    s.setReadTimeout(T);
    ByteBuffer hdr = ByteBuffer.allocate(4);
    while (hdr.hasRemaining()) if (s.read(hdr) < 0) throw new java.io.EOFException();
    int len = hdr.flip().getInt() & 0x7fffffff;
    ByteBuffer body = ByteBuffer.allocate(len);
    while (body.hasRemaining()) if (s.read(body) < 0) throw new java.io.EOFException();
    body.flip();
    int[] w = new int[len / 4];
    for (int i = 0; i < w.length; i++) w[i] = body.getInt();
    return w;
  }

  /** The server closed: EOF, or a reset when it closed with our bytes unread (RFC 2525 §2.17). */
  static void assertClosedByPeer(TcpSocket raw) throws Exception {
    raw.setReadTimeout(T);
    try {
      assertThat(raw.read(ByteBuffer.allocate(16))).isEqualTo(-1);
    } catch (java.net.SocketException reset) {
      assertThat(reset).hasMessageContaining("reset");
    }
  }

  @Test void malformedRecordsGetTheRightReplyOrACountedCloseAndOtherClientsAreServed() throws Exception {
    try (TwoHosts h = new TwoHosts();
         RpcServer s = RpcServer.on(h.b).program(DiagProgram.PROGRAM, 1, new DiagProgram()).tcp(5557).maxRecordSize(64 * 1024).start()) {
      // RPC version 3: MSG_DENIED, RPC_MISMATCH(2, 2) (RFC 5531 §9)
      try (TcpSocket raw = TcpSocket.connect(h.a, TwoHosts.B_IP, 5557, T)) {
        raw.write(record(7, 0, 3, DiagProgram.PROGRAM, 1, 0, 0, 0, 0, 0));
        int[] r = readReply(raw);
        assertThat(r).startsWith(7, 1, 1, 0, 2, 2);                      // xid, REPLY, MSG_DENIED, RPC_MISMATCH, low, high
      }
      // garbage arguments: ECHO with an opaque length beyond the record: GARBAGE_ARGS
      try (TcpSocket raw = TcpSocket.connect(h.a, TwoHosts.B_IP, 5557, T)) {
        raw.write(record(8, 0, 2, DiagProgram.PROGRAM, 1, DiagProgram.ECHO, 0, 0, 0, 0, 1_000_000));
        int[] r = readReply(raw);
        assertThat(r).startsWith(8, 1, 0, 0, 0, 4);                      // MSG_ACCEPTED, verf AUTH_NONE, GARBAGE_ARGS
      }
      // an opaque claiming 2 GiB in a 44-byte call: GARBAGE_ARGS, nothing allocated
      try (TcpSocket raw = TcpSocket.connect(h.a, TwoHosts.B_IP, 5557, T)) {
        raw.write(record(10, 0, 2, DiagProgram.PROGRAM, 1, DiagProgram.ECHO, 0, 0, 0, 0, 0x7ffffff0));
        assertThat(readReply(raw)).startsWith(10, 1, 0, 0, 0, 4);
      }
      // a credential claiming 100000 bytes: AUTH_ERROR AUTH_BADCRED; an AUTH_SYS one whose
      // machine name overruns it: the same; a verifier too long: AUTH_BADVERF
      try (TcpSocket raw = TcpSocket.connect(h.a, TwoHosts.B_IP, 5557, T)) {
        raw.write(record(11, 0, 2, DiagProgram.PROGRAM, 1, 0, 1, 100_000, 0, 0));
        assertThat(readReply(raw)).containsExactly(11, 1, 1, 1, 1);
        raw.write(record(12, 0, 2, DiagProgram.PROGRAM, 1, 0, 1, 20, 0, 1_000_000, 0, 0, 0, 0, 0));
        assertThat(readReply(raw)).containsExactly(12, 1, 1, 1, 1);
        raw.write(record(13, 0, 2, DiagProgram.PROGRAM, 1, 0, 0, 0, 0, 5000));
        assertThat(readReply(raw)).containsExactly(13, 1, 1, 1, 3);
        raw.write(record(14, 0, 2, DiagProgram.PROGRAM, 1, 0, 1, 20, 0, 0, 1000, 100, 0, 0, 0));   // a sound AUTH_SYS
        assertThat(readReply(raw)).startsWith(14, 1, 0);
      }
      assertThat(s.counter(RpcStat.AUTH_REJECTED)).isEqualTo(3);
      // a call cut short after the RPC version: dropped, the connection closed, counted
      try (TcpSocket raw = TcpSocket.connect(h.a, TwoHosts.B_IP, 5557, T)) {
        raw.write(record(15, 0, 2, DiagProgram.PROGRAM));
        assertClosedByPeer(raw);
      }
      assertThat(s.counter(RpcStat.TRUNCATED_CALLS)).isEqualTo(1);
      // a record mark beyond the cap: the connection is closed and counted
      try (TcpSocket raw = TcpSocket.connect(h.a, TwoHosts.B_IP, 5557, T)) {
        raw.write(ByteBuffer.allocate(8).putInt(0x80000000 | (2 << 20)).putInt(9).flip());
        assertClosedByPeer(raw);
      }
      // endless zero-length fragments: closed too
      try (TcpSocket raw = TcpSocket.connect(h.a, TwoHosts.B_IP, 5557, T)) {
        ByteBuffer zeros = ByteBuffer.allocate(4 * 2000);                   // 2000 headers "not last, 0 bytes"
        raw.write(zeros);
        assertClosedByPeer(raw);
      }
      assertThat(s.counter(RpcStat.RECORD_TOO_LARGE)).isEqualTo(1);
      assertThat(s.counter(RpcStat.TOO_MANY_FRAGMENTS)).isEqualTo(1);
      try (RpcClient c = RpcClient.tcp(h.a, TwoHosts.onB(5557), T)) {      // the server still serves
        c.call(DiagProgram.PROGRAM, 1, DiagProgram.NULL, XdrVoid.XDR_VOID, new XdrVoid(), null, T, 0);
      }
      Map<String, Long> counters = s.counters();
      assertThat(counters).containsEntry("recordTooLarge", 1L).containsEntry("tooManyFragments", 1L);
    }
  }

  @Test void udpCallsAreRetransmittedOverALossyPath() throws Exception {
    Impairments lossy = new Impairments(5, 0.3, 0, 0, 0, 0, 0, 0, 0);
    try (TwoHosts h = new TwoHosts(lossy, Impairments.NONE);
         RpcServer s = RpcServer.on(h.b).program(DiagProgram.PROGRAM, 1, new DiagProgram()).udp(5558).start();
         RpcClient c = RpcClient.udp(h.a, TwoHosts.onB(5558))) {
      for (int i = 0; i < 20; i++) {
        XdrOpaque back = new XdrOpaque();
        c.call(DiagProgram.PROGRAM, 1, DiagProgram.ECHO, new XdrOpaque(random(100, i)), back, null, Duration.ofMillis(200), 20);
        assertThat(back.getOpaque()).isEqualTo(random(100, i));
      }
      assertThat(c.retransmits()).isPositive();
    }
  }
}
