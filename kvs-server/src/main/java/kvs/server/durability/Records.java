package kvs.server.durability;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * The framing shared by the log and the snapshot file: {@code [int32 length][int32 CRC32 of
 * payload][payload]}, big-endian.
 */
final class Records {
  /** Bytes before the payload. */
  static final int HEADER_BYTES = 8;

  /** The largest payload a record may hold; a longer length field marks a torn record. */
  static final int MAX_PAYLOAD = 64 * 1024 * 1024;

  private Records() {}

  /** The CRC32 of {@code payload}, as the int stored in a record header. */
  static int crc(byte[] payload) {
    CRC32 crc = new CRC32();
    crc.update(payload, 0, payload.length);
    return (int) crc.getValue();
  }

  /** One whole record (header and payload), ready to write. */
  static ByteBuffer frame(byte[] payload) throws IOException {
    if (payload.length == 0 || payload.length > MAX_PAYLOAD) {
      throw new IOException(
          "a record payload must hold 1 to " + MAX_PAYLOAD + " bytes: " + payload.length);
    }
    ByteBuffer buffer = ByteBuffer.allocate(HEADER_BYTES + payload.length);
    buffer.putInt(payload.length).putInt(crc(payload)).put(payload).flip();
    return buffer;
  }

  /**
   * A record that cannot be read: the file is torn (or corrupt) from {@link Reader#offset()} on.
   */
  static final class TornRecordException extends Exception {
    TornRecordException(String reason) {
      super(reason);
    }
  }

  /**
   * Reads records one after another from a stream, keeping the offset of the last good one's end.
   */
  static final class Reader {
    private final InputStream in;
    private final byte[] header = new byte[HEADER_BYTES];
    private long offset;

    /** {@code in} should be buffered; {@code offset} is its position in the file. */
    Reader(InputStream in, long offset) {
      this.in = in;
      this.offset = offset;
    }

    /** Where the next record starts: the end of the last record read whole. */
    long offset() {
      return offset;
    }

    /**
     * The next record's payload, checked against its CRC; {@code null} at a clean end of file.
     *
     * @throws TornRecordException when the record at {@link #offset()} is incomplete, has an
     *     impossible length or fails its CRC; the offset stays at its start
     */
    byte[] next() throws IOException, TornRecordException {
      int got = readUpTo(header);
      if (got == 0) {
        return null;
      }
      if (got < HEADER_BYTES) {
        throw new TornRecordException(
            "incomplete header (" + got + " of " + HEADER_BYTES + " bytes)");
      }
      ByteBuffer fields = ByteBuffer.wrap(header);
      int length = fields.getInt();
      int crc = fields.getInt();
      if (length <= 0 || length > MAX_PAYLOAD) {
        throw new TornRecordException("impossible record length " + length);
      }
      byte[] payload = new byte[length];
      int read = readUpTo(payload);
      if (read < length) {
        throw new TornRecordException("incomplete payload (" + read + " of " + length + " bytes)");
      }
      if (crc(payload) != crc) {
        throw new TornRecordException("CRC mismatch");
      }
      offset += HEADER_BYTES + length;
      return payload;
    }

    private int readUpTo(byte[] into) throws IOException {
      int total = 0;
      while (total < into.length) {
        int n = in.read(into, total, into.length - total);
        if (n < 0) {
          break;
        }
        total += n;
      }
      return total;
    }

    /** Reads exactly {@code n} bytes (for a fixed file header). */
    byte[] readExactly(int n) throws IOException {
      byte[] bytes = new byte[n];
      if (readUpTo(bytes) < n) {
        throw new EOFException("file shorter than its " + n + "-byte header");
      }
      offset += n;
      return bytes;
    }
  }
}
