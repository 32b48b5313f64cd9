package io.tapnfs.nfs.lock;

import java.net.InetAddress;

/**
 * What the lock protocols need from the status monitor (NSM, in-process): to record a client that
 * holds locks, so that after a restart of the server it is told to reclaim them (SM_NOTIFY). NLM
 * calls {@link #monitor} before granting a host its first lock, as the kernel's lockd asks the
 * server's statd (SM_MON) first.
 */
public interface LockClients {
  /** Records {@code host} (the name the client gives in its calls) at {@code address}, durably, before the lock is granted. */
  void monitor(String host, InetAddress address) throws java.io.IOException;

  /**
   * Forgets {@code host}: it holds no lock any more (knfsd's lockd sends SM_UNMON when it drops its
   * host entry). @return whether it was recorded
   */
  default boolean unmonitor(String host) throws java.io.IOException { return false; }

  /** Nothing recorded (tests, or locking without recovery). */
  LockClients NONE = (host, address) -> { };
}
