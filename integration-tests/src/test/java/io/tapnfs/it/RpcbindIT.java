package io.tapnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * rpcbind and RPC on the stack, reached by the Linux kernel from the lab namespace: Debian's
 * rpcinfo asks for every version of the portmapper and of tapnfs's diagnostic program over TCP and
 * UDP, and oncrpc4j on kernel sockets ({@link KernelRpcClient}) makes calls with AUTH_SYS, a 1 MiB
 * argument, a fragmented UDP reply, and remote SET/UNSET attempts that must be refused. Needs root.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class RpcbindIT {
  static final int DIAG = 0x20001234;
  Lab lab;
  Lab.Server server;

  @BeforeAll void start() throws IOException {
    lab = Lab.create("rpcbind");
    server = lab.startServer("--diag-services", "--pcap", lab.out.resolve("rpcbind.pcap").toString());
  }

  @AfterAll void stop() throws IOException {
    try {
      if (server != null) assertThat(server.log()).doesNotContain("internal error").doesNotContain("Exception");
    } finally {
      if (lab != null) lab.close();
    }
  }

  String rpcinfo(String... args) throws IOException {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "rpcinfo";
    System.arraycopy(args, 0, cmd, 1, args.length);
    return lab.exec(Duration.ofSeconds(30), cmd).ok().stdout();
  }

  int diagPort(String proto) throws IOException {
    Matcher m = Pattern.compile("(?m)^\\s*" + DIAG + "\\s+1\\s+" + proto + "\\s+(\\d+)").matcher(rpcinfo("-p", Lab.STACK_IP));
    assertThat(m.find()).as("diag program on %s in rpcinfo -p", proto).isTrue();
    return Integer.parseInt(m.group(1));
  }

  @Test void rpcinfoListsThePortmapperAndTheDiagProgram() throws IOException {
    String p = rpcinfo("-p", Lab.STACK_IP);
    for (String v : new String[] {"2", "3", "4"}) {
      assertThat(p).containsPattern("(?m)^\\s*100000\\s+" + v + "\\s+tcp\\s+111\\s+portmapper");
      assertThat(p).containsPattern("(?m)^\\s*100000\\s+" + v + "\\s+udp\\s+111\\s+portmapper");
    }
    assertThat(p).containsPattern("(?m)^\\s*" + DIAG + "\\s+1\\s+tcp\\s+\\d+");
    assertThat(p).containsPattern("(?m)^\\s*" + DIAG + "\\s+1\\s+udp\\s+\\d+");
    // rpcbind v3/v4 DUMP (rpcinfo without -p) shows netids, universal addresses and owners
    String dump = rpcinfo(Lab.STACK_IP);
    assertThat(dump).containsPattern("100000\\s+4\\s+tcp\\s+0\\.0\\.0\\.0\\.0\\.111|100000\\s+4\\s+tcp\\s+" + Pattern.quote(Lab.STACK_IP) + "\\.0\\.111");
    assertThat(dump).contains("tapnfs-diag");
  }

  @Test void everyPortmapperVersionAnswersOverTcpAndUdp() throws IOException {
    for (String proto : new String[] {"tcp", "udp"})
      for (String v : new String[] {"2", "3", "4"})
        assertThat(rpcinfo("-T", proto, Lab.STACK_IP, "100000", v)).contains("program 100000 version " + v + " ready and waiting");
  }

  @Test void theDiagProgramAnswersThroughRpcbindLookups() throws IOException {
    // rpcinfo -T asks rpcbind for the address (v4 GETADDR, as the kernel does), then calls NULL there
    for (String proto : new String[] {"tcp", "udp"})
      assertThat(rpcinfo("-T", proto, Lab.STACK_IP, Integer.toString(DIAG), "1")).contains("ready and waiting");
    assertThat(lab.exec(Duration.ofSeconds(30), "rpcinfo", "-T", "tcp", Lab.STACK_IP, Integer.toString(DIAG), "7").exit())
        .as("a version we do not serve").isNotZero();
  }

  @Test void oncrpc4jOnKernelSocketsCallsTheStack() throws Exception {
    Lab.Result r = lab.execJava(Duration.ofSeconds(120), "io.tapnfs.it.KernelRpcClient", Lab.STACK_IP,
        Integer.toString(diagPort("tcp")), Integer.toString(diagPort("udp")));
    assertThat(r.stdout()).as(r.stdout() + r.stderr()).contains("ALL OK", "OK echo-tcp-1MiB", "OK echo-udp-60000",
        "OK whoami-auth-sys", "OK pmap-set-refused", "OK pmap-unset-refused", "OK pmap-dump-over-udp-refused", "whoami address " + Lab.HOST_IP);
    String stat = Lab.run(java.util.List.of("java", "-jar", Lab.jar().toString(), "stat", "--control", server.control.toString()),
        Duration.ofSeconds(60)).ok().stdout();
    assertThat(stat).contains("RPC services (rpcbind):").containsPattern("setRefused\\s+[1-9]").containsPattern("unsetRefused\\s+[1-9]")
        .containsPattern("dumpUdpRefused\\s+[1-9]");
  }
}
