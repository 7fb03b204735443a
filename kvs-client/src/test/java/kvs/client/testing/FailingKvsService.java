package kvs.client.testing;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.KVSGrpc;
import kvs.proto.Tupla;
import kvs.proto.Versao;

/** A server that fails every call with one status. */
public final class FailingKvsService extends KVSGrpc.KVSImplBase {

  private final Status status;

  public FailingKvsService(Status status) {
    this.status = status;
  }

  @Override
  public void insere(ChaveValor request, StreamObserver<Versao> replies) {
    replies.onError(status.asRuntimeException());
  }

  @Override
  public void consulta(ChaveVersao request, StreamObserver<Tupla> replies) {
    replies.onError(status.asRuntimeException());
  }

  @Override
  public void remove(ChaveVersao request, StreamObserver<Versao> replies) {
    replies.onError(status.asRuntimeException());
  }

  @Override
  public StreamObserver<ChaveValor> insereVarias(StreamObserver<Versao> replies) {
    replies.onError(status.asRuntimeException());
    return new DiscardingObserver<>();
  }

  @Override
  public StreamObserver<ChaveVersao> consultaVarias(StreamObserver<Tupla> replies) {
    replies.onError(status.asRuntimeException());
    return new DiscardingObserver<>();
  }

  @Override
  public StreamObserver<ChaveVersao> removeVarias(StreamObserver<Versao> replies) {
    replies.onError(status.asRuntimeException());
    return new DiscardingObserver<>();
  }

  @Override
  public void snapshot(Versao request, StreamObserver<Tupla> replies) {
    replies.onError(status.asRuntimeException());
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
