package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.Fh3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.PostOpAttr;
import io.tapnfs.nfs.v3.xdr.Xdr3;
import io.tapnfs.nfs.vfs.Fh;
import io.tapnfs.nfs.vfs.Vfs;
import io.tapnfs.nfs.vfs.VfsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * READDIRPLUS, RFC 1813 §3.3.17: {@code nfs_fh3 dir; cookie3 cookie; cookieverf3 cookieverf;
 * count3 dircount; count3 maxcount;}; resok {@code post_op_attr dir_attributes; cookieverf3
 * cookieverf; dirlistplus3 reply;} with {@code entryplus3 { fileid3 fileid; filename3 name;
 * cookie3 cookie; post_op_attr name_attributes; post_op_fh3 name_handle; entryplus3 *nextentry; }};
 * resfail post_op_attr.
 *
 * <p>"dircount: The maximum number of bytes of directory information returned. This number should
 * not include the size of the attributes and file handle portions of the result." A "should": we
 * ignore it as knfsd does (Linux sends dircount = maxcount / 8, which would cut every reply to an
 * eighth of what it may carry and double the round trips of a listing). "maxcount: The maximum size of the
 * READDIRPLUS3resok structure, in bytes. The size must include all XDR overhead." If not even one
 * entry fits in maxcount: NFS3ERR_TOOSMALL.
 */
final class Readdirplus3 implements Nfs3Proc<Readdirplus3.Args> {
  /** A typical entry with attributes and a handle, to size the batch asked of the VFS. */
  static final int TYPICAL_ENTRY = 4 + 8 + 8 + 8 + 4 + 84 + 4 + 4 + 32;

  record Args(Fh3 dir, long cookie, long cookieverf, long dircount, long maxcount) {}

  record Entry(long fileid, byte[] name, long cookie, PostOpAttr attr, Fh fh) {
    int dirLen() { return 8 + Xdr3.opaqueLen(name.length) + 8; }

    int len() { return 4 + dirLen() + attr.len() + Fh3.postOpLen(fh); }
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
        e.attr().encode(out);
        Fh3.encodePostOp(out, e.fh());
      }
      out.xdrEncodeBoolean(false);
      out.xdrEncodeBoolean(eof);
    }
  }

  @Override public Args decode(XdrDecodingStream in) throws IOException {
    return new Args(Fh3.decode(in), in.xdrDecodeLong(), in.xdrDecodeLong(), Xdr3.uint32(in), Xdr3.uint32(in));
  }

  @Override public Nfs3Res run(CallCx cx, Args a) throws VfsException, NfsStatusException {
    CallCx.Target t = cx.target(a.dir());
    int maxcount = (int) Math.min(a.maxcount(), cx.config().dirmax());
    int batch = Math.max(1, Math.min(Readdir3.MAX_BATCH, maxcount / TYPICAL_ENTRY + 1));
    Vfs.DirList l = t.vfs().list(t.fh(), a.cookie(), a.cookieverf(), batch, t.who());
    PostOpAttr dirAttr = cx.post(t);
    int used = 4 + dirAttr.len() + 8 + 4 + 4;
    List<Entry> out = new ArrayList<>();
    for (Vfs.DirEntry d : l.entries()) {
      PostOpAttr attr = d.attr() != null ? new PostOpAttr(d.attr()) : CallCx.post(t.vfs(), d.fh());
      Entry e = new Entry(d.fileid(), d.name().getBytes(StandardCharsets.UTF_8), d.cookie(), attr, d.fh());
      if (used + e.len() > maxcount) break;
      used += e.len();
      out.add(e);
    }
    if (used > maxcount || (out.isEmpty() && !l.entries().isEmpty())) {
      throw new NfsStatusException(Nfsstat3.TOOSMALL, "READDIRPLUS maxcount " + a.maxcount());
    }
    return new Res(dirAttr, l.verifier(), out, l.eof() && out.size() == l.entries().size());
  }

  @Override public Nfs3Res fail(CallCx cx, Args a, Nfsstat3 status) { return new Nfs3Res.PostOp(status, cx.post(a.dir())); }
}
