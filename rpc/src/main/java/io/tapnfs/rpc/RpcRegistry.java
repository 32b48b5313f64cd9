package io.tapnfs.rpc;

/**
 * Where an {@link RpcServer} announces what it serves: the in-process rpcbind (module
 * {@code portmap}) implements it. Registration is a Java call inside the process, never an RPC
 * SET from the network (which rpcbind refuses).
 */
public interface RpcRegistry {
  /**
   * Program {@code program} version {@code version} is served on {@code netid} ("tcp" or "udp")
   * at {@code port} of the stack's address.
   * @param owner who registered it (RFC 1833 r_owner), e.g. "tapnfs"
   */
  void register(int program, int version, String netid, int port, String owner);

  /** Removes what {@link #register} added with the same program, version and netid. */
  void unregister(int program, int version, String netid);

  /** A registry that remembers nothing (no rpcbind in this process). */
  RpcRegistry NONE = new RpcRegistry() {
    @Override public void register(int program, int version, String netid, int port, String owner) { }
    @Override public void unregister(int program, int version, String netid) { }
  };
}
