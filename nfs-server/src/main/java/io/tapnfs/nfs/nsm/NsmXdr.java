package io.tapnfs.nfs.nsm;

import io.tapnfs.nfs.v3.xdr.Xdr3;
import io.tapnfs.portmap.xdr.XdrType;
import io.tapnfs.rpc.GarbageArgsException;
import io.tapnfs.rpc.XdrChecks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * The status monitor's XDR types (X/Open XNFS, "Network Status Monitor Protocol"; the same
 * {@code sm_inter.x} nfs-utils and the Linux kernel use), as immutable records with their codecs.
 * Decoders bound every length before allocating ({@link XdrChecks}): a name over SM_MAXSTRLEN is
 * GARBAGE_ARGS, as rpcgen's {@code xdr_string} fails it in statd.
 *
 * <pre>
 *   const SM_MAXSTRLEN = 1024;
 *   struct sm_name   { string mon_name&lt;SM_MAXSTRLEN&gt;; };
 *   struct my_id     { string my_name&lt;SM_MAXSTRLEN&gt;; int my_prog; int my_vers; int my_proc; };
 *   struct mon_id    { string mon_name&lt;SM_MAXSTRLEN&gt;; struct my_id my_id; };
 *   struct mon       { struct mon_id mon_id; opaque priv[16]; };
 *   struct stat_chge { string mon_name&lt;SM_MAXSTRLEN&gt;; int state; };
 *   enum res         { stat_succ = 0, stat_fail = 1 };
 *   struct sm_stat_res { res res_stat; int state; };
 *   struct sm_stat   { int state; };
 * </pre>
 * Names are bytes on the wire; we read them as UTF-8 (a malformed sequence becomes U+FFFD, so such
 * a name only ever matches itself spelled the same broken way) and write them as UTF-8.
 */
public final class NsmXdr {
  /** sm_inter.x: SM_MAXSTRLEN, and the size of {@code priv}. */
  public static final int SM_MAXSTRLEN = 1024, PRIV_LEN = 16;
  /** enum res. */
  public static final int STAT_SUCC = 0, STAT_FAIL = 1;

  private NsmXdr() {}

  static String name(XdrDecodingStream in) throws IOException {
    return new String(XdrChecks.opaque(in, SM_MAXSTRLEN), StandardCharsets.UTF_8);
  }

  static void name(XdrEncodingStream out, String s) { out.xdrEncodeDynamicOpaque(s.getBytes(StandardCharsets.UTF_8)); }

  private static String checked(String name) {
    Objects.requireNonNull(name, "name");
    if (name.getBytes(StandardCharsets.UTF_8).length > SM_MAXSTRLEN)
      throw new IllegalArgumentException("name of more than " + SM_MAXSTRLEN + " bytes");
    return name;
  }

  /** sm_name: SM_STAT's argument. */
  public record SmName(String monName) implements XdrType {
    public SmName { checked(monName); }

    public static SmName decode(XdrDecodingStream in) throws IOException { return new SmName(name(in)); }

    @Override public void encode(XdrEncodingStream out) { name(out, monName); }
  }

  /** my_id: who asks to be called back, and how (for lockd: program 100021, its SM_NOTIFY procedure). */
  public record MyId(String myName, int myProg, int myVers, int myProc) implements XdrType {
    public MyId { checked(myName); }

    public static MyId decode(XdrDecodingStream in) throws IOException {
      return new MyId(name(in), in.xdrDecodeInt(), in.xdrDecodeInt(), in.xdrDecodeInt());
    }

    @Override public void encode(XdrEncodingStream out) {
      name(out, myName);
      out.xdrEncodeInt(myProg);
      out.xdrEncodeInt(myVers);
      out.xdrEncodeInt(myProc);
    }
  }

  /** mon_id: SM_UNMON's argument. */
  public record MonId(String monName, MyId myId) implements XdrType {
    public MonId {
      checked(monName);
      Objects.requireNonNull(myId, "myId");
    }

    public static MonId decode(XdrDecodingStream in) throws IOException { return new MonId(name(in), MyId.decode(in)); }

    @Override public void encode(XdrEncodingStream out) {
      name(out, monName);
      myId.encode(out);
    }
  }

  /** mon: SM_MON's argument; {@code priv} is what the monitor hands back in the callback. */
  public record Mon(MonId monId, byte[] priv) implements XdrType {
    public Mon {
      Objects.requireNonNull(monId, "monId");
      if (priv.length != PRIV_LEN) throw new IllegalArgumentException("priv of " + priv.length + " bytes, not " + PRIV_LEN);
      priv = priv.clone();
    }

    @Override public byte[] priv() { return priv.clone(); }

    public static Mon decode(XdrDecodingStream in) throws IOException { return new Mon(MonId.decode(in), Xdr3.fixed(in, PRIV_LEN)); }

    @Override public void encode(XdrEncodingStream out) {
      monId.encode(out);
      out.xdrEncodeOpaque(priv, PRIV_LEN);
    }

    @Override public boolean equals(Object o) { return o instanceof Mon m && m.monId.equals(monId) && Arrays.equals(m.priv, priv); }

    @Override public int hashCode() { return monId.hashCode() * 31 + Arrays.hashCode(priv); }

    @Override public String toString() { return "Mon[" + monId + ", " + HexFormat.of().formatHex(priv) + "]"; }
  }

  /** stat_chge: SM_NOTIFY's argument, the rebooted host's name and its new state number. */
  public record StatChge(String monName, int state) implements XdrType {
    public StatChge { checked(monName); }

    public static StatChge decode(XdrDecodingStream in) throws IOException { return new StatChge(name(in), in.xdrDecodeInt()); }

    @Override public void encode(XdrEncodingStream out) {
      name(out, monName);
      out.xdrEncodeInt(state);
    }
  }

  /** sm_stat_res: SM_STAT's and SM_MON's result. */
  public record SmStatRes(int resStat, int state) implements XdrType {
    public static SmStatRes decode(XdrDecodingStream in) throws IOException {
      int r = in.xdrDecodeInt();
      if (r != STAT_SUCC && r != STAT_FAIL) throw new GarbageArgsException("res " + r);
      return new SmStatRes(r, in.xdrDecodeInt());
    }

    @Override public void encode(XdrEncodingStream out) {
      out.xdrEncodeInt(resStat);
      out.xdrEncodeInt(state);
    }
  }

  /** sm_stat: SM_UNMON's and SM_UNMON_ALL's result. */
  public record SmStat(int state) implements XdrType {
    public static SmStat decode(XdrDecodingStream in) throws IOException { return new SmStat(in.xdrDecodeInt()); }

    @Override public void encode(XdrEncodingStream out) { out.xdrEncodeInt(state); }
  }

  /** A void argument or result. */
  public static final XdrType VOID = out -> { };
}
