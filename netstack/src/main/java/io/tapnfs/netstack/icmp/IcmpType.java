package io.tapnfs.netstack.icmp;

/** ICMP message types and the codes we use (RFC 792, RFC 1191, RFC 1122 §3.2.2). */
public final class IcmpType {
  private IcmpType() {}

  public static final int ECHO_REPLY = 0;
  public static final int DEST_UNREACHABLE = 3;
  public static final int SOURCE_QUENCH = 4;
  public static final int REDIRECT = 5;
  public static final int ECHO_REQUEST = 8;
  public static final int TIME_EXCEEDED = 11;
  public static final int PARAMETER_PROBLEM = 12;
  public static final int TIMESTAMP = 13;
  public static final int TIMESTAMP_REPLY = 14;

  // Destination Unreachable codes (RFC 792, RFC 1191 for 4)
  public static final int CODE_NET_UNREACHABLE = 0;
  public static final int CODE_HOST_UNREACHABLE = 1;
  public static final int CODE_PROTOCOL_UNREACHABLE = 2;
  public static final int CODE_PORT_UNREACHABLE = 3;
  public static final int CODE_FRAGMENTATION_NEEDED = 4;
  // Time Exceeded codes
  public static final int CODE_TTL_EXCEEDED = 0;
  public static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;

  /** RFC 1122 §3.2.2: error messages, which must never be answered with another error. */
  public static boolean isError(int type) {
    return type == DEST_UNREACHABLE || type == SOURCE_QUENCH || type == REDIRECT
        || type == TIME_EXCEEDED || type == PARAMETER_PROBLEM;
  }
}
