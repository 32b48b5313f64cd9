package io.tapnfs.nfs.vfs;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link KernelVfs}'s data path: READ, WRITE and COMMIT on the data descriptor of a regular file
 * (never of a FIFO, socket or device), the caller's permission checked by the kernel with knfsd's
 * owner override, the bytes moved as the caller (so the kernel clears set-id bits on a write), and
 * durability: fsync for stable writes, COMMIT and (with {@code sync}) metadata, a new write
 * verifier after any failed fsync.
 */
@SuppressWarnings("try")   // credential and handle scopes are held for their effect, not read
final class DataIo {
  /** The most bytes one READ returns (NFSv3 rtmax is 1 MiB; this only bounds a hostile count). */
  static final int MAX_IO = 4 << 20;
  /** How far past the size seen at the start of a READ it may still read (a file growing meanwhile). */
  static final int READ_SLACK = 64 * 1024;

  private final KernelVfs vfs;
  private final AtomicLong writeVerifier = new AtomicLong(new SecureRandom().nextLong());
  private final AtomicLong verifierChanges = new AtomicLong();

  DataIo(KernelVfs vfs) { this.vfs = vfs; }

  long writeVerifier() { return writeVerifier.get(); }

  long verifierChanges() { return verifierChanges.get(); }


  private KernelVfs.Held file(Fh fh, String what) throws VfsException {
    KernelVfs.Held h = vfs.held(fh);
    FileType t = h.attr().type();
    if (t != FileType.REG) {
      h.close();
      throw new VfsException(t == FileType.DIR ? Errno.ISDIR : Errno.INVAL, what + " of a " + t);
    }
    return h;
  }

  Vfs.ReadResult read(Fh fh, long offset, int count, Subject who) throws VfsException {
    if (offset < 0) throw new VfsException(Errno.INVAL, "negative offset");
    try (KernelVfs.Held h = file(fh, "read")) {
      int fd = h.node().dataFd(false, vfs.options().readOnly());
      // the size read a moment ago only bounds the buffer (with room for a file that grew since): EOF is what pread says
      int asked = Math.max(0, Math.min(count, MAX_IO));
      int want = (int) Math.min(asked, Math.max(0, h.attr().size() - offset) + READ_SLACK);
      byte[] buf = new byte[want];
      int got = 0;
      try (Creds.Scope c = Creds.as(who)) {
        vfs.permit(h, who, Sys.R_OK, true, true, "no read permission");
        while (got < want) {
          byte[] chunk = got == 0 ? buf : new byte[want - got];
          long n = Sys.pread(fd, chunk, want - got, offset + got);
          if (n < 0) throw Sys.fail("read");
          if (n == 0) break;
          if (chunk != buf) System.arraycopy(chunk, 0, buf, got, (int) n);
          got += (int) n;
        }
      }
      boolean eof = want == 0 ? offset >= h.attr().size()
          : got < want || (want == asked && offset + got >= h.attr().size());   // short: pread met the end; capped: more may follow
      return new Vfs.ReadResult(ByteBuffer.wrap(buf, 0, got).slice(), eof);
    }
  }

  Vfs.WriteResult write(Fh fh, long offset, ByteBuffer data, Stability stable, Subject who) throws VfsException {
    vfs.writable();
    if (offset < 0) throw new VfsException(Errno.INVAL, "negative offset");
    try (KernelVfs.Held h = file(fh, "write")) {
      int fd = h.node().dataFd(false, false);
      int n = data.remaining();
      byte[] buf;
      if (data.hasArray() && data.arrayOffset() + data.position() == 0) {
        buf = data.array();
      } else {
        buf = new byte[n];
        data.duplicate().get(buf);
      }
      try (Creds.Scope c = Creds.as(who)) {
        vfs.permit(h, who, Sys.W_OK, true, false, "no write permission");
        int done = 0;
        while (done < n) {                                   // as the caller: the kernel clears set-id bits (no CAP_FSETID)
          byte[] chunk = done == 0 ? buf : Arrays.copyOfRange(buf, done, n);
          long w = Sys.pwrite(fd, chunk, n - done, offset + done);
          if (w < 0) throw writeFailure(h, "write");
          done += (int) w;
        }
      }
      data.position(data.position() + n);
      if (stable != Stability.UNSTABLE) sync(fd, stable == Stability.DATA_SYNC, "write");
      return new Vfs.WriteResult(n, stable);
    }
  }

  /** A failed write: a read-only data descriptor says why it is read-only. */
  static VfsException writeFailure(KernelVfs.Held h, String what) {
    int e = Sys.errno();
    int ro = h.node().readOnlyErrno();
    if (e == Sys.EBADF && ro != 0) return new VfsException(Sys.toErrno(ro), what + ": the file cannot be written (" + Sys.errName(ro) + ")");
    return new VfsException(Sys.toErrno(e), what + ": " + Sys.errName(e));
  }

  void commit(Fh fh, long offset, long count) throws VfsException {
    try (KernelVfs.Held h = vfs.held(fh)) {
      if (h.attr().type() != FileType.REG) return;
      sync(h.node().dataFd(false, vfs.options().readOnly()), false, "commit");
    }
  }

  /**
   * fsync (or fdatasync); a failure is a writeback error: data acknowledged as UNSTABLE may be
   * lost, so the write verifier changes and clients resend (knfsd's nfsd_reset_write_verifier).
   */
  private void sync(int fd, boolean dataOnly, String what) throws VfsException {
    if ((dataOnly ? Sys.fdatasync(fd) : Sys.fsync(fd)) == 0) return;
    int e = Sys.errno();
    if (e == Sys.EINVAL || e == Sys.EROFS) return;           // a file that cannot be synced holds nothing to lose
    writeVerifier.set(new SecureRandom().nextLong());
    verifierChanges.incrementAndGet();
    throw new VfsException(Sys.toErrno(e), what + ": fsync failed (" + Sys.errName(e) + "); write verifier changed");
  }

  /** knfsd's commit_metadata: with {@code sync}, the change to this inode is durable now. */
  void commitMetadata(NodeCache.Node n, FileType type) throws VfsException {
    if (!vfs.options().sync()) return;
    if (type == FileType.REG || type == FileType.DIR) {
      sync(n.dataFd(type == FileType.DIR, vfs.options().readOnly()), false, "commit metadata");
    } else if (Sys.syncfs(vfs.rootFd()) != 0) {                   // a symlink or special file has no descriptor to fsync
      throw Sys.fail("syncfs");
    }
  }
}
