package io.tapnfs.nfs.mount;

import io.tapnfs.rpc.GarbageArgsException;
import io.tapnfs.rpc.XdrChecks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * The MOUNT protocol's XDR types (RFC 1813 Appendix I; v1 {@code fhstatus} from RFC 1094
 * Appendix A), as immutable records with their codecs. Decoders check every length before
 * allocating (they serve a client and the tests; the server decodes only a dirpath).
 *
 * <pre>
 *   const MNTPATHLEN = 1024;  const MNTNAMLEN = 255;  const FHSIZE3 = 64;  const FHSIZE = 32;
 *   typedef opaque fhandle3&lt;FHSIZE3&gt;;  typedef string dirpath&lt;MNTPATHLEN&gt;;  typedef string name&lt;MNTNAMLEN&gt;;
 *   struct mountres3_ok { fhandle3 fhandle; int auth_flavors&lt;&gt;; };
 *   union mountres3 switch (mountstat3 fhs_status) { case MNT3_OK: mountres3_ok mountinfo; default: void; };
 *   struct mountbody { name ml_hostname; dirpath ml_directory; mountlist ml_next; };
 *   struct groupnode { name gr_name; groups gr_next; };
 *   struct exportnode { dirpath ex_dir; groups ex_groups; exports ex_next; };
 *   union fhstatus switch (unsigned fhs_status) { case 0: opaque fhs_fhandle[FHSIZE]; default: void; };
 * </pre>
 */
public final class MountXdr {
  public static final int MNTPATHLEN = 1024, MNTNAMLEN = 255, FHSIZE3 = 64, FHSIZE = 32;
  /** AUTH_SYS (RFC 5531 Appendix A), the one flavor MNT offers. */
  public static final int AUTH_SYS = 1;
  /** Decoding limits for lists and flavors (a client's defence against a hostile server). */
  public static final int MAX_LIST = 65536, MAX_FLAVORS = 64;

  private MountXdr() {}

  /** An encode-only reply body. */
  @FunctionalInterface
  public interface Encoder extends XdrAble {
    void encode(XdrEncodingStream x) throws IOException;

    @Override default void xdrEncode(XdrEncodingStream x) throws IOException { encode(x); }

    @Override default void xdrDecode(XdrDecodingStream x) { throw new UnsupportedOperationException("encode-only"); }
  }

  /** A decode-only value holder, for call arguments and a client's results. */
  public static final class Decoded<T> implements XdrAble {
    /** Decodes one T. */
    @FunctionalInterface
    public interface Decoder<T> {
      T decode(XdrDecodingStream x) throws IOException;
    }

    private final Decoder<T> decoder;
    private T value;

    public Decoded(Decoder<T> decoder) { this.decoder = decoder; }

    @Override public void xdrDecode(XdrDecodingStream x) throws IOException { value = decoder.decode(x); }

    @Override public void xdrEncode(XdrEncodingStream x) { throw new UnsupportedOperationException("decode-only"); }

    public T value() { return value; }
  }

  static void string(XdrEncodingStream x, String s) throws IOException {
    x.xdrEncodeDynamicOpaque(s.getBytes(StandardCharsets.UTF_8));
  }

  static String string(XdrDecodingStream x, int max) throws IOException {
    return new String(XdrChecks.opaque(x, max), StandardCharsets.UTF_8);
  }

  /** mountres3. {@code fhandle} and {@code authFlavors} are empty unless the status is MNT3_OK. */
  public record Mountres3(Mountstat3 status, byte[] fhandle, int[] authFlavors) {
    public Mountres3 {
      fhandle = fhandle.clone();
      authFlavors = authFlavors.clone();
    }

    public static Mountres3 error(Mountstat3 s) { return new Mountres3(s, new byte[0], new int[0]); }

    @Override public byte[] fhandle() { return fhandle.clone(); }

    @Override public int[] authFlavors() { return authFlavors.clone(); }

    @Override public boolean equals(Object o) {
      return o instanceof Mountres3 m && m.status == status && Arrays.equals(m.fhandle, fhandle) && Arrays.equals(m.authFlavors, authFlavors);
    }

    @Override public int hashCode() { return Objects.hash(status, Arrays.hashCode(fhandle), Arrays.hashCode(authFlavors)); }

    @Override public String toString() {
      return "Mountres3[" + status + (status == Mountstat3.MNT3_OK ? ", " + HexFormat.of().formatHex(fhandle) + ", " + Arrays.toString(authFlavors) : "") + "]";
    }

    public void encode(XdrEncodingStream x) throws IOException {
      x.xdrEncodeInt(status.code());
      if (status == Mountstat3.MNT3_OK) {
        x.xdrEncodeDynamicOpaque(fhandle);
        x.xdrEncodeIntVector(authFlavors);
      }
    }

    public static Mountres3 decode(XdrDecodingStream x) throws IOException {
      int code = x.xdrDecodeInt();
      Mountstat3 s = Mountstat3.of(code);
      if (s == null) throw new GarbageArgsException("mountstat3 " + code);
      if (s != Mountstat3.MNT3_OK) return error(s);
      byte[] fh = XdrChecks.opaque(x, FHSIZE3);
      int n = x.xdrDecodeInt();
      if (n < 0 || n > MAX_FLAVORS) throw new GarbageArgsException(n + " auth flavors");
      int[] f = new int[n];
      for (int i = 0; i < n; i++) f[i] = x.xdrDecodeInt();
      return new Mountres3(s, fh, f);
    }
  }

  /** fhstatus (MOUNT v1, v2): an errno, or 0 and a 32-byte handle. */
  public record Fhstatus(int status, byte[] fhandle) {
    public Fhstatus {
      fhandle = fhandle == null ? new byte[0] : fhandle.clone();
      if (status == 0 && fhandle.length != FHSIZE) throw new IllegalArgumentException("fhandle of " + fhandle.length + " bytes, not " + FHSIZE);
    }

    @Override public byte[] fhandle() { return fhandle.clone(); }

    @Override public boolean equals(Object o) { return o instanceof Fhstatus f && f.status == status && Arrays.equals(f.fhandle, fhandle); }

    @Override public int hashCode() { return 31 * status + Arrays.hashCode(fhandle); }

    @Override public String toString() { return "Fhstatus[" + status + (status == 0 ? ", " + HexFormat.of().formatHex(fhandle) : "") + "]"; }

    public void encode(XdrEncodingStream x) throws IOException {
      x.xdrEncodeInt(status);
      if (status == 0) x.xdrEncodeOpaque(fhandle, FHSIZE);
    }

    public static Fhstatus decode(XdrDecodingStream x) throws IOException {
      int s = x.xdrDecodeInt();
      return s == 0 ? new Fhstatus(0, x.xdrDecodeOpaque(FHSIZE)) : new Fhstatus(s, new byte[0]);
    }
  }

  /** One mountlist entry: who (the client's address) mounted what. */
  public record MountBody(String hostname, String directory) {}

  /** mountlist: the entries as an XDR optional-data list. */
  public static void encodeMountList(XdrEncodingStream x, List<MountBody> l) throws IOException {
    for (MountBody m : l) {
      x.xdrEncodeBoolean(true);
      string(x, m.hostname());
      string(x, m.directory());
    }
    x.xdrEncodeBoolean(false);
  }

  public static List<MountBody> decodeMountList(XdrDecodingStream x) throws IOException {
    List<MountBody> l = new ArrayList<>();
    while (x.xdrDecodeBoolean()) {
      if (l.size() >= MAX_LIST) throw new GarbageArgsException("mountlist longer than " + MAX_LIST);
      l.add(new MountBody(string(x, MNTNAMLEN), string(x, MNTPATHLEN)));
    }
    return l;
  }

  /** One exports entry: a path and its groups (empty: everyone, as showmount prints it). */
  public record ExportNode(String dir, List<String> groups) {
    public ExportNode { groups = List.copyOf(groups); }
  }

  public static void encodeExports(XdrEncodingStream x, List<ExportNode> l) throws IOException {
    for (ExportNode e : l) {
      x.xdrEncodeBoolean(true);
      string(x, e.dir());
      for (String g : e.groups()) {
        x.xdrEncodeBoolean(true);
        string(x, g);
      }
      x.xdrEncodeBoolean(false);
    }
    x.xdrEncodeBoolean(false);
  }

  public static List<ExportNode> decodeExports(XdrDecodingStream x) throws IOException {
    List<ExportNode> l = new ArrayList<>();
    int total = 0;
    while (x.xdrDecodeBoolean()) {
      String dir = string(x, MNTPATHLEN);
      List<String> g = new ArrayList<>();
      while (x.xdrDecodeBoolean()) {
        if (++total > MAX_LIST) throw new GarbageArgsException("exports longer than " + MAX_LIST);
        g.add(string(x, MNTNAMLEN));
      }
      if (++total > MAX_LIST) throw new GarbageArgsException("exports longer than " + MAX_LIST);
      l.add(new ExportNode(dir, g));
    }
    return l;
  }
}
