package io.tapnfs.netstack;

/** The protocol layer a counter or drop belongs to; used to group {@code tapnfs stat} output. */
public enum Layer { LINK, ETHERNET, ARP, IPV4, ICMP, UDP, TCP, SOCKET }
