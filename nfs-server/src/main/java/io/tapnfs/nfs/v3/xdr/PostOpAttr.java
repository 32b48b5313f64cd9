package io.tapnfs.nfs.v3.xdr;

import io.tapnfs.nfs.vfs.Attr;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/** RFC 1813 §2.6 post_op_attr: {@code union switch (bool attributes_follow) { case TRUE: fattr3; }}. */
public record PostOpAttr(Attr attr) {
  public static final PostOpAttr NONE = new PostOpAttr(null);

  public int len() { return 4 + (attr == null ? 0 : Fattr3.LEN); }

  public void encode(XdrEncodingStream out) {
    out.xdrEncodeBoolean(attr != null);
    if (attr != null) Fattr3.encode(out, attr);
  }
}
