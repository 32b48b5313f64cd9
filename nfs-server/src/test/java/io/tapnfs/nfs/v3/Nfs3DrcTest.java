package io.tapnfs.nfs.v3;

import static io.tapnfs.nfs.v3.xdr.Nfsstat3.NOENT;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.OK;
import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.nfs.v3.MemExports.MemExport;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.vfs.ClientAccess;
import io.tapnfs.rpc.RawRpc;
import io.tapnfs.rpc.RpcClient;
import io.tapnfs.rpc.RpcServer;
import io.tapnfs.rpc.RpcStat;
import io.tapnfs.rpc.TwoHosts;
import java.nio.ByteBuffer;
import java.util.List;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * NFSv3 served with its non-idempotent procedures in the RPC server's duplicate-request cache:
 * the failure it fixes, a REMOVE or RENAME retransmitted after a TCP reconnect (same xid, new
 * connection) running twice.
 */
@Timeout(60)
class Nfs3DrcTest {
  static final int PORT = 2051;

  /** Raw arguments for {@link RawRpc#call}. */
  static XdrAble args(Nfs3Client.Enc enc) {
    return new XdrAble() {
      @Override public void xdrEncode(XdrEncodingStream x) { enc.to(x); }

      @Override public void xdrDecode(XdrDecodingStream x) { throw new UnsupportedOperationException(); }
    };
  }

  /** The nfsstat3 of an accepted reply: after xid, REPLY, MSG_ACCEPTED, verifier AUTH_NONE, SUCCESS. */
  static Nfsstat3 status(byte[] reply) {
    ByteBuffer b = ByteBuffer.wrap(reply);
    assertThat(b.getInt(4 * 2)).as("accepted").isZero();
    assertThat(b.getInt(4 * 5)).as("SUCCESS").isZero();
    return Nfsstat3.ofCode(b.getInt(4 * 6));
  }

  @Test void aRemoveAndARenameRetransmittedOnANewConnectionAreAnsweredFromTheCache() throws Exception {
    MemVfs data = new MemVfs(1, "/data", false);
    Nfs3Program nfs = new Nfs3Program(new MemExports(List.of(
        new MemExport("/data", data, a -> new ClientAccess(true, ClientAccess.Squash.NONE, 65534, 65534, false)))));
    byte[] root = data.root().bytes();
    try (TwoHosts h = new TwoHosts();
         RpcServer s = RpcServer.on(h.b).program(Nfs3Program.PROGRAM, Nfs3Program.VERSION, nfs, Nfs3Program::cachesReply)
             .tcp(PORT).start();
         RpcClient rpc = RpcClient.tcp(h.a, TwoHosts.onB(PORT), Nfs3Client.T)) {
      Nfs3Client c = new Nfs3Client(rpc);
      assertThat(c.create(root, "f").status()).isEqualTo(OK);
      assertThat(c.create(root, "a").status()).isEqualTo(OK);

      byte[] remove = RawRpc.call(0x7001, Nfs3Program.PROGRAM, Nfs3Program.VERSION, Nfs3Procedure.REMOVE.number(), c.auth,
          args(x -> Nfs3Client.dirop(x, root, "f")));
      byte[] rename = RawRpc.call(0x7002, Nfs3Program.PROGRAM, Nfs3Program.VERSION, Nfs3Procedure.RENAME.number(), c.auth,
          args(x -> { Nfs3Client.dirop(x, root, "a"); Nfs3Client.dirop(x, root, "b"); }));
      byte[] removed, renamed;
      try (RawRpc.Tcp first = new RawRpc.Tcp(h.a, TwoHosts.B_IP, PORT, Nfs3Client.T)) {
        removed = first.call(remove);
        renamed = first.call(rename);
      }
      assertThat(status(removed)).isEqualTo(OK);
      assertThat(status(renamed)).isEqualTo(OK);
      assertThat(c.create(root, "a").status()).isEqualTo(OK);               // a new "a" since the RENAME

      try (RawRpc.Tcp second = new RawRpc.Tcp(h.a, TwoHosts.B_IP, PORT, Nfs3Client.T)) {   // the client reconnected
        assertThat(second.call(remove)).isEqualTo(removed);                 // OK again, not NOENT
        assertThat(second.call(rename)).isEqualTo(renamed);
      }
      assertThat(nfs.calls(Nfs3Procedure.REMOVE)).isEqualTo(1);
      assertThat(nfs.calls(Nfs3Procedure.RENAME)).isEqualTo(1);
      assertThat(c.lookup(root, "a").status()).isEqualTo(OK);               // the replayed RENAME did not move it over "b"
      assertThat(s.counter(RpcStat.DRC_HITS)).isEqualTo(2);

      assertThat(c.remove(root, "f").status()).isEqualTo(NOENT);            // a new call (new xid) runs
      assertThat(nfs.calls(Nfs3Procedure.REMOVE)).isEqualTo(2);
    }
  }

  @Test void theNonIdempotentProceduresAreCachedAndNoOthers() {
    assertThat(List.of(Nfs3Procedure.values())).filteredOn(Nfs3Procedure::cachesReply).containsExactly(
        Nfs3Procedure.SETATTR, Nfs3Procedure.WRITE, Nfs3Procedure.CREATE, Nfs3Procedure.MKDIR, Nfs3Procedure.SYMLINK,
        Nfs3Procedure.MKNOD, Nfs3Procedure.REMOVE, Nfs3Procedure.RMDIR, Nfs3Procedure.RENAME, Nfs3Procedure.LINK);
    assertThat(Nfs3Program.cachesReply(Nfs3Procedure.REMOVE.number())).isTrue();
    assertThat(Nfs3Program.cachesReply(Nfs3Procedure.COMMIT.number())).isFalse();
    assertThat(Nfs3Program.cachesReply(-1)).isFalse();
    assertThat(Nfs3Program.cachesReply(22)).isFalse();
  }
}
