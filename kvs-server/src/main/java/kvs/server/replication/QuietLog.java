package kvs.server.replication;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Log lines about what senders on the broker did, at most one a minute per sender, so that whoever
 * can publish cannot flood the log: each line says how many were held back since the last. Senders
 * are told apart up to {@value #SENDERS}; beyond them, all share one line.
 */
final class QuietLog {
  /** How often one sender may have a line. */
  static final Duration EVERY = Duration.ofMinutes(1);

  static final int SENDERS = 64;

  static final String OTHER_SENDERS = "(other origins)";

  /** One line, given the sender it is about and how many were held back since its last one. */
  interface Line {
    String text(String sender, long heldBack);
  }

  private final Ticker ticker;
  private final Consumer<String> out;
  private final Map<String, Quiet> quiet = new HashMap<>(); // guarded by this

  /** Lines held back since a sender's last one, and when its next may come. */
  private static final class Quiet {
    long until;
    long heldBack;

    Quiet(long until) {
      this.until = until;
    }
  }

  QuietLog(Ticker ticker, Consumer<String> out) {
    this.ticker = ticker;
    this.out = out;
  }

  /** Writes {@code line} about {@code sender}, unless its last line was less than a minute ago. */
  void log(String sender, Line line) {
    long now = ticker.nanos();
    long heldBack;
    String who;
    synchronized (this) {
      who = quiet.containsKey(sender) || quiet.size() < SENDERS ? sender : OTHER_SENDERS;
      Quiet q = quiet.computeIfAbsent(who, s -> new Quiet(now)); // a first one is due at once
      if (now - q.until < 0) {
        q.heldBack++;
        return;
      }
      heldBack = q.heldBack;
      q.heldBack = 0;
      q.until = now + EVERY.toNanos();
    }
    out.accept(line.text(who, heldBack));
  }
}
