package io.tapnfs.nfs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.nfs.vfs.ClientAccess;
import io.tapnfs.nfs.vfs.Export;
import io.tapnfs.nfs.vfs.Fh;
import io.tapnfs.nfs.vfs.FileType;
import io.tapnfs.nfs.vfs.Vfs;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ExportTable: a Vfs per rule, lookup by path and by handle, access per client. */
class ExportTableTest {
  final Map<String, FakeVfs> opened = new HashMap<>();
  final List<String> order = new ArrayList<>();
  final List<ExportRule> given = new ArrayList<>();

  Vfs open(ExportRule rule) {
    given.add(rule);
    order.add(rule.path());
    FakeVfs v = new FakeVfs(opened.size() + 1, rule.path());
    opened.put(rule.path(), v);
    return v;
  }

  ExportTable table(String exports) throws IOException {
    return ExportTable.open(ExportsFile.parse(exports, "t"), this::open);
  }

  @Test void opensOneVfsPerExportInOrderAndFindsThemByNormalizedPath() throws Exception {
    ExportTable t = table("/srv/b 10.0.0.0/24(rw)\n/srv/a\n/\n");
    assertThat(order).containsExactly("/srv/b", "/srv/a", "/");
    assertThat(t.all()).extracting(Export::path).containsExactly("/srv/b", "/srv/a", "/");
    assertThat(t.byPath("/srv/a").vfs()).isSameAs(opened.get("/srv/a"));
    assertThat(t.byPath("/srv/a/").path()).isEqualTo("/srv/a");
    assertThat(t.byPath("//srv//b//").path()).isEqualTo("/srv/b");
    assertThat(t.byPath("/").path()).isEqualTo("/");
    assertThat(t.byPath("/srv")).isNull();                 // exact only: MNT does the "below an export" walk
    assertThat(t.byPath("/srv/a/x")).isNull();
    assertThat(t.byPath("srv/a")).isNull();
    assertThat(t.byPath("/srv/../srv/a")).isNull();
    assertThat(t.byPath(null)).isNull();
    assertThat(t.rules()).extracting(ExportRule::path).containsExactly("/srv/b", "/srv/a", "/");
  }

  @Test void accessWalksTheClientRules() throws Exception {
    ExportTable t = table("/e 10.0.0.0/24(rw) 10.0.0.9(ro)");
    Export e = t.byPath("/e");
    assertThat(e.access(InetAddress.getByName("10.0.0.1")).readWrite()).isTrue();
    assertThat(e.access(InetAddress.getByName("10.0.0.9"))).isEqualTo(ClientAccess.DEFAULT);
    assertThat(e.access(InetAddress.getByName("10.0.1.1"))).isNull();
    assertThat(e.access(null)).isNull();
  }

  @Test void byHandleFindsTheExportThatMadeTheHandleByProbingGetattr() throws Exception {
    ExportTable t = table("/one\n/two\n");
    FakeVfs one = opened.get("/one"), two = opened.get("/two");
    Fh inTwo = two.add(two.root(), "d", FileType.DIR);
    assertThat(t.byHandle(one.root()).path()).isEqualTo("/one");
    assertThat(t.byHandle(two.root()).path()).isEqualTo("/two");
    assertThat(t.byHandle(inTwo).path()).isEqualTo("/two");
    assertThat(t.byHandle(new Fh(new byte[] {9, 0}))).isNull();              // no export's: BADHANDLE everywhere
    assertThat(t.byHandle(new Fh(new byte[] {2, 99}))).isNull();             // export two's, gone: STALE
    assertThat(t.byHandle(null)).isNull();
  }

  @Test void byHandleUsesTheOwnsPredicateWhenGiven() throws Exception {
    List<String> asked = new ArrayList<>();
    ExportTable t = ExportTable.open(ExportsFile.parse("/one\n/two\n", "t"), this::open, (vfs, fh) -> {
      asked.add(vfs.exportPath());
      return fh.bytes()[0] == ((FakeVfs) vfs).root().bytes()[0];
    });
    asked.clear();                                                // (opening checked that no export takes another's root)
    assertThat(t.byHandle(opened.get("/two").root()).path()).isEqualTo("/two");
    assertThat(asked).containsExactly("/one", "/two");
    assertThat(opened.get("/one").getattrCalls + opened.get("/two").getattrCalls).isZero();
  }

  @Test void exportsThatCannotTellTheirHandlesApartAreRefused() {
    assertThatThrownBy(() -> ExportTable.open(ExportsFile.parse("/one\n/two\n", "t"), this::open, (vfs, fh) -> true))
        .isInstanceOf(IOException.class).hasMessageContaining("/one and /two cannot tell their file handles apart")
        .hasMessageContaining("fsid=");
  }

  @Test void twoRulesForOnePathOrAFailingOpenerAreErrors() {
    List<ExportRule> dup = List.of(ExportRule.everyone("/e", ClientAccess.DEFAULT), ExportRule.everyone("/e/", ClientAccess.DEFAULT));
    assertThatThrownBy(() -> ExportTable.open(dup, this::open)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/e given twice");
    assertThatThrownBy(() -> ExportTable.open(List.of(ExportRule.everyone("/missing", ClientAccess.DEFAULT)), r -> {
      throw new java.nio.file.NoSuchFileException(r.path());
    })).isInstanceOf(IOException.class).hasMessage("cannot export /missing: /missing");
  }

  @Test void theOpenerSeesTheRuleWithItsSyncAndFsid() throws Exception {
    table("/a *(async,fsid=7)\n/b 10.0.0.1(async) 10.0.0.2(fsid=8)\n/c\n");
    assertThat(given).extracting(ExportRule::path).containsExactly("/a", "/b", "/c");
    assertThat(given).extracting(ExportRule::sync).containsExactly(false, true, true);
    assertThat(given).extracting(ExportRule::fsid).containsExactly(7, 8, null);
  }

  @Test void anFsidGivenToTwoExportsIsAnErrorBeforeAnythingIsOpened() {
    assertThatThrownBy(() -> table("/a *(fsid=7)\n/b\n/c 10.0.0.1(ro) 10.0.0.2(fsid=7)\n"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("fsid=7 is given to both /a and /c");
    assertThat(order).isEmpty();
    assertThatThrownBy(() -> ExportTable.check(List.of(ExportRule.everyone("/x", ClientAccess.DEFAULT),
        new ExportRule("/y", List.of(new ClientRule(ClientMatch.ANYONE, ClientAccess.DEFAULT, true, -1))),
        new ExportRule("/z", List.of(new ClientRule(ClientMatch.ANYONE, ClientAccess.DEFAULT, false, -1))))))
        .hasMessage("fsid=4294967295 is given to both /y and /z");
    ExportTable.check(List.of(new ExportRule("/y", List.of(new ClientRule(ClientMatch.ANYONE, ClientAccess.DEFAULT, true, 1))),
        new ExportRule("/z", List.of(new ClientRule(ClientMatch.ANYONE, ClientAccess.DEFAULT, true, 2)))));
    assertThatThrownBy(() -> new ExportRule("/w", List.of(new ClientRule(ClientMatch.ANYONE, ClientAccess.DEFAULT, true, 1),
        new ClientRule(ClientMatch.ANYONE, ClientAccess.DEFAULT, true, 2)))).hasMessage("export /w has fsid=1 and fsid=2");
  }
}
