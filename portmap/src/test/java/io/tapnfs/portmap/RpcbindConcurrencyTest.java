package io.tapnfs.portmap;

import static io.tapnfs.portmap.xdr.Mapping.IPPROTO_TCP;
import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.portmap.xdr.Mapping;
import io.tapnfs.portmap.xdr.Rpcb;
import io.tapnfs.portmap.xdr.RpcbList;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * In-process registration from several threads while calls are dispatched from others, as the
 * server's worker pool would. No sleeps: threads start together on a latch and are joined.
 */
class RpcbindConcurrencyTest {
  static final int REGISTRARS = 4, CALLERS = 4, ROUNDS = 500, CAP = 2 * REGISTRARS;

  final ExecutorService pool = Executors.newFixedThreadPool(REGISTRARS + CALLERS);

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void registrationsRaceWithCalls() throws Exception {
    var rpcbind = new Rpcbind("10.73.0.2", Clock.systemUTC(),
        RpcbindConfig.defaults().withMaxRegistrations(CAP));
    var start = new CountDownLatch(1);
    List<Future<Integer>> futures = new ArrayList<>();

    // Each registrar owns program 200000 + i: registers tcp and udp, then takes tcp back.
    for (int i = 0; i < REGISTRARS; i++) {
      int program = 200000 + i;
      futures.add(pool.submit(() -> {
        start.await();
        for (int round = 0; round < ROUNDS; round++) {
          rpcbind.register(program, 1, "tcp", 1000 + round, "t" + program);
          rpcbind.register(program, 1, "udp", 1000 + round, "t" + program);
          rpcbind.unregister(program, 1, "tcp");
        }
        rpcbind.register(program, 1, "tcp", 4242, "t" + program);
        return ROUNDS;
      }));
    }
    // Callers see whole snapshots: every DUMP decodes, holds rpcbind's six, never exceeds the
    // cap, and never shows a (program, version, netid) twice.
    for (int i = 0; i < CALLERS; i++) {
      int program = 200000 + i;
      futures.add(pool.submit(() -> {
        start.await();
        var client = new RpcbindClient(rpcbind);
        int answered = 0;
        for (int round = 0; round < ROUNDS; round++) {
          List<Rpcb> dump = client.call(3, 4).result(RpcbList::decode).entries();
          assertThat(dump).hasSizeBetween(6, 6 + CAP);
          assertThat(dump.subList(0, 6)).allMatch(e -> e.prog() == Rpcbind.PROGRAM);
          assertThat(dump.stream().map(e -> e.prog() + "/" + e.vers() + "/" + e.netid()).distinct().count())
              .isEqualTo(dump.size());
          long port = client.call(2, 3, Wire.encode(new Mapping(program, 1, IPPROTO_TCP, 0)))
              .uint();
          assertThat(port == 0 || port == 4242 || (port >= 1000 && port < 1000 + ROUNDS))
              .as("port %d is one some round registered, or none", port).isTrue();
          answered += 2;
        }
        return answered;
      }));
    }
    start.countDown();
    int total = 0;
    for (Future<Integer> f : futures) total += f.get(60, TimeUnit.SECONDS);
    assertThat(total).isEqualTo(REGISTRARS * ROUNDS + CALLERS * ROUNDS * 2);

    // Final state: each program on tcp 4242 and udp at its last round's port.
    for (int i = 0; i < REGISTRARS; i++) {
      int program = 200000 + i;
      assertThat(rpcbind.registrations()).contains(
          new Registration(program, 1, Netid.TCP, 4242, "t" + program),
          new Registration(program, 1, Netid.UDP, 1000 + ROUNDS - 1, "t" + program));
    }
    assertThat(rpcbind.registrations()).hasSize(6 + 2 * REGISTRARS);
    assertThat(rpcbind.counter(RpcbindStat.CALLS)).isEqualTo((long) CALLERS * ROUNDS * 2);
    assertThat(rpcbind.counter(RpcbindStat.REGISTERED))
        .isEqualTo((long) REGISTRARS * (2 * ROUNDS + 1));
    assertThat(rpcbind.counter(RpcbindStat.UNREGISTERED)).isEqualTo((long) REGISTRARS * ROUNDS);
    assertThat(rpcbind.counter(RpcbindStat.REGISTER_FULL)).isZero();
  }

  @Test
  void theCapHoldsUnderConcurrentRegistration() throws Exception {
    var rpcbind = new Rpcbind("10.73.0.2", Clock.systemUTC(),
        RpcbindConfig.defaults().withMaxRegistrations(CAP));
    var start = new CountDownLatch(1);
    List<Callable<Integer>> tasks = new ArrayList<>();
    for (int t = 0; t < REGISTRARS + CALLERS; t++) {
      int base = 300000 + t * 100;
      tasks.add(() -> {
        start.await();
        int refused = 0;
        for (int p = 0; p < 10; p++) {
          try {
            rpcbind.register(base + p, 1, "tcp", 999, "x");
          } catch (IllegalStateException full) {
            refused++;
          }
        }
        return refused;
      });
    }
    List<Future<Integer>> futures = new ArrayList<>();
    for (Callable<Integer> task : tasks) futures.add(pool.submit(task));
    start.countDown();
    int refused = 0;
    for (Future<Integer> f : futures) refused += f.get(60, TimeUnit.SECONDS);

    int attempts = (REGISTRARS + CALLERS) * 10;
    assertThat(rpcbind.registrations()).hasSize(6 + CAP);
    assertThat(refused).isEqualTo(attempts - CAP);
    assertThat(rpcbind.counter(RpcbindStat.REGISTER_FULL)).isEqualTo(attempts - CAP);
    assertThat(rpcbind.counter(RpcbindStat.REGISTERED)).isEqualTo(CAP);
  }
}
