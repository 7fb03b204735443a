package kvs.server.replication;

import java.util.Comparator;
import java.util.List;

/**
 * Which state a catching-up server installs, decided from the complete answers' headers alone:
 * pure, no I/O, no clock. The most advanced state wins (highest position); two different states at
 * the same position are told apart by the smallest server id, so that every server that has to
 * choose between them chooses the same. Equal content at the same position is ours already.
 */
final class StateChoice {
  /** What an answer (or our own state at the cut) says of itself. */
  record Offer(String from, long position, long digest) {}

  private static final Comparator<Offer> BEST_FIRST =
      Comparator.comparingLong(Offer::position).reversed().thenComparing(Offer::from);

  private StateChoice() {}

  /**
   * The answers worth installing instead of {@code ours}, best first; empty to keep ours. The
   * caller takes the first that assembles and checks out.
   */
  static List<Offer> betterThan(Offer ours, List<Offer> answers) {
    return answers.stream().sorted(BEST_FIRST).takeWhile(answer -> beats(answer, ours)).toList();
  }

  private static boolean beats(Offer answer, Offer ours) {
    if (answer.position() != ours.position()) {
      return answer.position() > ours.position();
    }
    return answer.digest() != ours.digest() && answer.from().compareTo(ours.from()) < 0;
  }
}
