package io.tapnfs.nfs.nsm;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.netstack.ManualClock;
import io.tapnfs.nfs.nsm.NsmXdr.StatChge;
import io.tapnfs.portmap.Rpcbind;
import io.tapnfs.portmap.RpcbindConfig;
import io.tapnfs.portmap.xdr.XdrArgs;
import io.tapnfs.rpc.RpcRegistry;
import io.tapnfs.rpc.RpcServer;
import io.tapnfs.rpc.TwoHosts;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcDispatchable;
import org.dcache.oncrpc4j.xdr.XdrVoid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart over the stack: tapnfs's monitor on host B restarts on the same state directory and
 * tells the client on host A, whose rpcbind (our {@link Rpcbind}) knows its statd (a fake that
 * records SM_NOTIFY), with the bumped state. Attempts run on the test's thread (manual scheduler);
 * the calls go over the in-memory link.
 */
class NsmRecoveryTest {
  static final Inet4Address A = (Inet4Address) TwoHosts.A_IP.toInet();
  static final int STATD_PORT = 40_001;

  @TempDir Path stateDir;

  /** A client's statd: records SM_NOTIFY, answers void. */
  static final class FakeStatd implements RpcDispatchable {
    final List<StatChge> notified = new CopyOnWriteArrayList<>();

    @Override public void dispatchOncRpcCall(RpcCall call) throws org.dcache.oncrpc4j.rpc.OncRpcException, java.io.IOException {
      if (call.getProcedure() != NsmProgram.SM_NOTIFY) {
        call.failProcedureUnavailable();
        return;
      }
      XdrArgs<StatChge> a = XdrArgs.of(StatChge::decode);
      call.retrieveCall(a);
      notified.add(a.value());
      call.reply(XdrVoid.XDR_VOID);
    }
  }

  @Test void aRestartedMonitorTellsEachRecordedClientsStatdItsNewState() throws Exception {
    ManualClock clock = new ManualClock();
    Nsm first = Nsm.open(stateDir, TwoHosts.B_IP.toString(), Nsm.Settings.defaults(), clock);
    first.monitor("client-a", A);                                             // NLM, before A's first lock
    first.close();

    try (TwoHosts hosts = new TwoHosts()) {
      Rpcbind rpcbindA = new Rpcbind(A, java.time.Clock.systemUTC(), RpcbindConfig.defaults().withTransportNetid(t -> RpcServer.currentNetid()));
      FakeStatd statd = new FakeStatd();
      try (RpcServer pmap = RpcServer.on(hosts.a).program(Rpcbind.PROGRAM, 2, rpcbindA).udp(Rpcbind.PORT).registry(RpcRegistry.NONE).start();
           RpcServer sm = RpcServer.on(hosts.a).program(NsmProgram.PROGRAM, NsmProgram.VERSION, statd).udp(STATD_PORT).registry(rpcbindA).start()) {
        Nsm second = Nsm.open(stateDir, TwoHosts.B_IP.toString(), Nsm.Settings.defaults(), clock);
        assertThat(second.state()).isEqualTo(3);
        assertThat(second.grace().active(clock.nanos())).isTrue();
        ManualScheduler scheduler = new ManualScheduler(clock);
        NsmNotifier notifier = second.startNotifier(new RpcStatdCaller(hosts.b, Duration.ofSeconds(5)), scheduler);
        assertThat(scheduler.runAll(5)).isEqualTo(1);
        assertThat(statd.notified).containsExactly(new StatChge(TwoHosts.B_IP.toString(), 3));
        assertThat(second.counters()).containsEntry("notifySent", 1L).containsEntry("notifyFailed", 0L).containsEntry("notifyPending", 0L);
        assertThat(notifier.pending()).isZero();
        assertThat(Files.list(stateDir.resolve("nsm/sm.bak"))).isEmpty();
        second.close();
      }
    }
  }

  /** No statd registered with the client's rpcbind: a failed attempt, tried again later. */
  @Test void aClientWithoutStatdIsTriedAgain() throws Exception {
    ManualClock clock = new ManualClock();
    Nsm.open(stateDir, TwoHosts.B_IP.toString(), Nsm.Settings.defaults(), clock).monitor("client-a", A);
    try (TwoHosts hosts = new TwoHosts()) {
      Rpcbind rpcbindA = new Rpcbind(A, java.time.Clock.systemUTC(), RpcbindConfig.defaults().withTransportNetid(t -> RpcServer.currentNetid()));
      try (RpcServer pmap = RpcServer.on(hosts.a).program(Rpcbind.PROGRAM, 2, rpcbindA).udp(Rpcbind.PORT).registry(RpcRegistry.NONE).start()) {
        Nsm second = Nsm.open(stateDir, TwoHosts.B_IP.toString(), Nsm.Settings.defaults(), clock);
        ManualScheduler scheduler = new ManualScheduler(clock);
        second.startNotifier(new RpcStatdCaller(hosts.b, Duration.ofSeconds(5)), scheduler);
        assertThat(scheduler.runNext()).isTrue();
        assertThat(second.counter(NsmStat.NOTIFY_FAILED)).isEqualTo(1);
        assertThat(scheduler.queued()).isEqualTo(1);                              // again in 2 s
        assertThat(second.toNotify()).containsExactly(new MonitorRecord("client-a", A));
        second.close();
      }
    }
  }
}
