package io.tapnfs.netstack;

/**
 * Thrown by wire parsers on input that cannot be accepted. Carries the drop reason and no stack
 * trace: it is an expected event on a network, counted by the caller, not a bug.
 */
public final class Malformed extends Exception {
  private final transient DropReason reason;

  private Malformed(DropReason reason) {
    super(reason.mibName(), null, false, false);
    this.reason = reason;
  }

  public static Malformed of(DropReason reason) { return new Malformed(reason); }

  public DropReason reason() { return reason; }
}
