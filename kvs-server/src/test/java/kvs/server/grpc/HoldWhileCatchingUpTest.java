package kvs.server.grpc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Context;
import io.grpc.ForwardingServerCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import kvs.proto.ChaveValor;
import kvs.proto.KVSGrpc;
import kvs.proto.KvsErrorReason;
import kvs.proto.Versao;
import kvs.server.replication.ServingState;
import kvs.server.replication.ServingSwitch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Calls that arrive while the server catches up wait for it, within min(deadline, maxWait); a call
 * that gives up (deadline, cancellation, maxWait) is never started. The service behind the
 * interceptor counts the calls it saw; an outer interceptor tells the test when a call has reached
 * the hold and when the held call has ended, so nothing here sleeps.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HoldWhileCatchingUpTest {
  private static final Duration LONG = Duration.ofSeconds(20);
  private static final ChaveValor PUT = ChaveValor.newBuilder().setChave("k").setValor("v").build();

  private final CountingService service = new CountingService();
  private final Observed observed = new Observed();
  private Server server;
  private ManagedChannel channel;

  private KVSGrpc.KVSFutureStub start(ServingState serving, Duration maxWait) throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                ServerInterceptors.intercept(
                    ServerInterceptors.intercept(
                        service, new HoldWhileCatchingUp(serving, maxWait)),
                    observed))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    return KVSGrpc.newFutureStub(channel);
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aCallWhileCatchingUpWaitsAndIsAnsweredOnceServing() throws Exception {
    ServingState serving = ServingSwitch.catchingUp();
    ListenableFuture<Versao> reply =
        start(serving, LONG).withDeadlineAfter(20, TimeUnit.SECONDS).insere(PUT);

    observed.awaitArrived(1);
    assertFalse(reply.isDone(), "held, neither answered nor failed");
    assertEquals(0, service.calls.get(), "not started while catching up");

    ServingSwitch.set(serving, true);
    assertEquals(1, reply.get(5, TimeUnit.SECONDS).getVersao());
    assertEquals(1, service.calls.get());
  }

  @Test
  void aCallThatOutwaitsMaxWaitFailsUnavailableCatchingUpAndIsNeverStarted() throws Exception {
    ServingState serving = ServingSwitch.catchingUp();
    ListenableFuture<Versao> reply =
        start(serving, Duration.ofMillis(200)).withDeadlineAfter(20, TimeUnit.SECONDS).insere(PUT);

    StatusRuntimeException failure = failure(reply);
    assertEquals(Status.Code.UNAVAILABLE, failure.getStatus().getCode());
    assertEquals(Optional.of(KvsErrorReason.CATCHING_UP), KvsErrorReason.of(failure));

    observed.awaitEnded(1);
    ServingSwitch.set(serving, true);
    assertEquals(0, service.calls.get(), "a refused call must not run later");
  }

  @Test
  void aCallWhoseDeadlineIsShorterFailsDeadlineExceededAndIsNeverStarted() throws Exception {
    ServingState serving = ServingSwitch.catchingUp();
    ListenableFuture<Versao> reply =
        start(serving, LONG).withDeadlineAfter(200, TimeUnit.MILLISECONDS).insere(PUT);

    assertEquals(Status.Code.DEADLINE_EXCEEDED, failure(reply).getStatus().getCode());

    observed.awaitEnded(1);
    ServingSwitch.set(serving, true);
    assertEquals(0, service.calls.get(), "a call past its deadline must not run later");
  }

  @Test
  void aCallCancelledWhileHeldIsNeverStarted() throws Exception {
    ServingState serving = ServingSwitch.catchingUp();
    KVSGrpc.KVSFutureStub stub = start(serving, LONG);
    Context.CancellableContext client = Context.current().withCancellation();
    ListenableFuture<Versao> reply =
        client.call(() -> stub.withDeadlineAfter(20, TimeUnit.SECONDS).insere(PUT));
    observed.awaitArrived(1);

    client.cancel(null);
    assertEquals(Status.Code.CANCELLED, failure(reply).getStatus().getCode());

    observed.awaitEnded(1);
    ServingSwitch.set(serving, true);
    assertEquals(0, service.calls.get(), "a cancelled call must not run later");
  }

  @Test
  void callsWhileServingGoStraightThrough() throws Exception {
    ServingState serving = ServingState.serving();
    KVSGrpc.KVSFutureStub stub = start(serving, LONG);
    for (int n = 1; n <= 3; n++) {
      // A deadline shorter than any catch-up wait: an answer within it is no held call.
      assertEquals(
          1,
          stub.withDeadlineAfter(2, TimeUnit.SECONDS)
              .insere(PUT)
              .get(5, TimeUnit.SECONDS)
              .getVersao());
      assertEquals(n, service.calls.get());
    }
  }

  @Test
  void callsHeldTogetherAreAllReleasedAndALaterCatchUpHoldsAgain() throws Exception {
    ServingState serving = ServingSwitch.catchingUp();
    KVSGrpc.KVSFutureStub stub = start(serving, LONG).withDeadlineAfter(20, TimeUnit.SECONDS);
    ListenableFuture<Versao> first = stub.insere(PUT);
    ListenableFuture<Versao> second = stub.insere(PUT);
    observed.awaitArrived(2);
    ServingSwitch.set(serving, true);
    assertEquals(1, first.get(5, TimeUnit.SECONDS).getVersao());
    assertEquals(1, second.get(5, TimeUnit.SECONDS).getVersao());

    ServingSwitch.set(serving, false); // a re-sync
    ListenableFuture<Versao> third = stub.insere(PUT);
    observed.awaitArrived(3);
    assertFalse(third.isDone());
    assertEquals(2, service.calls.get());
    ServingSwitch.set(serving, true);
    assertEquals(1, third.get(5, TimeUnit.SECONDS).getVersao());
    assertEquals(3, service.calls.get());
  }

  private static StatusRuntimeException failure(ListenableFuture<?> reply) {
    ExecutionException thrown =
        assertThrows(ExecutionException.class, () -> reply.get(10, TimeUnit.SECONDS));
    return assertInstanceOf(StatusRuntimeException.class, thrown.getCause());
  }

  /** Answers every Insere with version 1 and counts the calls it was handed. */
  private static final class CountingService extends KVSGrpc.KVSImplBase {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public void insere(ChaveValor request, StreamObserver<Versao> reply) {
      calls.incrementAndGet();
      reply.onNext(Versao.newBuilder().setVersao(1).build());
      reply.onCompleted();
    }
  }

  /**
   * Outside the hold: counts calls that reached it, and calls whose listener (the hold's) has been
   * told the call ended, cancelled or completed. Counted after the hold has handled the event.
   */
  private static final class Observed implements ServerInterceptor {
    final AtomicInteger arrived = new AtomicInteger();
    final AtomicInteger ended = new AtomicInteger();

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
      ServerCall.Listener<Q> listener = next.startCall(call, headers);
      arrived.incrementAndGet();
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
        @Override
        public void onCancel() {
          super.onCancel();
          ended.incrementAndGet();
        }

        @Override
        public void onComplete() {
          super.onComplete();
          ended.incrementAndGet();
        }
      };
    }

    void awaitArrived(int calls) {
      await(calls + " call(s) at the hold")
          .atMost(Duration.ofSeconds(5))
          .until(() -> arrived.get() >= calls);
    }

    void awaitEnded(int calls) {
      await(calls + " call(s) ended on the server")
          .atMost(Duration.ofSeconds(5))
          .until(() -> ended.get() >= calls);
    }
  }
}
