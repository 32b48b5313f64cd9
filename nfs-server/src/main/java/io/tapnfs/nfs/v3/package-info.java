/**
 * NFS version 3 (RFC 1813) over the VFS seam: {@link io.tapnfs.nfs.v3.Nfs3Program} serves program
 * 100003 version 3 through the rpc module's {@code RpcServer}; one class per procedure
 * ({@code Getattr3} ... {@code Commit3}); the wire types in {@code io.tapnfs.nfs.v3.xdr}.
 *
 * <p>What works: all 22 procedures; wcc_data before/after on every procedure that has it (pre-op
 * attributes read before the change, post-op after; a failure arm carries what can be read);
 * the SETATTR ctime guard; EXCLUSIVE create by verifier; READDIR/READDIRPLUS sized to
 * count/dircount/maxcount with stable cookies; export rules per call (client address, squashing,
 * read-only); counters per procedure and per status.
 *
 * <p>Not supported, or different from knfsd:
 * <ul>
 * <li>The SETATTR guard is checked, then the change made, without a lock across both.
 * <li>Over UDP a reply is limited to a datagram: FSINFO still says 1 MiB (clients over UDP cap
 *     rsize/wsize themselves; Linux uses 32 KiB).
 * <li>Handles of 0 or more than 64 bytes are NFS3ERR_BADHANDLE (knfsd: GARBAGE_ARGS); a handle no
 *     export knows is NFS3ERR_STALE (as knfsd for an unknown export).
 * <li>Names longer than 255 bytes are NFS3ERR_NAMETOOLONG (knfsd: GARBAGE_ARGS); names that are
 *     not UTF-8 are NFS3ERR_INVAL (knfsd takes any bytes).
 * <li>Only AUTH_SYS identities are used; any other flavor is the export's anonymous user.
 * </ul>
 */
package io.tapnfs.nfs.v3;
