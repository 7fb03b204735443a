package kvs.client.testing;

import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;
import kvs.proto.ChaveValor;
import kvs.proto.KVSGrpc;
import kvs.proto.Versao;

/**
 * A proxy for {@code Insere} only: forwards each call to a real server with the caller's {@code
 * kvs-request-id} (put in the context by {@link ServerMetadata}), and answers what it answered.
 */
public final class ForwardingInsere extends KVSGrpc.KVSImplBase {

  private final Channel upstream;

  public ForwardingInsere(Channel upstream) {
    this.upstream = upstream;
  }

  @Override
  public void insere(ChaveValor request, StreamObserver<Versao> replies) {
    Metadata headers = new Metadata();
    String id = ServerMetadata.CALL_REQUEST_ID.get();
    if (id != null) {
      headers.put(ServerMetadata.REQUEST_ID, id);
    }
    try {
      Versao reply =
          KVSGrpc.newBlockingStub(upstream)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .insere(request);
      replies.onNext(reply);
      replies.onCompleted();
    } catch (StatusRuntimeException e) {
      replies.onError(e);
    }
  }
}
