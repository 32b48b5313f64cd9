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

/**
 * A diagnostic RPC program (tapnfs's {@code --diag-services}, the tests, the RPC benchmark):
 * procedure 0 NULL, 1 ECHO (an opaque, sent back), 2 WHOAMI (the caller's credential and address
 * as the server sees them), 3 NETID (the transport the call came on). Program number
 * {@value #PROGRAM}, in the "transient" range of RFC 5531 Appendix C that no one else is assigned.
 */
public final class DiagProgram implements RpcDispatchable {
  public static final int PROGRAM = 0x20001234, VERSION = 1;
  public static final int NULL = 0, ECHO = 1, WHOAMI = 2, NETID = 3;
  /** The largest ECHO argument: what the RPC record cap lets through. */
  public static final int MAX_ECHO = 4 << 20;

  /** WHOAMI's result: flavor, uid, gid, gids, address. */
  public static final class Who implements XdrAble {
    public int flavor, uid, gid;
    public int[] gids = new int[0];
    public String address = "";

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
        call.retrieveCall(new XdrAble() {                      // the length is checked before anything is allocated
          @Override public void xdrEncode(XdrEncodingStream x) { throw new UnsupportedOperationException(); }

          @Override public void xdrDecode(XdrDecodingStream x) throws IOException { got[0] = XdrChecks.opaque(x, MAX_ECHO); }
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
