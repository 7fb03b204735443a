package kvs.core.replication;

import java.util.Optional;

/**
 * How large keys, values and replication messages may be, and how large a write's part of a message
 * is at most: what a server refuses (a write answers -1, with the reason) and how it cuts batches
 * and state transfers, so that no message outgrows what the broker and gRPC take.
 *
 * <p>Sizes are of the UTF-8 bytes. A write's share of a message is computed as its JSON, escapes
 * included, so that a batch cut by it never exceeds the message limit.
 *
 * @param maxKeyBytes the largest key
 * @param maxValueBytes the largest value
 * @param maxMessageBytes the largest replication message (and state-transfer chunk), and gRPC's
 *     largest inbound message
 */
public record SizeLimits(int maxKeyBytes, int maxValueBytes, int maxMessageBytes) {
  /** A message's bytes besides its operations: its header, and a signature. */
  public static final int MESSAGE_OVERHEAD = 1024;

  /** An operation's bytes besides its escaped key, value and request id: field names, version. */
  static final int OPERATION_OVERHEAD = 64;

  public static final SizeLimits DEFAULT = new SizeLimits(4 * 1024, 1024 * 1024, 4 * 1024 * 1024);

  public SizeLimits {
    if (maxKeyBytes < 1 || maxValueBytes < 1) {
      throw new IllegalArgumentException("the key and value limits must be at least 1 byte");
    }
    long needed = (long) maxKeyBytes + maxValueBytes + OPERATION_OVERHEAD + MESSAGE_OVERHEAD;
    if (maxMessageBytes < needed) {
      throw new IllegalArgumentException(
          "the message limit ("
              + maxMessageBytes
              + " bytes) must hold the largest key and value and "
              + (OPERATION_OVERHEAD + MESSAGE_OVERHEAD)
              + " bytes more: at least "
              + needed);
    }
  }

  /**
   * Why {@code operation} may not be written, as {@code REASON: words} (ASCII, one line), or empty
   * when it may.
   */
  public Optional<String> refusal(Operation operation) {
    long keyBytes = utf8Length(operation.key());
    if (keyBytes > maxKeyBytes) {
      return Optional.of(tooLarge("KEY_TOO_LARGE", "key", keyBytes, maxKeyBytes, "--max-key-size"));
    }
    if (operation instanceof Operation.Put put) {
      long valueBytes = utf8Length(put.value());
      if (valueBytes > maxValueBytes) {
        return Optional.of(
            tooLarge("VALUE_TOO_LARGE", "value", valueBytes, maxValueBytes, "--max-value-size"));
      }
    }
    long encoded = encodedSize(operation) + MESSAGE_OVERHEAD;
    if (encoded > maxMessageBytes) {
      return Optional.of(
          "MESSAGE_TOO_LARGE: this write's replication message ("
              + encoded
              + " bytes, JSON escapes included) is over the limit of "
              + maxMessageBytes
              + " bytes (--max-message-size)");
    }
    return Optional.empty();
  }

  /** The bytes a message may give its operations. */
  public int operationBudget() {
    return maxMessageBytes - MESSAGE_OVERHEAD;
  }

  /** At most the bytes {@code operation} takes in a writes message. */
  public static long encodedSize(Operation operation) {
    long size = OPERATION_OVERHEAD + jsonLength(operation.key());
    if (operation instanceof Operation.Put put) {
      size += jsonLength(put.value());
    }
    if (operation.requestId().isPresent()) {
      size += jsonLength(operation.requestId().get());
    }
    return size;
  }

  /** At most the UTF-8 bytes of {@code text} as a JSON string's content, escapes included. */
  public static long jsonLength(String text) {
    long length = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20) {
        length += 6; // escaped as backslash, u and four hex digits (or shorter)
      } else if (c == '"' || c == '\\') {
        length += 2;
      } else {
        length += utf8Bytes(c);
      }
    }
    return length;
  }

  /** The UTF-8 bytes of {@code text}. */
  public static long utf8Length(String text) {
    long length = 0;
    for (int i = 0; i < text.length(); i++) {
      length += utf8Bytes(text.charAt(i));
    }
    return length;
  }

  // A surrogate pair is 4 bytes: 2 for each half.
  private static int utf8Bytes(char c) {
    return c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
  }

  private static String tooLarge(String reason, String what, long bytes, int limit, String option) {
    return reason
        + ": the "
        + what
        + " has "
        + bytes
        + " bytes, over the limit of "
        + limit
        + " ("
        + option
        + ")";
  }
}
