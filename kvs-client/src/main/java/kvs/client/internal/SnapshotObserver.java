package kvs.client.internal;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import kvs.client.Entry;
import kvs.proto.Tupla;
import kvs.proto.Versao;

/**
 * A snapshot's server stream, under the sink's flow control (a {@link RequestWindow} at a time).
 * The blank tuple a server sends for an empty snapshot is not an entry: it is dropped, and one more
 * reply is requested in its place, so the window stays whole.
 */
final class SnapshotObserver implements ClientResponseObserver<Versao, Tupla> {

  private final ResultSink<Entry> sink;
  private ClientCallStreamObserver<Versao> call;

  SnapshotObserver(ResultSink<Entry> sink) {
    this.sink = sink;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<Versao> call) {
    this.call = call;
    RequestWindow.startOn(call);
    sink.started(call);
  }

  @Override
  public void onNext(Tupla reply) {
    WireMapper.toEntry(reply).ifPresentOrElse(sink::result, () -> call.request(1));
  }

  @Override
  public void onError(Throwable failure) {
    sink.failed(failure);
  }

  @Override
  public void onCompleted() {
    sink.completed();
  }
}
