package kvs.bench;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import kvs.proto.Tupla;
import kvs.proto.Versao;

/**
 * One Snapshot stream: counts the tuples without keeping them, and asks for them the way a reader
 * under flow control does, a window at a time: {@link #WINDOW} when the call starts, then half a
 * window each time half a window was counted (the client library's readers do the same). One {@code
 * request(n)} per half window, not per tuple: asking one at a time costs a round of thread hops per
 * tuple and made a large snapshot several times slower.
 */
final class SnapshotCall extends ClientCall.Listener<Tupla> {
  /** Tuples requested beyond those counted. */
  static final int WINDOW = 512;

  private final ClientCall<Versao, Tupla> call;
  private final KvsDriver.SnapshotAnswer answer;

  // Delivered one at a time by gRPC.
  private long entries;
  private int sinceRequest;

  SnapshotCall(ClientCall<Versao, Tupla> call, KvsDriver.SnapshotAnswer answer) {
    this.call = call;
    this.answer = answer;
  }

  /** Starts {@code Snapshot(version)}. */
  void start(int version) {
    call.start(this, new Metadata());
    call.request(WINDOW);
    call.sendMessage(Versao.newBuilder().setVersao(version).build());
    call.halfClose();
  }

  @Override
  public void onMessage(Tupla tupla) {
    if (!tupla.getChave().isEmpty()) { // a lone blank tuple is the empty snapshot
      entries++;
    }
    if (++sinceRequest == WINDOW / 2) {
      sinceRequest = 0;
      call.request(WINDOW / 2);
    }
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    if (status.isOk()) {
      answer.received(entries);
    } else {
      answer.failed(status);
    }
  }
}
