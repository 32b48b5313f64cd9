package io.tapnfs.nfs.lock;

/**
 * Told that a queued lock request now holds its lock. Each protocol queues its waiters with its
 * own listener (NLM: calls GRANTED back to the client), so a lock released by one protocol
 * reaches a waiter of another. {@link LockManager} never calls it: whoever gets the grants back
 * from an unlock, cancel, release or expiry passes them to {@link LockManager#notify}, outside
 * the manager's monitor. A listener must not block (hand the call to an executor); if it cannot
 * deliver the grant it unlocks the range again.
 */
@FunctionalInterface
public interface GrantListener {
  void granted(LockManager.Grant grant);
}
