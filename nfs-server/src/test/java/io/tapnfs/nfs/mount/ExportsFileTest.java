package io.tapnfs.nfs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.nfs.vfs.ClientAccess;
import io.tapnfs.nfs.vfs.ClientAccess.Squash;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** exports(5) parsing: every option, every error with its line, client matching and precedence. */
class ExportsFileTest {
  static List<ExportRule> parse(String text) throws ExportsException { return ExportsFile.parse(text, "exports"); }

  static ExportRule one(String text) throws ExportsException {
    List<ExportRule> l = parse(text);
    assertThat(l).hasSize(1);
    return l.get(0);
  }

  static InetAddress ip(String s) throws Exception { return InetAddress.getByName(s); }   // literals only: no DNS

  static ClientAccess access(boolean rw, Squash s, int uid, int gid) { return new ClientAccess(rw, s, uid, gid, true); }

  @Test void aBarePathIsEveryoneWithTheDefaults() throws Exception {
    ExportRule r = one("/srv/share\n");
    assertThat(r.path()).isEqualTo("/srv/share");
    assertThat(r.clients()).containsExactly(new ClientRule(ClientMatch.ANYONE, ClientAccess.DEFAULT));
    assertThat(ClientAccess.DEFAULT).isEqualTo(access(false, Squash.ROOT, 65534, 65534));
    assertThat(r.access(ip("192.0.2.7"))).isEqualTo(ClientAccess.DEFAULT);
  }

  @Test void aWholeFileWithCommentsQuotesContinuationsAndSeveralClients() throws Exception {
    List<ExportRule> l = parse("""
        # the exports of the lab
           
        /srv/share   10.0.0.5(rw,no_root_squash) 10.0.0.0/24(ro)  *(ro,all_squash,anonuid=1000,anongid=100)  # trailing
        "/srv/with space"  -rw  10.1.0.0/255.255.0.0 \\
                           10.2.0.1(ro)
        /srv/public//
        """);
    assertThat(l).extracting(ExportRule::path).containsExactly("/srv/share", "/srv/with space", "/srv/public");
    assertThat(l.get(0).clients()).containsExactly(
        new ClientRule(new ClientMatch.Host(io.tapnfs.netstack.ipv4.Ipv4Address.parse("10.0.0.5")), access(true, Squash.NONE, 65534, 65534)),
        new ClientRule(new ClientMatch.Network(io.tapnfs.netstack.ipv4.Ipv4Cidr.parse("10.0.0.0/24")), ClientAccess.DEFAULT),
        new ClientRule(ClientMatch.ANYONE, access(false, Squash.ALL, 1000, 100)));
    assertThat(l.get(1).clients()).extracting(c -> c.match().toString()).containsExactly("10.1.0.0/16", "10.2.0.1");
    assertThat(l.get(1).clients()).extracting(ClientRule::access)
        .containsExactly(access(true, Squash.ROOT, 65534, 65534), access(false, Squash.ROOT, 65534, 65534));
    assertThat(l.get(2).clients()).containsExactly(new ClientRule(ClientMatch.ANYONE, ClientAccess.DEFAULT));
    assertThat(l.get(1).toString()).isEqualTo("\"/srv/with space\" 10.1.0.0/16(rw,root_squash,anonuid=65534,anongid=65534,secure,sync)"
        + " 10.2.0.1(ro,root_squash,anonuid=65534,anongid=65534,secure,sync)");
    assertThat(one("/e *(async,fsid=4294967295,insecure)").toString())
        .isEqualTo("/e *(ro,root_squash,anonuid=65534,anongid=65534,insecure,async,fsid=4294967295)");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "rw                           | true  | ROOT | 65534 | 65534",
      "ro                           | false | ROOT | 65534 | 65534",
      "rw,ro                        | false | ROOT | 65534 | 65534",
      "ro,rw                        | true  | ROOT | 65534 | 65534",
      "root_squash                  | false | ROOT | 65534 | 65534",
      "no_root_squash               | false | NONE | 65534 | 65534",
      "all_squash                   | false | ALL  | 65534 | 65534",
      "no_root_squash,all_squash    | false | ALL  | 65534 | 65534",
      "all_squash,no_all_squash     | false | ROOT | 65534 | 65534",
      "all_squash,no_all_squash,no_root_squash | false | NONE | 65534 | 65534",
      "anonuid=1000                 | false | ROOT | 1000  | 65534",
      "anongid=0                    | false | ROOT | 65534 | 0",
      "anonuid=4294967294           | false | ROOT | -2    | 65534",
      "sec=sys                      | false | ROOT | 65534 | 65534",
      "sec=sys:sys,rw               | true  | ROOT | 65534 | 65534",
      "''                           | false | ROOT | 65534 | 65534",
  })
  void eachOptionSetsItsPart(String opts, boolean rw, Squash squash, int uid, int gid) throws Exception {
    assertThat(one("/e 10.0.0.1(" + opts + ")").clients().get(0).access()).isEqualTo(access(rw, squash, uid, gid));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "/e *                          | true",
      "/e *(secure)                  | true",
      "/e *(insecure)                | false",
      "/e *(insecure,secure)         | true",
      "/e *(secure,insecure)         | false",
      "/e -insecure *                | false",
      "/e -insecure *(secure)        | true",
      "/e -insecure,rw 10.0.0.1(ro)  | false",
  })
  void secureIsTheDefaultAndInsecureLiftsIt(String line, boolean secure) throws Exception {
    ClientAccess a = one(line).clients().get(0).access();
    assertThat(a.secure()).isEqualTo(secure);
    assertThat(ExportsFile.options(a)).endsWith(secure ? ",secure" : ",insecure");
  }

  @ParameterizedTest
  @ValueSource(strings = {"no_subtree_check", "subtree_check", "wdelay", "no_wdelay", "crossmnt"})
  void knfsdTuningOptionsAreAcceptedAndChangeNothing(String opt) throws Exception {
    assertThat(one("/e *(" + opt + ")").clients()).containsExactly(new ClientRule(ClientMatch.ANYONE, ClientAccess.DEFAULT));
    assertThat(one("/e *(rw," + opt + ",no_root_squash)").clients().get(0).access()).isEqualTo(access(true, Squash.NONE, 65534, 65534));
  }

  /** sync (the default) unless every client says async; at most one fsid per path, numbers only. */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "/e *                                  | true  | ''",
      "/e *(async)                           | false | ''",
      "/e *(async,sync)                      | true  | ''",
      "/e -async *                           | false | ''",
      "/e -async 10.0.0.1 *(sync)            | true  | ''",     // a mixed export stays sync
      "/e 10.0.0.1(async) *(async)           | false | ''",
      "/e *(fsid=0)                          | true  | 0",
      "/e *(fsid=4294967295)                 | true  | 4294967295",
      "/e *(fsid=1,fsid=2)                   | true  | 2",      // later options override
      "/e 10.0.0.1(fsid=5) *                 | true  | 5",      // a client without fsid takes the export's
      "/e -fsid=5 10.0.0.1 *(ro)             | true  | 5",
      "/e 10.0.0.1(fsid=5) *(fsid=5,async)   | true  | 5",
      "/e *(fsid=5)\\n/e/ 10.0.0.1(async)    | true  | 5",      // merged lines
  })
  void syncAndFsidForTheBackend(String text, boolean sync, String fsid) throws Exception {
    ExportRule r = one(text.replace("\\n", "\n"));
    assertThat(r.sync()).isEqualTo(sync);
    assertThat(r.fsid() == null ? "" : Integer.toUnsignedString(r.fsid())).isEqualTo(fsid);
    assertThat(r.clients().get(0).access().readWrite()).isFalse();                  // sync/fsid leave the access alone
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "/e\\n/f myhost(rw)                 | 2 | client 'myhost': host names are not supported (tapnfs does no DNS)",
      "/e server.example.com              | 1 | host names are not supported",
      "/e @trusted(rw)                    | 1 | netgroups are not supported",
      "/e *.example.com(rw)               | 1 | host name wildcards are not supported",
      "/e fe80::1(rw)                     | 1 | IPv6 clients are not supported",
      "/e gss/krb5(rw)                    | 1 | gss/ clients are not supported",
      "/e 10.0.0.256(rw)                  | 1 | bad IPv4 address: 10.0.0.256",
      "/e 10.0.0(rw)                      | 1 | bad IPv4 address: 10.0.0",
      "/e 10.0.0.0/33                     | 1 | prefix length 33 > 32",
      "/e 10.0.0.0/255.0.255.0            | 1 | netmask 255.0.255.0 is not contiguous",
      "/e 10.0.0.0/                       | 1 | bad IPv4 address",
      "#c\\n\\n/e *(rw,frobnicate)        | 3 | unknown option 'frobnicate'",
      "/e *(rw,sec=krb5p)                 | 1 | sec=krb5p is not supported (sec=sys only)",
      "/e *(sec=sys:krb5)                 | 1 | sec=krb5 is not supported",
      "/e *(sec=)                         | 1 | sec= needs a flavor",
      "/e *(rw=1)                         | 1 | option 'rw' takes no value",
      "/e *(sync=yes)                     | 1 | option 'sync' takes no value",
      "/e *(anonuid=-2)                   | 1 | anonuid= needs a number 0..4294967294, got '-2'",
      "/e *(anongid=x)                    | 1 | anongid= needs a number",
      "/e *(anonuid=4294967296)           | 1 | anonuid=4294967296 is larger than 4294967294",
      "/e *(anonuid=4294967295)           | 1 | anonuid=4294967295 is (uid_t) -1, no id",
      "/e\\n/f *(rw,anongid=4294967295)    | 2 | anongid=4294967295 is (uid_t) -1, no id",
      "/e *(anonuid)                      | 1 | anonuid= needs a number",
      "/e *(fsid)                         | 1 | fsid= needs a value",
      "/e *(fsid=)                        | 1 | fsid= needs a value",
      "/e *(fsid=root)                    | 1 | fsid=root: only a number 0..4294967295 is supported (fsid=root marks",
      "/e *(fsid=7f2c0e6a-1d2b-4c3d-9e8f-001122334455) | 1 | only a number 0..4294967295 is supported (not a UUID)",
      "/e *(fsid=4294967296)              | 1 | fsid=4294967296: only a number 0..4294967295",
      "/e *(fsid=-1)                      | 1 | fsid=-1: only a number",
      "/e *(async=1)                      | 1 | option 'async' takes no value",
      "/e 10.0.0.1(fsid=1) *(fsid=2)      | 1 | fsid=2 for /e differs from fsid=1 earlier on this line",
      "/e *(fsid=1)\\n#x\\n/e/ 10.0.0.1(fsid=2) | 3 | fsid=2 for /e differs from fsid=1 on line 1",
      "/e -fsid=1 10.0.0.1 *(fsid=2)      | 1 | fsid=2 for /e differs from fsid=1 earlier on this line",
      "/e *(rw,,sync)                     | 1 | empty option in 'rw,,sync'",
      "/e *(rw, sync)                     | 1 | bad option list in '*(rw,' (no spaces inside the parentheses)",
      "/e *(rw)x                          | 1 | bad option list",
      "/e 10.0.0.1(rw) -ro                | 1 | default options '-ro' must come before the clients",
      "/e -bogus 10.0.0.1                 | 1 | unknown option 'bogus'",
      "relative *(rw)                     | 1 | export path 'relative' is not absolute",
      "/a/../b *(rw)                      | 1 | export path '/a/../b' has a '..' component",
      "/a/./b                             | 1 | has a '.' component",
      "\"/unterminated *(rw)              | 1 | unterminated quote",
      "/ok\\n/e \\\\\\n  bad.host \\\\\\n  10.0.0.1 | 2 | host names are not supported",
  })
  void errorsNameTheLine(String text, int line, String message) {
    String t = text.replace("\\n", "\n").replace("\\\\", "\\");
    assertThatThrownBy(() -> parse(t)).isInstanceOfSatisfying(ExportsException.class, e -> {
      assertThat(e.line()).isEqualTo(line);
      assertThat(e.source()).isEqualTo("exports");
      assertThat(e.getMessage()).startsWith("exports:" + line + ": ").contains(message);
    });
  }

  @Test void aPathOverMntpathlenIsRefusedAndOneAtItIsNot() throws Exception {
    String at = "/" + "a".repeat(1023), over = "/" + "a".repeat(1024);
    assertThat(one(at).path()).hasSize(1024);
    assertThatThrownBy(() -> parse(over)).isInstanceOf(ExportsException.class).hasMessageContaining("longer than 1024 bytes");
    String utf8 = "/" + "é".repeat(512);   // 1025 bytes in 513 characters
    assertThatThrownBy(() -> parse(utf8)).isInstanceOf(ExportsException.class).hasMessageContaining("longer than 1024 bytes");
  }

  @Test void limitsOnClientsAndExportsAreErrors() throws Exception {
    StringBuilder many = new StringBuilder("/e");
    for (int i = 0; i < ExportsFile.MAX_CLIENTS; i++) many.append(" 10.0.").append(i / 250).append('.').append(i % 250 + 1);
    assertThat(one(many.toString()).clients()).hasSize(ExportsFile.MAX_CLIENTS);
    assertThatThrownBy(() -> parse(many + " 10.9.9.9")).isInstanceOf(ExportsException.class).hasMessageContaining("more than 256 clients");
    StringBuilder paths = new StringBuilder();
    for (int i = 0; i <= ExportsFile.MAX_EXPORTS; i++) paths.append("/e").append(i).append('\n');
    assertThatThrownBy(() -> parse(paths.toString())).isInstanceOfSatisfying(ExportsException.class,
        e -> assertThat(e.line()).isEqualTo(ExportsFile.MAX_EXPORTS + 1));
    assertThatThrownBy(() -> parse("/e " + "x".repeat(ExportsFile.MAX_LINE_CHARS))).isInstanceOf(ExportsException.class)
        .hasMessageContaining("line longer than");
  }

  @Test void bareOptionsMeanEveryoneAndDashOptionsAreTheLinesDefaults() throws Exception {
    // exports(5)'s pitfall: "/e host (rw)" gives host the defaults and everyone rw
    ExportRule r = one("/e 10.0.0.1 (rw)");
    assertThat(r.access(ip("10.0.0.1"))).isEqualTo(ClientAccess.DEFAULT);
    assertThat(r.access(ip("10.7.7.7"))).isEqualTo(access(true, Squash.ROOT, 65534, 65534));
    ExportRule d = one("/e -rw,all_squash 10.0.0.1 10.0.0.2(ro) 10.0.0.3(no_all_squash)");
    assertThat(d.clients()).extracting(ClientRule::access).containsExactly(
        access(true, Squash.ALL, 65534, 65534), access(false, Squash.ALL, 65534, 65534), access(true, Squash.ROOT, 65534, 65534));
    assertThat(one("/e -rw").clients()).containsExactly(new ClientRule(ClientMatch.ANYONE, access(true, Squash.ROOT, 65534, 65534)));
  }

  @Test void cidrMatchingInBothSpellingsWithHostBitsCleared() throws Exception {
    ExportRule r = one("/e 10.0.0.77/24(rw) 172.16.0.0/255.240.0.0 192.0.2.1/32(rw,no_root_squash)");
    assertThat(r.clients()).extracting(c -> c.match().toString()).containsExactly("10.0.0.0/24", "172.16.0.0/12", "192.0.2.1/32");
    assertThat(r.access(ip("10.0.0.1")).readWrite()).isTrue();
    assertThat(r.access(ip("10.0.0.255")).readWrite()).isTrue();
    assertThat(r.access(ip("10.0.1.0"))).isNull();
    assertThat(r.access(ip("172.31.255.255"))).isEqualTo(ClientAccess.DEFAULT);
    assertThat(r.access(ip("172.32.0.0"))).isNull();
    assertThat(r.access(ip("192.0.2.1")).squash()).isEqualTo(Squash.NONE);
    assertThat(r.access(ip("192.0.2.2"))).isNull();
    assertThat(r.access(ip("::ffff:10.0.0.9")).readWrite()).isTrue();              // IPv4-mapped IPv6
    assertThat(r.access(ip("2001:db8::1"))).isNull();
    assertThat(one("/e 0.0.0.0/0(rw)").access(ip("203.0.113.9")).readWrite()).isTrue();
  }

  @Test void aHostBeatsANetworkBeatsStarWhateverTheLineOrderAndWithinAKindTheFirstWins() throws Exception {
    ExportRule r = one("/e *(ro,all_squash) 10.0.0.0/8(rw) 10.0.0.0/24(ro) 10.0.0.5(rw,no_root_squash) 10.0.0.5(ro)");
    assertThat(r.access(ip("10.0.0.5"))).isEqualTo(access(true, Squash.NONE, 65534, 65534));      // single host, first of two
    assertThat(r.access(ip("10.0.0.6"))).isEqualTo(access(true, Squash.ROOT, 65534, 65534));      // /8 written before /24
    assertThat(r.access(ip("10.200.0.1"))).isEqualTo(access(true, Squash.ROOT, 65534, 65534));
    assertThat(r.access(ip("192.168.1.1"))).isEqualTo(access(false, Squash.ALL, 65534, 65534));   // only *
    assertThat(r.byPrecedence()).extracting(c -> c.match().toString())
        .containsExactly("10.0.0.5", "10.0.0.5", "10.0.0.0/8", "10.0.0.0/24", "*");
    assertThat(one("/e 10.0.0.1(rw)").access(ip("10.0.0.2"))).isNull();
  }

  @Test void linesNamingOnePathAreMergedInFileOrder() throws Exception {
    List<ExportRule> l = parse("/e 10.0.0.1(rw)\n/f\n/e/ 10.0.0.2\n");
    assertThat(l).extracting(ExportRule::path).containsExactly("/e", "/f");
    assertThat(l.get(0).clients()).extracting(c -> c.match().toString()).containsExactly("10.0.0.1", "10.0.0.2");
  }

  @Test void pathsAreNormalized() {
    assertThat(ExportsFile.normalizePath("/")).isEqualTo("/");
    assertThat(ExportsFile.normalizePath("//")).isEqualTo("/");
    assertThat(ExportsFile.normalizePath("/a//b/")).isEqualTo("/a/b");
    assertThat(ExportsFile.normalizePath("/a/..b")).isEqualTo("/a/..b");
    assertThatThrownBy(() -> ExportsFile.normalizePath("/a\0b")).hasMessageContaining("NUL");
  }

  @Test void readsAFileAndRefusesOneTooLargeOrNotUtf8(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("exports");
    Files.writeString(f, "# x\n/srv/é 10.0.0.0/24(rw)\n", StandardCharsets.UTF_8);
    assertThat(ExportsFile.read(f)).extracting(ExportRule::path).containsExactly("/srv/é");
    Files.write(f, new byte[] {'/', 'a', (byte) 0xff, '\n'});
    assertThatThrownBy(() -> ExportsFile.read(f)).isInstanceOf(ExportsException.class).hasMessageContaining("not UTF-8");
    Files.write(f, new byte[ExportsFile.MAX_FILE_BYTES + 1]);
    assertThatThrownBy(() -> ExportsFile.read(f)).isInstanceOf(ExportsException.class).hasMessageContaining("larger than");
  }

  @Test void everyoneIsWhatDashDashExportBuilds() throws Exception {
    ExportRule r = ExportRule.everyone("/srv/x/", access(true, Squash.ROOT, 65534, 65534));
    assertThat(r.path()).isEqualTo("/srv/x");
    assertThat(r.access(ip("198.51.100.1")).readWrite()).isTrue();
    assertThatThrownBy(() -> ExportRule.everyone("srv", ClientAccess.DEFAULT)).isInstanceOf(IllegalArgumentException.class);
  }
}
