package kvs.core.replication;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticates stream messages with the cluster's shared keys (HMAC-SHA256), so that only holders
 * of a key can write to the stream. A sealed message is the line {@code HMAC-SHA256 <64 hex>}, a
 * newline, then the message's exact bytes; the MAC covers the topic the message is published on, a
 * zero byte and those bytes, so a message cannot be moved to another topic (a state chunk to
 * another server, a write into another cluster's stream).
 *
 * <p>With several keys the first one seals and every one opens: a key is rolled by adding the new
 * one second on every server, then moving it first, then dropping the old one. Without keys ({@link
 * #NONE}) messages go out as they are, and a sealed message is refused: it comes from a cluster
 * this server cannot check.
 */
public final class MessageAuthentication {
  /** Keys shorter than this are refused: HMAC-SHA256's own key size. */
  public static final int MIN_KEY_BYTES = 32;

  /** No keys: nothing sealed, nothing checked. */
  public static final MessageAuthentication NONE = new MessageAuthentication(List.of());

  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] PREFIX = "HMAC-SHA256 ".getBytes(StandardCharsets.US_ASCII);
  private static final int MAC_HEX = 64;
  private static final int HEADER = PREFIX.length + MAC_HEX + 1; // prefix, MAC, newline

  private final List<SecretKeySpec> keys;

  private MessageAuthentication(List<SecretKeySpec> keys) {
    this.keys = keys;
  }

  /**
   * The keys of a key file: each non-blank line (trimmed) is one key, its UTF-8 bytes the secret;
   * the first one seals.
   *
   * @throws IllegalArgumentException when there is no key or a key is shorter than {@value
   *     #MIN_KEY_BYTES} bytes (the message names the line, never the key)
   */
  public static MessageAuthentication fromKeyFile(String contents) {
    List<byte[]> keys = new ArrayList<>();
    String[] lines = contents.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].trim();
      if (line.isEmpty()) {
        continue;
      }
      byte[] key = line.getBytes(StandardCharsets.UTF_8);
      if (key.length < MIN_KEY_BYTES) {
        throw new IllegalArgumentException(
            "line "
                + (i + 1)
                + " holds a key of "
                + key.length
                + " bytes; a key needs at least "
                + MIN_KEY_BYTES
                + " (for example: openssl rand -hex 32)");
      }
      keys.add(key);
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("it holds no key (one per line)");
    }
    return withKeys(keys);
  }

  /** Seals with the first key, opens with any. */
  public static MessageAuthentication withKeys(List<byte[]> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no key");
    }
    List<SecretKeySpec> specs = new ArrayList<>();
    for (byte[] key : keys) {
      if (key.length < MIN_KEY_BYTES) {
        throw new IllegalArgumentException("a key needs at least " + MIN_KEY_BYTES + " bytes");
      }
      specs.add(new SecretKeySpec(key.clone(), ALGORITHM));
    }
    return new MessageAuthentication(List.copyOf(specs));
  }

  /** True when messages are sealed and checked. */
  public boolean enabled() {
    return !keys.isEmpty();
  }

  /** How many keys open messages. */
  public int keyCount() {
    return keys.size();
  }

  /** {@code message} as it goes out on {@code topic}: sealed with the first key, if any. */
  public byte[] seal(String topic, byte[] message) {
    if (keys.isEmpty()) {
      return message;
    }
    byte[] mac = HexFormat.of().formatHex(mac(keys.get(0), topic, message, 0)).getBytes();
    byte[] sealed = new byte[HEADER + message.length];
    System.arraycopy(PREFIX, 0, sealed, 0, PREFIX.length);
    System.arraycopy(mac, 0, sealed, PREFIX.length, MAC_HEX);
    sealed[HEADER - 1] = '\n';
    System.arraycopy(message, 0, sealed, HEADER, message.length);
    return sealed;
  }

  /** What {@link #open} found. */
  public sealed interface Opened {}

  /** The message, as it was sealed (or as it came, without keys). */
  public record Accepted(byte[] message) implements Opened {}

  /** Not accepted, and why in a few words ("unsigned", "bad signature", ...). */
  public record Rejected(String reason) implements Opened {}

  /** Checks a message that arrived on {@code topic}. */
  public Opened open(String topic, byte[] payload) {
    boolean sealed = isSealed(payload);
    if (keys.isEmpty()) {
      return sealed
          ? new Rejected("signed, and this server has no cluster key")
          : new Accepted(payload);
    }
    if (!sealed) {
      return new Rejected("unsigned");
    }
    byte[] claimed;
    try {
      claimed = HexFormat.of().parseHex(new String(payload, PREFIX.length, MAC_HEX));
    } catch (IllegalArgumentException e) {
      return new Rejected("bad signature");
    }
    for (SecretKeySpec key : keys) {
      if (MessageDigest.isEqual(claimed, mac(key, topic, payload, HEADER))) {
        return new Accepted(Arrays.copyOfRange(payload, HEADER, payload.length));
      }
    }
    return new Rejected("bad signature");
  }

  private static boolean isSealed(byte[] payload) {
    return payload.length >= HEADER
        && Arrays.equals(payload, 0, PREFIX.length, PREFIX, 0, PREFIX.length)
        && payload[HEADER - 1] == '\n';
  }

  private static byte[] mac(SecretKeySpec key, String topic, byte[] bytes, int from) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      mac.update(topic.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      mac.update(bytes, from, bytes.length - from);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is part of every Java runtime", e);
    }
  }

  @Override
  public String toString() {
    return keys.isEmpty() ? "no cluster key" : keys.size() + " cluster key(s)"; // never the keys
  }
}
