package io.tapnfs.portmap;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.portmap.xdr.XdrDecoder;
import io.tapnfs.portmap.xdr.Xdrs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.xdr.Xdr;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * Drives an {@link Rpcbind} through {@link org.dcache.oncrpc4j.rpc.RpcDispatchable} with raw RPC
 * call messages (RFC 5531 §9), the way oncrpc4j's RpcProtocolFilter does: it reads xid and
 * msg_type, builds {@code new RpcCall(xid, xdr, transport)}, and {@code accept()} reads rpcvers,
 * prog, vers, proc and the credential/verifier; the arguments follow.
 */
final class RpcbindClient {
  static final int CALL = 0, REPLY = 1, MSG_ACCEPTED = 0, MSG_DENIED = 1;
  static final int SUCCESS = 0, PROG_UNAVAIL = 1, PROG_MISMATCH = 2, PROC_UNAVAIL = 3,
      GARBAGE_ARGS = 4;

  private final Rpcbind rpcbind;
  private final AtomicInteger xids = new AtomicInteger(0x1000);

  RpcbindClient(Rpcbind rpcbind) {
    this.rpcbind = rpcbind;
  }

  Reply call(int version, int proc, byte[] args) {
    return call(new FakeTransport("tcp"), Rpcbind.PROGRAM, version, proc, args);
  }

  Reply call(int version, int proc) {
    return call(version, proc, new byte[0]);
  }

  Reply call(FakeTransport t, int program, int version, int proc, byte[] args) {
    int xid = xids.getAndIncrement();
    ByteBuffer m = ByteBuffer.allocate(40 + args.length);
    m.putInt(xid).putInt(CALL).putInt(2)          // xid, msg_type, rpcvers
        .putInt(program).putInt(version).putInt(proc)
        .putInt(0).putInt(0)                      // cred: AUTH_NONE, empty body
        .putInt(0).putInt(0)                      // verf: AUTH_NONE, empty body
        .put(args);                               // raw: may be truncated or unpadded
    byte[] msg = m.array();
    try {
      Xdr in = new Xdr(msg);
      in.beginDecoding();
      int gotXid = in.xdrDecodeInt();
      assertThat(in.xdrDecodeInt()).isEqualTo(CALL);
      RpcCall call = new RpcCall(gotXid, in, t);
      call.accept();
      int before = t.sent.size();
      rpcbind.dispatchOncRpcCall(call);
      assertThat(t.sent).as("exactly one reply").hasSize(before + 1);
      Reply r = Reply.parse(t.sent.get(before));
      assertThat(r.xid()).isEqualTo(xid);
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An RPC reply message (RFC 5531 §9), header parsed, results kept as bytes. */
  record Reply(int xid, int replyStat, int acceptStat, byte[] body) {
    static Reply parse(byte[] bytes) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      int xid = b.getInt();
      assertThat(b.getInt()).as("msg_type").isEqualTo(REPLY);
      int replyStat = b.getInt();
      if (replyStat != MSG_ACCEPTED) {
        return new Reply(xid, replyStat, -1, Arrays.copyOfRange(bytes, b.position(), bytes.length));
      }
      b.getInt();                                   // verifier flavor
      int verfLen = b.getInt();
      b.position(b.position() + ((verfLen + 3) & ~3));
      int acceptStat = b.getInt();
      return new Reply(xid, replyStat, acceptStat,
          Arrays.copyOfRange(bytes, b.position(), bytes.length));
    }

    /** The results of a SUCCESS reply, decoded; they must fill the body exactly. */
    <T> T result(XdrDecoder<T> decoder) {
      assertThat(replyStat).as("reply_stat").isEqualTo(MSG_ACCEPTED);
      assertThat(acceptStat).as("accept_stat").isEqualTo(SUCCESS);
      try {
        Xdr x = Wire.decoding(body);
        T value = decoder.decode(x);
        assertThat(x.hasMoreData()).as("bytes after the result").isFalse();
        return value;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    boolean bool() {
      return result(Xdrs::bool);
    }

    long uint() {
      return Integer.toUnsignedLong(result(XdrDecodingStream::xdrDecodeInt));
    }

    String string() {
      return result(in -> Xdrs.string(in, 1024));
    }

    void assertVoid() {
      assertThat(replyStat).as("reply_stat").isEqualTo(MSG_ACCEPTED);
      assertThat(acceptStat).as("accept_stat").isEqualTo(SUCCESS);
      assertThat(body).as("void result").isEmpty();
    }

    /** An accepted reply with {@code stat} and no results (PROC_UNAVAIL, GARBAGE_ARGS, ...). */
    void assertAcceptedError(int stat) {
      assertThat(replyStat).as("reply_stat").isEqualTo(MSG_ACCEPTED);
      assertThat(acceptStat).as("accept_stat").isEqualTo(stat);
      if (stat != PROG_MISMATCH) assertThat(body).isEmpty();
    }
  }
}
