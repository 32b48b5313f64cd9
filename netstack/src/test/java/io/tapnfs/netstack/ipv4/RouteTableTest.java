package io.tapnfs.netstack.ipv4;

import static io.tapnfs.netstack.ipv4.Route.Kind.CONNECTED;
import static io.tapnfs.netstack.ipv4.Route.Kind.DEFAULT_GATEWAY;
import static io.tapnfs.netstack.ipv4.Route.Kind.STATIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RouteTableTest {
  static final Ipv4Address ANY = Ipv4Address.ANY;

  static Ipv4Address ip(String s) { return Ipv4Address.parse(s); }

  static Route route(String cidr, String gw, Route.Kind kind, int metric) {
    return new Route(Ipv4Cidr.parse(cidr), gw == null ? ANY : ip(gw), kind, metric);
  }

  static final List<Route> NESTED = List.of(
      route("0.0.0.0/0", "10.0.0.1", DEFAULT_GATEWAY, 0),
      route("10.0.0.0/8", "10.0.0.8", STATIC, 0),
      route("10.1.0.0/16", "10.0.0.16", STATIC, 0),
      route("10.1.2.0/24", null, CONNECTED, 0),
      route("10.1.2.3/32", "10.0.0.32", STATIC, 0),
      route("128.0.0.0/1", "10.0.0.128", STATIC, 0));

  /** Longest prefix wins whatever the insertion order (RFC 1812 §5.2.4.3). */
  @ParameterizedTest(name = "{0} -> {1}, next hop {2}")
  @CsvSource({
      "10.1.2.3,        10.1.2.3/32,  10.0.0.32",
      "10.1.2.4,        10.1.2.0/24,  10.1.2.4",
      "10.1.2.255,      10.1.2.0/24,  10.1.2.255",
      "10.1.3.1,        10.1.0.0/16,  10.0.0.16",
      "10.2.0.1,        10.0.0.0/8,   10.0.0.8",
      "10.255.255.255,  10.0.0.0/8,   10.0.0.8",
      "11.0.0.1,        0.0.0.0/0,    10.0.0.1",
      "9.255.255.255,   0.0.0.0/0,    10.0.0.1",
      "0.0.0.0,         0.0.0.0/0,    10.0.0.1",
      "127.255.255.255, 0.0.0.0/0,    10.0.0.1",
      "128.0.0.0,       128.0.0.0/1,  10.0.0.128",
      "255.255.255.255, 128.0.0.0/1,  10.0.0.128",
  })
  void longestPrefixMatch(String dst, String expectDestination, String expectNextHop) {
    for (long seed = 0; seed < 5; seed++) {
      List<Route> rs = new ArrayList<>(NESTED);
      Collections.shuffle(rs, new Random(seed));
      RouteTable t = new RouteTable();
      rs.forEach(t::add);
      Route r = t.lookup(ip(dst)).orElseThrow();
      assertThat(r.destination()).as("seed %d", seed).isEqualTo(Ipv4Cidr.parse(expectDestination));
      assertThat(r.nextHop(ip(dst))).isEqualTo(ip(expectNextHop));
    }
  }

  @Test void routesAreListedLongestPrefixFirst() {
    RouteTable t = new RouteTable();
    NESTED.forEach(t::add);
    assertThat(t.routes()).extracting(r -> r.destination().prefixLength()).containsExactly(32, 24, 16, 8, 1, 0);
    assertThat(t.size()).isEqualTo(6);
    assertThatThrownBy(() -> t.routes().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test void lowerMetricWinsAmongEqualPrefixesThenTheFirstAdded() {
    RouteTable t = new RouteTable();
    t.add(route("0.0.0.0/0", "10.0.0.1", DEFAULT_GATEWAY, 100));
    t.add(route("0.0.0.0/0", "10.0.0.2", STATIC, 50));
    assertThat(t.lookup(ip("8.8.8.8")).orElseThrow().gateway()).isEqualTo(ip("10.0.0.2"));

    RouteTable tie = new RouteTable();
    tie.add(route("192.168.0.0/16", "10.0.0.3", STATIC, 7));
    tie.add(route("192.168.0.0/16", null, CONNECTED, 7));
    assertThat(tie.lookup(ip("192.168.1.1")).orElseThrow().kind()).isEqualTo(STATIC);
    assertThat(tie.routes()).extracting(Route::kind).containsExactly(STATIC, CONNECTED);

    // a longer prefix beats any metric
    t.add(route("8.0.0.0/8", "10.0.0.9", STATIC, 1_000));
    assertThat(t.lookup(ip("8.8.8.8")).orElseThrow().gateway()).isEqualTo(ip("10.0.0.9"));
  }

  @Test void addReplacesTheRouteWithTheSameDestinationAndKindInPlace() {
    RouteTable t = new RouteTable();
    Route first = route("0.0.0.0/0", "10.0.0.1", STATIC, 0);
    assertThat(t.add(first)).isEmpty();
    assertThat(t.add(route("0.0.0.0/0", "10.0.0.5", DEFAULT_GATEWAY, 0))).isEmpty();
    assertThat(t.add(route("0.0.0.0/0", "10.0.0.2", STATIC, 0))).contains(first);
    assertThat(t.size()).isEqualTo(2);
    // it kept the first route's rank among equal metrics
    assertThat(t.lookup(ip("1.2.3.4")).orElseThrow().gateway()).isEqualTo(ip("10.0.0.2"));
    // and a worse metric demotes it
    t.add(route("0.0.0.0/0", "10.0.0.2", STATIC, 9));
    assertThat(t.lookup(ip("1.2.3.4")).orElseThrow().gateway()).isEqualTo(ip("10.0.0.5"));
  }

  @Test void redirectStyleHostRoutesReplaceEachOther() {
    RouteTable t = new RouteTable();
    t.add(route("10.0.0.0/24", null, CONNECTED, 0));
    t.add(route("0.0.0.0/0", "10.0.0.1", DEFAULT_GATEWAY, 0));
    Ipv4Address target = ip("198.51.100.9");
    t.add(new Route(new Ipv4Cidr(target, 32), ip("10.0.0.3"), STATIC, 0));
    t.add(new Route(new Ipv4Cidr(target, 32), ip("10.0.0.4"), STATIC, 0));
    assertThat(t.lookup(target).orElseThrow().nextHop(target)).isEqualTo(ip("10.0.0.4"));
    assertThat(t.lookup(ip("198.51.100.10")).orElseThrow().nextHop(ip("198.51.100.10"))).isEqualTo(ip("10.0.0.1"));
    assertThat(t.size()).isEqualTo(3);
  }

  @Test void removeFallsBackToTheNextLongestPrefix() {
    RouteTable t = new RouteTable();
    NESTED.forEach(t::add);
    Route host = route("10.1.2.3/32", "10.0.0.32", STATIC, 0);
    assertThat(t.remove(route("10.1.2.3/32", "10.0.0.99", STATIC, 0))).isFalse();   // not exactly that one
    assertThat(t.remove(host)).isTrue();
    assertThat(t.remove(host)).isFalse();
    assertThat(t.lookup(ip("10.1.2.3")).orElseThrow().kind()).isEqualTo(CONNECTED);
    assertThat(t.remove(Ipv4Cidr.parse("10.1.2.77/24"), CONNECTED)).hasValueSatisfying(
        r -> assertThat(r.destination()).isEqualTo(Ipv4Cidr.parse("10.1.2.0/24")));
    assertThat(t.remove(Ipv4Cidr.parse("10.1.2.0/24"), CONNECTED)).isEmpty();
    assertThat(t.lookup(ip("10.1.2.3")).orElseThrow().destination()).isEqualTo(Ipv4Cidr.parse("10.1.0.0/16"));
    assertThat(t.remove(Ipv4Cidr.parse("0.0.0.0/0"), STATIC)).isEmpty();      // that one is DEFAULT_GATEWAY
    t.remove(Ipv4Cidr.parse("0.0.0.0/0"), DEFAULT_GATEWAY);
    t.remove(Ipv4Cidr.parse("128.0.0.0/1"), STATIC);
    assertThat(t.lookup(ip("11.0.0.1"))).isEmpty();
    assertThat(t.size()).isEqualTo(2);
  }

  @Test void hostRouteMatchesOnlyItsHost() {
    RouteTable t = new RouteTable();
    t.add(route("203.0.113.5/32", "10.0.0.1", STATIC, 0));
    assertThat(t.lookup(ip("203.0.113.5"))).isPresent();
    assertThat(t.lookup(ip("203.0.113.4"))).isEmpty();
    assertThat(t.lookup(ip("203.0.113.6"))).isEmpty();
  }

  @ParameterizedTest @ValueSource(strings = {"0.0.0.0", "1.2.3.4", "10.0.0.1", "255.255.255.255"})
  void defaultRouteOnlyCoversEverything(String dst) {
    RouteTable t = new RouteTable();
    t.add(route("0.0.0.0/0", "10.0.0.1", DEFAULT_GATEWAY, 0));
    assertThat(t.lookup(ip(dst)).orElseThrow().nextHop(ip(dst))).isEqualTo(ip("10.0.0.1"));
  }

  @Test void noRoute() {
    RouteTable t = new RouteTable();
    assertThat(t.lookup(ip("1.1.1.1"))).isEmpty();
    assertThat(t.routes()).isEmpty();
    t.add(route("10.0.0.0/8", null, CONNECTED, 0));
    assertThat(t.lookup(ip("11.0.0.1"))).isEmpty();
    assertThat(t.lookup(ip("9.255.255.255"))).isEmpty();
  }

  @Test void destinationIsNormalisedToItsNetwork() {
    Route r = route("10.1.2.3/16", "10.0.0.1", STATIC, 0);
    assertThat(r.destination()).isEqualTo(Ipv4Cidr.parse("10.1.0.0/16"));
    assertThat(r).isEqualTo(route("10.1.0.0/16", "10.0.0.1", STATIC, 0));
    RouteTable t = new RouteTable();
    t.add(r);
    assertThat(t.lookup(ip("10.1.200.1"))).contains(r);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "10.0.0.0/24 connected metric 0,            10.0.0.9/24,    ,          CONNECTED,       0",
      "default via 10.0.0.1 metric 0,             0.0.0.0/0,      10.0.0.1,  DEFAULT_GATEWAY, 0",
      "192.168.0.0/16 via 10.0.0.2 static metric 5, 192.168.0.0/16, 10.0.0.2,  STATIC,          5",
      "172.16.0.0/12 static metric 0,             172.16.0.0/12,  ,          STATIC,          0",
  })
  void printsLikeIpRoute(String expected, String cidr, String gw, Route.Kind kind, int metric) {
    assertThat(route(cidr, gw, kind, metric)).hasToString(expected);
  }

  @Test void nextHopIsTheGatewayOrTheDestination() {
    assertThat(route("0.0.0.0/0", "10.0.0.1", DEFAULT_GATEWAY, 0).nextHop(ip("8.8.8.8"))).isEqualTo(ip("10.0.0.1"));
    assertThat(route("10.0.0.0/24", null, CONNECTED, 0).nextHop(ip("10.0.0.7"))).isEqualTo(ip("10.0.0.7"));
    assertThat(new Route(Ipv4Cidr.parse("10.0.0.0/24"), null, CONNECTED, 0).gateway()).isEqualTo(ANY);
  }

  @Test void invalidRoutesAreRefused() {
    assertThatThrownBy(() -> route("10.0.0.0/24", "10.0.0.1", CONNECTED, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> route("10.0.0.0/24", "10.0.0.1", STATIC, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Route(null, ANY, STATIC, 0)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Route(Ipv4Cidr.parse("10.0.0.0/8"), ANY, null, 0)).isInstanceOf(NullPointerException.class);
  }
}
