package kvs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import kvs.proto.Tupla;
import kvs.proto.Versao;
import org.junit.jupiter.api.Test;

/** A snapshot stream is requested a window at a time, driven by hand without a transport. */
class SnapshotCallTest {
  private static final int WINDOW = SnapshotCall.WINDOW;

  private final RecordingCall call = new RecordingCall();
  private final List<Object> answers = new ArrayList<>();
  private final KvsDriver.SnapshotAnswer answer =
      new KvsDriver.SnapshotAnswer() {
        @Override
        public void received(long entries) {
          answers.add(entries);
        }

        @Override
        public void failed(Status status) {
          answers.add(status.getCode());
        }
      };

  @Test
  void requestsAWindowThenHalfAWindowPerHalfCountedAndNeverMoreThanAWindowAhead() {
    SnapshotCall snapshot = new SnapshotCall(call, answer);
    snapshot.start(0);
    assertEquals(List.of(WINDOW), call.requests);
    assertEquals(List.of(Versao.newBuilder().setVersao(0).build()), call.sent);

    int tuples = 2_000;
    for (int i = 0; i < tuples; i++) {
      snapshot.onMessage(
          Tupla.newBuilder().setChave("bench-" + i).setValor("value").setVersao(1).build());
      long requested = call.requests.stream().mapToLong(Integer::longValue).sum();
      long ahead = requested - (i + 1);
      assertTrue(
          ahead > 0 && ahead <= WINDOW, "requested " + requested + " after " + (i + 1) + " tuples");
    }
    snapshot.onClose(Status.OK, new Metadata());

    List<Integer> expected = new ArrayList<>(List.of(WINDOW));
    expected.addAll(Collections.nCopies(tuples / (WINDOW / 2), WINDOW / 2));
    assertEquals(expected, call.requests);
    assertEquals(List.of((Object) (long) tuples), answers);
  }

  @Test
  void theBlankTupleOfAnEmptySnapshotIsNoEntry() {
    SnapshotCall snapshot = new SnapshotCall(call, answer);
    snapshot.start(0);
    snapshot.onMessage(Tupla.getDefaultInstance());
    snapshot.onClose(Status.OK, new Metadata());

    assertEquals(List.of((Object) 0L), answers);
  }

  /** Records what the snapshot asks of its call. */
  private static final class RecordingCall extends ClientCall<Versao, Tupla> {
    final List<Integer> requests = new ArrayList<>();
    final List<Versao> sent = new ArrayList<>();

    @Override
    public void start(Listener<Tupla> listener, Metadata headers) {}

    @Override
    public void request(int count) {
      requests.add(count);
    }

    @Override
    public void cancel(String message, Throwable cause) {}

    @Override
    public void halfClose() {}

    @Override
    public void sendMessage(Versao message) {
      sent.add(message);
    }
  }
}
