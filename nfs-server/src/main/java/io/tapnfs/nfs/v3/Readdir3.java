package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.Fh3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.PostOpAttr;
import io.tapnfs.nfs.v3.xdr.Xdr3;
import io.tapnfs.nfs.vfs.Vfs;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * READDIR, RFC 1813 §3.3.16: {@code nfs_fh3 dir; cookie3 cookie; cookieverf3 cookieverf; count3
 * count;}; resok {@code post_op_attr dir_attributes; cookieverf3 cookieverf; dirlist3 reply;}
 * with {@code dirlist3 { entry3 *entries; bool eof; }} and {@code entry3 { fileid3 fileid;
 * filename3 name; cookie3 cookie; entry3 *nextentry; }}; resfail post_op_attr.
 *
 * <p>"count: The maximum size of the READDIR3resok structure, in bytes. The size must include all
 * XDR overhead." Entries are taken while the encoded result (status included, as knfsd counts)
 * stays within count; if not even one fits, "NFS3ERR_TOOSMALL". Cookies come from the VFS, which
 * keeps them stable; the next call resumes after the last cookie sent.
 */
final class Readdir3 implements Nfs3Proc<Readdir3.Args> {
  /** The smallest entry3: value_follows, fileid, a name of up to 4 bytes, cookie. */
  static final int MIN_ENTRY = 4 + 8 + 8 + 8;
  /** The most entries asked of the VFS at once. */
  static final int MAX_BATCH = 4096;

  record Args(Fh3 dir, long cookie, long cookieverf, long count) {}

  record Entry(long fileid, byte[] name, long cookie) {
    int len() { return 4 + 8 + Xdr3.opaqueLen(name.length) + 8; }
  }

  record Res(PostOpAttr dirAttr, long cookieverf, List<Entry> entries, boolean eof) implements Nfs3Res {
    @Override public Nfsstat3 status() { return Nfsstat3.OK; }

    @Override public void encodeArm(XdrEncodingStream out) {
      dirAttr.encode(out);
      out.xdrEncodeLong(cookieverf);
      for (Entry e : entries) {
        out.xdrEncodeBoolean(true);
        out.xdrEncodeLong(e.fileid());
        out.xdrEncodeDynamicOpaque(e.name());
        out.xdrEncodeLong(e.cookie());
      }
      out.xdrEncodeBoolean(false);
      out.xdrEncodeBoolean(eof);
    }
  }

  @Override public Args decode(XdrDecodingStream in) throws IOException {
    return new Args(Fh3.decode(in), in.xdrDecodeLong(), in.xdrDecodeLong(), Xdr3.uint32(in));
  }

  @Override public Nfs3Res run(CallCx cx, Args a) throws VfsException, NfsStatusException {
    CallCx.Target t = cx.target(a.dir());
    int count = (int) Math.min(a.count(), cx.config().dirmax());
    int batch = Math.max(1, Math.min(MAX_BATCH, count / MIN_ENTRY + 1));
    Vfs.DirList l = t.vfs().list(t.fh(), a.cookie(), a.cookieverf(), batch, t.who(), false);
    PostOpAttr dirAttr = cx.post(t);
    int used = 4 + dirAttr.len() + 8 + 4 + 4;   // status, dir_attributes, cookieverf, end of list, eof
    List<Entry> out = new ArrayList<>();
    for (Vfs.DirEntry d : l.entries()) {
      Entry e = new Entry(d.fileid(), d.name().getBytes(StandardCharsets.UTF_8), d.cookie());
      if (used + e.len() > count) break;
      used += e.len();
      out.add(e);
    }
    if (used > count || (out.isEmpty() && !l.entries().isEmpty())) {
      throw new NfsStatusException(Nfsstat3.TOOSMALL, "READDIR count " + a.count());
    }
    return new Res(dirAttr, l.verifier(), out, l.eof() && out.size() == l.entries().size());
  }

  @Override public Nfs3Res fail(CallCx cx, Args a, Nfsstat3 status) { return new Nfs3Res.PostOp(status, cx.post(a.dir())); }
}
