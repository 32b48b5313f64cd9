package io.tapnfs.nfs.v3.xdr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * RFC 1813 §2.5 filename3 ({@code string<>}), checked: more than {@value #NAME_MAX} bytes is
 * NFS3ERR_NAMETOOLONG, bytes that are not UTF-8 are NFS3ERR_INVAL (Java names are strings; the
 * VFS speaks UTF-8). Both are answered by the procedure, so a decoded Filename3 may carry a
 * {@link #problem} instead of a name. A length past the message is GARBAGE_ARGS.
 */
public record Filename3(String name, Nfsstat3 problem, int length) {
  /** PATHCONF name_max, and Linux NAME_MAX. */
  public static final int NAME_MAX = 255;

  public static Filename3 decode(XdrDecodingStream in) throws IOException {
    return decode(in, NAME_MAX);
  }

  static Filename3 decode(XdrDecodingStream in, int max) throws IOException {
    byte[] b = Xdr3.opaqueOrNull(in, max);
    if (b == null) return new Filename3(null, Nfsstat3.NAMETOOLONG, max + 1);
    String s = utf8(b);
    return s == null ? new Filename3(null, Nfsstat3.INVAL, b.length) : new Filename3(s, null, b.length);
  }

  /** Strict UTF-8, or null. */
  static String utf8(byte[] b) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** The name, or the status it earned. */
  public String require() throws NfsStatusException {
    if (problem != null) throw new NfsStatusException(problem, "name of " + length + " bytes");
    return name;
  }

  @Override public String toString() { return name != null ? name : problem + "(" + length + ")"; }
}
