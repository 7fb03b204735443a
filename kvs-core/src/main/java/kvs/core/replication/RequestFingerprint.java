package kvs.core.replication;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The 128-bit fingerprint the state machine remembers a client request id by, instead of the id
 * itself: MurmurHash3 x64 128 (seed 0) of the id's UTF-8 bytes, the same on every JVM. Two ids
 * share a fingerprint with probability about n²/2¹²⁹ among n ids: for the 4,000,000 ids a state
 * machine remembers at most, about 2.4·10⁻²⁶.
 *
 * @param high the first 64 bits of the hash (MurmurHash3's {@code h1})
 * @param low the last 64 bits ({@code h2})
 */
public record RequestFingerprint(long high, long low) {
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  /** The fingerprint of {@code requestId}. */
  public static RequestFingerprint of(String requestId) {
    return murmur3x64x128(requestId.getBytes(UTF_8));
  }

  /** 32 lower-case hex digits: {@code high}, then {@code low}. */
  public String toHex() {
    return String.format("%016x%016x", high, low);
  }

  /**
   * Reads {@link #toHex()}'s form.
   *
   * @throws IllegalArgumentException unless {@code hex} is exactly 32 hex digits
   */
  public static RequestFingerprint parseHex(String hex) {
    if (hex.length() != 32) {
      throw new IllegalArgumentException(
          "a fingerprint is 32 hex digits, not " + hex.length() + " characters");
    }
    for (int i = 0; i < 32; i++) {
      if (Character.digit(hex.charAt(i), 16) < 0) {
        throw new IllegalArgumentException("a fingerprint is 32 hex digits");
      }
    }
    return new RequestFingerprint(
        Long.parseUnsignedLong(hex.substring(0, 16), 16),
        Long.parseUnsignedLong(hex.substring(16), 16));
  }

  // Austin Appleby's MurmurHash3_x64_128, seed 0: 16-byte blocks, little-endian, then the tail.
  @SuppressWarnings("fallthrough") // the tail is read as MurmurHash3's reference code reads it
  static RequestFingerprint murmur3x64x128(byte[] data) {
    long h1 = 0;
    long h2 = 0;
    int blocks = data.length / 16;
    for (int i = 0; i < blocks; i++) {
      long k1 = littleEndianLong(data, i * 16);
      long k2 = littleEndianLong(data, i * 16 + 8);
      h1 ^= mixK1(k1);
      h1 = Long.rotateLeft(h1, 27) + h2;
      h1 = h1 * 5 + 0x52dce729;
      h2 ^= mixK2(k2);
      h2 = Long.rotateLeft(h2, 31) + h1;
      h2 = h2 * 5 + 0x38495ab5;
    }
    int tail = blocks * 16;
    long k1 = 0;
    long k2 = 0;
    switch (data.length & 15) {
      case 15:
        k2 ^= (data[tail + 14] & 0xffL) << 48; // fall through
      case 14:
        k2 ^= (data[tail + 13] & 0xffL) << 40; // fall through
      case 13:
        k2 ^= (data[tail + 12] & 0xffL) << 32; // fall through
      case 12:
        k2 ^= (data[tail + 11] & 0xffL) << 24; // fall through
      case 11:
        k2 ^= (data[tail + 10] & 0xffL) << 16; // fall through
      case 10:
        k2 ^= (data[tail + 9] & 0xffL) << 8; // fall through
      case 9:
        k2 ^= data[tail + 8] & 0xffL;
        h2 ^= mixK2(k2);
      // fall through
      case 8:
        k1 ^= (data[tail + 7] & 0xffL) << 56; // fall through
      case 7:
        k1 ^= (data[tail + 6] & 0xffL) << 48; // fall through
      case 6:
        k1 ^= (data[tail + 5] & 0xffL) << 40; // fall through
      case 5:
        k1 ^= (data[tail + 4] & 0xffL) << 32; // fall through
      case 4:
        k1 ^= (data[tail + 3] & 0xffL) << 24; // fall through
      case 3:
        k1 ^= (data[tail + 2] & 0xffL) << 16; // fall through
      case 2:
        k1 ^= (data[tail + 1] & 0xffL) << 8; // fall through
      case 1:
        k1 ^= data[tail] & 0xffL;
        h1 ^= mixK1(k1);
        break;
      default:
        break;
    }
    h1 ^= data.length;
    h2 ^= data.length;
    h1 += h2;
    h2 += h1;
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 += h2;
    h2 += h1;
    return new RequestFingerprint(h1, h2);
  }

  private static long mixK1(long k1) {
    return Long.rotateLeft(k1 * C1, 31) * C2;
  }

  private static long mixK2(long k2) {
    return Long.rotateLeft(k2 * C2, 33) * C1;
  }

  private static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  private static long littleEndianLong(byte[] data, int at) {
    long value = 0;
    for (int i = 7; i >= 0; i--) {
      value = (value << 8) | (data[at + i] & 0xffL);
    }
    return value;
  }
}
