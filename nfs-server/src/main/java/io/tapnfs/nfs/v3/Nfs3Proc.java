package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * One NFSv3 procedure (one class each, RFC 1813 §3.3.x): decode its arguments, run it, and build
 * its failure arm. {@link Nfs3Program} maps exceptions to statuses; a procedure only throws.
 *
 * @param <A> the decoded arguments
 */
interface Nfs3Proc<A> {
  /** Decodes the arguments; undecodable ones throw (GARBAGE_ARGS). Every length is checked first. */
  A decode(XdrDecodingStream in) throws IOException;

  /** Runs the procedure: the OK result, or an exception carrying the status. */
  Nfs3Res run(CallCx cx, A args) throws VfsException, NfsStatusException;

  /**
   * The failure arm for {@code status}, with the attributes that can still be had (post-op
   * attributes re-read, pre-op ones only if the procedure took them before failing). Never throws.
   */
  Nfs3Res fail(CallCx cx, A args, Nfsstat3 status);
}
