/**
 * Byte-range locks, independent of the protocol that asks for them: one {@link
 * io.tapnfs.nfs.lock.LockManager} holds the locks of NLM (NFSv3) and NFSv4 clients alike, so a v3
 * lock and a v4 lock on the same file conflict. Locks are the server's own, never fcntl(2) locks
 * of the server process (those are per process and would merge every client's locks); processes
 * on the server's own host do not see them.
 *
 * <p>Pure state: no I/O and no clock of its own (time comes in as a parameter), so tests run on a
 * manual clock. The protocols turn its answers into their statuses and make the calls it asks for
 * (NLM's GRANTED to a waiter) themselves.
 */
package io.tapnfs.nfs.lock;
