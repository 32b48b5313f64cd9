package io.tapnfs.nfs.vfs;

/** How durable a write must be before it is acknowledged (RFC 1813 §3.3.7 stable_how). */
public enum Stability { UNSTABLE, DATA_SYNC, FILE_SYNC }
