package kvs.core.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import kvs.core.Entry;
import kvs.core.VersionedStore;
import org.junit.jupiter.api.Test;

class StateMachineTest {
  private final StateMachine machine = new StateMachine(new VersionedStore());

  private static ReplicationMessage message(String origin, long seq, Operation... ops) {
    return new ReplicationMessage(origin, "run-1", seq, List.of(ops));
  }

  @Test
  void appliesABatchInOrderWithOneResultPerOperation() {
    StateMachine.Applied applied =
        machine.apply(
            message(
                "a",
                1,
                new Operation.Put("chave1", "valor1"),
                new Operation.Put("chave1", "valor2"),
                new Operation.Put("xx", "valor2"),
                new Operation.Remove("chave1", 1),
                new Operation.Remove("chave1", 1),
                Operation.Remove.all("chave1"),
                Operation.Remove.all("chave1")));
    assertEquals(List.of(1, 2, -1, 1, -1, 0, -1), applied.results());
    assertEquals(1, machine.position());
  }

  @Test
  void ignoresARedeliveredMessage() {
    ReplicationMessage first = message("a", 1, new Operation.Put("chave1", "valor1"));
    machine.apply(first);
    StateMachine.Applied again = machine.apply(first);
    assertTrue(again.duplicate());
    assertEquals(List.of(), again.results());
    assertEquals(1, machine.position());
    assertEquals(List.of(new Entry("chave1", "valor1", 1)), machine.store().snapshot(0));
  }

  @Test
  void sequencesAreScopedByOriginAndRun() {
    machine.apply(message("a", 5, new Operation.Put("chave1", "valor1")));
    assertEquals(
        List.of(2), machine.apply(message("b", 1, new Operation.Put("chave1", "v2b"))).results());
    assertTrue(machine.apply(message("a", 3, new Operation.Put("chave1", "old"))).duplicate());
    ReplicationMessage restarted =
        new ReplicationMessage("a", "run-2", 1, List.of(new Operation.Put("chave1", "v3a")));
    assertEquals(List.of(3), machine.apply(restarted).results(), "a new run starts over");
  }

  @Test
  void sameStreamGivesSameStateAndAnswers() {
    List<ReplicationMessage> stream =
        List.of(
            message("a", 1, new Operation.Put("chave1", "valor1")),
            message("b", 1, new Operation.Put("chave1", "valor2"), Operation.Remove.all("chave2")),
            message("a", 2, new Operation.Remove("chave1", 1)),
            message("b", 1, new Operation.Put("chave1", "dup")),
            message("c", 1, new Operation.Put("chave1", "valor3")));
    StateMachine other = new StateMachine(new VersionedStore());
    for (ReplicationMessage m : stream) {
      assertEquals(machine.apply(m), other.apply(m));
    }
    assertEquals(machine.store().snapshot(0), other.store().snapshot(0));
    assertEquals(machine.position(), other.position());
  }
}
