package io.tapnfs.nfs.nlm.xdr;

import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/** An NLM value that writes itself in the encoding of one protocol version (offsets, statuses). */
public interface NlmType {
  void encode(XdrEncodingStream out, int version);

  /** This value as oncrpc4j's {@link XdrAble}, encode-only, in {@code version}. */
  default XdrAble xdr(int version) {
    NlmType self = this;
    return new XdrAble() {
      @Override public void xdrEncode(XdrEncodingStream out) { self.encode(out, version); }

      @Override public void xdrDecode(XdrDecodingStream in) { throw new UnsupportedOperationException("encode-only"); }
    };
  }
}
