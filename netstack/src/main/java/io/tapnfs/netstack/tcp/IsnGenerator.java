package io.tapnfs.netstack.tcp;

import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Initial sequence numbers per RFC 6528 §3: {@code ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey)}, where M is a timer ticking every 4 µs (RFC 9293 §3.4.1) and F a keyed
 * pseudorandom function — here HMAC-SHA256 truncated to 32 bits, keyed with 128 random bits per
 * stack. Off-path attackers cannot guess it; the same 4-tuple still sees increasing ISNs, which
 * is what lets a new SYN take over a TIME-WAIT connection (RFC 6191).
 *
 * <p>Event-loop thread only (the Mac is not thread-safe).
 */
public final class IsnGenerator {
  private final Mac mac;
  private final ByteBuffer input = ByteBuffer.allocate(12);

  public IsnGenerator(byte[] secret) {
    if (secret.length < 16) throw new IllegalArgumentException("RFC 6528 §3: the secret should be at least 128 bits");
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.clone(), "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }

  /** A generator with a fresh random secret. */
  public static IsnGenerator random() {
    byte[] k = new byte[16];
    new SecureRandom().nextBytes(k);
    return new IsnGenerator(k);
  }

  /** @param nowNanos the loop's monotonic clock */
  public SeqNumber isn(long nowNanos, Ipv4Address localIp, int localPort, Ipv4Address remoteIp, int remotePort) {
    input.clear();
    input.putInt(localIp.bits()).putInt(remoteIp.bits()).putShort((short) localPort).putShort((short) remotePort);
    byte[] h = mac.doFinal(input.array());
    int f = (h[0] & 0xff) << 24 | (h[1] & 0xff) << 16 | (h[2] & 0xff) << 8 | (h[3] & 0xff);
    int m = (int) (nowNanos / 4_000L);        // RFC 9293 §3.4.1: increments every 4 microseconds
    return new SeqNumber(m + f);
  }

  /** A keyed hash of some 32-bit words (SYN cookies, timestamp offsets): 32 bits of HMAC-SHA256. */
  public int hash(int... words) {
    ByteBuffer b = ByteBuffer.allocate(4 * words.length);
    for (int w : words) b.putInt(w);
    byte[] h = mac.doFinal(b.array());
    return (h[0] & 0xff) << 24 | (h[1] & 0xff) << 16 | (h[2] & 0xff) << 8 | (h[3] & 0xff);
  }
}
