package io.tapnfs.portmap;

import static io.tapnfs.portmap.RpcbindClient.GARBAGE_ARGS;
import static io.tapnfs.portmap.RpcbindClient.PROC_UNAVAIL;
import static io.tapnfs.portmap.RpcbindClient.PROG_MISMATCH;
import static io.tapnfs.portmap.RpcbindClient.PROG_UNAVAIL;
import static io.tapnfs.portmap.xdr.Mapping.IPPROTO_TCP;
import static io.tapnfs.portmap.xdr.Mapping.IPPROTO_UDP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.portmap.RpcbindClient.Reply;
import io.tapnfs.portmap.xdr.Mapping;
import io.tapnfs.portmap.xdr.Netbuf;
import io.tapnfs.portmap.xdr.Pmaplist;
import io.tapnfs.portmap.xdr.Rpcb;
import io.tapnfs.portmap.xdr.RpcbEntry;
import io.tapnfs.portmap.xdr.RpcbEntryList;
import io.tapnfs.portmap.xdr.RpcbList;
import io.tapnfs.portmap.xdr.RpcbStat;
import io.tapnfs.portmap.xdr.RpcbStatByvers;
import io.tapnfs.portmap.xdr.RpcbsAddr;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every procedure of PMAP v2 and RPCBIND v3/v4 through the RpcDispatchable interface. */
class RpcbindTest {
  static final String ADDR = "10.73.0.2";
  static final Instant NOW = Instant.parse("2025-11-23T16:13:00Z");
  static final int NFS = 100003, MOUNT = 100005;
  /** Procedure numbers, RFC 1833. */
  static final int NULL = 0, SET = 1, UNSET = 2, GETPORT = 3, GETADDR = 3, DUMP = 4, CALLIT = 5,
      GETTIME = 6, UADDR2TADDR = 7, TADDR2UADDR = 8, GETVERSADDR = 9, INDIRECT = 10,
      GETADDRLIST = 11, GETSTAT = 12;

  Rpcbind rpcbind;
  RpcbindClient client;

  @BeforeEach
  void setUp() {
    rpcbind = new Rpcbind(ADDR, Clock.fixed(NOW, ZoneOffset.UTC),
        RpcbindConfig.defaults().withTransportNetid(FakeTransport::netidOf));
    client = new RpcbindClient(rpcbind);
  }

  static byte[] mapping(int prog, int vers, int prot, int port) {
    return Wire.encode(new Mapping(prog, vers, prot, port));
  }

  static byte[] rpcb(int prog, int vers, String netid) {
    return Wire.encode(new Rpcb(prog, vers, netid, "", ""));
  }

  static byte[] string(String s) {
    return Wire.xdr(x -> x.xdrEncodeString(s));
  }

  long counter(String name) {
    return rpcbind.counters().get(name);
  }

  /** NFS v3 on tcp and udp port 2049, MOUNT v3 on tcp 20048. */
  void registerNfs() {
    rpcbind.register(NFS, 3, "tcp", 2049, "tapnfs");
    rpcbind.register(NFS, 3, "udp", 2049, "tapnfs");
    rpcbind.register(MOUNT, 3, "tcp", 20048, "tapnfs");
  }

  // ------------------------------------------------------------------------------- NULL

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4})
  void nullAnswersVoidOnEveryVersion(int version) {
    client.call(version, NULL).assertVoid();
    assertThat(counter("nullCalls")).isEqualTo(1);
    assertThat(counter("calls")).isEqualTo(1);
  }

  // ------------------------------------------------------------------------------- table

  @Test
  void registersItselfAtConstruction() {
    assertThat(rpcbind.registrations()).containsExactly(
        new Registration(100000, 4, Netid.TCP, 111, "superuser"),
        new Registration(100000, 3, Netid.TCP, 111, "superuser"),
        new Registration(100000, 2, Netid.TCP, 111, "superuser"),
        new Registration(100000, 4, Netid.UDP, 111, "superuser"),
        new Registration(100000, 3, Netid.UDP, 111, "superuser"),
        new Registration(100000, 2, Netid.UDP, 111, "superuser"));
  }

  @Test
  void acceptsAnInet4AddressToo() throws Exception {
    var r = new Rpcbind((Inet4Address) InetAddress.getByAddress(new byte[] {10, 73, 0, 2}),
        Clock.systemUTC());
    assertThat(r.universalAddress(2049)).isEqualTo("10.73.0.2.8.1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.73.0", "localhost", "10.73.0.256", " 10.73.0.2", "::1"})
  void refusesAnAddressThatIsNotADottedQuad(String address) {
    assertThatThrownBy(() -> new Rpcbind(address, Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------------------- v2 GETPORT

  @Test
  void getportFindsAnInProcessRegistration() {
    registerNfs();
    assertThat(client.call(2, GETPORT, mapping(NFS, 3, IPPROTO_TCP, 0)).uint()).isEqualTo(2049);
    assertThat(client.call(2, GETPORT, mapping(NFS, 3, IPPROTO_UDP, 0)).uint()).isEqualTo(2049);
    assertThat(client.call(2, GETPORT, mapping(MOUNT, 3, IPPROTO_TCP, 0)).uint())
        .isEqualTo(20048);
    assertThat(client.call(2, GETPORT, mapping(100000, 2, IPPROTO_UDP, 0)).uint()).isEqualTo(111);
    assertThat(counter("getportCalls")).isEqualTo(4);
    assertThat(counter("addrFound")).isEqualTo(4);
  }

  @Test
  void getportAnswersZeroWhenNotRegistered() {
    registerNfs();
    assertThat(client.call(2, GETPORT, mapping(MOUNT, 3, IPPROTO_UDP, 0)).uint()).isZero();
    assertThat(client.call(2, GETPORT, mapping(100021, 4, IPPROTO_TCP, 0)).uint()).isZero();
    assertThat(client.call(2, GETPORT, mapping(NFS, 3, 132 /* SCTP */, 0)).uint()).isZero();
    assertThat(counter("addrNotFound")).isEqualTo(3);
  }

  @Test
  void getportGivesAnotherVersionsPortLikeLinux() {
    registerNfs();
    // Linux find_service_pmap: the client then learns the range from PROG_MISMATCH.
    assertThat(client.call(2, GETPORT, mapping(NFS, 4, IPPROTO_TCP, 0)).uint()).isEqualTo(2049);
  }

  @Test
  void getportFollowsUnregister() {
    registerNfs();
    rpcbind.unregister(NFS, 3, "tcp");
    assertThat(client.call(2, GETPORT, mapping(NFS, 3, IPPROTO_TCP, 0)).uint()).isZero();
    assertThat(client.call(2, GETPORT, mapping(NFS, 3, IPPROTO_UDP, 0)).uint()).isEqualTo(2049);
    assertThat(counter("unregistered")).isEqualTo(1);
  }

  // ------------------------------------------------------------------------------- GETADDR

  @ParameterizedTest
  @ValueSource(ints = {3, 4})
  void getaddrAnswersTheUniversalAddress(int version) {
    registerNfs();
    assertThat(client.call(version, GETADDR, rpcb(NFS, 3, "tcp")).string())
        .isEqualTo("10.73.0.2.8.1");
    assertThat(client.call(version, GETADDR, rpcb(MOUNT, 3, "tcp")).string())
        .isEqualTo("10.73.0.2.78.80");
    assertThat(client.call(version, GETADDR, rpcb(100000, version, "udp")).string())
        .isEqualTo("10.73.0.2.0.111");
    assertThat(counter("getaddrCalls")).isEqualTo(3);
  }

  @ParameterizedTest
  @CsvSource({"3, udp", "3, tcp6", "3, local", "4, udp6", "4, ''"})
  void getaddrAnswersEmptyWhenNotRegisteredOnThatNetid(int version, String netid) {
    rpcbind.register(MOUNT, 3, "tcp", 20048, "tapnfs");
    // '' on a udp transport: the transport's netid, where MOUNT is not registered.
    Reply r = client.call(new FakeTransport("udp"), Rpcbind.PROGRAM, version, GETADDR,
        rpcb(MOUNT, 3, netid));
    assertThat(r.string()).isEmpty();
    assertThat(counter("addrNotFound")).isEqualTo(1);
  }

  @Test
  void getaddrIgnoresTheCaseOfTheNetidLikeLinux() {
    registerNfs();
    assertThat(client.call(4, GETADDR, rpcb(NFS, 3, "TCP")).string()).isEqualTo("10.73.0.2.8.1");
  }

  @Test
  void getaddrHonoursTheNetidAskedForOverAnotherTransport() {
    rpcbind.register(MOUNT, 3, "tcp", 20048, "tapnfs");
    // RFC 1833 matches r_netid; Linux would look on the transport's netid (udp) and miss.
    Reply r = client.call(new FakeTransport("udp"), Rpcbind.PROGRAM, 4, GETADDR,
        rpcb(MOUNT, 3, "tcp"));
    assertThat(r.string()).isEqualTo("10.73.0.2.78.80");
  }

  @Test
  void getaddrWithEmptyNetidUsesTheTransportsNetid() {
    rpcbind.register(NFS, 3, "tcp", 2049, "tapnfs");
    rpcbind.register(NFS, 3, "udp", 3049, "tapnfs");
    assertThat(client.call(new FakeTransport("udp"), Rpcbind.PROGRAM, 3, GETADDR,
        rpcb(NFS, 3, "")).string()).isEqualTo("10.73.0.2.11.233");
    assertThat(client.call(new FakeTransport("tcp"), Rpcbind.PROGRAM, 3, GETADDR,
        rpcb(NFS, 3, "")).string()).isEqualTo("10.73.0.2.8.1");
    // Transport unknown: any netid, the first registered.
    assertThat(client.call(new FakeTransport(null), Rpcbind.PROGRAM, 3, GETADDR,
        rpcb(NFS, 3, "")).string()).isEqualTo("10.73.0.2.8.1");
  }

  @Test
  void getaddrIgnoresOwnerAndAddressHint() {
    registerNfs();
    byte[] args = Wire.encode(new Rpcb(NFS, 3, "tcp", "192.0.2.1.0.0", "someone"));
    assertThat(client.call(4, GETADDR, args).string()).isEqualTo("10.73.0.2.8.1");
  }

  @Test
  void getaddrFallsBackToAnotherVersionButGetversaddrDoesNot() {
    registerNfs();
    // RFC 1833 §2.1: GETVERSADDR is GETADDR "except that if the given version number is not
    // available, the address is not returned".
    assertThat(client.call(4, GETADDR, rpcb(NFS, 4, "tcp")).string()).isEqualTo("10.73.0.2.8.1");
    assertThat(client.call(4, GETVERSADDR, rpcb(NFS, 4, "tcp")).string()).isEmpty();
    assertThat(client.call(4, GETVERSADDR, rpcb(NFS, 3, "tcp")).string())
        .isEqualTo("10.73.0.2.8.1");
    assertThat(counter("getversaddrCalls")).isEqualTo(2);
  }

  @Test
  void getaddrFallbackPrefersTheLastRegisteredVersionLikeLinux() {
    rpcbind.register(NFS, 2, "tcp", 2002, "tapnfs");
    rpcbind.register(NFS, 4, "tcp", 2004, "tapnfs");
    assertThat(client.call(3, GETADDR, rpcb(NFS, 3, "tcp")).string())
        .isEqualTo(rpcbind.universalAddress(2004));
  }

  // ------------------------------------------------------------------------------- GETADDRLIST

  @Test
  void getaddrlistListsEveryNetidOfExactlyThatVersion() {
    registerNfs();
    rpcbind.register(NFS, 4, "tcp", 2049, "tapnfs");
    RpcbEntryList list = client.call(4, GETADDRLIST, rpcb(NFS, 3, "tcp"))
        .result(RpcbEntryList::decode);
    assertThat(list.entries()).containsExactly(
        new RpcbEntry("10.73.0.2.8.1", "tcp", RpcbEntry.NC_TPI_COTS_ORD, "inet", "tcp"),
        new RpcbEntry("10.73.0.2.8.1", "udp", RpcbEntry.NC_TPI_CLTS, "inet", "udp"));
    assertThat(counter("getaddrlistCalls")).isEqualTo(1);
  }

  @Test
  void getaddrlistIsEmptyForAMissingVersion() {
    registerNfs();
    assertThat(client.call(4, GETADDRLIST, rpcb(NFS, 2, "tcp")).result(RpcbEntryList::decode)
        .entries()).isEmpty();
    assertThat(counter("addrNotFound")).isEqualTo(1);
  }

  @Test
  void getaddrlistIsVersion4Only() {
    client.call(3, GETADDRLIST, rpcb(NFS, 3, "tcp")).assertAcceptedError(PROC_UNAVAIL);
  }

  // ------------------------------------------------------------------------------- DUMP

  @Test
  void dumpV2ListsOwnEntriesThenRegistrations() {
    registerNfs();
    Pmaplist list = client.call(2, DUMP).result(Pmaplist::decode);
    assertThat(list.entries()).containsExactly(
        new Mapping(100000, 4, IPPROTO_TCP, 111),
        new Mapping(100000, 3, IPPROTO_TCP, 111),
        new Mapping(100000, 2, IPPROTO_TCP, 111),
        new Mapping(100000, 4, IPPROTO_UDP, 111),
        new Mapping(100000, 3, IPPROTO_UDP, 111),
        new Mapping(100000, 2, IPPROTO_UDP, 111),
        new Mapping(NFS, 3, IPPROTO_TCP, 2049),
        new Mapping(NFS, 3, IPPROTO_UDP, 2049),
        new Mapping(MOUNT, 3, IPPROTO_TCP, 20048));
    assertThat(counter("dumpCalls")).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 4})
  void dumpV3V4ListsUniversalAddressesAndOwners(int version) {
    registerNfs();
    rpcbind.register(100024, 1, "udp", 662, "statd");
    RpcbList list = client.call(version, DUMP).result(RpcbList::decode);
    assertThat(list.entries()).hasSize(10);
    assertThat(list.entries().subList(0, 6)).allSatisfy(e -> {
      assertThat(e.prog()).isEqualTo(100000);
      assertThat(e.addr()).isEqualTo("10.73.0.2.0.111");
      assertThat(e.owner()).isEqualTo("superuser");
    });
    assertThat(list.entries().subList(6, 10)).containsExactly(
        new Rpcb(NFS, 3, "tcp", "10.73.0.2.8.1", "tapnfs"),
        new Rpcb(NFS, 3, "udp", "10.73.0.2.8.1", "tapnfs"),
        new Rpcb(MOUNT, 3, "tcp", "10.73.0.2.78.80", "tapnfs"),
        new Rpcb(100024, 1, "udp", "10.73.0.2.2.150", "statd"));
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4})
  void dumpOverUdpIsRefusedByDefault(int version) {
    Reply r = client.call(new FakeTransport("udp"), Rpcbind.PROGRAM, version, DUMP, new byte[0]);
    r.assertAcceptedError(PROC_UNAVAIL);
    assertThat(counter("dumpUdpRefused")).isEqualTo(1);
  }

  @Test
  void dumpOverUdpWhenAllowed() {
    var open = new Rpcbind(ADDR, Clock.systemUTC(), RpcbindConfig.defaults()
        .withTransportNetid(FakeTransport::netidOf).withDumpOverUdp(true));
    Reply r = new RpcbindClient(open).call(new FakeTransport("udp"), Rpcbind.PROGRAM, 2, DUMP,
        new byte[0]);
    assertThat(r.result(Pmaplist::decode).entries()).hasSize(6);
    assertThat(open.counter(RpcbindStat.DUMP_UDP_REFUSED)).isZero();
  }

  // ------------------------------------------------------------------------------- GETTIME

  @ParameterizedTest
  @ValueSource(ints = {3, 4})
  void gettimeAnswersSecondsSinceTheEpoch(int version) {
    assertThat(client.call(version, GETTIME).uint()).isEqualTo(NOW.getEpochSecond());
    assertThat(counter("gettimeCalls")).isEqualTo(1);
  }

  @Test
  void gettimeIsAnUnsignedIntPast2038() {
    Instant later = Instant.parse("2100-01-01T00:00:00Z");
    var r = new Rpcbind(ADDR, Clock.fixed(later, ZoneOffset.UTC));
    assertThat(new RpcbindClient(r).call(4, GETTIME).uint()).isEqualTo(later.getEpochSecond());
  }

  @Test
  void gettimeIsNotInVersion2() {
    client.call(2, GETTIME).assertAcceptedError(PROC_UNAVAIL);
  }

  // ------------------------------------------------------------------------------- UADDR/TADDR

  @ParameterizedTest
  @ValueSource(ints = {3, 4})
  void uaddr2taddrGivesALinuxSockaddrIn(int version) {
    Netbuf taddr = client.call(version, UADDR2TADDR, string("10.73.0.2.8.1"))
        .result(Netbuf::decode);
    assertThat(taddr.maxlen()).isEqualTo(16);
    assertThat(taddr.buf()).containsExactly(
        2, 0, 8, 1, 10, 73, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0);
    assertThat(counter("uaddr2taddrCalls")).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.73.0.2.8.1", "0.0.0.0.0.0", "255.255.255.255.255.255",
      "192.0.2.33.0.111"})
  void uaddrTaddrRoundTrip(String uaddr) {
    Netbuf taddr = client.call(4, UADDR2TADDR, string(uaddr)).result(Netbuf::decode);
    assertThat(client.call(4, TADDR2UADDR, Wire.encode(taddr)).string()).isEqualTo(uaddr);
    assertThat(counter("badUaddr") + counter("badTaddr")).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "10.73.0.2.8", "10.73.0.2.8.1.1", "10.73.0.2.8.256",
      "10.73.0.2.8.-1", "10.73..2.8.1", "::1.0.111", "ten.73.0.2.8.1", "10.73.0.2.8.1 ",
      "0010.73.0.2.8.1"})
  void uaddr2taddrOfAMalformedAddressIsAnEmptyNetbuf(String uaddr) {
    Netbuf taddr = client.call(3, UADDR2TADDR, string(uaddr)).result(Netbuf::decode);
    assertThat(taddr).isEqualTo(Netbuf.EMPTY);
    assertThat(counter("badUaddr")).isEqualTo(1);
  }

  @Test
  void taddr2uaddrAcceptsBsdAndBigEndianFamilies() {
    byte[] bsd = {16, 2, 8, 1, 10, 73, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0};
    byte[] be = {0, 2, 8, 1, 10, 73, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0};
    assertThat(client.call(3, TADDR2UADDR, Wire.encode(new Netbuf(16, bsd))).string())
        .isEqualTo("10.73.0.2.8.1");
    assertThat(client.call(3, TADDR2UADDR, Wire.encode(new Netbuf(16, be))).string())
        .isEqualTo("10.73.0.2.8.1");
  }

  @Test
  void taddr2uaddrOfSomethingElseIsEmpty() {
    byte[] inet6 = new byte[28];
    inet6[0] = 10;                                   // AF_INET6, little-endian
    byte[] shortInet = {2, 0, 8, 1, 10, 73, 0, 2};
    assertThat(client.call(4, TADDR2UADDR, Wire.encode(new Netbuf(28, inet6))).string()).isEmpty();
    assertThat(client.call(4, TADDR2UADDR, Wire.encode(new Netbuf(8, shortInet))).string())
        .isEmpty();
    assertThat(counter("badTaddr")).isEqualTo(2);
  }

  // ------------------------------------------------------------------------------- GETSTAT

  @Test
  void getstatCountsPerVersion() {
    registerNfs();
    client.call(2, NULL);
    client.call(2, GETPORT, mapping(NFS, 3, IPPROTO_TCP, 0));
    client.call(2, GETPORT, mapping(NFS, 3, IPPROTO_TCP, 0));
    client.call(2, GETPORT, mapping(MOUNT, 1, IPPROTO_UDP, 0));
    client.call(2, SET, mapping(NFS, 2, IPPROTO_TCP, 2049));
    client.call(3, GETADDR, rpcb(NFS, 3, "udp"));
    client.call(3, GETTIME);
    client.call(4, GETADDR, rpcb(NFS, 3, "tcp"));
    client.call(4, GETVERSADDR, rpcb(NFS, 4, "tcp"));
    client.call(4, 99);                              // beyond rpcb_highproc_4: not counted

    RpcbStatByvers all = client.call(4, GETSTAT).result(RpcbStatByvers::decode);

    RpcbStat v2 = all.version(2);
    assertThat(v2.info()).containsExactly(1, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    assertThat(v2.setinfo()).as("refused SETs are not successful ones").isZero();
    assertThat(v2.addrinfo()).containsExactly(
        new RpcbsAddr(NFS, 3, 2, 0, "tcp"),
        new RpcbsAddr(MOUNT, 1, 0, 1, "udp"));
    assertThat(v2.rmtinfo()).isEmpty();

    RpcbStat v3 = all.version(3);
    assertThat(v3.info()).containsExactly(0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0);
    assertThat(v3.addrinfo()).containsExactly(new RpcbsAddr(NFS, 3, 1, 0, "udp"));

    RpcbStat v4 = all.version(4);
    assertThat(v4.info()).as("GETSTAT counts itself on arrival")
        .containsExactly(0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1);
    assertThat(v4.addrinfo()).containsExactly(
        new RpcbsAddr(NFS, 3, 1, 0, "tcp"), new RpcbsAddr(NFS, 4, 0, 1, "tcp"));
    assertThat(counter("getstatCalls")).isEqualTo(1);
    assertThat(rpcbind.statistics()).as("local view equals the wire").isEqualTo(all);
  }

  @Test
  void getstatKeepsABoundedNumberOfQuestions() {
    var small = new Rpcbind(ADDR, Clock.systemUTC(), RpcbindConfig.defaults().withMaxAddrStats(2));
    var c = new RpcbindClient(small);
    for (int prog = 1; prog <= 5; prog++) c.call(2, GETPORT, mapping(prog, 1, IPPROTO_TCP, 0));
    c.call(2, GETPORT, mapping(1, 1, IPPROTO_TCP, 0));   // a kept key still counts

    RpcbStat v2 = c.call(4, GETSTAT).result(RpcbStatByvers::decode).version(2);
    assertThat(v2.addrinfo()).containsExactly(
        new RpcbsAddr(1, 1, 0, 2, "tcp"), new RpcbsAddr(2, 1, 0, 1, "tcp"));
    assertThat(small.counter(RpcbindStat.ADDR_STATS_FULL)).isEqualTo(3);
  }

  @Test
  void getstatIsVersion4Only() {
    client.call(3, GETSTAT).assertAcceptedError(PROC_UNAVAIL);
  }

  // ------------------------------------------------------------------------------- SET/UNSET

  @Test
  void networkSetV2IsRefusedAndChangesNothing() {
    List<Registration> before = rpcbind.registrations();
    assertThat(client.call(2, SET, mapping(NFS, 3, IPPROTO_TCP, 2049)).bool()).isFalse();
    assertThat(rpcbind.registrations()).isEqualTo(before);
    assertThat(client.call(2, GETPORT, mapping(NFS, 3, IPPROTO_TCP, 0)).uint()).isZero();
    assertThat(counter("setRefused")).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 4})
  void networkSetV3V4IsRefused(int version) {
    byte[] args = Wire.encode(new Rpcb(NFS, 3, "tcp", "10.73.0.2.8.1", "mallory"));
    assertThat(client.call(version, SET, args).bool()).isFalse();
    assertThat(client.call(version, GETADDR, rpcb(NFS, 3, "tcp")).string()).isEmpty();
    assertThat(counter("setRefused")).isEqualTo(1);
  }

  @Test
  void networkUnsetIsRefusedOnEveryVersionAndTheMappingStays() {
    registerNfs();
    List<Registration> before = rpcbind.registrations();
    assertThat(client.call(2, UNSET, mapping(NFS, 3, 0, 0)).bool()).isFalse();
    assertThat(client.call(3, UNSET, rpcb(NFS, 3, "tcp")).bool()).isFalse();
    assertThat(client.call(4, UNSET, rpcb(NFS, 3, "")).bool()).isFalse();
    assertThat(client.call(4, UNSET, rpcb(100000, 4, "tcp")).bool()).isFalse();
    assertThat(rpcbind.registrations()).isEqualTo(before);
    assertThat(client.call(2, GETPORT, mapping(NFS, 3, IPPROTO_TCP, 0)).uint()).isEqualTo(2049);
    assertThat(counter("unsetRefused")).isEqualTo(4);
    assertThat(counter("unregistered")).isZero();
  }

  @Test
  void malformedSetIsGarbageNotRefusal() {
    client.call(2, SET, Wire.words(NFS, 3, IPPROTO_TCP)).assertAcceptedError(GARBAGE_ARGS);
    assertThat(counter("setRefused")).isZero();
    assertThat(counter("garbageArgs")).isEqualTo(1);
  }

  // ------------------------------------------------------------------------------- CALLIT

  @ParameterizedTest
  @CsvSource({"2, 5", "3, 5", "4, 5", "4, 10"})   // CALLIT, CALLIT, BCAST, INDIRECT
  void remoteCallsAreRefusedWithProcUnavail(int version, int proc) {
    rpcbind.register(MOUNT, 3, "udp", 20048, "tapnfs");
    // rpcb_rmtcallargs: MOUNTPROC_NULL of MOUNT v3, no arguments.
    byte[] args = Wire.words(MOUNT, 3, 0, 0);
    Reply r = client.call(new FakeTransport("udp"), Rpcbind.PROGRAM, version, proc, args);
    r.assertAcceptedError(PROC_UNAVAIL);
    assertThat(counter("callitRefused")).isEqualTo(1);
    assertThat(counter("procUnavail")).as("not counted as an unknown procedure").isZero();
  }

  @Test
  void remoteCallRefusalIsSmallerThanTheCall() {
    var udp = new FakeTransport("udp");
    client.call(udp, Rpcbind.PROGRAM, 2, CALLIT, Wire.words(MOUNT, 3, 0, 0))
        .assertAcceptedError(PROC_UNAVAIL);
    int callBytes = 40 + 16;   // header with AUTH_NONE, then prog, vers, proc, empty args
    // xid, REPLY, MSG_ACCEPTED, AUTH_NONE verifier (2 words), PROC_UNAVAIL: no amplification
    assertThat(udp.sent.get(0)).hasSize(24);
    assertThat(udp.sent.get(0).length).isLessThan(callBytes);
  }

  @Test
  void remoteCallsAreRefusedEvenWithGarbageArguments() {
    client.call(2, CALLIT, new byte[] {1, 2, 3}).assertAcceptedError(PROC_UNAVAIL);
    assertThat(counter("garbageArgs")).isZero();
    assertThat(counter("callitRefused")).isEqualTo(1);
  }

  // ------------------------------------------------------------------------------- errors

  @ParameterizedTest
  @CsvSource({
      "2, 3, truncated mapping",
      "3, 3, rpcb without owner",
      "4, 9, rpcb without owner",
      "4, 11, rpcb without owner",
      "3, 7, string without its bytes",
      "4, 8, netbuf without buf"})
  void truncatedArgumentsAreGarbage(int version, int proc, String what) {
    byte[] args = switch (what) {
      case "truncated mapping" -> Wire.words(NFS, 3, IPPROTO_TCP);
      case "rpcb without owner" -> Wire.words(NFS, 3, 3, 0x74637000, 0);
      case "string without its bytes" -> Wire.words(13);
      case "netbuf without buf" -> Wire.words(16);
      default -> throw new IllegalArgumentException(what);
    };
    client.call(version, proc, args).assertAcceptedError(GARBAGE_ARGS);
    assertThat(counter("garbageArgs")).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(ints = {0x7fffffff, -1, 33, 0x10000})
  void overlongNetidIsGarbageBeforeAnyAllocation(int length) {
    // A 2 GiB length in a 52-byte call: bounded before allocating (CVE-2017-8779 "rpcbomb").
    client.call(4, GETADDR, Wire.words(NFS, 3, length, 0, 0, 0))
        .assertAcceptedError(GARBAGE_ARGS);
    assertThat(counter("garbageArgs")).isEqualTo(1);
  }

  @Test
  void unpaddedStringIsGarbage() {
    byte[] unpadded = {0, 0, 0, 3, 't', 'c', 'p'};
    client.call(3, UADDR2TADDR, unpadded).assertAcceptedError(GARBAGE_ARGS);
  }

  @Test
  void overlongNetbufIsGarbage() {
    byte[] args = Wire.xdr(x -> {
      x.xdrEncodeInt(200);
      x.xdrEncodeDynamicOpaque(new byte[200]);
    });
    client.call(4, TADDR2UADDR, args).assertAcceptedError(GARBAGE_ARGS);
  }

  @ParameterizedTest
  @CsvSource({"2, 6", "2, 12", "3, 9", "3, 12", "4, 13", "4, 2147483647", "4, -1"})
  void unknownProceduresAreProcUnavail(int version, int proc) {
    client.call(version, proc).assertAcceptedError(PROC_UNAVAIL);
    assertThat(counter("procUnavail")).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 5, 100, -1})
  void otherVersionsArePROG_MISMATCHTwoToFour(int version) {
    Reply r = client.call(version, NULL);
    r.assertAcceptedError(PROG_MISMATCH);
    assertThat(r.body()).containsExactly(Wire.words(2, 4));   // mismatch_info low, high
    assertThat(counter("progMismatch")).isEqualTo(1);
  }

  @Test
  void anotherProgramIsProgUnavail() {
    client.call(new FakeTransport("tcp"), NFS, 3, 0, new byte[0])
        .assertAcceptedError(PROG_UNAVAIL);
    assertThat(counter("progUnavail")).isEqualTo(1);
  }

  // ------------------------------------------------------------------------------- registry

  @Test
  void registrationIsCappedAndCounted() {
    var small = new Rpcbind(ADDR, Clock.systemUTC(),
        RpcbindConfig.defaults().withMaxRegistrations(2));
    small.register(NFS, 3, "tcp", 2049, "tapnfs");
    small.register(NFS, 3, "udp", 2049, "tapnfs");
    assertThatThrownBy(() -> small.register(MOUNT, 3, "tcp", 20048, "tapnfs"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("full");
    assertThat(small.registrations()).hasSize(6 + 2);
    assertThat(small.counter(RpcbindStat.REGISTER_FULL)).isEqualTo(1);

    small.register(NFS, 3, "tcp", 3049, "tapnfs");             // replacing fits at the cap
    small.unregister(NFS, 3, "udp");
    small.register(MOUNT, 3, "tcp", 20048, "tapnfs");          // room again
    assertThat(small.registrations().subList(6, 8)).containsExactly(
        new Registration(NFS, 3, Netid.TCP, 3049, "tapnfs"),
        new Registration(MOUNT, 3, Netid.TCP, 20048, "tapnfs"));
    assertThat(small.counter(RpcbindStat.REGISTERED)).isEqualTo(4);
    assertThat(small.counter(RpcbindStat.REPLACED)).isEqualTo(1);
  }

  @Test
  void theLastRegistrationOfAKeyWins() {
    rpcbind.register(NFS, 3, "tcp", 2049, "tapnfs");
    rpcbind.register(NFS, 3, "TCP", 3049, "tapnfs2");
    assertThat(client.call(2, GETPORT, mapping(NFS, 3, IPPROTO_TCP, 0)).uint()).isEqualTo(3049);
    assertThat(rpcbind.registrations()).hasSize(7)
        .contains(new Registration(NFS, 3, Netid.TCP, 3049, "tapnfs2"));
  }

  @Test
  void unregisterOfWhatIsNotThereIsANoOp() {
    registerNfs();
    List<Registration> before = rpcbind.registrations();
    rpcbind.unregister(NFS, 4, "tcp");
    rpcbind.unregister(NFS, 3, "tcp6");
    assertThat(rpcbind.registrations()).isEqualTo(before);
    assertThat(counter("unregistered")).isZero();
  }

  @ParameterizedTest
  @CsvSource({
      "100000, tcp, 111, tapnfs",
      "100003, tcp6, 2049, tapnfs",
      "100003, rdma, 20049, tapnfs",
      "100003, tcp, 0, tapnfs",
      "100003, tcp, 65536, tapnfs",
      "100003, tcp, 2049, tap\tnfs",
      "100003, tcp, 2049, 0123456789012345678901234567890123456789012345678901234567890123"})
  void registerRejectsBadArguments(int program, String netid, int port, String owner) {
    assertThatThrownBy(() -> rpcbind.register(program, 3, netid, port, owner))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(rpcbind.registrations()).hasSize(6);
  }

  @Test
  void rpcbindsOwnEntriesCannotBeUnregistered() {
    assertThatThrownBy(() -> rpcbind.unregister(100000, 2, "udp"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(rpcbind.registrations()).hasSize(6);
  }

  @Test
  void countersHaveTheirMibNames() {
    assertThat(rpcbind.counters()).containsKeys("calls", "setRefused", "unsetRefused",
        "callitRefused", "garbageArgs", "procUnavail", "progMismatch", "getportCalls",
        "getaddrCalls", "uaddr2taddrCalls", "registered", "registerFull", "addrStatsFull");
    assertThat(rpcbind.counters()).hasSize(RpcbindStat.values().length);
    assertThat(rpcbind.counters().values()).allMatch(v -> v == 0);
  }
}
