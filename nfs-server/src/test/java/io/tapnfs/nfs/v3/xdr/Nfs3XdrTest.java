package io.tapnfs.nfs.v3.xdr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.nfs.vfs.Attr;
import io.tapnfs.nfs.vfs.Errno;
import io.tapnfs.nfs.vfs.FileType;
import io.tapnfs.nfs.vfs.SetAttr;
import io.tapnfs.rpc.GarbageArgsException;
import java.nio.ByteBuffer;
import org.dcache.oncrpc4j.xdr.Xdr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The NFSv3 wire types on their own: lengths checked before allocation, statuses for what is legal XDR but not NFS. */
class Nfs3XdrTest {
  static Xdr in(ByteBuffer b) {
    Xdr x = new Xdr(java.util.Arrays.copyOf(b.array(), b.position()));
    x.beginDecoding();
    return x;
  }

  static ByteBuffer buf() { return ByteBuffer.allocate(1024); }

  @Test void handleUpTo64BytesDecodes() throws Exception {
    ByteBuffer b = buf().putInt(64).put(new byte[64]);
    Fh3 h = Fh3.decode(in(b));
    assertThat(h.valid()).isTrue();
    assertThat(h.require().length()).isEqualTo(64);
  }

  @ParameterizedTest @ValueSource(ints = {0, 65, 200})
  void handleOfBadLengthIsBadhandleAndTheStreamStaysAligned(int len) throws Exception {
    ByteBuffer b = buf().putInt(len).put(new byte[(len + 3) & ~3]).putInt(0x11223344);
    Xdr x = in(b);
    Fh3 h = Fh3.decode(x);
    assertThat(h.valid()).isFalse();
    assertThatThrownBy(h::require).isInstanceOfSatisfying(NfsStatusException.class,
        e -> assertThat(e.status()).isEqualTo(Nfsstat3.BADHANDLE));
    assertThat(x.xdrDecodeInt()).as("the next item").isEqualTo(0x11223344);
  }

  @ParameterizedTest @ValueSource(ints = {-1, 1 << 30, 33})
  void lengthPastTheMessageIsGarbage(int len) {
    ByteBuffer b = buf().putInt(len).put(new byte[28]);
    assertThatThrownBy(() -> Fh3.decode(in(b))).isInstanceOf(GarbageArgsException.class);
    assertThatThrownBy(() -> Filename3.decode(in(b))).isInstanceOf(GarbageArgsException.class);
  }

  @Test void namesOver255BytesAreNametoolongAndNonUtf8IsInval() throws Exception {
    ByteBuffer ok = buf().putInt(255).put(new byte[256]);
    java.util.Arrays.fill(ok.array(), 4, 259, (byte) 'a');
    assertThat(Filename3.decode(in(ok)).require()).hasSize(255);
    ByteBuffer longer = buf().putInt(256).put(new byte[256]);
    assertThat(Filename3.decode(in(longer)).problem()).isEqualTo(Nfsstat3.NAMETOOLONG);
    ByteBuffer bad = buf().putInt(2).put(new byte[] {(byte) 0xc3, 0x28, 0, 0});
    assertThat(Filename3.decode(in(bad)).problem()).isEqualTo(Nfsstat3.INVAL);
    ByteBuffer path = buf().putInt(300).put(new byte[300]);
    assertThat(Nfspath3.decode(in(path)).problem()).as("a 300-byte symlink text is fine").isNull();
  }

  @Test void sattr3ToSetAttr() throws Exception {
    ByteBuffer b = buf().putInt(1).putInt(0170755).putInt(0).putInt(1).putInt(7).putInt(1).putLong(10)
        .putInt(1).putInt(2).putInt(5).putInt(6);
    SetAttr s = Sattr3.decode(in(b)).toSetAttr();
    assertThat(s).isEqualTo(new SetAttr(0755, null, 7, 10L, SetAttr.SERVER_TIME, 5_000_000_006L));
    ByteBuffer badHow = buf().putInt(0).putInt(0).putInt(0).putInt(0).putInt(3).putInt(0);
    assertThatThrownBy(() -> Sattr3.decode(in(badHow))).isInstanceOf(GarbageArgsException.class);
    ByteBuffer badBool = buf().putInt(2);
    assertThatThrownBy(() -> Sattr3.decode(in(badBool))).isInstanceOf(GarbageArgsException.class);
    ByteBuffer badNs = buf().putInt(0).putInt(0).putInt(0).putInt(0).putInt(2).putInt(1).putInt(1_000_000_000).putInt(0);
    assertThatThrownBy(() -> Sattr3.decode(in(badNs)).toSetAttr()).isInstanceOfSatisfying(NfsStatusException.class,
        e -> assertThat(e.status()).isEqualTo(Nfsstat3.INVAL));
    ByteBuffer truncated = buf().putInt(1);
    assertThatThrownBy(() -> Sattr3.decode(in(truncated))).isInstanceOf(java.io.IOException.class);
  }

  @Test void fattr3IsItsLengthAndInFieldOrder() {
    Attr a = new Attr(FileType.FIFO, 0100644, 1L << 33, 5, 6, 7, 8, 9, 10, 11, 12, -1, 1_500_000_000L, 3_000_000_000_123L);
    Xdr x = new Xdr(256);
    x.beginEncoding();
    Fattr3.encode(x, a);
    x.endEncoding();
    ByteBuffer b = x.asBuffer().toByteBuffer();
    assertThat(b.remaining()).isEqualTo(Fattr3.LEN).isEqualTo(84);
    assertThat(b.getInt()).isEqualTo(7);                  // NF3FIFO
    assertThat(b.getInt()).isEqualTo(0644);               // no type bits
    assertThat(b.getInt()).isEqualTo(-1);                 // nlink clamped to 2^32-1
    b.position(60);                                       // type..fileid: 5 words, 2 hypers, specdata3, 2 hypers
    assertThat(b.getInt()).as("atime before 1970: clamped to 0").isZero();
    assertThat(b.getInt()).isZero();
    assertThat(b.getInt()).isEqualTo(1);
    assertThat(b.getInt()).isEqualTo(500_000_000);
    assertThat(b.getInt()).isEqualTo(3000);
    assertThat(b.getInt()).isEqualTo(123);
  }

  @ParameterizedTest @EnumSource(Errno.class)
  void everyErrnoHasItsNfsstat3(Errno e) {
    assertThat(Nfsstat3.of(e).name()).isEqualTo(e.name());
    assertThat(Nfsstat3.ofCode(Nfsstat3.of(e).code())).isEqualTo(Nfsstat3.of(e));
  }

  @Test void rfcStatusValues() {
    assertThat(Nfsstat3.NAMETOOLONG.code()).isEqualTo(63);
    assertThat(Nfsstat3.STALE.code()).isEqualTo(70);
    assertThat(Nfsstat3.BADHANDLE.code()).isEqualTo(10001);
    assertThat(Nfsstat3.JUKEBOX.code()).isEqualTo(10008);
  }
}
