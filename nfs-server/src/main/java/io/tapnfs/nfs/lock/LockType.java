package io.tapnfs.nfs.lock;

/** Shared (READ) or exclusive (WRITE): two READ locks of different owners may overlap, nothing else may. */
public enum LockType {
  READ, WRITE;

  public boolean conflictsWith(LockType o) { return this == WRITE || o == WRITE; }
}
