package io.tapnfs.nfs.v3.xdr;

import io.tapnfs.nfs.vfs.Attr;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * RFC 1813 §2.6 pre_op_attr: {@code union switch (bool attributes_follow) { case TRUE: wcc_attr; }}
 * where wcc_attr is {@code size3 size; nfstime3 mtime; nfstime3 ctime;}.
 */
public record PreOpAttr(Attr attr) {
  public static final PreOpAttr NONE = new PreOpAttr(null);

  public void encode(XdrEncodingStream out) {
    out.xdrEncodeBoolean(attr != null);
    if (attr != null) {
      Xdr3.uint64(out, attr.size());
      Nfstime3.ofNanos(attr.mtimeNanos()).encode(out);
      Nfstime3.ofNanos(attr.ctimeNanos()).encode(out);
    }
  }
}
