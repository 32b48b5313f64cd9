package io.tapnfs.rpc;

import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.socket.TcpSocket;
import io.tapnfs.netstack.socket.UdpSocket;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.dcache.oncrpc4j.rpc.RpcAuth;
import org.dcache.oncrpc4j.rpc.RpcAuthTypeNone;
import org.dcache.oncrpc4j.xdr.Xdr;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.glassfish.grizzly.Buffer;

/**
 * RPC calls as bytes, with the xid the test chooses (oncrpc4j's client picks its own), sent on the
 * stack's own TCP and UDP sockets; replies read back as the bytes the server sent (without the TCP
 * record mark). For retransmissions: the same bytes again, on the same or another connection.
 */
public final class RawRpc {
  private RawRpc() {}

  static final int CALL = 0, RPC_VERSION = 2;

  /** A call message (RFC 5531 §9): xid, CALL, RPC version 2, program, version, procedure, credential, verifier, arguments. */
  public static byte[] call(int xid, int program, int version, int procedure, RpcAuth auth, XdrAble args) throws IOException {
    Xdr x = new Xdr(Xdr.INITIAL_XDR_SIZE);
    x.beginEncoding();
    x.xdrEncodeInt(xid);
    x.xdrEncodeInt(CALL);
    x.xdrEncodeInt(RPC_VERSION);
    x.xdrEncodeInt(program);
    x.xdrEncodeInt(version);
    x.xdrEncodeInt(procedure);
    (auth == null ? new RpcAuthTypeNone() : auth).xdrEncode(x);
    args.xdrEncode(x);
    x.endEncoding();
    Buffer b = x.asBuffer();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** The xid of a message. */
  public static int xid(byte[] message) { return ByteBuffer.wrap(message).getInt(0); }

  /** One TCP connection from {@code stack}, records marked as RFC 5531 §11 (one fragment each). */
  public static final class Tcp implements Closeable {
    private final TcpSocket s;

    public Tcp(Stack stack, Ipv4Address ip, int port, Duration timeout) throws IOException {
      s = TcpSocket.connect(stack, ip, port, timeout);
      s.setReadTimeout(timeout);
    }

    public int localPort() { return s.localPort(); }

    public void send(byte[] message) throws IOException {
      s.write(ByteBuffer.allocate(4 + message.length).putInt(0x80000000 | message.length).put(message).flip());
    }

    /** The next reply record (a single fragment). */
    public byte[] receive() throws IOException {
      ByteBuffer mark = ByteBuffer.allocate(4);
      while (mark.hasRemaining()) if (s.read(mark) < 0) throw new EOFException();
      ByteBuffer body = ByteBuffer.allocate(mark.flip().getInt() & 0x7fffffff);
      while (body.hasRemaining()) if (s.read(body) < 0) throw new EOFException();
      return body.array();
    }

    public byte[] call(byte[] message) throws IOException {
      send(message);
      return receive();
    }

    @Override public void close() throws IOException { s.close(); }
  }

  /** A UDP socket on {@code stack} talking to one server port. */
  public static final class Udp implements Closeable {
    private final UdpSocket s;
    private final Ipv4Address ip;
    private final int port;
    private final Duration timeout;

    public Udp(Stack stack, Ipv4Address ip, int port, Duration timeout) throws IOException {
      this.s = UdpSocket.open(stack, 0);
      this.ip = ip;
      this.port = port;
      this.timeout = timeout;
    }

    public byte[] call(byte[] message) throws IOException {
      s.send(ip, port, ByteBuffer.wrap(message));
      ByteBuffer p = s.receive(timeout).payload();
      byte[] out = new byte[p.remaining()];
      p.get(out);
      return out;
    }

    @Override public void close() throws IOException { s.close(); }
  }
}
