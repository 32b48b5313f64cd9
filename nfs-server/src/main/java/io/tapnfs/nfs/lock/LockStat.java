package io.tapnfs.nfs.lock;

/** What {@link LockManager} counts, named as {@code tapnfs stat} prints them. */
public enum LockStat {
  /** TESTs asked, and those that found a conflicting lock. */
  TESTS("tests"), TEST_CONFLICTS("testConflicts"),
  /** Lock requests granted at once, denied (a conflict, not waiting), queued as a new waiter, or repeated while waiting. */
  LOCKS_GRANTED("locksGranted"), LOCKS_DENIED("locksDenied"), LOCKS_BLOCKED("locksBlocked"), WAITERS_RENEWED("waitersRenewed"),
  /** Requests refused at a bound: the client's locks, all locks, the client's waiters, all waiters. */
  REFUSED_CLIENT_LOCKS("refusedClientLockLimit"), REFUSED_LOCKS("refusedLockLimit"),
  REFUSED_CLIENT_WAITERS("refusedClientWaiterLimit"), REFUSED_WAITERS("refusedWaiterLimit"),
  /** Waiters granted when the range came free, cancelled, expired, or dropped because granting them would pass a bound. */
  WAITERS_GRANTED("waitersGranted"), WAITERS_CANCELLED("waitersCancelled"), WAITERS_EXPIRED("waitersExpired"),
  WAITERS_DROPPED_AT_LIMIT("waitersDroppedAtLimit"),
  /** Unlocks, and those that covered nothing the owner held. */
  UNLOCKS("unlocks"), UNLOCKS_NOT_HELD("unlocksNotHeld"),
  /** releaseClient / releaseOwner calls, and the locks and waiters they dropped. */
  CLIENTS_RELEASED("clientsReleased"), OWNERS_RELEASED("ownersReleased"), LOCKS_RELEASED("locksReleased"),
  WAITERS_RELEASED("waitersReleased");

  private final String key;

  LockStat(String key) { this.key = key; }

  public String key() { return key; }
}
