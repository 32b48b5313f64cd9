package io.tapnfs.nfs.nlm;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.nfs.lock.FileKey;
import io.tapnfs.nfs.lock.LockManager.Lock;
import io.tapnfs.nfs.lock.LockOwner;
import io.tapnfs.nfs.lock.LockRange;
import io.tapnfs.nfs.lock.LockType;
import io.tapnfs.nfs.nlm.Callbacks.Attempt;
import io.tapnfs.nfs.nlm.Callbacks.Kind;
import io.tapnfs.nfs.nlm.Callbacks.Outcome;
import io.tapnfs.nfs.nlm.Callbacks.Stat;
import io.tapnfs.nfs.nlm.Callbacks.Target;
import io.tapnfs.nfs.nlm.xdr.NlmRes;
import io.tapnfs.nfs.nlm.xdr.NlmStats;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Callbacks} on a manual clock: GRANTED delivered, refused, retried with backoff and given up; GRANTED_MSG; _RES; drops; the bound. */
class CallbacksTest {
  static final long T0 = 5_000_000_000L, MS = 1_000_000L;
  static final InetAddress CLIENT = addr("10.9.0.1"), OTHER = addr("10.9.0.7");
  static final Target TARGET = new Target(CLIENT, 4, "tcp", "nlm:client@10.9.0.1");
  static final Lock LOCK = new Lock(new FileKey(42, 7), new LockOwner("nlm:client@10.9.0.1", new byte[] {0, 0, 0, 1}), new LockRange(0, 99),
      LockType.WRITE);

  /** retry after 100 ms, doubling to 400 ms; GRANTED given up 1 s after the first try; 3 tries of a _RES; 4 pending at most. */
  final Callbacks cb = new Callbacks(NlmConfig.defaults().withRetries(Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(1))
      .withBounds(4, 10, 10));

  static InetAddress addr(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  Outcome.Retry granted(Kind kind, long now) {
    return cb.add(kind, TARGET, kind == Kind.GRANTED ? NlmProcedure.GRANTED : NlmProcedure.GRANTED_MSG,
        id -> new NlmRes(Callbacks.cookie(id), NlmStats.GRANTED), LOCK, now);
  }

  @Test void deliveredAtTheFirstTry() {
    Outcome.Retry r = granted(Kind.GRANTED, T0);
    assertThat(r.at()).isEqualTo(T0);
    Attempt a = cb.begin(r.id(), r.generation(), T0);
    assertThat(a.kind()).isEqualTo(Kind.GRANTED);
    assertThat(a.procedure()).isEqualTo(NlmProcedure.GRANTED);
    assertThat(((NlmRes) a.args()).cookie()).isEqualTo(Callbacks.cookie(r.id()));
    assertThat(cb.begin(r.id(), r.generation(), T0)).as("in flight").isNull();
    assertThat(cb.replied(r.id(), NlmStats.GRANTED, T0 + MS)).isEqualTo(Callbacks.DONE);
    assertThat(cb.size()).isZero();
    assertThat(cb.counter(Stat.GRANTED_DELIVERED)).isEqualTo(1);
    assertThat(cb.replied(r.id(), NlmStats.GRANTED, T0 + MS)).isEqualTo(Callbacks.GONE);
  }

  /** Each try fails at once: the pauses double to the cap, the last try is at the deadline, then the lock goes back. */
  @Test void failuresBackOffThenGiveUp() {
    Outcome.Retry r = granted(Kind.GRANTED, T0);
    List<Long> tries = new ArrayList<>();
    Outcome o = r;
    while (o instanceof Outcome.Retry next) {
      assertThat(cb.begin(next.id(), next.generation() - 1, next.at())).as("a stale wake-up").isNull();
      Attempt a = cb.begin(next.id(), next.generation(), next.at());
      tries.add((next.at() - T0) / MS);
      o = cb.failed(a.id(), next.at());
    }
    assertThat(tries).containsExactly(0L, 100L, 300L, 700L, 1000L);
    assertThat(o).isEqualTo(new Outcome.Release(LOCK));
    assertThat(cb.counter(Stat.GRANTED_GIVEN_UP)).isEqualTo(1);
    assertThat(cb.counter(Stat.FAILURES)).isEqualTo(5);
    assertThat(cb.counter(Stat.RETRIES)).isEqualTo(4);
    assertThat(cb.size()).isZero();
  }

  @ParameterizedTest(name = "client answers {0} -> {1}")
  @CsvSource({"GRANTED, done", "DENIED_GRACE_PERIOD, retry", "DENIED, release", "DENIED_NOLOCKS, release", "BLOCKED, release",
      "FAILED, release"})
  void theClientsAnswer(NlmStats answer, String expected) {
    Outcome.Retry r = granted(Kind.GRANTED, T0);
    cb.begin(r.id(), 0, T0);
    Outcome o = cb.replied(r.id(), answer, T0 + MS);
    switch (expected) {
      case "done" -> assertThat(o).isEqualTo(Callbacks.DONE);
      case "retry" -> assertThat(o).isEqualTo(new Outcome.Retry(r.id(), 1, T0 + MS + 100 * MS));
      default -> {
        assertThat(o).isEqualTo(new Outcome.Release(LOCK));
        assertThat(cb.counter(Stat.GRANTED_REFUSED)).isEqualTo(1);
      }
    }
  }

  @Test void grantedMsgWaitsForGrantedResFromTheClient() {
    Outcome.Retry r = granted(Kind.GRANTED_MSG, T0);
    cb.begin(r.id(), 0, T0);
    Outcome o = cb.sent(r.id(), T0 + MS);                          // arrived; the answer is a GRANTED_RES
    assertThat(o).isEqualTo(new Outcome.Retry(r.id(), 1, T0 + MS + 100 * MS));
    byte[] cookie = Callbacks.cookie(r.id());
    assertThat(cb.answered(cookie, OTHER, NlmStats.GRANTED, T0 + 2 * MS)).as("another host").isEqualTo(Callbacks.GONE);
    assertThat(cb.answered(new byte[] {1, 2, 3}, CLIENT, NlmStats.GRANTED, T0 + 2 * MS)).isEqualTo(Callbacks.GONE);
    assertThat(cb.answered(Callbacks.cookie(r.id() + 1), CLIENT, NlmStats.GRANTED, T0 + 2 * MS)).isEqualTo(Callbacks.GONE);
    assertThat(cb.answered(cookie, CLIENT, NlmStats.GRANTED, T0 + 2 * MS)).isEqualTo(Callbacks.DONE);
    assertThat(cb.begin(r.id(), 1, T0 + 101 * MS)).as("nothing left to resend").isNull();
  }

  @Test void grantedMsgWithoutAnAnswerIsSentAgainAndReleasedAtTheDeadline() {
    Outcome o = granted(Kind.GRANTED_MSG, T0);
    int sends = 0;
    while (o instanceof Outcome.Retry next) {
      Attempt a = cb.begin(next.id(), next.generation(), next.at());
      sends++;
      o = cb.sent(a.id(), next.at());
    }
    assertThat(o).isEqualTo(new Outcome.Release(LOCK));
    assertThat(sends).isEqualTo(5);
    assertThat(cb.counter(Stat.GRANTED_MSG_SENT)).isEqualTo(5);
  }

  @Test void aResIsTriedThreeTimes() {
    Outcome o = cb.add(Kind.RES, TARGET, NlmProcedure.LOCK_RES, id -> new NlmRes(new byte[] {9}, NlmStats.GRANTED), null, T0);
    int tries = 0;
    while (o instanceof Outcome.Retry next) {
      Attempt a = cb.begin(next.id(), next.generation(), next.at());
      tries++;
      o = cb.failed(a.id(), next.at());
    }
    assertThat(tries).isEqualTo(3);
    assertThat(o).isEqualTo(Callbacks.DONE);
    assertThat(cb.counter(Stat.RES_DROPPED)).isEqualTo(1);
    Outcome.Retry ok = cb.add(Kind.RES, TARGET, NlmProcedure.LOCK_RES, id -> new NlmRes(new byte[] {9}, NlmStats.GRANTED), null, T0);
    cb.begin(ok.id(), 0, T0);
    assertThat(cb.sent(ok.id(), T0)).isEqualTo(Callbacks.DONE);
    assertThat(cb.counter(Stat.RES_DELIVERED)).isEqualTo(1);
  }

  @Test void droppedByLockAndByClient() {
    Outcome.Retry a = granted(Kind.GRANTED, T0);
    assertThat(cb.dropLock(LOCK.file(), LOCK.owner(), new LockRange(0, 98))).isFalse();
    assertThat(cb.dropLock(LOCK.file(), LOCK.owner(), LOCK.range())).isTrue();
    assertThat(cb.begin(a.id(), 0, T0)).isNull();
    Outcome.Retry b = granted(Kind.GRANTED, T0);
    cb.begin(b.id(), 0, T0);                                      // in flight when the client reboots
    assertThat(cb.clients()).containsExactly(TARGET.client());
    assertThat(cb.dropClient(TARGET.client())).isEqualTo(1);
    assertThat(cb.failed(b.id(), T0 + MS)).isEqualTo(Callbacks.GONE);
    assertThat(cb.counter(Stat.GRANTED_DROPPED)).isEqualTo(2);
  }

  @Test void boundedByMaxCallbacks() {
    for (int i = 0; i < 4; i++) assertThat(granted(Kind.GRANTED, T0)).isNotNull();
    assertThat(granted(Kind.GRANTED, T0)).isNull();
    assertThat(cb.counter(Stat.REFUSED_FULL)).isEqualTo(1);
    assertThat(cb.counters()).containsEntry("callbacksPending", 4L).containsKeys("grantedGivenUp", "resDropped");
  }

  @ParameterizedTest(name = "pause after try {0}: {1} ms")
  @CsvSource({"1, 100", "2, 200", "3, 400", "4, 400", "60, 400"})
  void backoff(int attempts, long ms) { assertThat(cb.backoff(attempts)).isEqualTo(ms * MS); }
}
