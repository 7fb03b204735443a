package kvs.bench;

import java.util.Locale;

/**
 * Which key request number {@code i} uses: with {@code keys == 0} a distinct key for every request,
 * otherwise the requests cycle over {@code keys} keys (1: everyone writes the same key).
 */
record KeySpace(NumberedText format, long keys) {

  String key(long i) {
    return format.text(keys == 0 ? i : Math.floorMod(i, keys));
  }

  /** "a distinct key per UNIT", "1 shared key" or "100,000 keys", for the report. */
  String describe(String unit) {
    if (keys == 0) {
      return "a distinct key per " + unit;
    }
    return keys == 1 ? "1 shared key" : String.format(Locale.ROOT, "%,d keys", keys);
  }
}
