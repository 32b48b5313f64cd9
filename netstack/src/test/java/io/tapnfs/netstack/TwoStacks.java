package io.tapnfs.netstack;

import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.ipv4.Ipv4Cidr;
import io.tapnfs.netstack.link.Impairments;
import io.tapnfs.netstack.link.MemoryLink;
import java.io.IOException;
import java.time.Duration;

/**
 * Two manual stacks joined by an in-memory cable, on one manual clock: {@link #settle} runs both
 * until nothing is left to do, jumping the clock to the next timer or delivery, so tests are
 * deterministic and never sleep.
 */
final class TwoStacks implements AutoCloseable {
  static final Ipv4Address A_IP = Ipv4Address.parse("10.9.0.1"), B_IP = Ipv4Address.parse("10.9.0.2");
  final ManualClock clock = new ManualClock();
  final MemoryLink[] links;
  final Stack a, b;

  TwoStacks(Impairments aToB, Impairments bToA) {
    this(aToB, bToA, new StackSettings(), new StackSettings());
  }

  TwoStacks(Impairments aToB, Impairments bToA, StackSettings sa, StackSettings sb) {
    this(aToB, bToA, sa, sb, 0);
  }

  /** @param gsoMaxFrame both ends offer segmentation offload for frames this large (0: none) */
  TwoStacks(Impairments aToB, Impairments bToA, StackSettings sa, StackSettings sb, int gsoMaxFrame) {
    links = MemoryLink.pair("mem-a", "mem-b", 1514, clock, aToB, bToA);
    for (MemoryLink l : links) l.setGsoMaxSize(gsoMaxFrame);
    a = Stack.manual(StackConfig.of(MacAddress.parse("02:00:00:00:0a:01"), new Ipv4Cidr(A_IP, 24)).withSettings(sa).withSeed(11), links[0], clock);
    b = Stack.manual(StackConfig.of(MacAddress.parse("02:00:00:00:0b:02"), new Ipv4Cidr(B_IP, 24)).withSettings(sb).withSeed(22), links[1], clock);
  }

  /** Runs both stacks for {@code limit} of stack time, jumping the clock from event to event. */
  void settle(Duration limit) throws IOException {
    long end = clock.nanos() + limit.toNanos();
    while (true) {
      boolean worked;
      do {
        worked = a.poll() | b.poll();
      } while (worked);
      long next = Math.min(Math.min(a.nextDeadline(), b.nextDeadline()),
          Math.min(links[0].nextDeliveryNanos(), links[1].nextDeliveryNanos()));
      if (next == Long.MAX_VALUE || next > end) {
        // nothing more before the end: the rest of the span passes idle
        if (end > clock.nanos()) clock.advance(Duration.ofNanos(end - clock.nanos()));
        return;
      }
      if (next > clock.nanos()) clock.advance(Duration.ofNanos(next - clock.nanos()));
    }
  }

  @Override public void close() throws IOException {
    a.close();
    b.close();
  }
}
