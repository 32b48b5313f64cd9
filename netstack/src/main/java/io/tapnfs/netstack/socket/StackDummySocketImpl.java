package io.tapnfs.netstack.socket;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;

/**
 * The impl handed to {@link java.net.Socket}'s and {@link java.net.ServerSocket}'s protected
 * constructors by the adapters (ServerSocket rejects null). The adapters override every public
 * method, so none of this is reached; if it were, it fails with a SocketException.
 */
final class StackDummySocketImpl extends SocketImpl {
  private static SocketException unused() { return new SocketException("not supported by the stack's socket adapter"); }

  @Override protected void create(boolean stream) throws SocketException { throw unused(); }
  @Override protected void connect(String host, int port) throws SocketException { throw unused(); }
  @Override protected void connect(InetAddress address, int port) throws SocketException { throw unused(); }
  @Override protected void connect(SocketAddress address, int timeout) throws SocketException { throw unused(); }
  @Override protected void bind(InetAddress host, int port) throws SocketException { throw unused(); }
  @Override protected void listen(int backlog) throws SocketException { throw unused(); }
  @Override protected void accept(SocketImpl s) throws SocketException { throw unused(); }
  @Override protected InputStream getInputStream() throws SocketException { throw unused(); }
  @Override protected OutputStream getOutputStream() throws SocketException { throw unused(); }
  @Override protected int available() throws SocketException { throw unused(); }
  @Override protected void close() {}
  @Override protected void sendUrgentData(int data) throws SocketException { throw unused(); }
  @Override public void setOption(int optID, Object value) throws SocketException { throw unused(); }
  @Override public Object getOption(int optID) throws SocketException { throw unused(); }
}
