package kvs.client.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import kvs.client.Entry;

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
  public void snapshot(List<Entry> entries) {
    if (entries.isEmpty()) {
      out.println("(empty snapshot)");
    }
    entries.forEach(this::print);
  }

  private void print(Entry entry) {
    out.printf("%s = %s (version %d)%n", entry.key(), entry.value(), entry.version());
  }
}
