package kvs.core;

/**
 * A 64-bit digest of a store's content that is updated in O(1) per change: the sum, modulo 2^64, of
 * a hash of every live version and of every key's highest version. Two stores with the same content
 * have the same digest whatever order the content arrived in.
 */
final class StateDigest {
  private StateDigest() {}

  /** The term of one live version. */
  static long ofVersion(String key, int version, String value) {
    return mix(hash(key) * 31 + version ^ Long.rotateLeft(hash(value), 17));
  }

  /**
   * The term of a key's highest version ever (the never-reuse rule is part of the state). Zero for
   * a key never written (highest 0), so that such a key counts as absent: the store adds a key's
   * term on its first put ({@code ofHighest(key, 1) - ofHighest(key, 0)}) and {@code
   * VersionedStore.of} adds it whole, and both must agree.
   */
  static long ofHighest(String key, int highestVersion) {
    if (highestVersion == 0) {
      return 0;
    }
    return mix(hash(key) ^ (0x5851F42D4C957F2DL * (highestVersion + 1L)));
  }

  // FNV-1a over UTF-16 units: defined by this code alone, the same on every JVM.
  private static long hash(String text) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < text.length(); i++) {
      h ^= text.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }

  private static long mix(long z) {
    return Mix64.mix(z);
  }
}
