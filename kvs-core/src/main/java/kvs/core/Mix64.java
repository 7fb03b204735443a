package kvs.core;

/** SplitMix64's finalizer: spreads every input bit over the whole 64-bit word. For digests. */
public final class Mix64 {
  private Mix64() {}

  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
