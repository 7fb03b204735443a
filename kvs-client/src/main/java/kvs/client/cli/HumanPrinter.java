package kvs.client.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import kvs.client.Entry;
import kvs.client.ServerStatus;
import kvs.client.ServerStatus.PeerInfo;

/** The default output, for people: {@code chave1 = valor1 (version 1)}. */
final class HumanPrinter implements ResultPrinter {

  private final PrintWriter out;

  HumanPrinter(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void put(String key, int answer) {
    if (answer >= 1) {
      out.printf("%s -> version %d%n", key, answer);
    } else {
      out.printf("%s -> rejected (%d)%n", key, answer);
    }
  }

  @Override
  public void entry(String requestedKey, Optional<Entry> entry) {
    entry.ifPresentOrElse(this::print, () -> out.printf("%s: not found%n", requestedKey));
  }

  @Override
  public void removed(String key, int answer) {
    if (answer > 0) {
      out.printf("%s -> removed version %d%n", key, answer);
    } else if (answer == 0) {
      out.printf("%s -> removed all versions (0)%n", key);
    } else {
      out.printf("%s -> nothing removed (%d)%n", key, answer);
    }
  }

  @Override
  public void snapshot(Iterator<Entry> entries) {
    if (!entries.hasNext()) {
      out.println("(empty snapshot)");
    }
    entries.forEachRemaining(this::print);
  }

  /**
   * Five or more lines, each a label and its values:
   *
   * <pre>
   * server   vm-9000 (port 9000)
   * broker   connected
   * state    caught up, position 1234, 100 keys, 300 versions, digest 0a1b2c3d4e5f6071
   * skipped  0 malformed messages; 0 re-syncs
   * peers    vm-9001 port 9001 position 1234 digest 0a1b2c3d4e5f6071 (120 ms ago)
   * </pre>
   */
  @Override
  public void status(ServerStatus status) {
    out.printf("server   %s (port %d)%n", status.serverId(), status.port());
    out.printf("broker   %s%n", status.brokerConnected() ? "connected" : "not connected");
    out.printf(
        "state    %s, position %d, %d keys, %d versions, digest %s%n",
        status.caughtUp() ? "caught up" : "catching up",
        status.position(),
        status.keys(),
        status.versions(),
        status.digest());
    out.printf(
        "skipped  %d malformed messages; %d rejected (unsigned, badly signed or replayed); %d"
            + " re-syncs (%d from a peer's changes)%n",
        status.skippedMessages(), status.rejectedMessages(), status.resyncs(), status.repairs());
    if (status.peers().isEmpty()) {
      out.println("peers    none heard from recently");
    }
    String label = "peers    ";
    for (PeerInfo peer : status.peers()) {
      out.printf(
          "%s%s port %d position %d digest %s (%s%d ms ago)%n",
          label,
          peer.serverId(),
          peer.port(),
          peer.position(),
          peer.digest(),
          peer.caughtUp() ? "" : "catching up, ",
          peer.lastHeard().toMillis());
      label = "         ";
    }
  }

  /**
   * A table, one row per port in the order given, then the verdict: whether the servers agree and
   * one line per problem.
   */
  @Override
  public void cluster(ClusterReport report) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "PORT", "SERVER", "BROKER", "CAUGHT-UP", "POSITION", "KEYS", "VERSIONS", "DIGEST"
        });
    for (ClusterReport.Probe probe : report.probes()) {
      ServerStatus status = probe.status();
      rows.add(
          probe.answered()
              ? new String[] {
                String.valueOf(probe.port()),
                status.serverId(),
                yesNo(status.brokerConnected()),
                yesNo(status.caughtUp()),
                String.valueOf(status.position()),
                String.valueOf(status.keys()),
                String.valueOf(status.versions()),
                status.digest()
              }
              : new String[] {String.valueOf(probe.port()), "-", probe.failureWord()});
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      // A failed row's last cell runs over the remaining columns; it sets no width.
      int sized = row.length == widths.length ? row.length : row.length - 1;
      for (int i = 0; i < sized; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]);
        if (i < row.length - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      out.println(line);
    }
    report.verdict().forEach(out::println);
  }

  private static String yesNo(boolean value) {
    return value ? "yes" : "no";
  }

  private void print(Entry entry) {
    out.printf("%s = %s (version %d)%n", entry.key(), entry.value(), entry.version());
  }
}
