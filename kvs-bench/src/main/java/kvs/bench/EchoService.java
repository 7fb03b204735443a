package kvs.bench;

import io.grpc.stub.StreamObserver;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.KVSGrpc;
import kvs.proto.Tupla;
import kvs.proto.Versao;

/**
 * {@code kvs.KVS} answered without doing any work: Consulta answers a Tupla with the key it got (as
 * key and value, version 1), Insere answers version 1. What is left is the cost of gRPC itself, the
 * floor under every KVS figure. The other methods are UNIMPLEMENTED.
 */
final class EchoService extends KVSGrpc.KVSImplBase {
  private static final Versao ONE = Versao.newBuilder().setVersao(1).build();

  @Override
  public void consulta(ChaveVersao request, StreamObserver<Tupla> answer) {
    answer.onNext(
        Tupla.newBuilder()
            .setChave(request.getChave())
            .setValor(request.getChave())
            .setVersao(1)
            .build());
    answer.onCompleted();
  }

  @Override
  public void insere(ChaveValor request, StreamObserver<Versao> answer) {
    answer.onNext(ONE);
    answer.onCompleted();
  }
}
