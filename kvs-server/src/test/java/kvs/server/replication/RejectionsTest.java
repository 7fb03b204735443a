package kvs.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RejectionsTest {
  private final ManualTime time = new ManualTime();
  private final List<String> lines = new ArrayList<>();
  private final Rejections rejections = new Rejections(time, lines::add);

  @Test
  void everyRejectionIsCountedButAnOriginIsLoggedOnceAMinute() {
    for (int i = 0; i < 1000; i++) {
      rejections.reject("evil", "unsigned");
    }
    assertEquals(1000, rejections.count());
    assertEquals(
        List.of(
            "Rejected a replication message from evil: unsigned (1 rejected in all; the next one"
                + " from evil is logged in a minute at the earliest)"),
        lines);

    time.advance(Duration.ofSeconds(59));
    rejections.reject("evil", "bad signature");
    assertEquals(1, lines.size(), "still within the minute");

    time.advance(Duration.ofSeconds(1));
    rejections.reject("evil", "bad signature");
    assertEquals(
        "Rejected a replication message from evil: bad signature (1002 rejected in all, 1000 more"
            + " from evil since the last line; the next one from evil is logged in a minute at the"
            + " earliest)",
        lines.get(1));
  }

  @Test
  void originsAreLoggedApartButOnlySoManyOfThem() {
    for (int i = 0; i < 10_000; i++) {
      rejections.reject("origin-" + i, "unsigned"); // an attacker picks the origins
    }
    assertEquals(10_000, rejections.count());
    assertEquals(QuietLog.SENDERS + 1, lines.size());
    assertTrue(lines.get(QuietLog.SENDERS).contains("from (other origins): unsigned"));
  }
}
