package kvs.core;

import java.util.Arrays;

/**
 * Two or more live versions of one key, ascending, in an int array with their values in a parallel
 * array. New versions always come above the last one, so an append is amortized O(1) and "the
 * greatest version {@code <= v}" is a binary search; removing one version shifts the ones above it
 * down.
 */
final class VersionList {
  private static final int MIN_CAPACITY = 4;

  private int[] versions = new int[MIN_CAPACITY];
  private Object[] values = new Object[MIN_CAPACITY];
  private int size;

  int size() {
    return size;
  }

  int versionAt(int index) {
    return versions[index];
  }

  Object valueAt(int index) {
    return values[index];
  }

  /** Adds {@code version}, which must be above every version held. */
  void append(int version, Object value) {
    if (size > 0 && version <= versions[size - 1]) {
      throw new IllegalArgumentException("version " + version + " not above " + versions[size - 1]);
    }
    if (size == versions.length) {
      resize(size + (size >> 1));
    }
    versions[size] = version;
    values[size] = value;
    size++;
  }

  /** The index of the greatest version {@code <= atMost}, or -1 when every version is above it. */
  int floorIndex(int atMost) {
    int found = Arrays.binarySearch(versions, 0, size, atMost);
    return found >= 0 ? found : -found - 2; // one below the insertion point
  }

  /** The index of exactly {@code version}, or -1. */
  int indexOf(int version) {
    int found = Arrays.binarySearch(versions, 0, size, version);
    return Math.max(found, -1);
  }

  /** Removes the version at {@code index}; answers its value. */
  Object removeAt(int index) {
    Object value = values[index];
    int above = size - index - 1;
    System.arraycopy(versions, index + 1, versions, index, above);
    System.arraycopy(values, index + 1, values, index, above);
    size--;
    values[size] = null;
    // A history that shrank a lot gives its memory back.
    if (versions.length > MIN_CAPACITY && size < versions.length / 4) {
      resize(Math.max(MIN_CAPACITY, versions.length / 2));
    }
    return value;
  }

  private void resize(int capacity) {
    versions = Arrays.copyOf(versions, capacity);
    values = Arrays.copyOf(values, capacity);
  }
}
