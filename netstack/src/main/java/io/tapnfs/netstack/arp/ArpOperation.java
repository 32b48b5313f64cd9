package io.tapnfs.netstack.arp;

/** ARP opcodes (RFC 826; IANA "ARP Parameters"). */
public enum ArpOperation {
  REQUEST(1), REPLY(2);

  public final int code;

  ArpOperation(int code) { this.code = code; }

  public static ArpOperation of(int code) {
    return switch (code) { case 1 -> REQUEST; case 2 -> REPLY; default -> null; };
  }
}
