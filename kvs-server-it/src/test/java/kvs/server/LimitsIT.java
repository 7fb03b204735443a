package kvs.server;

import static kvs.server.KvsServiceIT.key;
import static kvs.server.KvsServiceIT.kv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import kvs.core.replication.SizeLimits;
import kvs.proto.ChaveValor;
import kvs.proto.KVSGrpc;
import kvs.proto.Versao;
import kvs.server.grpc.CallMetadata;
import kvs.server.testing.BidiCalls;
import kvs.server.testing.RawMqttClient;
import kvs.testing.Eventually;
import kvs.testing.MosquittoBroker;
import kvs.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Small limits on a real cluster: each limit's refusal answers -1 with its reason in the {@code
 * kvs-error} trailer, and no message on the broker (writes, state transfers) outgrows the message
 * limit, however the writes come.
 */
@Timeout(120)
class LimitsIT {
  private static final SizeLimits SMALL = new SizeLimits(16, 100, 2048);

  private static MosquittoBroker broker;
  private static TestCluster cluster;
  private static RawMqttClient spy;

  @BeforeAll
  static void start() {
    broker = MosquittoBroker.start();
    cluster = TestCluster.start(broker, 2, b -> b.limits(SMALL));
    spy = new RawMqttClient(broker).subscribe(cluster.topic()).subscribe(cluster.topic() + "/#");
  }

  @AfterAll
  static void stop() {
    spy.close();
    cluster.close();
    broker.close();
  }

  @Test
  void aKeyOverTheLimitAnswersMinusOneWithItsReasonAndIsNotStored() {
    Answer answer = insere(kv("k".repeat(17), "valor"));
    assertEquals(-1, answer.version());
    assertEquals(
        "KEY_TOO_LARGE: the key has 17 bytes, over the limit of 16 (--max-key-size)",
        answer.error());
    assertEquals(0, cluster.blocking(0).consulta(key("k".repeat(17))).getVersao());
  }

  @Test
  void aValueOverTheLimitInUtf8BytesAnswersMinusOne() {
    assertEquals(1, insere(kv(unique(), "v".repeat(100))).version(), "at the limit");
    Answer answer = insere(kv(unique(), "é".repeat(51))); // 51 characters, 102 bytes
    assertEquals(-1, answer.version());
    assertEquals(
        "VALUE_TOO_LARGE: the value has 102 bytes, over the limit of 100 (--max-value-size)",
        answer.error());
  }

  @Test
  void aTooShortKeySaysSo() {
    Answer answer = insere(kv("ab", "valor"));
    assertEquals(-1, answer.version());
    assertEquals("INVALID_INPUT: keys and values have 3 characters or more", answer.error());
  }

  @Test
  void aStreamAnswersEachItemAndItsTrailerNamesTheFirstRefusedOne() throws Exception {
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    List<Versao> replies =
        BidiCalls.exchange(
            cluster.async(0).withInterceptors(capture(trailers)),
            List.of(kv(unique(), "valor"), kv(unique(), "v".repeat(101)), kv(unique(), "valor")),
            KVSGrpc.KVSStub::insereVarias);
    assertEquals(List.of(1, -1, 1), replies.stream().map(Versao::getVersao).toList());
    assertEquals(
        "VALUE_TOO_LARGE: item 1: the value has 101 bytes, over the limit of 100"
            + " (--max-value-size)",
        trailers.get().get(CallMetadata.ERROR));
  }

  @Test
  void aBatchOfManyWritesGoesOutInMessagesWithinTheLimitAndALateJoinerCatchesUpSo()
      throws Exception {
    String prefix = unique();
    List<ChaveValor> items =
        IntStream.range(0, 200).mapToObj(i -> kv(prefix + i, "v".repeat(100))).toList();
    List<Versao> replies =
        BidiCalls.exchange(cluster.async(0), items, KVSGrpc.KVSStub::insereVarias);
    assertTrue(replies.stream().allMatch(r -> r.getVersao() == 1), replies.toString());
    cluster.awaitConverged();

    KvsServer late = cluster.addServer("late-" + UUID.randomUUID());
    Eventually.await(
        Duration.ofSeconds(20),
        "the late server has the batch",
        () -> late.replica().position() >= cluster.server(0).replica().position());
    List<Integer> sizes = new ArrayList<>(spy.received().stream().map(p -> p.length).toList());
    assertTrue(sizes.size() > 200 / 5, "200 writes of 100 bytes need many messages: " + sizes);
    int largest = sizes.stream().mapToInt(Integer::intValue).max().orElse(0);
    assertTrue(largest <= SMALL.maxMessageBytes(), "largest message: " + largest + " bytes");
    assertTrue(largest > SMALL.maxMessageBytes() / 2, "batches are filled: " + largest);
  }

  @Test
  void aGrpcMessageOverTheMessageLimitIsRefusedByGrpcItself() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> cluster.blocking(0).insere(kv(unique(), "v".repeat(3000))));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
  }

  private record Answer(int version, String error) {}

  private static Answer insere(ChaveValor request) {
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    int version =
        cluster.blocking(0).withInterceptors(capture(trailers)).insere(request).getVersao();
    return new Answer(version, trailers.get().get(CallMetadata.ERROR));
  }

  private static io.grpc.ClientInterceptor capture(AtomicReference<Metadata> trailers) {
    return MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers);
  }

  private static String unique() {
    return "lim-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
