package io.tapnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.nfs.lock.ClientReboots;
import io.tapnfs.nfs.lock.Grace;
import io.tapnfs.nfs.lock.LockClients;
import io.tapnfs.nfs.lock.LockManager;
import io.tapnfs.nfs.nlm.NlmConfig;
import io.tapnfs.nfs.nlm.NlmProgram;
import io.tapnfs.nfs.v3.MemExports;
import io.tapnfs.nfs.v3.MemVfs;
import io.tapnfs.nfs.vfs.ClientAccess;
import io.tapnfs.rpc.TwoHosts;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What {@code tapnfs serve} puts on the stack: NLM beside MOUNT and NFS, registered with rpcbind, in {@code tapnfs stat}. */
@Timeout(60)
class RpcServicesTest {
  @Test void nlmIsServedAndRegisteredForVersions1And3And4() throws Exception {
    MemExports exports = new MemExports(List.of(new MemExports.MemExport("/data", new MemVfs(1, "/data", false),
        a -> new ClientAccess(true, ClientAccess.Squash.ROOT, 65534, 65534, false))));
    try (TwoHosts h = new TwoHosts(); RpcServices rpc = RpcServices.start(h.b, h.b.config(), false)) {
      rpc.serveNfs(h.b, exports, 2049, 20048);
      LockManager locks = new LockManager(LockManager.Limits.defaults());
      ClientReboots reboots = rpc.serveNlm(h.b, exports, locks, LockClients.NONE, Grace.none(), NlmProgram.PORT, NlmConfig.defaults());
      assertThat(reboots).isSameAs(rpc.nlm);
      List<String> nlm = rpc.rpcbind.registrations().stream().filter(r -> r.program() == NlmProgram.PROGRAM)
          .map(r -> r.version() + "/" + r.netid() + "/" + r.port() + "/" + r.owner()).sorted().toList();
      assertThat(nlm).containsExactly("1/tcp/4045/tapnfs-lockd", "1/udp/4045/tapnfs-lockd", "3/tcp/4045/tapnfs-lockd",
          "3/udp/4045/tapnfs-lockd", "4/tcp/4045/tapnfs-lockd", "4/udp/4045/tapnfs-lockd");
      assertThat(rpc.format()).contains("\nnlm:\n", "\nlocks:\n    locks 0\n", "rpc (port 4045)");
    }
  }

}
