package kvs.client.cli;

import java.util.Iterator;
import java.util.Optional;
import kvs.client.Entry;
import kvs.client.ServerStatus;

/**
 * Prints results, one line each. Versions are the server's raw answers: a version, 0 for "all
 * versions removed", -1 for "rejected" or "nothing removed".
 */
interface ResultPrinter {

  /** Prints the answer to storing a value under {@code key}: its version, or -1. */
  void put(String key, int answer);

  /** Prints the entry read for {@code requestedKey}, or that there was none. */
  void entry(String requestedKey, Optional<Entry> entry);

  /** Prints the answer to a removal of {@code key}: the version removed, 0 or -1. */
  void removed(String key, int answer);

  /** Prints a snapshot, in the order given, each entry as it is taken from {@code entries}. */
  void snapshot(Iterator<Entry> entries);

  /** Prints one server's status ({@code -o status}). */
  void status(ServerStatus status);

  /** Prints several servers' statuses and whether they agree (the {@code status} command). */
  void cluster(ClusterReport report);
}
