package io.tapnfs.netstack.ethernet;

/** EtherType values we know (IEEE 802 numbers). */
public final class EtherType {
  private EtherType() {}

  public static final int IPV4 = 0x0800;
  public static final int ARP = 0x0806;
  public static final int VLAN = 0x8100;
  public static final int IPV6 = 0x86dd;
  /** Values below this are 802.3 lengths, not EtherTypes (IEEE 802.3 §3.2.6). */
  public static final int MIN_ETHERTYPE = 0x0600;
}
