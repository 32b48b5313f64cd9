package io.tapnfs.nfs.v3;

import io.tapnfs.rpc.TwoHosts;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.NOENT;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.NOTEMPTY;
import static io.tapnfs.nfs.v3.xdr.Nfsstat3.OK;
import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.nfs.vfs.ClientAccess;
import io.tapnfs.nfs.vfs.ClientAccess.Squash;
import io.tapnfs.nfs.vfs.Export;
import io.tapnfs.nfs.vfs.Exports;
import io.tapnfs.nfs.vfs.Fh;
import io.tapnfs.nfs.vfs.KernelVfs;
import io.tapnfs.nfs.vfs.Vfs;
import io.tapnfs.rpc.RpcClient;
import io.tapnfs.rpc.RpcServer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** NFSv3 over the stack on the real local-directory backend: the common paths once. */
@Timeout(60)
class KernelVfsSmokeTest {
  @TempDir Path tmp;

  @Test void createWriteReadListRenameRemove() throws Exception {
    byte[] key = new byte[32];
    new SplittableRandom(3).nextBytes(key);
    KernelVfs vfs = KernelVfs.open(tmp, key, false, false);
    Export export = new Export() {
      @Override public String path() { return "/export"; }

      @Override public Vfs vfs() { return vfs; }

      @Override public ClientAccess access(InetAddress client) { return new ClientAccess(true, Squash.NONE, 65534, 65534, false); }
    };
    Exports exports = new Exports() {
      @Override public List<Export> all() { return List.of(export); }

      @Override public Export byPath(String path) { return path.equals("/export") ? export : null; }

      @Override public Export byHandle(Fh fh) { return vfs.owns(fh) ? export : null; }
    };
    int uid = (Integer) Files.getAttribute(tmp, "unix:uid"), gid = (Integer) Files.getAttribute(tmp, "unix:gid");
    try (TwoHosts h = new TwoHosts();
         RpcServer s = RpcServer.on(h.b).program(Nfs3Program.PROGRAM, Nfs3Program.VERSION, new Nfs3Program(exports)).tcp(2049).start();
         RpcClient rpc = RpcClient.tcp(h.a, TwoHosts.onB(2049), Nfs3Client.T)) {
      Nfs3Client c = new Nfs3Client(rpc);
      c.auth = Nfs3Client.unix(uid, gid);
      byte[] root = vfs.root().bytes();
      assertThat(c.getattr(root).attr().type()).isEqualTo(2);
      var d = c.mkdir(root, "dir");
      assertThat(d.status()).isEqualTo(OK);
      var f = c.create(d.fh(), "file");
      assertThat(f.status()).isEqualTo(OK);
      byte[] data = new byte[200_000];
      new SplittableRandom(4).nextBytes(data);
      var w = c.write(f.fh(), 0, data, 0);
      assertThat(w.status()).isEqualTo(OK);
      assertThat(w.count()).isEqualTo(data.length);
      assertThat(w.wcc().after().size()).isEqualTo(data.length);
      assertThat(c.commit(f.fh(), 0, 0).verf()).isEqualTo(w.verf());
      var r = c.read(f.fh(), 0, 1 << 20);
      assertThat(r.data()).isEqualTo(data);
      assertThat(r.eof()).isTrue();
      assertThat(Files.readAllBytes(tmp.resolve("dir/file"))).isEqualTo(data);
      for (int i = 0; i < 100; i++) assertThat(c.create(d.fh(), "n" + i).status()).isEqualTo(OK);
      Set<String> names = new HashSet<>();
      long cookie = 0, verf = 0;
      for (boolean eof = false; !eof; ) {
        var page = c.readdirplus(d.fh(), cookie, verf, 1024, 4096);
        assertThat(page.status()).isEqualTo(OK);
        page.entries().forEach(e -> assertThat(names.add(e.name())).isTrue());
        cookie = page.entries().get(page.entries().size() - 1).cookie();
        verf = page.verf();
        eof = page.eof();
      }
      assertThat(names).hasSize(103).contains(".", "..", "file", "n99");
      assertThat(c.rename(d.fh(), "file", root, "moved").status()).isEqualTo(OK);
      assertThat(c.lookup(root, "moved").fh()).isEqualTo(f.fh());
      assertThat(c.lookup(d.fh(), "file").status()).isEqualTo(NOENT);
      assertThat(c.rmdir(root, "dir").status()).isEqualTo(NOTEMPTY);
      assertThat(c.remove(root, "moved").status()).isEqualTo(OK);
      assertThat(Files.exists(tmp.resolve("moved"))).isFalse();
      assertThat(c.getattr(f.fh()).status()).isIn(io.tapnfs.nfs.v3.xdr.Nfsstat3.STALE, io.tapnfs.nfs.v3.xdr.Nfsstat3.BADHANDLE);
      assertThat(c.fsinfo(root).rtmax()).isEqualTo(1 << 20);
      assertThat(Arrays.equals(c.lookup(root, "dir").fh(), d.fh())).isTrue();
    }
  }
}
