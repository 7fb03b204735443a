package kvs.bench;

import io.grpc.Metadata;
import io.grpc.Status;
import kvs.proto.Tupla;
import kvs.proto.Versao;

/**
 * Replication lag probes. Probe i writes a fresh key on the writer (Insere), takes the position at
 * which the writer applied it (trailer {@code kvs-position}), and at once reads the key on the
 * reader with {@code kvs-min-position} set to that position: the reader answers only once it has
 * applied the write. The lag recorded is the time from the writer's answer to the reader's answer,
 * an upper bound of the real lag that includes one round trip to the reader. The read must return
 * the value written.
 */
final class LagProbeSource implements RequestSource {
  private final KvsDriver driver;
  private final int writer;
  private final int reader;
  private final NumberedText keys;
  private final NumberedText values;
  private final long base;
  private final Stats lag;

  /**
   * @param keys the probes' keys: a prefix of their own for each run, so every probe writes a new
   *     key
   * @param lag where each probe's lag goes
   */
  LagProbeSource(
      KvsDriver driver,
      int writer,
      int reader,
      NumberedText keys,
      NumberedText values,
      long base,
      Stats lag) {
    this.driver = driver;
    this.writer = writer;
    this.reader = reader;
    this.keys = keys;
    this.values = values;
    this.base = base;
    this.lag = lag;
  }

  @Override
  public void issue(long seq, Completion done) {
    String key = keys.text(base + seq);
    String value = values.text(base + seq);
    driver.put(
        writer,
        key,
        value,
        new RawCalls.Answer<Versao>() {
          @Override
          public void answered(Versao answer, Metadata trailers) {
            long writtenAt = System.nanoTime();
            long position = KvsDriver.position(trailers);
            if (answer.getVersao() < 1) {
              done.complete(
                  Outcome.failed("REJECTED", "Insere(" + key + ") answered " + answer.getVersao()));
            } else if (position < 0) {
              done.complete(
                  Outcome.failed("NO_POSITION", "the writer's answer had no kvs-position trailer"));
            } else {
              read(key, value, position, writtenAt, done);
            }
          }

          @Override
          public void failed(Status status) {
            done.complete(Outcome.of(status));
          }
        });
  }

  private void read(String key, String value, long position, long writtenAt, Completion done) {
    driver.getAt(
        reader,
        key,
        position,
        new RawCalls.Answer<Tupla>() {
          @Override
          public void answered(Tupla answer, Metadata trailers) {
            long lagNanos = System.nanoTime() - writtenAt;
            if (value.equals(answer.getValor())) {
              lag.recordLatency(lagNanos);
              done.complete(Outcome.ok(1));
            } else {
              done.complete(
                  Outcome.failed(
                      "WRONG_VALUE",
                      "the reader answered '"
                          + answer.getValor()
                          + "' for "
                          + key
                          + " at position "
                          + position
                          + ", not '"
                          + value
                          + "'"));
            }
          }

          @Override
          public void failed(Status status) {
            done.complete(Outcome.of(status));
          }
        });
  }
}
