/**
 * The Network Lock Manager for NFSv3 clients: {@link io.tapnfs.nfs.nlm.NlmProgram} serves program
 * 100021 versions 1, 3 (XNFS, Open Group C702, chapter 10) and 4 (RFC 1813 Appendix II) over the
 * shared {@link io.tapnfs.nfs.lock.LockManager}; one class per procedure ({@code TestProc},
 * {@code LockProc} (LOCK, LOCK_MSG, NM_LOCK), {@code CancelProc}, {@code UnlockProc},
 * {@code GrantedProc}, {@code ResProc}, {@code GrantedResProc}, {@code ShareProc},
 * {@code UnshareProc}, {@code FreeAllProc}); the wire types in {@code io.tapnfs.nfs.nlm.xdr}; the
 * calls back to clients (GRANTED, GRANTED_MSG, the _RES of the _MSG forms) as a state machine
 * ({@code Callbacks}) run by {@code CallbackRunner} through the client's rpcbind and the stack's
 * own RPC client.
 *
 * <p>What works: every procedure of the three versions (but Linux's private SM_NOTIFY, 16);
 * 32-bit ranges in 1 and 3 and 64-bit in 4 on one lock table, holders clamped for 32-bit
 * clients; shared and exclusive locks with POSIX upgrade, downgrade, split and merge per owner
 * (caller_name and address, svid, oh); blocking locks with GRANTED callbacks, retried with
 * backoff and released to the next waiter when undeliverable; polling clients answered
 * consistently; CANCEL, including of a grant not yet delivered; DOS share reservations; FREE_ALL
 * and reboots from the status monitor ({@link io.tapnfs.nfs.lock.ClientReboots}); the grace
 * period; bounds on locks, waiters, shares, monitored hosts and pending callbacks; counters per
 * procedure, per status and per path.
 *
 * <p>Not supported, or different from Linux's lockd:
 * <ul>
 * <li>No deadlock detection (NLM4_DEADLCK is never answered): two clients waiting on each other
 *     wait until one cancels or its waiter expires.
 * <li>UNLOCK, CANCEL and UNSHARE are served during the grace period (Linux refuses them): they
 *     only free.
 * <li>SHARE monitors the host as LOCK does (Linux does not).
 * <li>A GRANTED that cannot be delivered is given up after {@code grantedGiveUp} and the lock
 *     released; Linux keeps trying as long as the host is known.
 * <li>Locks are the server's own, not fcntl(2) locks: processes on the server's host do not see
 *     them, and share reservations bind only NLM clients.
 * <li>The lock owner's {@code state} (its NSM state number) in LOCK is not kept: reboots are the
 *     status monitor's to report.
 * <li>Callbacks use AUTH_NONE and a new association each.
 * <li>No duplicate-request cache, as Linux's lockd: a retransmitted LOCK or UNLOCK runs again,
 *     which for one owner gives the same locks (POSIX replacement).
 * </ul>
 */
package io.tapnfs.nfs.nlm;
