/**
 * rpcbind for the stack (RFC 1833): {@link io.tapnfs.portmap.Rpcbind}.
 *
 * <p>Works:
 * <ul>
 * <li>PMAP v2 (RFC 1833 §3): NULL, GETPORT, DUMP; SET/UNSET answered FALSE.
 * <li>RPCBIND v3 (§2.2.1): NULL, GETADDR, DUMP, GETTIME, UADDR2TADDR, TADDR2UADDR; SET/UNSET
 *     answered FALSE.
 * <li>RPCBIND v4 (§2.2.2): the v3 procedures plus GETVERSADDR, GETADDRLIST, GETSTAT.
 * <li>In-process registration through {@link io.tapnfs.rpc.RpcRegistry}, bounded; netids "tcp"
 *     and "udp" on the stack's one IPv4 address; universal addresses "h1.h2.h3.h4.p1.p2".
 * </ul>
 * Not supported, on purpose:
 * <ul>
 * <li>SET/UNSET from the network (refused, counted).
 * <li>CALLIT (v2, v3), BCAST and INDIRECT (v4): PROC_UNAVAIL, so no broadcast RPC.
 * <li>DUMP over UDP unless {@link io.tapnfs.portmap.RpcbindConfig#dumpOverUdp()}.
 * <li>IPv6 netids ("tcp6", "udp6"), "local", and merging addresses with {@code r_addr} hints.
 * <li>Checking that a registered server is still listening (Linux {@code is_bound}): an
 *     in-process server unregisters when it stops.
 * </ul>
 */
package io.tapnfs.portmap;
