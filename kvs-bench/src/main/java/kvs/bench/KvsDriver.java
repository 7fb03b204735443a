package kvs.bench;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.KVSGrpc;
import kvs.proto.Tupla;
import kvs.proto.Versao;

/**
 * {@code kvs.KVS} (KVS servers, and the echo server) through plain gRPC calls: none of the client
 * library's request ids, positions or retries, so every call costs the server what the bare
 * contract costs. The call metadata is used only where a workload needs it ({@code lag}).
 */
final class KvsDriver implements Driver {
  /** Response trailer: the replication position at which the server applied a write. */
  static final Metadata.Key<String> POSITION =
      Metadata.Key.of("kvs-position", Metadata.ASCII_STRING_MARSHALLER);

  /** Request header: the read waits until the server has applied this position. */
  static final Metadata.Key<String> MIN_POSITION =
      Metadata.Key.of("kvs-min-position", Metadata.ASCII_STRING_MARSHALLER);

  private final Channels channels;
  private final RawCalls calls;

  KvsDriver(Channels channels, RawCalls calls) {
    this.channels = channels;
    this.calls = calls;
  }

  @Override
  public void put(int target, String key, String value, Completion done) {
    put(
        target,
        key,
        value,
        new RawCalls.Answer<>() {
          @Override
          public void answered(Versao answer, Metadata trailers) {
            done.complete(
                answer.getVersao() >= 1
                    ? Outcome.ok(1)
                    : Outcome.failed(
                        "REJECTED", "Insere(" + key + ") answered " + answer.getVersao()));
          }

          @Override
          public void failed(Status status) {
            done.complete(Outcome.of(status));
          }
        });
  }

  /** Insere, with the answer's trailers (for {@link #position(Metadata)}). */
  void put(int target, String key, String value, RawCalls.Answer<Versao> answer) {
    ChaveValor request = ChaveValor.newBuilder().setChave(key).setValor(value).build();
    calls.unary(channels.get(target), KVSGrpc.getInsereMethod(), new Metadata(), request, answer);
  }

  @Override
  public void get(int target, String key, Completion done) {
    getAt(
        target,
        key,
        -1,
        new RawCalls.Answer<>() {
          @Override
          public void answered(Tupla answer, Metadata trailers) {
            done.complete(answer.getChave().isEmpty() ? Outcome.missing() : Outcome.ok(1));
          }

          @Override
          public void failed(Status status) {
            done.complete(Outcome.of(status));
          }
        });
  }

  /**
   * Consulta of the newest version; with {@code minPosition >= 0} the server answers only once it
   * has applied that replication position.
   */
  void getAt(int target, String key, long minPosition, RawCalls.Answer<Tupla> answer) {
    Metadata headers = new Metadata();
    if (minPosition >= 0) {
      headers.put(MIN_POSITION, Long.toString(minPosition));
    }
    ChaveVersao request = ChaveVersao.newBuilder().setChave(key).build();
    calls.unary(channels.get(target), KVSGrpc.getConsultaMethod(), headers, request, answer);
  }

  /**
   * One InsereVarias stream of items {@code first} to {@code first + n - 1}, sent as fast as flow
   * control lets them go. Each item answered -1 is an error; the stream's position trailer goes to
   * {@code positions}.
   */
  void putBatch(
      int target,
      long first,
      int n,
      LongFunction<String> keys,
      LongFunction<String> values,
      LongConsumer positions,
      Completion done) {
    ClientCall<ChaveValor, Versao> call =
        channels.get(target).newCall(KVSGrpc.getInsereVariasMethod(), calls.options());
    new BatchCall(call, first, n, keys, values, positions, done).start();
  }

  /** What a Snapshot stream delivered. */
  interface SnapshotAnswer {
    /** The stream ended normally with {@code entries} tuples (a lone blank tuple counts 0). */
    void received(long entries);

    void failed(Status status);
  }

  /**
   * Snapshot(Versao 0): every key at its newest version; counts the tuples without keeping them,
   * requesting them a {@link SnapshotCall#WINDOW window} at a time.
   */
  void snapshot(int target, SnapshotAnswer answer) {
    new SnapshotCall(
            channels.get(target).newCall(KVSGrpc.getSnapshotMethod(), calls.options()), answer)
        .start(0);
  }

  /** The {@code kvs-position} trailer, or -1 when the server sent none. */
  static long position(Metadata trailers) {
    String text = trailers.get(POSITION);
    if (text == null) {
      return -1;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    channels.close();
  }
}
