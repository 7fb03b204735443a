package kvs.server.replication;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
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

  /** How often one origin's rejections may be logged. */
  static final Duration LOG_EVERY = Duration.ofMinutes(1);

  /** Origins told apart in the log; beyond them, one shared line. */
  static final int ORIGINS = 64;

  static final String OTHER_ORIGINS = "(other origins)";

  private final Ticker ticker;
  private final Consumer<String> warn;
  private final AtomicLong count = new AtomicLong();
  private final Map<String, Quiet> quiet = new HashMap<>(); // guarded by this

  /** Rejections of one origin since its last line, and when the next line may come. */
  private static final class Quiet {
    long until;
    long unlogged;

    Quiet(long until) {
      this.until = until;
    }
  }

  public Rejections(Ticker ticker) {
    this(ticker, log::warn);
  }

  /** With {@code warn} in place of the log (tests). */
  Rejections(Ticker ticker, Consumer<String> warn) {
    this.ticker = ticker;
    this.warn = warn;
  }

  /** Counts a refused message that claims to come from {@code origin}; logs it unless too soon. */
  public void reject(String origin, String reason) {
    long total = count.incrementAndGet();
    long now = ticker.nanos();
    long unlogged;
    String who;
    synchronized (this) {
      who = quiet.containsKey(origin) || quiet.size() < ORIGINS ? origin : OTHER_ORIGINS;
      Quiet q = quiet.computeIfAbsent(who, o -> new Quiet(now)); // a first one is logged
      if (now - q.until < 0) {
        q.unlogged++;
        return;
      }
      unlogged = q.unlogged;
      q.unlogged = 0;
      q.until = now + LOG_EVERY.toNanos();
    }
    warn.accept(
        "Rejected a replication message from "
            + who
            + ": "
            + reason
            + " ("
            + total
            + " rejected in all"
            + (unlogged == 0 ? "" : ", " + unlogged + " more from " + who + " since the last line")
            + "; the next one from "
            + who
            + " is logged in a minute at the earliest)");
  }

  /** How many messages were refused since the start. */
  public long count() {
    return count.get();
  }
}
