package kvs.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import kvs.client.testing.FakeKvsService;
import kvs.client.testing.InProcessKvs;
import kvs.client.testing.ServerMetadata.Call;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The KVS metadata the client sends and reads: request ids, positions, read-your-writes. */
@Timeout(30)
class RequestMetadataTest {

  private final FakeKvsService service = new FakeKvsService();
  private InProcessKvs server;

  @BeforeEach
  void start() {
    server = InProcessKvs.start(() -> service.definition());
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.close();
  }

  private KvsClient client(boolean readYourWrites) {
    return KvsClient.builder().channel(server.channel()).readYourWrites(readYourWrites).build();
  }

  @Test
  void everyWriteCarriesARequestIdOfItsOwnAndReadsCarryNone() {
    try (KvsClient kvs = client(true)) {
      kvs.put("chave1", "valor1");
      kvs.put("chave1", "valor2");
      kvs.remove("chave1", 1);
      kvs.putAll(List.of(KeyValue.of("chave2", "valor1"), KeyValue.of("chave3", "valor1")))
          .toList();
      kvs.removeAll(List.of(KeyVersion.of("chave2"))).toList();
      kvs.get("chave1");
      kvs.getAll(List.of(KeyVersion.of("chave1"))).toList();
      kvs.snapshot(0).toList();
    }

    List<Call> calls = service.metadata().calls();
    List<Call> writes =
        calls.stream()
            .filter(
                c ->
                    Set.of("Insere", "Remove", "InsereVarias", "RemoveVarias").contains(c.method()))
            .toList();
    assertEquals(5, writes.size());
    writes.forEach(c -> assertNotNull(c.requestId(), c.method()));
    assertEquals(5, writes.stream().map(Call::requestId).collect(Collectors.toSet()).size());
    writes.forEach(c -> assertTrue(c.requestId().chars().allMatch(ch -> ch < 128)));
    calls.stream()
        .filter(c -> !writes.contains(c))
        .forEach(c -> assertNull(c.requestId(), c.method()));
  }

  @Test
  void readsAskForThePositionOfTheClientsLastWrite() {
    try (KvsClient kvs = client(true)) {
      kvs.get("chave1");
      assertEquals(0, kvs.position());

      kvs.put("chave1", "valor1");
      kvs.put("chave1", "valor2");
      assertEquals(2, kvs.position());

      kvs.get("chave1");
      kvs.getAll(List.of(KeyVersion.of("chave1"))).toList();
      kvs.snapshot(0).toList();
    }

    List<Call> calls = service.metadata().calls();
    assertNull(calls.get(0).minPosition(), "a read before any write asks for no position");
    assertEquals(
        List.of("2", "2", "2"), calls.subList(3, 6).stream().map(Call::minPosition).toList());
  }

  @Test
  void batchWritesMoveThePositionOnToTheirTrailer() {
    try (KvsClient kvs = client(true)) {
      kvs.putAll(List.of(KeyValue.of("chave1", "valor1"), KeyValue.of("chave2", "valor1")))
          .toList();

      assertEquals(2, kvs.position());
    }
  }

  @Test
  void aPositionGivenByAnotherClientIsAskedFor() {
    try (KvsClient kvs = client(true)) {
      kvs.advancePosition(7);
      kvs.advancePosition(3);

      assertEquals(7, kvs.position());
      KvsException behind = assertThrows(KvsException.class, () -> kvs.get("chave1"));

      assertEquals(KvsException.Code.UNAVAILABLE, behind.code());
      assertEquals("UNAVAILABLE: behind position 7", behind.getMessage());
      assertThrows(IllegalArgumentException.class, () -> kvs.advancePosition(-1));
    }
  }

  @Test
  void withoutReadYourWritesReadsAskForNoPosition() {
    try (KvsClient kvs = client(false)) {
      kvs.put("chave1", "valor1");
      kvs.get("chave1");

      assertEquals(1, kvs.position());
    }
    assertNull(service.metadata().calls("Consulta").get(0).minPosition());
  }

  @Test
  void viewsShareThePosition() {
    try (KvsClient kvs = client(true)) {
      kvs.withDeadline(java.time.Duration.ofSeconds(1)).put("chave1", "valor1");

      assertEquals(1, kvs.position());
      assertEquals(1, kvs.async().get("chave1").join().orElseThrow().version());
    }
    assertEquals("1", service.metadata().calls("Consulta").get(0).minPosition());
    assertNotEquals(null, service.metadata().calls("Insere").get(0).requestId());
  }
}
