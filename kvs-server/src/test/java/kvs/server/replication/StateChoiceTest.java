package kvs.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import kvs.server.replication.StateChoice.Offer;
import org.junit.jupiter.api.Test;

class StateChoiceTest {
  private static final Offer OURS = new Offer("b", 100, 0xAAAA);

  private static List<String> chosen(Offer... answers) {
    return StateChoice.betterThan(OURS, List.of(answers)).stream().map(Offer::from).toList();
  }

  @Test
  void theMostAdvancedStateComesFirstAndOnlyStatesAheadOfOursCount() {
    assertEquals(
        List.of("c", "a"),
        chosen(
            new Offer("a", 101, 1),
            new Offer("c", 150, 2),
            new Offer("d", 99, 3),
            new Offer("e", 100, 0xAAAA)));
  }

  @Test
  void noAnswerAheadKeepsOurs() {
    assertEquals(List.of(), chosen(new Offer("a", 99, 1), new Offer("c", 100, 0xAAAA)));
    assertEquals(List.of(), chosen());
  }

  @Test
  void aDifferentStateAtOurPositionWinsOnlyFromASmallerServerId() {
    assertEquals(List.of("a"), chosen(new Offer("a", 100, 0xBBBB)));
    assertEquals(List.of(), chosen(new Offer("c", 100, 0xBBBB)), "c > b: ours stays, c takes ours");
  }

  @Test
  void theSameContentAtOurPositionIsOursAlready() {
    assertEquals(List.of(), chosen(new Offer("a", 100, 0xAAAA)));
  }

  @Test
  void equalPositionsAreOrderedBySmallestIdSoEveryChooserAgrees() {
    assertEquals(List.of("a", "c"), chosen(new Offer("c", 120, 5), new Offer("a", 120, 6)));
  }
}
