package kvs.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import kvs.client.Entry;
import kvs.client.GetResult;
import kvs.client.KeyValue;
import kvs.client.KeyVersion;
import kvs.client.KvsClient;
import kvs.client.testing.FakeKvsService;
import kvs.client.testing.InProcessKvs;
import kvs.proto.KVSGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Streaming results are requested a window at a time: the whole window when the call starts, then
 * half a window each time the consumer has taken half a window; never one at a time, and never more
 * than a window beyond what the consumer took. On the in-process transport a server can send only
 * what the client requested, so the fake server's count of tuples sent is exact.
 */
@Timeout(60)
class RequestWindowTest {

  private static final int WINDOW = RequestWindow.SIZE;
  private static final int KEYS = 2_000;

  private final FakeKvsService service = new FakeKvsService();
  private final RecordedRequests recorded = new RecordedRequests();
  private InProcessKvs server;
  private KvsClient kvs;

  @BeforeEach
  void start() {
    server = InProcessKvs.start(service);
    Channel channel = ClientInterceptors.intercept(server.channel(), recorded);
    kvs = KvsClient.builder().channel(channel).deadline(Duration.ofSeconds(50)).build();
    try (Stream<?> puts =
        kvs.putAll(
            () ->
                IntStream.range(0, KEYS)
                    .mapToObj(i -> KeyValue.of("key" + i, "value" + i))
                    .iterator())) {
      assertEquals(KEYS, puts.count());
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    kvs.close();
    server.close();
  }

  @Test
  void theSnapshotIteratorHoldsTheServerToOneWindowAheadOfTheCaller() {
    int consumed = 0;
    long mostAhead = 0;
    try (Stream<Entry> entries = kvs.snapshot(0)) {
      for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
        it.next();
        consumed++;
        mostAhead = Math.max(mostAhead, service.snapshotSent() - consumed);
      }
    }

    assertEquals(KEYS, consumed);
    assertTrue(mostAhead <= WINDOW, "the server ran " + mostAhead + " tuples ahead of the caller");
    assertEquals(windows(KEYS), recorded.of(KVSGrpc.getSnapshotMethod()));
  }

  @Test
  void theSnapshotConsumerHoldsTheServerToOneWindowAheadOfIt() throws Exception {
    int[] consumed = {0};
    long[] mostAhead = {0};
    kvs.async()
        .snapshot(
            0,
            entry -> {
              consumed[0]++;
              mostAhead[0] = Math.max(mostAhead[0], service.snapshotSent() - consumed[0]);
            })
        .get(30, TimeUnit.SECONDS);

    assertEquals(KEYS, consumed[0]);
    assertTrue(mostAhead[0] <= WINDOW, "the server ran " + mostAhead[0] + " tuples ahead");
    assertEquals(windows(KEYS), recorded.of(KVSGrpc.getSnapshotMethod()));
  }

  @Test
  void aBatchRequestsItsAnswersAWindowAtATime() {
    List<KeyVersion> keys =
        IntStream.range(0, KEYS).mapToObj(i -> KeyVersion.of("key" + i)).toList();
    try (Stream<GetResult> results = kvs.getAll(keys)) {
      assertEquals(KEYS, results.filter(r -> r.entry().isPresent()).count());
    }

    assertEquals(windows(KEYS), recorded.of(KVSGrpc.getConsultaVariasMethod()));
  }

  /** The requests for {@code results} consumed: a window, then half of one per half consumed. */
  private static List<Integer> windows(int results) {
    List<Integer> requests = new ArrayList<>();
    requests.add(WINDOW);
    requests.addAll(Collections.nCopies(results / (WINDOW / 2), WINDOW / 2));
    return requests;
  }

  /** Every {@code request(n)} the client makes on its calls, by method. */
  private static final class RecordedRequests implements ClientInterceptor {
    private record Request(String method, int count) {}

    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
      return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void request(int count) {
          requests.add(new Request(method.getFullMethodName(), count));
          super.request(count);
        }
      };
    }

    List<Integer> of(MethodDescriptor<?, ?> method) {
      synchronized (requests) {
        return requests.stream()
            .filter(r -> r.method().equals(method.getFullMethodName()))
            .map(Request::count)
            .toList();
      }
    }
  }
}
