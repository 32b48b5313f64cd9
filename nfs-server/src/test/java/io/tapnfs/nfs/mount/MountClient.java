package io.tapnfs.nfs.mount;

import io.tapnfs.nfs.TestRpc;
import io.tapnfs.nfs.mount.MountXdr.ExportNode;
import io.tapnfs.nfs.mount.MountXdr.Fhstatus;
import io.tapnfs.nfs.mount.MountXdr.MountBody;
import io.tapnfs.nfs.mount.MountXdr.Mountres3;
import io.tapnfs.rpc.RpcClient;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.dcache.oncrpc4j.rpc.RpcAuth;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrVoid;

/** The MOUNT calls a client makes, over an {@link RpcClient} or {@link TestRpc}; AUTH_NONE unless {@link #as} says. */
final class MountClient implements Closeable {
  static final Duration T = Duration.ofSeconds(10);
  final TestRpc rpc;
  RpcAuth auth;

  MountClient(RpcClient rpc) { this(TestRpc.of(rpc)); }

  MountClient(TestRpc rpc) { this.rpc = rpc; }

  MountClient as(RpcAuth a) {
    this.auth = a;
    return this;
  }

  <T> T call(int version, int proc, XdrAble args, MountXdr.Decoded.Decoder<T> result) throws IOException, TimeoutException {
    MountXdr.Decoded<T> r = new MountXdr.Decoded<>(result);
    rpc.call(MountProgram.PROGRAM, version, proc, args, r, auth, T, 3);
    return r.value();
  }

  static XdrAble dirpath(byte[] p) { return (MountXdr.Encoder) x -> x.xdrEncodeDynamicOpaque(p); }

  static XdrAble words(int... w) {
    return (MountXdr.Encoder) x -> {
      for (int i : w) x.xdrEncodeInt(i);
    };
  }

  void nul(int version) throws Exception { rpc.call(MountProgram.PROGRAM, version, MountProgram.NULL, XdrVoid.XDR_VOID, new XdrVoid(), auth, T, 3); }

  Mountres3 mnt(String path) throws Exception { return mnt(path.getBytes(StandardCharsets.UTF_8)); }

  Mountres3 mnt(byte[] path) throws Exception { return call(3, MountProgram.MNT, dirpath(path), Mountres3::decode); }

  Fhstatus mntV1(int version, String path) throws Exception {
    return call(version, MountProgram.MNT, dirpath(path.getBytes(StandardCharsets.UTF_8)), Fhstatus::decode);
  }

  List<MountBody> dump(int version) throws Exception { return call(version, MountProgram.DUMP, XdrVoid.XDR_VOID, MountXdr::decodeMountList); }

  void umnt(String path) throws Exception { umnt(path.getBytes(StandardCharsets.UTF_8)); }

  void umnt(byte[] path) throws Exception { call(3, MountProgram.UMNT, dirpath(path), x -> null); }

  void umntall() throws Exception { call(3, MountProgram.UMNTALL, XdrVoid.XDR_VOID, x -> null); }

  List<ExportNode> export(int version, int proc) throws Exception { return call(version, proc, XdrVoid.XDR_VOID, MountXdr::decodeExports); }

  @Override public void close() throws IOException { rpc.close(); }
}
