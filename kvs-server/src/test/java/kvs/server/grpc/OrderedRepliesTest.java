package kvs.server.grpc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import kvs.proto.ChaveValor;
import kvs.proto.KVSGrpc;
import kvs.proto.Versao;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A batch stream takes at most {@link OrderedReplies.WINDOW} requests ahead of its answers, and
 * answers every request once, in order, over grpc-java's in-process transport (exact flow control).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OrderedRepliesTest {
  private static final int ITEMS = OrderedReplies.WINDOW * 2 + 500;

  private final LinkedBlockingQueue<CompletableFuture<Versao>> pending =
      new LinkedBlockingQueue<>();
  private final AtomicInteger taken = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger mostAhead = new AtomicInteger();
  private Server server;
  private ManagedChannel channel;

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void takesAtMostAWindowOfRequestsAheadOfItsAnswersAndAnswersEachInOrder() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                new KVSGrpc.KVSImplBase() {
                  @Override
                  public StreamObserver<ChaveValor> insereVarias(StreamObserver<Versao> replies) {
                    return new OrderedReplies<>(replies, request -> take());
                  }
                })
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();

    List<Integer> received = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<ChaveValor> requests =
        KVSGrpc.newStub(channel)
            .insereVarias(
                new StreamObserver<>() {
                  @Override
                  public void onNext(Versao value) {
                    received.add(value.getVersao());
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    done.complete(null);
                  }
                });
    for (int i = 0; i < ITEMS; i++) {
      requests.onNext(ChaveValor.newBuilder().setChave("key" + i).setValor("value").build());
    }
    requests.onCompleted();

    await("a window of requests taken")
        .atMost(Duration.ofSeconds(10))
        .until(() -> taken.get() == OrderedReplies.WINDOW);
    for (int i = 1; i <= ITEMS; i++) {
      CompletableFuture<Versao> next = pending.poll(10, TimeUnit.SECONDS);
      answered.incrementAndGet();
      next.complete(Versao.newBuilder().setVersao(i).build());
    }
    done.get(10, TimeUnit.SECONDS);

    assertEquals(
        OrderedReplies.WINDOW,
        mostAhead.get(),
        "never more than a window taken ahead of the answers");
    assertEquals(ITEMS, received.size(), "one answer per request");
    for (int i = 0; i < ITEMS; i++) {
      assertEquals(i + 1, received.get(i), "answers in request order");
    }
  }

  private CompletableFuture<Versao> take() {
    int ahead = taken.incrementAndGet() - answered.get();
    mostAhead.accumulateAndGet(ahead, Math::max);
    CompletableFuture<Versao> answer = new CompletableFuture<>();
    pending.add(answer);
    return answer;
  }
}
