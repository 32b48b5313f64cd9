package io.tapnfs.nfs.lock;

import static io.tapnfs.nfs.lock.LockType.READ;
import static io.tapnfs.nfs.lock.LockType.WRITE;
import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.nfs.lock.LockManager.Grant;
import io.tapnfs.nfs.lock.LockManager.Limit;
import io.tapnfs.nfs.lock.LockManager.Limits;
import io.tapnfs.nfs.lock.LockManager.Lock;
import io.tapnfs.nfs.lock.LockManager.Result;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link LockManager} on a manual clock (plain longs): conflicts, POSIX replacement, the waiter queue, bounds. */
class LockManagerTest {
  static final FileKey F = new FileKey(1, 10), G = new FileKey(1, 11);
  static final LockOwner A = owner("hostA", "p1"), A2 = owner("hostA", "p2"), B = owner("hostB", "p1"), C = owner("hostC", "p1");
  static final long T0 = 1_000_000_000L, SECOND = 1_000_000_000L;

  LockManager lm = new LockManager(Limits.defaults());

  static LockOwner owner(String client, String who) { return new LockOwner(client, who.getBytes(StandardCharsets.UTF_8)); }

  /** [first, last] inclusive; last -1 is to EOF. */
  static LockRange r(long first, long last) { return new LockRange(first, last); }

  /** The owner's ranges on F as "first-last:R|W", sorted. */
  String held(FileKey f, LockOwner o) {
    List<String> out = new ArrayList<>();
    lm.locks(f).stream().filter(l -> l.owner().equals(o)).sorted(Comparator.comparing(l -> l.range().offset(), Long::compareUnsigned))
        .forEach(l -> out.add(Long.toUnsignedString(l.range().offset()) + "-" + (l.range().last() == LockRange.TO_EOF ? "eof"
            : Long.toUnsignedString(l.range().last())) + ":" + l.type().name().charAt(0)));
    return String.join(",", out);
  }

  Result lock(LockOwner o, long first, long last, LockType t) { return lm.lock(F, o, r(first, last), t, false, T0); }

  Result lockWait(LockOwner o, long first, long last, LockType t, String tag) { return lm.lock(F, o, r(first, last), t, true, new Tag(tag), T0); }

  /** A listener that only has a name, for the grants to be told apart. */
  record Tag(String name) implements GrantListener {
    @Override public void granted(Grant g) { }
  }

  static List<String> tags(List<Grant> gs) { return gs.stream().map(g -> ((Tag) g.listener()).name()).toList(); }

  // ------------------------------------------------------------------ conflicts

  /** held by B, requested by A (or by B itself when {@code same}). */
  @ParameterizedTest(name = "{0} [{1},{2}] vs {3} [{4},{5}] same owner {6} -> {7}")
  @CsvSource({
      "READ,  0, 9,   READ,  0, 9,   false, false",   // readers share
      "READ,  0, 9,   WRITE, 5, 5,   false, true",
      "WRITE, 0, 9,   READ,  9, 20,  false, true",    // one byte of overlap
      "WRITE, 0, 9,   WRITE, 10, 20, false, false",   // adjacent, not overlapping
      "WRITE, 10, 20, WRITE, 0, 9,   false, false",
      "WRITE, 0, -1,  READ,  1000000, 1000001, false, true",  // to EOF covers everything after
      "WRITE, 100, -1, WRITE, 0, 99, false, false",
      "WRITE, 0, 9,   WRITE, 0, 9,   true,  false",   // an owner never conflicts with itself
      "READ,  0, 9,   WRITE, 0, 9,   true,  false",
  })
  void conflicts(LockType heldType, long hFirst, long hLast, LockType want, long first, long last, boolean same, boolean conflict) {
    assertThat(lm.lock(F, B, r(hFirst, hLast), heldType, false, T0)).isInstanceOf(Result.Granted.class);
    LockOwner who = same ? B : A;
    Lock c = lm.test(F, who, r(first, last), want);
    assertThat(c != null).isEqualTo(conflict);
    if (conflict) {
      assertThat(c.owner()).isEqualTo(B);
      assertThat(lm.lock(F, who, r(first, last), want, false, T0)).isEqualTo(new Result.Denied(c));
    } else {
      assertThat(lm.lock(F, who, r(first, last), want, false, T0)).isInstanceOf(Result.Granted.class);
    }
    assertThat(lm.counter(LockStat.TEST_CONFLICTS)).isEqualTo(conflict ? 1 : 0);
  }

  @Test void ownersOfOneClientConflictLikeAnyTwoAndFilesAreApart() {
    lock(A, 0, 9, WRITE);
    assertThat(lock(A2, 5, 5, READ)).isInstanceOf(Result.Denied.class);
    assertThat(lm.lock(G, B, r(0, 9), WRITE, false, T0)).isInstanceOf(Result.Granted.class);
  }

  // ------------------------------------------------------------------ replacement: split, merge, upgrade, downgrade

  static Stream<Arguments> posix() {
    return Stream.of(
        // steps "L first last R|W" or "U first last", applied in order by one owner; then its ranges
        Arguments.of(List.of("L 0 99 W", "U 40 59"), "0-39:W,60-99:W"),
        Arguments.of(List.of("L 0 99 W", "U 40 59", "L 40 59 W"), "0-99:W"),
        Arguments.of(List.of("L 0 99 W", "L 10 19 R"), "0-9:W,10-19:R,20-99:W"),
        Arguments.of(List.of("L 0 9 R", "L 10 19 R"), "0-19:R"),               // adjacent, one type: merged
        Arguments.of(List.of("L 0 9 R", "L 10 19 W"), "0-9:R,10-19:W"),        // adjacent, two types: apart
        Arguments.of(List.of("L 0 9 R", "L 20 29 R", "L 5 24 R"), "0-29:R"),   // bridging two
        Arguments.of(List.of("L 0 9 R", "L 20 29 R", "L 5 24 W"), "0-4:R,5-24:W,25-29:R"),
        Arguments.of(List.of("L 0 99 R", "L 0 99 W"), "0-99:W"),               // upgrade
        Arguments.of(List.of("L 0 99 W", "L 0 99 R"), "0-99:R"),               // downgrade
        Arguments.of(List.of("L 0 -1 W", "U 100 -1"), "0-99:W"),
        Arguments.of(List.of("L 0 -1 W", "U 0 99"), "100-eof:W"),
        Arguments.of(List.of("L 0 -1 W", "U 0 -1"), ""),
        Arguments.of(List.of("L 10 19 W", "U 0 -1"), ""),
        Arguments.of(List.of("L 10 19 W", "U 20 29"), "10-19:W"),              // unlock of nothing held
        Arguments.of(List.of("L 9223372036854775806 9223372036854775807 W", "L 9223372036854775808 9223372036854775809 W"),
            "9223372036854775806-9223372036854775809:W"),                         // merged across 2^63, unsigned
        Arguments.of(List.of("L 9223372036854775808 9223372036854775809 W", "L 16 31 W"), "16-31:W,9223372036854775808-9223372036854775809:W"),
        Arguments.of(List.of("L -2 -2 W", "L 0 -3 W"), "0-18446744073709551614:W"),  // last byte before 2^64-1, merged
        Arguments.of(List.of("L 0 -1 R", "L -2 -1 W"), "0-18446744073709551613:R,18446744073709551614-eof:W"));
  }

  /** A number as written in the steps: negative ones are two's complement (-1 is 2^64 - 1). */
  static long num(String s) { return s.startsWith("-") ? Long.parseLong(s) : Long.parseUnsignedLong(s); }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("posix")
  void replacementAsPosix(List<String> steps, String expected) {
    for (String s : steps) {
      String[] p = s.split(" ");
      long first = num(p[1]), last = num(p[2]);
      if (p[0].equals("L")) assertThat(lm.lock(F, A, r(first, last), p[3].equals("W") ? WRITE : READ, false, T0)).isInstanceOf(Result.Granted.class);
      else lm.unlock(F, A, r(first, last));
    }
    assertThat(held(F, A)).isEqualTo(expected);
    assertThat(lm.counters().get("locks")).isEqualTo(expected.isEmpty() ? 0 : expected.split(",").length);
    if (expected.isEmpty()) assertThat(lm.counters().get("files")).isZero();
  }

  @Test void aRefusedUpgradeChangesNothing() {
    lock(A, 0, 99, READ);
    lock(B, 50, 59, READ);
    assertThat(lock(A, 0, 99, WRITE)).isInstanceOf(Result.Denied.class);
    assertThat(held(F, A)).isEqualTo("0-99:R");
    assertThat(held(F, B)).isEqualTo("50-59:R");
  }

  @Test void aDowngradeLetsWaitingReadersIn() {
    lock(A, 0, 99, WRITE);
    assertThat(lockWait(B, 10, 19, READ, "b")).isInstanceOf(Result.Blocked.class);
    assertThat(lockWait(C, 50, 59, WRITE, "c")).isInstanceOf(Result.Blocked.class);
    Result r = lock(A, 0, 99, READ);
    assertThat(tags(((Result.Granted) r).woken())).containsExactly("b");
    assertThat(held(F, B)).isEqualTo("10-19:R");
    assertThat(lm.waiting(F)).extracting(Lock::owner).containsExactly(C);
  }

  @Test void unlockOfNothingHeldIsCountedAndHarmless() {
    assertThat(lm.unlock(F, A, r(0, 9))).isEmpty();
    lock(B, 0, 9, WRITE);
    assertThat(lm.unlock(F, A, r(0, 9))).isEmpty();
    assertThat(held(F, B)).isEqualTo("0-9:W");
    assertThat(lm.counter(LockStat.UNLOCKS_NOT_HELD)).isEqualTo(2);
  }

  // ------------------------------------------------------------------ waiters

  @Test void waitersAreGrantedInOrder() {
    lock(A, 0, 99, WRITE);
    Result.Blocked b1 = (Result.Blocked) lockWait(B, 0, 9, WRITE, "b");
    Result.Blocked c1 = (Result.Blocked) lockWait(C, 0, 9, WRITE, "c");
    assertThat(b1.renewed()).isFalse();
    assertThat(c1.waiter()).isGreaterThan(b1.waiter());
    List<Grant> g = lm.unlock(F, A, r(0, 99));
    assertThat(g).hasSize(1);
    assertThat(g.get(0).waiter()).isEqualTo(b1.waiter());
    assertThat(g.get(0).lock()).isEqualTo(new Lock(F, B, r(0, 9), WRITE));
    assertThat(held(F, B)).isEqualTo("0-9:W");
    assertThat(tags(lm.unlock(F, B, r(0, 9)))).containsExactly("c");
    assertThat(held(F, C)).isEqualTo("0-9:W");
    assertThat(lm.counter(LockStat.WAITERS_GRANTED)).isEqualTo(2);
  }

  @Test void notifyTellsEachListenerOutsideTheManager() {
    List<Grant> told = new ArrayList<>();
    GrantListener l = g -> {
      assertThat(Thread.holdsLock(lm)).isFalse();
      told.add(g);
    };
    lock(A, 0, 9, WRITE);
    lm.lock(F, B, r(0, 9), WRITE, true, l, T0);
    lm.lock(F, C, r(0, 9), READ, true, null, T0);            // no listener: nobody to tell
    List<Grant> g = lm.unlock(F, A, r(0, 9));
    LockManager.notify(g);
    assertThat(told).containsExactlyElementsOf(g);
    assertThat(lm.clients()).containsExactlyInAnyOrder("hostB", "hostC");
  }

  @Test void readersWaitingTogetherAreGrantedTogether() {
    lock(A, 0, 99, WRITE);
    lockWait(B, 0, 9, READ, "b");
    lockWait(C, 5, 15, READ, "c");
    assertThat(tags(lm.unlock(F, A, r(0, 99)))).containsExactly("b", "c");
  }

  @Test void aLaterWaiterNeverOvertakesAnEarlierOneItConflictsWith() {
    lock(A, 0, 99, WRITE);
    lockWait(B, 0, 99, WRITE, "b");
    lockWait(C, 50, 59, WRITE, "c");
    assertThat(lm.unlock(F, A, r(50, 59))).isEmpty();        // free of locks, but B asked first
    assertThat(tags(lm.unlock(F, A, r(0, 99)))).containsExactly("b");
    assertThat(tags(lm.unlock(F, B, r(0, 99)))).containsExactly("c");
  }

  @Test void aLaterWaiterThatConflictsWithNoEarlierOneGoesFirst() {
    lock(A, 0, 99, WRITE);
    lockWait(B, 0, 49, WRITE, "b");
    lockWait(C, 50, 99, WRITE, "c");
    assertThat(tags(lm.unlock(F, A, r(50, 99)))).containsExactly("c");
    assertThat(lm.waiting(F)).extracting(Lock::owner).containsExactly(B);
  }

  @Test void aWaiterIsGrantedOnlyWhenItsWholeRangeIsFree() {
    lock(A, 0, 9, WRITE);
    lock(C, 20, 29, WRITE);
    lockWait(B, 0, 29, WRITE, "b");
    assertThat(lm.unlock(F, A, r(0, 9))).isEmpty();
    assertThat(tags(lm.unlock(F, C, r(20, 29)))).containsExactly("b");
  }

  @Test void theSameRequestAgainRenewsTheWaiter() {
    lock(A, 0, 9, WRITE);
    Result.Blocked first = (Result.Blocked) lm.lock(F, B, r(0, 9), WRITE, true, new Tag("old"), T0);
    Result.Blocked again = (Result.Blocked) lm.lock(F, B, r(0, 9), WRITE, true, new Tag("new"), T0 + 30 * SECOND);
    assertThat(again).isEqualTo(new Result.Blocked(first.waiter(), true));
    assertThat(lm.counters().get("waiters")).isEqualTo(1);
    assertThat(tags(lm.unlock(F, A, r(0, 9)))).containsExactly("new");
    // polled once more after the grant: the owner holds it, a consistent answer
    assertThat(lm.lock(F, B, r(0, 9), WRITE, true, new Tag("poll"), T0 + 60 * SECOND)).isEqualTo(new Result.Granted(List.of()));
  }

  @Test void askingAgainWithoutWaitingLeavesTheWaiterQueued() {
    lock(A, 0, 9, WRITE);
    lockWait(B, 0, 9, WRITE, "b");
    assertThat(lock(B, 0, 9, WRITE)).isInstanceOf(Result.Denied.class);
    assertThat(lm.waiting(F)).hasSize(1);
  }

  @Test void anOwnerGrantedDirectlyLosesItsWaiterForTheSameRange() {
    lock(A, 0, 99, WRITE);
    lockWait(C, 0, 99, WRITE, "c");
    lockWait(B, 50, 59, WRITE, "b");
    assertThat(lm.unlock(F, A, r(50, 59))).isEmpty();      // B's range is free, but C is ahead of it
    assertThat(lock(B, 50, 59, WRITE)).isInstanceOf(Result.Granted.class);   // B polls: a new request goes
    assertThat(held(F, B)).isEqualTo("50-59:W");
    assertThat(lm.waiting(F)).extracting(Lock::owner).containsExactly(C);
    assertThat(lm.counters().get("waiters")).isEqualTo(1);
  }

  @Test void cancel() {
    lock(A, 0, 99, WRITE);
    lockWait(B, 0, 99, WRITE, "b");
    lockWait(C, 50, 59, WRITE, "c");
    lm.unlock(F, A, r(50, 59));
    assertThat(lm.cancel(F, B, r(0, 99), READ).found()).isFalse();            // another type: not that waiter
    assertThat(lm.cancel(F, B, r(0, 98), WRITE).found()).isFalse();
    LockManager.Cancelled c = lm.cancel(F, B, r(0, 99), WRITE);
    assertThat(c.found()).isTrue();
    assertThat(tags(c.woken())).containsExactly("c");                         // no longer behind B
    assertThat(lm.cancel(G, B, r(0, 99), WRITE).found()).isFalse();
    assertThat(lm.counter(LockStat.WAITERS_CANCELLED)).isEqualTo(1);
  }

  @Test void waitersExpireUnlessRenewed() {
    lm = new LockManager(new Limits(10, 100, 10, 100, Duration.ofSeconds(60)));
    lock(A, 0, 99, WRITE);
    lm.lock(F, B, r(0, 9), WRITE, true, new Tag("b"), T0);
    lm.lock(F, C, r(0, 9), WRITE, true, new Tag("c"), T0);
    lm.lock(F, C, r(0, 9), WRITE, true, new Tag("c"), T0 + 30 * SECOND);           // C polls, B does not
    assertThat(lm.expire(T0 + 60 * SECOND - 1)).isEmpty();
    assertThat(lm.waiting(F)).hasSize(2);
    assertThat(lm.expire(T0 + 60 * SECOND)).isEmpty();
    assertThat(lm.waiting(F)).extracting(Lock::owner).containsExactly(C);
    assertThat(lm.counter(LockStat.WAITERS_EXPIRED)).isEqualTo(1);
    assertThat(lm.expire(T0 + 90 * SECOND)).isEmpty();
    assertThat(lm.counters().get("waiters")).isZero();
    assertThat(lm.counters().get("clients")).isEqualTo(1);
  }

  @Test void anExpiredWaiterNoLongerHoldsBackALaterOne() {
    lm = new LockManager(new Limits(10, 100, 10, 100, Duration.ofSeconds(60)));
    lock(A, 0, 99, WRITE);
    lm.lock(F, B, r(0, 99), WRITE, true, new Tag("b"), T0);
    lm.lock(F, C, r(50, 59), WRITE, true, new Tag("c"), T0 + 30 * SECOND);
    lm.unlock(F, A, r(50, 59));
    assertThat(tags(lm.expire(T0 + 60 * SECOND))).containsExactly("c");
  }

  // ------------------------------------------------------------------ release

  @Test void releaseClientDropsItsLocksAndWaitersAndGrantsOthers() {
    lock(A, 0, 9, WRITE);
    lm.lock(G, A2, r(0, 9), READ, false, T0);
    lockWait(B, 0, 9, WRITE, "b");
    lm.lock(G, B, r(0, 9), WRITE, true, new Tag("bg"), T0);
    lm.lock(G, C, r(100, 109), WRITE, true, new Tag("never"), T0);   // granted at once, no conflict
    lm.lock(F, A, r(50, 59), WRITE, true, new Tag("a-wait"), T0);     // A's own: granted
    lock(C, 70, 79, WRITE);
    lm.lock(F, A, r(70, 79), WRITE, true, new Tag("a-waits"), T0);    // A waits behind C
    List<Grant> g = lm.releaseClient("hostA");
    assertThat(tags(g)).containsExactlyInAnyOrder("b", "bg");
    assertThat(lm.locks(F)).noneMatch(l -> l.owner().client().equals("hostA"));
    assertThat(lm.waiting(F)).isEmpty();
    assertThat(lm.active("hostA")).isFalse();
    assertThat(lm.counter(LockStat.LOCKS_RELEASED)).isEqualTo(3);
    assertThat(lm.counter(LockStat.WAITERS_RELEASED)).isEqualTo(1);
  }

  @Test void releaseOwnerLeavesTheClientsOtherOwners() {
    lock(A, 0, 9, WRITE);
    lock(A2, 20, 29, WRITE);
    lm.releaseOwner(A);
    assertThat(lm.holds(F, A)).isFalse();
    assertThat(lm.holds(F, A2)).isTrue();
    assertThat(lm.holds(G, A2)).isFalse();
    assertThat(lm.active("hostA")).isTrue();
  }

  // ------------------------------------------------------------------ bounds

  @Test void locksPerClientAndInTotal() {
    lm = new LockManager(new Limits(2, 3, 1, 2, Duration.ofSeconds(60)));
    lock(A, 0, 9, WRITE);
    lock(A2, 20, 29, WRITE);
    assertThat(lock(A, 40, 49, WRITE)).isEqualTo(new Result.Refused(Limit.CLIENT_LOCKS));
    assertThat(lock(A, 10, 19, WRITE)).isInstanceOf(Result.Granted.class);    // merges: still 2 ranges
    assertThat(held(F, A)).isEqualTo("0-19:W");
    lock(B, 100, 109, WRITE);
    assertThat(lock(C, 200, 209, WRITE)).isEqualTo(new Result.Refused(Limit.LOCKS));
    assertThat(lm.counter(LockStat.REFUSED_CLIENT_LOCKS)).isEqualTo(1);
    assertThat(lm.counter(LockStat.REFUSED_LOCKS)).isEqualTo(1);
    // an unlock that splits is never refused, even past the bound
    lm.unlock(F, A, r(5, 5));
    assertThat(held(F, A)).isEqualTo("0-4:W,6-19:W");
    assertThat(lm.counters().get("locks")).isEqualTo(4);
  }

  @Test void waitersPerClientAndInTotal() {
    lm = new LockManager(new Limits(10, 100, 1, 2, Duration.ofSeconds(60)));
    lock(A, 0, 99, WRITE);
    assertThat(lockWait(B, 0, 9, WRITE, "b")).isInstanceOf(Result.Blocked.class);
    assertThat(lockWait(owner("hostB", "p2"), 10, 19, WRITE, "b2")).isEqualTo(new Result.Refused(Limit.CLIENT_WAITERS));
    assertThat(lockWait(B, 0, 9, WRITE, "b")).isInstanceOf(Result.Blocked.class);    // renewing is no new waiter
    assertThat(lockWait(C, 20, 29, WRITE, "c")).isInstanceOf(Result.Blocked.class);
    assertThat(lockWait(owner("hostD", "p"), 30, 39, WRITE, "d")).isEqualTo(new Result.Refused(Limit.WAITERS));
  }

  @Test void aWaiterThatWouldPassABoundWhenGrantedIsDropped() {
    lm = new LockManager(new Limits(1, 100, 5, 5, Duration.ofSeconds(60)));
    lock(A, 0, 99, WRITE);
    lm.lock(G, B, r(0, 9), WRITE, false, T0);                 // B's one lock
    lockWait(B, 0, 9, WRITE, "b");
    lockWait(C, 0, 9, WRITE, "c");
    assertThat(tags(lm.unlock(F, A, r(0, 99)))).containsExactly("c");
    assertThat(lm.counter(LockStat.WAITERS_DROPPED_AT_LIMIT)).isEqualTo(1);
    assertThat(lm.counters().get("waiters")).isZero();
  }

  @Test void limitsAreChecked() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Limits(0, 1, 1, 1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Limits(2, 1, 1, 1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Limits(1, 1, 1, 1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------ ranges

  @ParameterizedTest(name = "of({0}, {1}) -> [{2}, {3}]")
  @CsvSource({
      "0, 0, 0, 18446744073709551615",                        // length 0: to EOF
      "10, 0, 10, 18446744073709551615",
      "10, 5, 10, 14",
      "0, 18446744073709551615, 0, 18446744073709551615",     // all ones: to EOF as well
      "18446744073709551615, 1, 18446744073709551615, 18446744073709551615",
  })
  void rangesFromProtocolFields(String offset, String length, String first, String last) {
    LockRange r = LockRange.of(Long.parseUnsignedLong(offset), Long.parseUnsignedLong(length));
    assertThat(r).isEqualTo(r(Long.parseUnsignedLong(first), Long.parseUnsignedLong(last)));
  }

  @ParameterizedTest(name = "of({0}, {1}) overflows")
  @CsvSource({"18446744073709551615, 2", "18446744073709551614, 3", "9223372036854775808, 9223372036854775809", "3, 18446744073709551614"})
  void overflowingRangesAreNull(String offset, String length) {
    assertThat(LockRange.of(Long.parseUnsignedLong(offset), Long.parseUnsignedLong(length))).isNull();
  }

  /**
   * Random locks and unlocks by three owners on bytes 0-63, against a model that keeps a type per
   * owner per byte: the same answers (granted or denied), the same bytes held, and each owner's
   * ranges never overlapping and merged wherever two of one type touch.
   */
  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"1", "2", "3", "42", "20261206"})
  void matchesAPerByteModel(long seed) {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
    LockOwner[] owners = {A, B, C};
    LockType[][] model = new LockType[owners.length][64];
    for (int step = 0; step < 2000; step++) {
      int o = rnd.nextInt(owners.length), first = rnd.nextInt(64), last = first + rnd.nextInt(Math.min(16, 64 - first));
      LockRange range = r(first, last);
      if (rnd.nextInt(3) == 0) {
        lm.unlock(F, owners[o], range);
        for (int i = first; i <= last; i++) model[o][i] = null;
      } else {
        LockType t = rnd.nextBoolean() ? READ : WRITE;
        boolean conflict = false;
        for (int p = 0; p < owners.length; p++)
          for (int i = first; i <= last && p != o; i++) conflict |= model[p][i] != null && model[p][i].conflictsWith(t);
        Result res = lm.lock(F, owners[o], range, t, false, T0);
        assertThat(res instanceof Result.Denied).as("step %d (seed %d)", step, seed).isEqualTo(conflict);
        if (!conflict) for (int i = first; i <= last; i++) model[o][i] = t;
      }
      for (int p = 0; p < owners.length; p++) {
        LockType[] seen = new LockType[64];
        LockOwner who = owners[p];
        List<Lock> mine = lm.locks(F).stream().filter(l -> l.owner().equals(who))
            .sorted(Comparator.comparing(l -> l.range().offset(), Long::compareUnsigned)).toList();
        for (int k = 0; k < mine.size(); k++) {
          Lock l = mine.get(k);
          for (long i = l.range().offset(); i <= l.range().last(); i++) seen[(int) i] = l.type();
          if (k > 0) {
            Lock prev = mine.get(k - 1);
            assertThat(prev.range().last()).as("no overlap").isLessThan(l.range().offset());
            if (prev.range().last() + 1 == l.range().offset()) assertThat(prev.type()).as("touching ranges of one type merge").isNotEqualTo(l.type());
          }
        }
        assertThat(seen).as("owner %d after step %d (seed %d)", p, step, seed).containsExactly(model[p]);
      }
    }
  }

  @Test void countersNameEveryStat() {
    assertThat(lm.counters()).containsKeys("locks", "waiters", "files", "clients", "locksGranted", "refusedWaiterLimit", "waitersExpired");
    assertThat(lm.counters()).hasSize(4 + LockStat.values().length);
  }
}
