package io.tapnfs.nfs.nsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.ManualClock;
import io.tapnfs.nfs.nsm.NsmXdr.Mon;
import io.tapnfs.nfs.nsm.NsmXdr.MonId;
import io.tapnfs.nfs.nsm.NsmXdr.MyId;
import io.tapnfs.nfs.nsm.NsmXdr.SmName;
import io.tapnfs.nfs.nsm.NsmXdr.SmStat;
import io.tapnfs.nfs.nsm.NsmXdr.SmStatRes;
import io.tapnfs.nfs.nsm.NsmXdr.StatChge;
import io.tapnfs.portmap.xdr.XdrArgs;
import io.tapnfs.portmap.xdr.XdrDecoder;
import io.tapnfs.portmap.xdr.XdrReply;
import io.tapnfs.portmap.xdr.XdrType;
import io.tapnfs.rpc.RpcClient;
import io.tapnfs.rpc.RpcServer;
import io.tapnfs.rpc.TwoHosts;
import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dcache.oncrpc4j.rpc.OncRpcAcceptedException;
import org.dcache.oncrpc4j.xdr.XdrVoid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NSM version 1 through RpcServer and RpcClient on two in-memory stacks: the monitor on B, a client on A. */
class NsmProgramTest {
  static final Duration T = Duration.ofSeconds(10);
  static final Inet4Address A = (Inet4Address) TwoHosts.A_IP.toInet();

  @TempDir Path stateDir;
  final List<String> reboots = new CopyOnWriteArrayList<>();
  TwoHosts hosts;
  Nsm nsm;
  RpcServer server;
  RpcClient udp, tcp;

  @BeforeEach void serve() throws Exception {
    nsm = Nsm.open(stateDir, TwoHosts.B_IP.toString(), Nsm.Settings.defaults(), new ManualClock());
    nsm.clientReboots((host, address) -> reboots.add(host + "@" + address.getHostAddress()));
    hosts = new TwoHosts();
    server = RpcServer.on(hosts.b).program(NsmProgram.PROGRAM, NsmProgram.VERSION, new NsmProgram(nsm))
        .tcp(NsmProgram.DEFAULT_PORT).udp(NsmProgram.DEFAULT_PORT).start();
    udp = RpcClient.udp(hosts.a, TwoHosts.onB(NsmProgram.DEFAULT_PORT));
    tcp = RpcClient.tcp(hosts.a, TwoHosts.onB(NsmProgram.DEFAULT_PORT), T);
  }

  @AfterEach void close() throws Exception {
    if (udp != null) udp.close();
    if (tcp != null) tcp.close();
    if (server != null) server.close();
    if (hosts != null) hosts.close();
  }

  static <T> T call(RpcClient c, int proc, XdrType args, XdrDecoder<T> result) throws Exception {
    XdrArgs<T> r = XdrArgs.of(result);
    c.call(NsmProgram.PROGRAM, NsmProgram.VERSION, proc, XdrReply.of(args), r, null, T, 2);
    return r.value();
  }

  static final MyId LOCKD = new MyId("127.0.0.1", 100021, 4, 16);

  @Test void nullAndStatAnswerOurState() throws Exception {
    udp.call(NsmProgram.PROGRAM, NsmProgram.VERSION, NsmProgram.SM_NULL, XdrVoid.XDR_VOID, new XdrVoid(), null, T, 2);
    assertThat(call(udp, NsmProgram.SM_STAT, new SmName("guest"), SmStatRes::decode)).isEqualTo(new SmStatRes(NsmXdr.STAT_SUCC, 1));
    assertThat(call(tcp, NsmProgram.SM_STAT, new SmName(""), SmStatRes::decode)).isEqualTo(new SmStatRes(NsmXdr.STAT_FAIL, 1));
    assertThat(nsm.counter(NsmStat.NULL_CALLS)).isEqualTo(1);
    assertThat(nsm.counter(NsmStat.STAT_CALLS)).isEqualTo(2);
    assertThat(nsm.monitored()).isEmpty();
  }

  /** A remote host cannot make us monitor, unmonitor or "crash": statd's loopback-only rule. */
  @Test void monitoringCallsFromTheNetworkAreRefused() throws Exception {
    nsm.monitor("guest", A);
    Mon mon = new Mon(new MonId("victim", LOCKD), new byte[16]);
    assertThat(call(udp, NsmProgram.SM_MON, mon, SmStatRes::decode)).isEqualTo(new SmStatRes(NsmXdr.STAT_FAIL, -1));
    assertThat(call(tcp, NsmProgram.SM_UNMON, new MonId("guest", LOCKD), SmStat::decode)).isEqualTo(new SmStat(1));
    assertThat(call(udp, NsmProgram.SM_UNMON_ALL, LOCKD, SmStat::decode)).isEqualTo(new SmStat(1));
    call(udp, NsmProgram.SM_SIMU_CRASH, NsmXdr.VOID, in -> null);
    assertThat(nsm.monitored()).containsExactly(new MonitorRecord("guest", A));
    assertThat(nsm.state()).isEqualTo(1);
    assertThat(nsm.counter(NsmStat.REMOTE_MON_REFUSED)).isEqualTo(4);
    assertThat(nsm.counters()).containsEntry("monCalls", 1L).containsEntry("unmonCalls", 1L)
        .containsEntry("unmonAllCalls", 1L).containsEntry("simuCrashCalls", 1L);
  }

  @Test void smNotifyFromAMonitoredClientReachesTheLockManager() throws Exception {
    nsm.monitor("guest", A);
    call(udp, NsmProgram.SM_NOTIFY, new StatChge("guest", 5), in -> null);
    call(tcp, NsmProgram.SM_NOTIFY, new StatChge("guest", 5), in -> null);       // the same again: once
    call(udp, NsmProgram.SM_NOTIFY, new StatChge("stranger", 3), in -> null);    // ours by its address
    assertThat(reboots).containsExactly("guest@" + TwoHosts.A_IP, "guest@" + TwoHosts.A_IP);
    assertThat(nsm.counters()).containsEntry("notifyCalls", 3L).containsEntry("clientReboots", 2L).containsEntry("notifyDuplicate", 1L);
  }

  @Test void smNotifyFromAHostNotMonitoredChangesNothing() throws Exception {
    call(udp, NsmProgram.SM_NOTIFY, new StatChge("guest", 5), in -> null);
    assertThat(reboots).isEmpty();
    assertThat(nsm.counter(NsmStat.NOTIFY_UNMONITORED)).isEqualTo(1);
  }

  @Test void namesOverSmMaxStrLenAndShortMessagesAreGarbage() throws Exception {
    XdrType longName = out -> out.xdrEncodeDynamicOpaque(new byte[NsmXdr.SM_MAXSTRLEN + 1]);
    assertThatThrownBy(() -> call(udp, NsmProgram.SM_STAT, longName, SmStatRes::decode))
        .isInstanceOf(OncRpcAcceptedException.class).hasMessageContaining("GARBAGE_ARGS");
    XdrType cut = out -> out.xdrEncodeInt(8);                                     // a length, no name
    assertThatThrownBy(() -> call(tcp, NsmProgram.SM_NOTIFY, cut, in -> null))
        .isInstanceOf(OncRpcAcceptedException.class).hasMessageContaining("GARBAGE_ARGS");
    XdrType noPriv = new MonId("x", LOCKD);                                       // SM_MON without priv[16]
    assertThatThrownBy(() -> call(tcp, NsmProgram.SM_MON, noPriv, SmStatRes::decode))
        .isInstanceOf(OncRpcAcceptedException.class).hasMessageContaining("GARBAGE_ARGS");
    assertThat(call(udp, NsmProgram.SM_STAT, new SmName("x".repeat(NsmXdr.SM_MAXSTRLEN)), SmStatRes::decode).resStat())
        .isEqualTo(NsmXdr.STAT_SUCC);
    assertThat(nsm.counter(NsmStat.GARBAGE_ARGS)).isEqualTo(3);
  }

  @Test void otherProceduresAreUnavailable() throws Exception {
    assertThatThrownBy(() -> call(udp, 7, NsmXdr.VOID, in -> null))
        .isInstanceOf(OncRpcAcceptedException.class).hasMessageContaining("PROC_UNAVAIL");
    assertThat(nsm.counter(NsmStat.PROC_UNAVAIL)).isEqualTo(1);
  }
}
