/**
 * The status monitor (NSM, program 100024 version 1, X/Open XNFS), in-process: tapnfs runs its own
 * TCP/IP stack, so it cannot use a statd of its host. {@link io.tapnfs.nfs.nsm.Nsm} records the
 * clients that hold locks ({@link io.tapnfs.nfs.lock.LockClients}, for NLM), keeps the state
 * number and the records crash-safely in {@code <state dir>/nsm} ({@link
 * io.tapnfs.nfs.nsm.NsmStore}), starts the grace period, and after a restart tells every client
 * recorded before it (SM_NOTIFY through the client's rpcbind, {@link
 * io.tapnfs.nfs.nsm.NsmNotifier}); {@link io.tapnfs.nfs.nsm.NsmProgram} serves the protocol, one
 * class per procedure ({@code Stat1} ... {@code Notify1}).
 *
 * <p>What works: SM_NULL, SM_STAT, SM_NOTIFY from a restarted client (its locks released through
 * {@link io.tapnfs.nfs.lock.ClientReboots}, retransmissions recognised by their state number);
 * the state number bumped to the next odd number at each start; records written before
 * {@code monitor} returns; SM_NOTIFY to every client of before a start, retried with backoff
 * (2 s doubling to 120 s, for 15 minutes, as sm-notify), a client given up on kept for the next
 * start.
 *
 * <p>Not supported, or different from statd:
 * <ul>
 * <li>SM_MON, SM_UNMON, SM_UNMON_ALL and SM_SIMU_CRASH from the network are refused or ignored and
 *     counted: statd takes them from the loopback only, which the stack does not have; our lock
 *     manager monitors by a Java call. So there are no callbacks to other programs (my_id) and no
 *     {@code priv} kept.
 * <li>No names are resolved: a client is matched by the name NLM gives and the address its calls
 *     came from; SM_STAT answers stat_succ for any non-empty name.
 * <li>IPv4 only, as the stack. SM_NOTIFY is sent over UDP only (as sm-notify), from an ephemeral
 *     port; our name in it is the stack's address as a dotted quad (sm-notify sends the host name).
 * <li>No SM_NOTIFY is sent on a clean stop: the state number stays odd across it, and the next
 *     start goes to the next odd number anyway.
 * </ul>
 */
package io.tapnfs.nfs.nsm;
