package io.tapnfs.netstack;

import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.link.Impairments;
import java.io.IOException;
import java.time.Duration;

/** {@link TwoStacks} for tests in other packages. */
public final class TwoStacksAccess implements AutoCloseable {
  public static final Ipv4Address A_IP = TwoStacks.A_IP, B_IP = TwoStacks.B_IP;
  private final TwoStacks t;

  public TwoStacksAccess(Impairments aToB, Impairments bToA) { t = new TwoStacks(aToB, bToA); }

  public TwoStacksAccess(Impairments aToB, Impairments bToA, StackSettings a, StackSettings b) {
    t = new TwoStacks(aToB, bToA, a, b);
  }

  /** @param gsoMaxFrame both links offer segmentation offload for frames this large (0: none) */
  public TwoStacksAccess(Impairments aToB, Impairments bToA, StackSettings a, StackSettings b, int gsoMaxFrame) {
    t = new TwoStacks(aToB, bToA, a, b, gsoMaxFrame);
  }

  public io.tapnfs.netstack.link.MemoryLink link(int i) { return t.links[i]; }

  public Stack a() { return t.a; }
  public Stack b() { return t.b; }
  public ManualClock clock() { return t.clock; }
  public void settle(Duration d) throws IOException { t.settle(d); }

  @Override public void close() throws IOException { t.close(); }
}
