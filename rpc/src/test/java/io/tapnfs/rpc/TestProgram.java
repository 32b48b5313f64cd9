package io.tapnfs.rpc;

import java.io.IOException;
import org.dcache.oncrpc4j.rpc.OncRpcException;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcDispatchable;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;
import org.dcache.oncrpc4j.xdr.XdrOpaque;
import org.dcache.oncrpc4j.xdr.XdrVoid;

/** A test program: 0 NULL, 1 ECHO (opaque back), 2 WHOAMI (the caller as the program sees it). */
final class TestProgram implements RpcDispatchable {
  static final int PROGRAM = 0x20000099, VERSION = 1;
  static final int NULL = 0, ECHO = 1, WHOAMI = 2, NETID = 3;

  /** WHOAMI's result: flavor, uid, gid, gids, address. */
  static final class Who implements XdrAble {
    int flavor, uid, gid;
    int[] gids = new int[0];
    String address = "";

    @Override public void xdrEncode(XdrEncodingStream x) throws OncRpcException, IOException {
      x.xdrEncodeInt(flavor);
      x.xdrEncodeInt(uid);
      x.xdrEncodeInt(gid);
      x.xdrEncodeIntVector(gids);
      x.xdrEncodeString(address);
    }

    @Override public void xdrDecode(XdrDecodingStream x) throws OncRpcException, IOException {
      flavor = x.xdrDecodeInt();
      uid = x.xdrDecodeInt();
      gid = x.xdrDecodeInt();
      gids = x.xdrDecodeIntVector();
      address = x.xdrDecodeString();
    }
  }

  @Override public void dispatchOncRpcCall(RpcCall call) throws OncRpcException, IOException {
    switch (call.getProcedure()) {
      case NULL -> {
        call.retrieveCall(XdrVoid.XDR_VOID);
        call.reply(XdrVoid.XDR_VOID);
      }
      case ECHO -> {
        byte[][] got = new byte[1][];
        call.retrieveCall(new XdrAble() {
          @Override public void xdrEncode(XdrEncodingStream x) { throw new UnsupportedOperationException(); }

          @Override public void xdrDecode(XdrDecodingStream x) throws IOException { got[0] = XdrChecks.opaque(x, 4 << 20); }
        });
        call.reply(new XdrOpaque(got[0]));
      }
      case WHOAMI -> {
        call.retrieveCall(XdrVoid.XDR_VOID);
        RpcCaller c = RpcCaller.of(call);
        Who w = new Who();
        w.flavor = c.flavor();
        w.uid = c.uid();
        w.gid = c.gid();
        w.gids = c.gids();
        w.address = c.address().getAddress().getHostAddress();
        call.reply(w);
      }
      case NETID -> {
        call.retrieveCall(XdrVoid.XDR_VOID);
        call.reply(new org.dcache.oncrpc4j.xdr.XdrString(String.valueOf(RpcServer.currentNetid())));
      }
      default -> call.failProcedureUnavailable();
    }
  }
}
