package io.tapnfs.nfs.lock;

import java.net.InetAddress;

/**
 * Told by the status monitor (NSM's SM_NOTIFY) that a client restarted: its locks, waiters and
 * pending callbacks are gone. The NLM program implements it; NFSv4 has its own client ids and does
 * not need it.
 */
public interface ClientReboots {
  void rebooted(String host, InetAddress address);
}
