package kvs.server.replication;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the stream messages this server refused (unsigned, badly signed, replayed) and logs them
 * at most once a minute per origin, so that whoever can publish on the broker cannot flood the log.
 * The origin is what the message claims: an attacker picks it, so only so many origins are told
 * apart; the rest share one line a minute.
 */
public final class Rejections {
  private static final Logger log = LoggerFactory.getLogger(Rejections.class);

  private final AtomicLong count = new AtomicLong();
  private final QuietLog quietLog;
  private volatile StreamCounts counts = StreamCounts.NONE;

  public Rejections(Ticker ticker) {
    this(ticker, log::warn);
  }

  /** With {@code warn} in place of the log (tests). */
  Rejections(Ticker ticker, Consumer<String> warn) {
    this.quietLog = new QuietLog(ticker, warn);
  }

  /** Counts a refused message that claims to come from {@code origin}; logs it unless too soon. */
  public void reject(String origin, String reason) {
    long total = count.incrementAndGet();
    counts.message("unknown", "rejected");
    quietLog.log(
        origin,
        (who, heldBack) ->
            "Rejected a replication message from "
                + who
                + ": "
                + reason
                + " ("
                + total
                + " rejected in all"
                + (heldBack == 0
                    ? ""
                    : ", " + heldBack + " more from " + who + " since the last line")
                + "; the next one from "
                + who
                + " is logged in a minute at the earliest)");
  }

  /** Where rejections are counted for metrics (the kind of an unopened message is unknown). */
  public void countIn(StreamCounts counts) {
    this.counts = counts;
  }

  /** How many messages were refused since the start. */
  public long count() {
    return count.get();
  }
}
