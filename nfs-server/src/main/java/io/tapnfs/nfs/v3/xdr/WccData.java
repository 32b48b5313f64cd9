package io.tapnfs.nfs.v3.xdr;

import io.tapnfs.nfs.vfs.Attr;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/** RFC 1813 §2.6 wcc_data: {@code pre_op_attr before; post_op_attr after;}. */
public record WccData(PreOpAttr before, PostOpAttr after) {
  public static final WccData NONE = new WccData(PreOpAttr.NONE, PostOpAttr.NONE);

  public static WccData of(Attr before, Attr after) { return new WccData(new PreOpAttr(before), new PostOpAttr(after)); }

  public void encode(XdrEncodingStream out) {
    before.encode(out);
    after.encode(out);
  }
}
