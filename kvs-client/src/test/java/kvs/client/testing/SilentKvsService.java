package kvs.client.testing;

import io.grpc.stub.StreamObserver;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.KVSGrpc;
import kvs.proto.Tupla;
import kvs.proto.Versao;

/** A server that accepts every call and never answers, to run into deadlines. */
public final class SilentKvsService extends KVSGrpc.KVSImplBase {

  @Override
  public void insere(ChaveValor request, StreamObserver<Versao> replies) {}

  @Override
  public void consulta(ChaveVersao request, StreamObserver<Tupla> replies) {}

  @Override
  public void remove(ChaveVersao request, StreamObserver<Versao> replies) {}

  @Override
  public StreamObserver<ChaveValor> insereVarias(StreamObserver<Versao> replies) {
    return ignoring();
  }

  @Override
  public StreamObserver<ChaveVersao> consultaVarias(StreamObserver<Tupla> replies) {
    return ignoring();
  }

  @Override
  public StreamObserver<ChaveVersao> removeVarias(StreamObserver<Versao> replies) {
    return ignoring();
  }

  @Override
  public void snapshot(Versao request, StreamObserver<Tupla> replies) {}

  private static <T> StreamObserver<T> ignoring() {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {}

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }
}
