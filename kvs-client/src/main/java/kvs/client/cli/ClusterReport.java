package kvs.client.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import kvs.client.KvsException;
import kvs.client.ServerStatus;

/**
 * The statuses of several servers, one per port asked, and whether they agree: the servers that
 * answered agree when they all report the same position and digest.
 */
final class ClusterReport {

  /**
   * What one port answered: a status, or the failure of the call.
   *
   * @param port the port asked
   * @param status the status, or {@code null} when the call failed
   * @param failure the failure, or {@code null} when the server answered
   */
  record Probe(int port, ServerStatus status, KvsException failure) {

    Probe {
      if ((status == null) == (failure == null)) {
        throw new IllegalArgumentException("exactly one of status and failure");
      }
    }

    static Probe answered(int port, ServerStatus status) {
      return new Probe(port, Objects.requireNonNull(status), null);
    }

    static Probe failed(int port, KvsException failure) {
      return new Probe(port, null, Objects.requireNonNull(failure));
    }

    boolean answered() {
      return status != null;
    }

    /** A short word for a failed call: {@code unreachable}, {@code no answer} or {@code error}. */
    String failureWord() {
      return switch (failure.code()) {
        case UNAVAILABLE, CATCHING_UP -> "unreachable";
        case DEADLINE_EXCEEDED -> "no answer";
        default -> "error";
      };
    }
  }

  private final List<Probe> probes;

  ClusterReport(List<Probe> probes) {
    this.probes = List.copyOf(probes);
  }

  /** The probes, in the order the ports were given. */
  List<Probe> probes() {
    return probes;
  }

  private List<Probe> answered() {
    return probes.stream().filter(Probe::answered).toList();
  }

  /**
   * The server the others are compared with: the first of those that answered with the greatest
   * position.
   */
  Optional<Probe> reference() {
    return answered().stream()
        .max(
            Comparator.comparingLong((Probe p) -> p.status().position())
                .thenComparing(p -> -probes.indexOf(p)));
  }

  /** At least one server answered, and all that answered report the same position and digest. */
  boolean agree() {
    return reference().isPresent() && disagreements().isEmpty();
  }

  /** Everything agrees, every server answered, and every one is caught up and connected. */
  boolean ok() {
    return agree() && probes.stream().allMatch(p -> p.answered() && p.status().healthy());
  }

  /** One sentence per server that differs from the {@link #reference()}. */
  List<String> disagreements() {
    Optional<Probe> reference = reference();
    if (reference.isEmpty()) {
      return List.of();
    }
    ServerStatus ref = reference.get().status();
    int refPort = reference.get().port();
    List<String> lines = new ArrayList<>();
    for (Probe probe : answered()) {
      ServerStatus status = probe.status();
      String catchingUp = status.caughtUp() ? "" : " (catching up)";
      if (status.position() < ref.position()) {
        lines.add(
            String.format(
                "%d is %d entries behind %d (position %d < %d)%s",
                probe.port(),
                ref.position() - status.position(),
                refPort,
                status.position(),
                ref.position(),
                catchingUp));
      } else if (!status.digest().equals(ref.digest())) {
        lines.add(
            String.format(
                "%d has a different digest at the same position as %d%s",
                probe.port(), refPort, catchingUp));
      }
    }
    return lines;
  }

  /**
   * The verdict, for people: whether the servers agree, then one line per problem (disagreement,
   * failed call, catching up, broker).
   */
  List<String> verdict() {
    List<String> lines = new ArrayList<>();
    List<Probe> answered = answered();
    Optional<Probe> reference = reference();
    if (reference.isEmpty()) {
      lines.add("no server answered");
    } else {
      List<String> disagreements = disagreements();
      if (disagreements.isEmpty()) {
        ServerStatus ref = reference.get().status();
        String who;
        if (answered.size() == 1) {
          who = probes.size() == 1 ? "1 server" : "1 of " + probes.size() + " servers answered";
        } else if (answered.size() == probes.size()) {
          who = "all " + probes.size() + " servers agree";
        } else {
          who = answered.size() + " of " + probes.size() + " servers answered and agree";
        }
        lines.add(String.format("%s: position %d, digest %s", who, ref.position(), ref.digest()));
      } else {
        lines.add("servers disagree: " + String.join("; ", disagreements));
      }
    }
    for (Probe probe : probes) {
      if (!probe.answered()) {
        lines.add(
            String.format(
                "%d: %s (%s)", probe.port(), probe.failureWord(), probe.failure().getMessage()));
      } else {
        if (!probe.status().caughtUp()) {
          lines.add(probe.port() + " is catching up with its peers");
        }
        if (!probe.status().brokerConnected()) {
          lines.add(probe.port() + " is not connected to the broker");
        }
      }
    }
    return lines;
  }
}
