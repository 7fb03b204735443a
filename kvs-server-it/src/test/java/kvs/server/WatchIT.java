package kvs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kvs.core.KeyRecord;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.KVSGrpc;
import kvs.proto.KvsErrorReason;
import kvs.proto.watch.WatchEvent;
import kvs.proto.watch.WatchGrpc;
import kvs.proto.watch.WatchRequest;
import kvs.proto.watch.WatchResponse;
import kvs.testing.Eventually;
import kvs.testing.MosquittoBroker;
import kvs.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Watch service on a real broker: the changes, in stream order, the same on every server. */
@Timeout(180)
class WatchIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static MosquittoBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = MosquittoBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  /** Every answer of one watch call, as they came, and how it ended. */
  private static final class Collected implements StreamObserver<WatchResponse> {
    final ConcurrentLinkedQueue<WatchResponse> answers = new ConcurrentLinkedQueue<>();
    final CompletableFuture<Status> ended = new CompletableFuture<>();
    volatile Throwable failure;
    volatile long position;

    @Override
    public void onNext(WatchResponse answer) {
      answers.add(answer);
      position = answer.getPosition();
    }

    @Override
    public void onError(Throwable t) {
      failure = t;
      ended.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      ended.complete(Status.OK);
    }

    List<WatchEvent> events() {
      return answers.stream().flatMap(a -> a.getEventsList().stream()).toList();
    }
  }

  private static Collected watch(ManagedChannel channel, String prefix, long from) {
    Collected collected = new Collected();
    WatchGrpc.newStub(channel)
        .watch(
            WatchRequest.newBuilder().setPrefix(prefix).setFromPosition(from).build(), collected);
    return collected;
  }

  /** The keys' versions that applying {@code events} to an empty store gives. */
  private static Map<String, TreeMap<Integer, String>> replay(List<WatchEvent> events) {
    Map<String, TreeMap<Integer, String>> store = new HashMap<>();
    for (WatchEvent event : events) {
      TreeMap<Integer, String> versions =
          store.computeIfAbsent(event.getKey(), k -> new TreeMap<>());
      switch (event.getKind()) {
        case PUT -> versions.put(event.getVersion(), event.getValue());
        case REMOVE_VERSION -> versions.remove(event.getVersion());
        case REMOVE_ALL -> versions.clear();
        default -> throw new AssertionError("kind " + event.getKind());
      }
    }
    return store;
  }

  private static Map<String, TreeMap<Integer, String>> contentOf(KvsServer server) {
    Map<String, TreeMap<Integer, String>> store = new HashMap<>();
    for (KeyRecord record : server.replica().image().keys()) {
      store.put(record.key(), new TreeMap<>(record.versions()));
    }
    return store;
  }

  @Test
  void aWatchFromZeroOnEveryServerReceivesExactlyTheAppliedStreamOfThreeConcurrentWriters()
      throws Exception {
    try (TestCluster cluster = TestCluster.start(broker, 3)) {
      List<Collected> watches = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        watches.add(watch(cluster.channel(i), "", 0));
      }
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        KVSGrpc.KVSBlockingStub kvs = cluster.blocking(w);
        String mine = "writer-" + w;
        Thread writer =
            new Thread(
                () -> {
                  for (int n = 0; n < 200; n++) {
                    String key = (n % 2 == 0 ? "shared-" : mine + "-") + (n % 7);
                    kvs.insere(
                        ChaveValor.newBuilder().setChave(key).setValor("value-" + n).build());
                    if (n % 10 == 9) {
                      kvs.remove(ChaveVersao.newBuilder().setChave(key).setVersao(1).build());
                    }
                    if (n % 50 == 49) {
                      kvs.remove(ChaveVersao.newBuilder().setChave(key).build());
                    }
                  }
                });
        writer.start();
        writers.add(writer);
      }
      for (Thread writer : writers) {
        writer.join();
      }
      cluster.awaitConverged();
      long end = cluster.server(0).replica().position();
      for (Collected w : watches) {
        Eventually.await(Duration.ofSeconds(10), "watch reached " + end, () -> w.position >= end);
      }
      List<WatchEvent> first = watches.get(0).events();
      assertTrue(first.size() > 600, first.size() + " events");
      for (int i = 1; i < 3; i++) {
        assertEquals(first, watches.get(i).events(), "server " + i + " gave other events");
      }
      long last = 0;
      for (WatchEvent event : first) {
        assertTrue(event.getPosition() >= last, "out of order at " + event);
        last = event.getPosition();
      }
      for (int i = 0; i < 3; i++) {
        assertEquals(contentOf(cluster.server(i)), replay(first), "server " + i + "'s content");
      }
    }
  }

  @Test
  void aPrefixWatchSeesOnlyItsKeysAndProgressWhileOthersChange() throws Exception {
    try (TestCluster cluster = TestCluster.start(broker, 1)) {
      KVSGrpc.KVSBlockingStub kvs = cluster.blocking(0);
      Collected watched = watch(cluster.channel(0), "café/", 0);
      kvs.insere(ChaveValor.newBuilder().setChave("café/one").setValor("première").build());
      kvs.insere(ChaveValor.newBuilder().setChave("other").setValor("ignored").build());
      long end = cluster.server(0).replica().position();
      Eventually.await(Duration.ofSeconds(5), "progress to " + end, () -> watched.position >= end);
      List<WatchEvent> events = watched.events();
      assertEquals(1, events.size(), events.toString());
      assertEquals("café/one", events.get(0).getKey());
      assertEquals("première", events.get(0).getValue());
      assertEquals(1, events.get(0).getVersion());
      assertTrue(
          watched.answers.stream().anyMatch(a -> a.getEventsCount() == 0 && a.getPosition() == end),
          "a progress answer at " + end);
    }
  }

  @Test
  void aPositionOlderThanTheHistoryFailsNamingTheOldestAndWatchingFromThereWorks()
      throws Exception {
    try (TestCluster cluster = TestCluster.start(broker, 1, b -> b.watchHistoryBytes(64 << 10))) {
      KVSGrpc.KVSBlockingStub kvs = cluster.blocking(0);
      String value = "x".repeat(1000);
      for (int n = 0; n < 200; n++) {
        kvs.insere(ChaveValor.newBuilder().setChave("key-" + n).setValor(value).build());
      }
      long oldest = cluster.server(0).replica().changes().oldest();
      assertTrue(oldest > 0, "200 KB of changes did not fit in 64 KB");

      Collected tooOld = watch(cluster.channel(0), "", 0);
      Status status = tooOld.ended.get(10, TimeUnit.SECONDS);
      assertEquals(Status.Code.OUT_OF_RANGE, status.getCode());
      assertTrue(
          status.getDescription().contains("oldest position it can watch from is " + oldest));
      Throwable failure = tooOld.failure;
      assertEquals(KvsErrorReason.HISTORY_TRIMMED, KvsErrorReason.of(failure).orElseThrow());
      assertEquals(
          Long.toString(oldest),
          KvsErrorReason.metadataOf(failure).get(KvsErrorReason.OLDEST_POSITION));

      Collected fromOldest = watch(cluster.channel(0), "", oldest);
      long end = cluster.server(0).replica().position();
      Eventually.await(Duration.ofSeconds(5), "reached " + end, () -> fromOldest.position >= end);
      assertEquals(end - oldest, fromOldest.events().size());
      assertEquals(oldest + 1, fromOldest.events().get(0).getPosition());
    }
  }

  @Test
  void aReaderThatStopsReadingIsCutAndTheServersMemoryStaysBounded() throws Exception {
    long bound = 256 << 10;
    try (TestCluster cluster = TestCluster.start(broker, 1, b -> b.watchHistoryBytes(bound))) {
      CompletableFuture<Throwable> ended = new CompletableFuture<>();
      CompletableFuture<ClientCallStreamObserver<WatchRequest>> reader = new CompletableFuture<>();
      // Takes one answer and then asks for no other until the server has cut it.
      WatchGrpc.newStub(cluster.channel(0))
          .watch(
              WatchRequest.getDefaultInstance(),
              new ClientResponseObserver<WatchRequest, WatchResponse>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<WatchRequest> call) {
                  call.disableAutoRequestWithInitial(1);
                  reader.complete(call);
                }

                @Override
                public void onNext(WatchResponse value) {}

                @Override
                public void onError(Throwable t) {
                  ended.complete(t);
                }

                @Override
                public void onCompleted() {
                  ended.complete(null);
                }
              });
      KVSGrpc.KVSBlockingStub kvs = cluster.blocking(0);
      String value = "y".repeat(4000);
      for (int n = 0; n < 1000; n++) {
        kvs.insere(ChaveValor.newBuilder().setChave("key-" + n % 50).setValor(value).build());
        assertTrue(cluster.server(0).replica().changes().bytes() <= bound);
      }
      // The server let go of it (what it had sent waits in the connection's flow-control window).
      Eventually.await(
          Duration.ofSeconds(5), "the watch cut", () -> cluster.server(0).watchers() == 0);
      reader.get().request(Integer.MAX_VALUE); // reads the rest, then learns why it ended
      Throwable failure = ended.get(10, TimeUnit.SECONDS);
      Status status = Status.fromThrowable(failure);
      assertEquals(Status.Code.OUT_OF_RANGE, status.getCode(), status.toString());
      assertEquals(
          KvsErrorReason.WATCH_TOO_SLOW,
          KvsErrorReason.of(failure).orElseThrow(),
          status.toString());
    }
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Opens {@code GET path} and hands over its lines as they come (the status once it came). */
  private static HttpResponse<Stream<String>> open(KvsServer server, String path, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.sendAsync(request.build(), BodyHandlers.ofLines()).get(10, TimeUnit.SECONDS);
  }

  /** The server-sent events of {@code lines} up to the first {@code change} one, with its id. */
  private static List<String> untilChange(Iterator<String> lines) {
    List<String> event = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (lines.hasNext() && System.nanoTime() < deadline) {
      String line = lines.next();
      if (line.isEmpty()) {
        if (event.contains("event: change")) {
          return event;
        }
        event.clear();
      } else {
        event.add(line);
      }
    }
    throw new AssertionError("no change event in 10 s; last lines " + event);
  }

  @Test
  void overHttpAWatchIsServerSentEventsThatResumeFromTheLastEventId() throws Exception {
    try (TestCluster cluster = TestCluster.start(broker, 1, b -> b.httpPort(0))) {
      KvsServer server = cluster.server(0);
      KVSGrpc.KVSBlockingStub kvs = cluster.blocking(0);
      kvs.insere(ChaveValor.newBuilder().setChave("before").setValor("not watched").build());
      long from = server.replica().position();
      HttpResponse<Stream<String>> stream = open(server, "/v1/watch?prefix=sse%2F&from=" + from);
      assertEquals(200, stream.statusCode());
      assertEquals(
          "text/event-stream; charset=utf-8", stream.headers().firstValue("Content-Type").get());
      kvs.insere(ChaveValor.newBuilder().setChave("other").setValor("not this prefix").build());
      kvs.insere(ChaveValor.newBuilder().setChave("sse/one").setValor("línea\nduas").build());
      long position = server.replica().position();
      List<String> change = untilChange(stream.body().iterator());
      stream.body().close();
      assertEquals("id: " + position, change.get(0));
      JsonNode data = JSON.readTree(change.get(2).substring("data: ".length()));
      assertEquals(position, data.get("position").asLong());
      assertEquals(
          JSON.readTree(
              "[{\"kind\":\"put\",\"key\":\"sse/one\",\"version\":1,\"value\":\"línea\\nduas\"}]"),
          data.get("events"));

      // What EventSource does after a cut: Last-Event-ID, which wins over ?from.
      kvs.remove(ChaveVersao.newBuilder().setChave("sse/one").setVersao(1).build());
      HttpResponse<Stream<String>> resumed =
          open(server, "/v1/watch?prefix=sse%2F&from=0", "Last-Event-ID", Long.toString(position));
      List<String> next = untilChange(resumed.body().iterator());
      resumed.body().close();
      assertEquals("id: " + (position + 1), next.get(0));
      assertTrue(next.get(2).contains("\"kind\":\"remove-version\""), next.toString());
    }
  }

  @Test
  void overHttpAPositionNoLongerHeldIs410WithTheOldestAndABadOneIs400() throws Exception {
    try (TestCluster cluster =
        TestCluster.start(broker, 1, b -> b.httpPort(0).watchHistoryBytes(64 << 10))) {
      KvsServer server = cluster.server(0);
      String value = "z".repeat(1000);
      for (int n = 0; n < 200; n++) {
        cluster
            .blocking(0)
            .insere(ChaveValor.newBuilder().setChave("k-" + n).setValor(value).build());
      }
      long oldest = server.replica().changes().oldest();
      HttpResponse<Stream<String>> gone = open(server, "/v1/watch?from=0");
      String body = String.join("\n", gone.body().toList());
      assertEquals(410, gone.statusCode(), body);
      assertEquals("HISTORY_TRIMMED", JSON.readTree(body).get("code").asText());
      assertEquals(Long.toString(oldest), gone.headers().firstValue("Kvs-Oldest-Position").get());

      HttpResponse<Stream<String>> bad = open(server, "/v1/watch?from=-3");
      assertEquals(400, bad.statusCode());
      assertEquals(
          "BAD_REQUEST", JSON.readTree(String.join("", bad.body().toList())).get("code").asText());
      HttpResponse<Stream<String>> post =
          HTTP.sendAsync(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.httpPort() + "/v1/watch"))
                      .POST(HttpRequest.BodyPublishers.noBody())
                      .build(),
                  BodyHandlers.ofLines())
              .get(10, TimeUnit.SECONDS);
      assertEquals(405, post.statusCode());
    }
  }

  @Test
  void aNegativePositionOrATooLongPrefixIsRefused() throws Exception {
    try (TestCluster cluster = TestCluster.start(broker, 1)) {
      Collected negative = watch(cluster.channel(0), "", -1);
      assertEquals(Status.Code.INVALID_ARGUMENT, negative.ended.get(5, TimeUnit.SECONDS).getCode());
      Collected longPrefix = watch(cluster.channel(0), "k".repeat(5000), 0);
      Status status = longPrefix.ended.get(5, TimeUnit.SECONDS);
      assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
      assertTrue(status.getDescription().contains("longer than a key may be"), status.toString());
    }
  }
}
