package kvs.client.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import kvs.client.Entry;

/**
 * {@code --json}: one compact object per line, fields in a fixed order, for scripts: {@code
 * {"key":"chave1","version":1}} for writes, {@code {"key":"chave1","value":"valor1","version":1}}
 * for reads, with {@code "value":null} and version 0 when not found.
 */
final class JsonPrinter implements ResultPrinter {

  private final PrintWriter out;
  private final ObjectMapper mapper = new ObjectMapper();

  JsonPrinter(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void put(String key, int answer) {
    print(mapper.createObjectNode().put("key", key).put("version", answer));
  }

  @Override
  public void entry(String requestedKey, Optional<Entry> entry) {
    entry.ifPresentOrElse(
        this::print,
        () ->
            print(
                mapper
                    .createObjectNode()
                    .put("key", requestedKey)
                    .putNull("value")
                    .put("version", 0)));
  }

  @Override
  public void removed(String key, int answer) {
    put(key, answer);
  }

  @Override
  public void snapshot(List<Entry> entries) {
    entries.forEach(this::print);
  }

  private void print(Entry entry) {
    print(
        mapper
            .createObjectNode()
            .put("key", entry.key())
            .put("value", entry.value())
            .put("version", entry.version()));
  }

  private void print(ObjectNode line) {
    try {
      out.println(mapper.writeValueAsString(line));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree of strings and numbers", e);
    }
  }
}
