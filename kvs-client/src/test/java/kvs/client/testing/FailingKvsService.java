package kvs.client.testing;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.KVSGrpc;
import kvs.proto.KvsErrorReason;
import kvs.proto.Tupla;
import kvs.proto.Versao;

/** A server that fails every call with one status. */
public final class FailingKvsService extends KVSGrpc.KVSImplBase {

  private final Supplier<StatusRuntimeException> failure;

  public FailingKvsService(Status status) {
    this.failure = status::asRuntimeException;
  }

  private FailingKvsService(Supplier<StatusRuntimeException> failure) {
    this.failure = failure;
  }

  /** What a KVS server answers when it was catching up for longer than the call could wait. */
  public static FailingKvsService catchingUp() {
    return new FailingKvsService(
        () ->
            KvsErrorReason.CATCHING_UP.toException(
                Status.Code.UNAVAILABLE, "catching up with its peers"));
  }

  @Override
  public void insere(ChaveValor request, StreamObserver<Versao> replies) {
    replies.onError(failure.get());
  }

  @Override
  public void consulta(ChaveVersao request, StreamObserver<Tupla> replies) {
    replies.onError(failure.get());
  }

  @Override
  public void remove(ChaveVersao request, StreamObserver<Versao> replies) {
    replies.onError(failure.get());
  }

  @Override
  public StreamObserver<ChaveValor> insereVarias(StreamObserver<Versao> replies) {
    replies.onError(failure.get());
    return new DiscardingObserver<>();
  }

  @Override
  public StreamObserver<ChaveVersao> consultaVarias(StreamObserver<Tupla> replies) {
    replies.onError(failure.get());
    return new DiscardingObserver<>();
  }

  @Override
  public StreamObserver<ChaveVersao> removeVarias(StreamObserver<Versao> replies) {
    replies.onError(failure.get());
    return new DiscardingObserver<>();
  }

  @Override
  public void snapshot(Versao request, StreamObserver<Tupla> replies) {
    replies.onError(failure.get());
  }

  private static final class DiscardingObserver<T> implements StreamObserver<T> {
    @Override
    public void onNext(T value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
