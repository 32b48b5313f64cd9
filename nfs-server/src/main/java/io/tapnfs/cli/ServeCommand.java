package io.tapnfs.cli;

import io.tapnfs.netstack.Clock;
import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.StackConfig;
import io.tapnfs.netstack.StackSettings;
import io.tapnfs.netstack.Sysctl;
import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.ipv4.Ipv4Cidr;
import io.tapnfs.netstack.ipv4.Route;
import io.tapnfs.netstack.link.TapDevice;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import io.tapnfs.nfs.lock.Grace;
import io.tapnfs.nfs.lock.LockClients;
import io.tapnfs.nfs.lock.LockManager;
import io.tapnfs.nfs.mount.ExportRule;
import io.tapnfs.nfs.nlm.NlmConfig;
import io.tapnfs.nfs.mount.ExportTable;
import io.tapnfs.nfs.mount.ExportsFile;
import io.tapnfs.nfs.nsm.Backoff;
import io.tapnfs.nfs.nsm.Nsm;
import io.tapnfs.nfs.nsm.NsmProgram;
import io.tapnfs.nfs.nsm.RpcStatdCaller;
import java.time.Duration;
import io.tapnfs.nfs.vfs.ClientAccess;
import io.tapnfs.nfs.vfs.HandleKey;
import io.tapnfs.nfs.vfs.KernelVfs;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tapnfs serve}: open the TAP, run the stack, serve the control socket until a signal. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the stack on a TAP device until SIGINT/SIGTERM.")
final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);
  static final long DEFAULT_PCAP_MAX = 1L << 30;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--tap", paramLabel = "NAME", description = "TAP device to create or attach to (default ${DEFAULT-VALUE}).")
  String tap = "tapnfs0";

  @Option(names = "--ip", paramLabel = "A.B.C.D/P", description = "The stack's own address (default ${DEFAULT-VALUE}).")
  String ip = "10.73.0.2/24";

  @Option(names = "--gateway", paramLabel = "IP", description = "Default gateway (on-link).")
  String gateway;

  @Option(names = "--mtu", paramLabel = "N", description = "IP MTU of the link (default ${DEFAULT-VALUE}).")
  int mtu = 1500;

  @Option(names = "--mac", paramLabel = "MAC", description = "The stack's MAC (default: made once, random and locally administered, kept per tap in --state-dir so restarts keep it).")
  String mac;

  @Option(names = "--host-address", paramLabel = "A.B.C.D/P",
      description = "Also give the kernel's side of the tap this address.")
  String hostAddress;

  @Option(names = "--route", paramLabel = "A.B.C.D/P=GATEWAY", description = "A static route (repeatable).")
  List<String> routes = new ArrayList<>();

  @Option(names = "--arp", paramLabel = "IP=MAC", description = "A static ARP entry (repeatable).")
  List<String> arp = new ArrayList<>();

  @Option(names = "--sysctl", paramLabel = "NAME=VALUE", description = "A stack setting (repeatable); see --list-sysctls.")
  List<String> sysctls = new ArrayList<>();

  @Option(names = "--list-sysctls", description = "List the settings, their defaults and ranges, and exit.")
  boolean listSysctls;

  @Option(names = "--no-gso", description = "Open the tap without a vnet header: no segmentation offload, every TCP "
      + "segment is written at MTU size (the tcp_gso setting switches offload at run time otherwise).")
  boolean noGso;

  @Option(names = "--pcap", paramLabel = "FILE", description = "Capture every frame in and out to this pcap file.")
  Path pcap;

  @Option(names = "--pcap-max-bytes", paramLabel = "N", description = "Size cap of the capture (default ${DEFAULT-VALUE}).")
  long pcapMaxBytes = DEFAULT_PCAP_MAX;

  @Option(names = "--control", paramLabel = "PATH", description = "Control socket (default /run/tapnfs/<tap>.sock).")
  Path control;

  @Option(names = "--no-rpcbind", description = "Do not serve rpcbind (portmapper) on port 111 (nor NFS, which needs it).")
  boolean noRpcbind;

  @Option(names = "--export", paramLabel = "DIR",
      description = "Export this directory over NFSv3 to everyone, read-write, root squashed, insecure: clients on any "
          + "source port, not only below 1024 (repeatable; --exports gives exports(5)'s secure default).")
  List<Path> exportDirs = new ArrayList<>();

  @Option(names = "--exports", paramLabel = "FILE", description = "Exports in exports(5) syntax (clients by IP, CIDR or *).")
  Path exportsFile;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "Where the file-handle key, the stack's MAC and the status monitor's state (nsm/: state number, clients holding locks) live (default ${DEFAULT-VALUE}).")
  Path stateDir = Path.of("/var/lib/tapnfs");

  @Option(names = "--nfs-port", paramLabel = "N", description = "NFS port, TCP and UDP (default ${DEFAULT-VALUE}).")
  int nfsPort = 2049;

  @Option(names = "--open-files", paramLabel = "N",
      description = "Files each export keeps open (handle descriptors and data descriptors; default ${DEFAULT-VALUE}).")
  int openFiles = io.tapnfs.nfs.vfs.KernelVfs.Options.DEFAULT_MAX_OPEN_FILES;

  @Option(names = "--mount-port", paramLabel = "N", description = "MOUNT port, TCP and UDP (default ${DEFAULT-VALUE}).")
  int mountPort = 20048;

  @Option(names = "--nlm-port", paramLabel = "N", description = "NLM (lockd) port, TCP and UDP (default ${DEFAULT-VALUE}, IANA's).")
  int nlmPort = io.tapnfs.nfs.nlm.NlmProgram.PORT;

  @Option(names = "--no-nlm", description = "Do not serve NLM: clients must mount with nolock (or lock only locally).")
  boolean noNlm;

  @Option(names = "--max-locks-per-client", paramLabel = "N",
      description = "Byte ranges one client may hold locked (default ${DEFAULT-VALUE}); past it, NLM4_DENIED_NOLOCKS.")
  int maxLocksPerClient = LockManager.Limits.DEFAULT_LOCKS_PER_CLIENT;

  @Option(names = "--max-locks", paramLabel = "N", description = "Byte ranges locked in total (default ${DEFAULT-VALUE}).")
  int maxLocks = LockManager.Limits.DEFAULT_LOCKS;

  @Option(names = "--max-lock-waiters-per-client", paramLabel = "N",
      description = "Blocked lock requests one client may have queued (default ${DEFAULT-VALUE}).")
  int maxWaitersPerClient = LockManager.Limits.DEFAULT_WAITERS_PER_CLIENT;

  @Option(names = "--max-lock-waiters", paramLabel = "N", description = "Blocked lock requests queued in total (default ${DEFAULT-VALUE}).")
  int maxWaiters = LockManager.Limits.DEFAULT_WAITERS;

  @Option(names = "--lock-wait-max", paramLabel = "SECONDS",
      description = "How long a blocked lock request is kept without the client asking again (default ${DEFAULT-VALUE}).")
  long lockWaitMaxSeconds = LockManager.Limits.DEFAULT_MAX_WAIT.toSeconds();
  @Option(names = "--nsm-port", paramLabel = "N", description = "Status monitor (NSM, statd) port, TCP and UDP (default ${DEFAULT-VALUE}).")
  int nsmPort = NsmProgram.DEFAULT_PORT;

  @Option(names = "--grace", paramLabel = "SECONDS",
      description = "Grace period after a start during which clients reclaim their locks; none when no client held any (default ${DEFAULT-VALUE}).")
  long graceSeconds = Nsm.DEFAULT_GRACE.toSeconds();

  @Option(names = "--nsm-notify-minutes", paramLabel = "M",
      description = "How long to keep trying to tell each client that held locks of a restart (SM_NOTIFY; default ${DEFAULT-VALUE}, as sm-notify).")
  long notifyMinutes = Backoff.SM_NOTIFY.giveUpAfter().toMinutes();

  @Option(names = "--diag-services", description = "Enable the inetd internal services (UDP echo 7; TCP echo 7, discard 9, daytime 13, chargen 19) and a diagnostic RPC program registered with rpcbind.")
  boolean diagServices;

  @Override
  public Integer call() throws Exception {
    if (listSysctls) {
      java.io.PrintWriter out = spec.commandLine().getOut();
      for (Sysctl s : Sysctl.values())
        out.printf("%-28s %10d  [%d..%d]  %s%n", s.key(), s.defaultValue(), s.min(), s.max(), s.description());
      out.flush();
      return 0;
    }
    StackConfig config = config();
    List<ExportRule> rules = exportRules();                 // bad exports fail before the tap is touched
    LockManager.Limits lockLimits = lockLimits();
    if (!rules.isEmpty() && noRpcbind) throw new IllegalArgumentException("NFS needs rpcbind: drop --no-rpcbind");
    Nsm.Settings nsmSettings = nsmSettings();
    TapDevice dev = TapDevice.open(tap, mtu, !noGso);
    Stack stack = null;
    ControlServer ctl = null;
    RpcServices rpc = null;
    DiagServices diag = null;
    Nsm nsm = null;
    try {
      dev.setMtu(mtu);
      if (hostAddress != null) {
        Ipv4Cidr h = Ipv4Cidr.parse(hostAddress);
        if (h.address().equals(config.address().address()))
          throw new IllegalArgumentException("--host-address must differ from --ip");
        dev.setHostAddress(h.address().bits(), h.prefixLength());
      }
      MacAddress kernelMac = dev.kernelMac();
      if (mac == null) {
        MacAddress m = StackMac.load(stateDir, dev.name(), kernelMac);       // the same after a restart
        config = new StackConfig(m, config.address(), config.gateway(), config.mtu(), config.staticRoutes(),
            config.staticArp(), config.settings(), config.seed());
      } else if (config.mac().equals(kernelMac)) {
        throw new IllegalArgumentException("--mac must differ from the tap's own MAC " + kernelMac);
      }
      dev.setUp(true);
      stack = Stack.start(config, dev, Clock.SYSTEM);
      if (pcap != null) stack.startCapture(pcap, pcapMaxBytes);
      if (diagServices) diag = new DiagServices(stack);
      if (!noRpcbind) rpc = RpcServices.start(stack, config, diagServices);
      if (!rules.isEmpty()) {
        byte[] key = HandleKey.load(stateDir);
        // The start of the status monitor: state number bumped, clients of before retired, grace begun.
        nsm = Nsm.open(stateDir, config.address().address().toString(), nsmSettings, Clock.SYSTEM);
        ExportTable table = ExportTable.open(rules, rule -> KernelVfs.open(Path.of(rule.path()), key,
            KernelVfs.Options.defaults().sync(rule.sync()).fsid(rule.fsid()).maxOpenFiles(openFiles)), io.tapnfs.nfs.vfs.Vfs::owns);
        rpc.serveNfs(stack, table, nfsPort, mountPort);
        rpc.serveNsm(stack, nsm, nsmPort);
        if (!noNlm)            // NLM before the clients are told to reclaim: their reclaims must find it
          nsm.clientReboots(rpc.serveNlm(stack, table, new LockManager(lockLimits), nsm, nsm.grace(), nlmPort, NlmConfig.defaults()));
        nsm.startNotifier(new RpcStatdCaller(stack, nsmSettings.callTimeout()));
        for (ExportRule r : rules)
          System.out.printf("tapnfs: exporting %s; mount with: mount -t nfs -o vers=3%s %s:%s /mnt%n", r.path(), noNlm ? ",nolock" : "",
              config.address().address(), r.path());
      }
      RpcServices services = rpc;
      ctl = new ControlServer(control != null ? control : ControlPaths.forTap(dev.name()), stack,
          () -> services == null ? "" : services.format());
      System.out.printf("tapnfs: %s up, %s (%s), mtu %d%s%n", dev.name(), config.address(), config.mac(), mtu,
          config.gateway() == null ? "" : ", gateway " + config.gateway());
      System.out.printf("tapnfs: control %s%s%s%s%n", ctl.path(), pcap == null ? "" : ", capture " + pcap,
          diagServices ? ", diag services on" : "", rpc == null ? "" : ", rpcbind on tcp/udp 111"
              + (rpc.nlm == null ? "" : ", nlm on tcp/udp " + nlmPort));
      System.out.println("tapnfs: ready");
      System.out.flush();
      awaitSignal();
      return 0;
    } finally {
      // Reverse order: control first (no new requests), then the stack (flushes the capture),
      // then the link goes down and the tap is released.
      closeQuietly(ctl);
      closeQuietly(nsm);
      closeQuietly(rpc);
      closeQuietly(diag);
      closeQuietly(stack);
      try { dev.setUp(false); } catch (IOException | RuntimeException e) { log.debug("link down: {}", e.toString()); }
      closeQuietly(dev);
      System.out.println("tapnfs: stopped");
      System.out.flush();
      cleanedUp.countDown();
    }
  }

  /** The lock manager's bounds from the flags, checked before anything is opened. */
  LockManager.Limits lockLimits() {
    if (nlmPort < 0 || nlmPort > 65535) throw new IllegalArgumentException("--nlm-port must be between 0 and 65535");
    if (maxLocksPerClient < 1 || maxLocks < maxLocksPerClient)
      throw new IllegalArgumentException("--max-locks-per-client must be at least 1 and at most --max-locks (" + maxLocks + ")");
    if (maxWaitersPerClient < 0 || maxWaiters < maxWaitersPerClient)
      throw new IllegalArgumentException("--max-lock-waiters-per-client must be at least 0 and at most --max-lock-waiters (" + maxWaiters + ")");
    if (lockWaitMaxSeconds < 1) throw new IllegalArgumentException("--lock-wait-max must be at least 1 second");
    return new LockManager.Limits(maxLocksPerClient, maxLocks, maxWaitersPerClient, maxWaiters, java.time.Duration.ofSeconds(lockWaitMaxSeconds));
  }

  /** --export and --exports, checked: every directory exists, no path twice, no fsid twice. */
  List<ExportRule> exportRules() throws IOException {
    List<ExportRule> rules = new ArrayList<>();
    if (exportsFile != null) rules.addAll(ExportsFile.read(exportsFile));
    for (Path d : exportDirs) {
      Path abs = d.toAbsolutePath().normalize();
      // insecure: user-space clients (libnfs in a container, say) may not get a port below 1024
      rules.add(ExportRule.everyone(abs.toString(), new ClientAccess(true, ClientAccess.Squash.ROOT, 65534, 65534, false)));
    }
    for (ExportRule r : rules)
      if (!Files.isDirectory(Path.of(r.path()), java.nio.file.LinkOption.NOFOLLOW_LINKS))
        throw new IllegalArgumentException("cannot export " + r.path() + ": not a directory");
    ExportTable.check(rules);
    return rules;
  }

  Nsm.Settings nsmSettings() {
    if (graceSeconds < 0) throw new IllegalArgumentException("--grace must be 0 or more seconds");
    if (notifyMinutes < 0) throw new IllegalArgumentException("--nsm-notify-minutes must be 0 or more");
    if (nsmPort < 1 || nsmPort > 65535) throw new IllegalArgumentException("--nsm-port must be 1..65535");
    return Nsm.Settings.defaults().withGrace(Duration.ofSeconds(graceSeconds))
        .withNotifyBackoff(Backoff.SM_NOTIFY.giveUpAfter(Duration.ofMinutes(notifyMinutes)));
  }

  StackConfig config() {
    StackSettings settings = new StackSettings();
    for (String s : sysctls) settings.set(s);
    List<Route> rs = new ArrayList<>();
    for (String r : routes) {
      int eq = r.indexOf('=');
      if (eq < 0) throw new IllegalArgumentException("--route wants DEST/P=GATEWAY, got '" + r + "'");
      Ipv4Cidr d = Ipv4Cidr.parse(r.substring(0, eq));
      rs.add(new Route(new Ipv4Cidr(d.network(), d.prefixLength()), Ipv4Address.parse(r.substring(eq + 1)), Route.Kind.STATIC, 0));
    }
    Map<Ipv4Address, MacAddress> statics = new LinkedHashMap<>();
    for (String a : arp) {
      int eq = a.indexOf('=');
      if (eq < 0) throw new IllegalArgumentException("--arp wants IP=MAC, got '" + a + "'");
      statics.put(Ipv4Address.parse(a.substring(0, eq)), MacAddress.parse(a.substring(eq + 1)));
    }
    MacAddress m = mac != null ? MacAddress.parse(mac) : MacAddress.parse("02:00:00:00:00:01");
    return new StackConfig(m, Ipv4Cidr.parse(ip), gateway == null ? null : Ipv4Address.parse(gateway), mtu,
        rs, statics, settings, new SecureRandom().nextLong());
  }

  private final CountDownLatch signalled = new CountDownLatch(1);
  private final CountDownLatch cleanedUp = new CountDownLatch(1);

  /**
   * Blocks until SIGINT or SIGTERM. The JVM runs shutdown hooks on those signals and exits when
   * they end, so our hook wakes this thread and then waits (10 s at most) for {@link #call}'s
   * finally block to bring the link down and flush the capture.
   */
  private void awaitSignal() throws InterruptedException {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      signalled.countDown();
      try {
        // A signal asked for this stop and it went cleanly: exit 0, not the JVM's 128+signal.
        if (cleanedUp.await(10, java.util.concurrent.TimeUnit.SECONDS)) Runtime.getRuntime().halt(0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "tapnfs-shutdown"));
    signalled.await();
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) return;
    try { c.close(); } catch (Exception e) { log.warn("closing {}: {}", c.getClass().getSimpleName(), e.toString()); }
  }
}
