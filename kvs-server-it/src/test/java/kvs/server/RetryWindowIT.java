package kvs.server;

import static kvs.server.KvsServiceIT.key;
import static kvs.server.KvsServiceIT.kv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import kvs.proto.ChaveValor;
import kvs.proto.KVSGrpc;
import kvs.proto.Versao;
import kvs.server.grpc.CallMetadata;
import kvs.server.testing.BidiCalls;
import kvs.testing.MosquittoBroker;
import kvs.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A retried write stays safe however many other writes the cluster applied meanwhile: the request
 * ids are remembered for a window of stream time, not for a count of ids.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RetryWindowIT {
  private static final int STREAMS = 5;
  private static final int ITEMS_PER_STREAM = 100_000;
  private static final Duration LOADED_TIMEOUT = Duration.ofSeconds(20);

  private static KVSGrpc.KVSBlockingStub withId(KVSGrpc.KVSBlockingStub stub, String id) {
    Metadata headers = new Metadata();
    headers.put(CallMetadata.REQUEST_ID, id);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static KVSGrpc.KVSStub withId(KVSGrpc.KVSStub stub, String id) {
    Metadata headers = new Metadata();
    headers.put(CallMetadata.REQUEST_ID, id);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Test
  void aRetryAfterHalfAMillionOtherWritesWithIdsAnswersTheFirstVersionDuringAndAfterTheLoad()
      throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.start();
        // Retry safety, not the write timeout, is under test: three servers saturated in one JVM
        // on a shared machine keep some writes waiting longer than TestCluster's 2 s.
        TestCluster cluster = TestCluster.start(broker, 3, b -> b.writeTimeout(LOADED_TIMEOUT))) {
      assertEquals(1, withId(cluster.blocking(0), "R").insere(kv("chave-r", "valor1")).getVersao());

      // 500,000 writes with other ids: streams on every server at once (item i of stream s is
      // "s#i").
      List<CompletableFuture<List<Versao>>> load = new ArrayList<>();
      for (int s = 0; s < STREAMS; s++) {
        KVSGrpc.KVSStub stub =
            withId(cluster.async(s % cluster.size()), "load-" + s)
                .withDeadlineAfter(180, TimeUnit.SECONDS);
        List<ChaveValor> items =
            IntStream.range(0, ITEMS_PER_STREAM)
                .mapToObj(i -> kv("key-" + (i % 5000), "value-" + i))
                .toList();
        load.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return BidiCalls.exchange(stub, items, KVSGrpc.KVSStub::insereVarias);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                }));
      }
      // While the servers are saturated, the retry goes to each server in turn.
      for (int n = 0; !load.stream().allMatch(CompletableFuture::isDone); n++) {
        assertEquals(
            1,
            withId(cluster.blocking(n % cluster.size()), "R")
                .insere(kv("chave-r", "valor1"))
                .getVersao(),
            "retry " + n + " during the load");
      }
      long timedOut = 0;
      for (CompletableFuture<List<Versao>> stream : load) {
        List<Versao> answers = stream.get(200, TimeUnit.SECONDS);
        assertEquals(ITEMS_PER_STREAM, answers.size());
        assertTrue(
            answers.stream().allMatch(v -> v.getVersao() >= 1 || v.getVersao() == -1),
            "versions, or -1");
        timedOut += answers.stream().filter(v -> v.getVersao() == -1).count();
      }
      // Saturating three servers in one JVM, a few writes may wait longer than the write
      // timeout and answer -1 (they may still be applied): a known limit, not what this test is
      // about.
      System.out.println(
          "RetryWindowIT: "
              + timedOut
              + " of "
              + STREAMS * ITEMS_PER_STREAM
              + " load writes answered -1");
      assertTrue(
          timedOut < STREAMS * ITEMS_PER_STREAM / 100, timedOut + " load writes answered -1");

      for (int server = 0; server < cluster.size(); server++) {
        assertEquals(
            1,
            withId(cluster.blocking(server), "R").insere(kv("chave-r", "valor1")).getVersao(),
            "after 500,000 other writes, on server " + server);
      }
      cluster.awaitConverged();
      for (int server = 0; server < cluster.size(); server++) {
        assertEquals(
            1,
            cluster.blocking(server).consulta(key("chave-r")).getVersao(),
            "exactly one version");
      }
    }
  }
}
