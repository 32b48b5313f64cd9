package io.tapnfs.netstack.socket;

import java.net.DatagramPacket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * The impl handed to {@link java.net.DatagramSocket}'s protected constructor by
 * {@link StackDatagramSocketAdapter} (it rejects null). The adapter overrides every public
 * method, so none of this is reached; if it were, it fails with a SocketException.
 */
final class StackDummyDatagramSocketImpl extends DatagramSocketImpl {
  private static SocketException unused() { return new SocketException("not supported by the stack's socket adapter"); }

  @Override protected void create() throws SocketException { throw unused(); }
  @Override protected void bind(int lport, InetAddress laddr) throws SocketException { throw unused(); }
  @Override protected void send(DatagramPacket p) throws SocketException { throw unused(); }
  @Override protected int peek(InetAddress i) throws SocketException { throw unused(); }
  @Override protected int peekData(DatagramPacket p) throws SocketException { throw unused(); }
  @Override protected void receive(DatagramPacket p) throws SocketException { throw unused(); }
  @Deprecated @Override protected void setTTL(byte ttl) throws SocketException { throw unused(); }
  @Deprecated @Override protected byte getTTL() throws SocketException { throw unused(); }
  @Override protected void setTimeToLive(int ttl) throws SocketException { throw unused(); }
  @Override protected int getTimeToLive() throws SocketException { throw unused(); }
  @Override protected void join(InetAddress inetaddr) throws SocketException { throw unused(); }
  @Override protected void leave(InetAddress inetaddr) throws SocketException { throw unused(); }
  @Override protected void joinGroup(SocketAddress a, NetworkInterface n) throws SocketException { throw unused(); }
  @Override protected void leaveGroup(SocketAddress a, NetworkInterface n) throws SocketException { throw unused(); }
  @Override protected void close() {}
  @Override public void setOption(int optID, Object value) throws SocketException { throw unused(); }
  @Override public Object getOption(int optID) throws SocketException { throw unused(); }
}
