package kvs.server.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import kvs.core.replication.Change;
import org.junit.jupiter.api.Test;

class ChangeHistoryTest {
  private static List<Change> put(String key, int version) {
    return List.of(new Change(Change.Kind.PUT, key, version, "value-" + version));
  }

  private static List<Long> positions(ChangeHistory.Page page) {
    return page.entries().stream().map(ChangeHistory.Entry::position).toList();
  }

  @Test
  void readsEveryEntryAfterAPositionInOrder() throws Exception {
    ChangeHistory history = new ChangeHistory(1 << 20, 0);
    history.append(1, put("kkk", 1));
    history.append(2, List.of()); // changed nothing: no room taken, but the position moves
    history.append(3, put("kkk", 2));
    assertEquals(List.of(1L, 3L), positions(history.read(0, 1 << 20)));
    assertEquals(3, history.read(0, 1 << 20).position());
    assertEquals(List.of(3L), positions(history.read(1, 1 << 20)));
    assertEquals(List.of(3L), positions(history.read(2, 1 << 20)));
    ChangeHistory.Page none = history.read(3, 1 << 20);
    assertEquals(List.of(), none.entries());
    assertEquals(3, none.position());
  }

  @Test
  void aReaderAheadOfTheHistoryGetsNothingAndKeepsItsPosition() throws Exception {
    ChangeHistory history = new ChangeHistory(1 << 20, 0);
    history.append(1, put("kkk", 1));
    ChangeHistory.Page ahead = history.read(7, 1 << 20);
    assertEquals(List.of(), ahead.entries());
    assertEquals(7, ahead.position());
  }

  @Test
  void aSmallPageStopsAtAWholeEntryAndSaysWhere() throws Exception {
    ChangeHistory history = new ChangeHistory(1 << 20, 0);
    for (int p = 1; p <= 10; p++) {
      history.append(p, put("kkk", p));
    }
    ChangeHistory.Page first = history.read(0, 1); // less than one entry: one entry all the same
    assertEquals(List.of(1L), positions(first));
    assertEquals(1, first.position());
    ChangeHistory.Page rest = history.read(first.position(), 1 << 20);
    assertEquals(List.of(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), positions(rest));
  }

  @Test
  void theOldestEntriesGoWhenTheHistoryOutgrowsItsBound() throws Exception {
    ChangeHistory history = new ChangeHistory(2_000, 0);
    for (int p = 1; p <= 100; p++) {
      history.append(p, put("key-" + p, 1));
    }
    assertTrue(history.bytes() <= 2_000, history.bytes() + " bytes held");
    long oldest = history.oldest();
    assertTrue(oldest > 0 && oldest < 100, "oldest " + oldest);
    ChangeHistory.TrimmedException trimmed =
        assertThrows(ChangeHistory.TrimmedException.class, () -> history.read(oldest - 1, 1 << 20));
    assertEquals(oldest, trimmed.oldest());
    assertFalse(trimmed.restarted());
    // From the oldest on, nothing is missing.
    ChangeHistory.Page page = history.read(oldest, 1 << 20);
    assertEquals(oldest + 1, page.entries().get(0).position());
    assertEquals(100 - oldest, page.entries().size());
  }

  @Test
  void aRestartForgetsEverythingBeforeIt() throws Exception {
    ChangeHistory history = new ChangeHistory(1 << 20, 0);
    history.append(1, put("kkk", 1));
    history.restartAt(50);
    ChangeHistory.TrimmedException trimmed =
        assertThrows(ChangeHistory.TrimmedException.class, () -> history.read(1, 1 << 20));
    assertTrue(trimmed.restarted());
    assertEquals(50, trimmed.oldest());
    history.append(51, put("kkk", 2));
    assertEquals(List.of(51L), positions(history.read(50, 1 << 20)));
  }

  @Test
  void anEntryThatIsNotTheNextRestartsTheHistory() throws Exception {
    ChangeHistory history = new ChangeHistory(1 << 20, 0);
    history.append(1, put("kkk", 1));
    history.append(5, put("kkk", 2));
    assertThrows(ChangeHistory.TrimmedException.class, () -> history.read(1, 1 << 20));
    assertThrows(IllegalArgumentException.class, () -> history.append(5, put("kkk", 3)));
  }

  @Test
  void subscribersHearOfEveryAppendAndRestartUntilTheyLeave() {
    ChangeHistory history = new ChangeHistory(1 << 20, 0);
    AtomicInteger heard = new AtomicInteger();
    Runnable leave = history.subscribe(heard::incrementAndGet);
    history.append(1, put("kkk", 1));
    history.restartAt(9);
    assertEquals(2, heard.get());
    leave.run();
    history.append(10, put("kkk", 2));
    assertEquals(2, heard.get());
  }
}
