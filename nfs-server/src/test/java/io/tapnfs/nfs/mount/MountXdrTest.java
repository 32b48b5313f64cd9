package io.tapnfs.nfs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.nfs.mount.MountXdr.ExportNode;
import io.tapnfs.nfs.mount.MountXdr.MountBody;
import io.tapnfs.nfs.mount.MountXdr.Mountres3;
import io.tapnfs.rpc.GarbageArgsException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.dcache.oncrpc4j.xdr.Xdr;
import org.junit.jupiter.api.Test;

/** The MOUNT XDR types byte for byte (RFC 1813 Appendix I), and their decoders' bounds. */
class MountXdrTest {
  @FunctionalInterface interface Enc { void to(Xdr x) throws Exception; }

  static String hex(Enc e) throws Exception {
    Xdr x = new Xdr(256);
    x.beginEncoding();
    e.to(x);
    x.endEncoding();
    ByteBuffer b = x.asBuffer().toByteBuffer();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return HexFormat.of().formatHex(out);
  }

  static Xdr in(String hex) {
    Xdr x = new Xdr(HexFormat.of().parseHex(hex));
    x.beginDecoding();
    return x;
  }

  @Test void mountres3OkAndError() throws Exception {
    Mountres3 ok = new Mountres3(Mountstat3.MNT3_OK, new byte[] {1, 2, 3}, new int[] {MountXdr.AUTH_SYS});
    String wire = "00000000" + "00000003" + "01020300" + "00000001" + "00000001";
    assertThat(hex(ok::encode)).isEqualTo(wire);
    assertThat(Mountres3.decode(in(wire))).isEqualTo(ok);
    assertThat(hex(Mountres3.error(Mountstat3.MNT3ERR_ACCES)::encode)).isEqualTo("0000000d");
    assertThat(hex(Mountres3.error(Mountstat3.MNT3ERR_NOTSUPP)::encode)).isEqualTo("00002714");
    assertThatThrownBy(() -> Mountres3.decode(in("00000000" + "00000041"))).isInstanceOf(GarbageArgsException.class);   // 65-byte handle
    assertThatThrownBy(() -> Mountres3.decode(in("00000007"))).isInstanceOf(GarbageArgsException.class);               // no such status
  }

  @Test void mountlistAndExportsAreOptionalDataLists() throws Exception {
    List<MountBody> ml = List.of(new MountBody("10.0.0.1", "/a"));
    String mlWire = "00000001" + "00000008" + "31302e302e302e31" + "00000002" + "2f610000" + "00000000";
    assertThat(hex(x -> MountXdr.encodeMountList(x, ml))).isEqualTo(mlWire);
    assertThat(MountXdr.decodeMountList(in(mlWire))).isEqualTo(ml);
    assertThat(hex(x -> MountXdr.encodeMountList(x, List.of()))).isEqualTo("00000000");
    List<ExportNode> ex = List.of(new ExportNode("/a", List.of("*")), new ExportNode("/b", List.of()));
    String exWire = "00000001" + "00000002" + "2f610000" + "00000001" + "00000001" + "2a000000" + "00000000"
        + "00000001" + "00000002" + "2f620000" + "00000000" + "00000000";
    assertThat(hex(x -> MountXdr.encodeExports(x, ex))).isEqualTo(exWire);
    assertThat(MountXdr.decodeExports(in(exWire))).isEqualTo(ex);
    assertThatThrownBy(() -> MountXdr.decodeMountList(in("00000001" + "00000100"))).isInstanceOf(GarbageArgsException.class);   // name<255>
  }

  @Test void fhstatusCarriesAFixed32ByteHandle() throws Exception {
    assertThat(hex(new MountXdr.Fhstatus(13, null)::encode)).isEqualTo("0000000d");
    byte[] h = new byte[32];
    h[0] = 7;
    assertThat(hex(new MountXdr.Fhstatus(0, h)::encode)).isEqualTo("00000000" + "07" + "00".repeat(31));
    assertThatThrownBy(() -> new MountXdr.Fhstatus(0, new byte[31])).isInstanceOf(IllegalArgumentException.class);
  }
}
