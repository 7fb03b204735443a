package kvs.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kvs.client.testing.FakeKvsService;
import kvs.client.testing.TcpKvs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

// README-BEGIN
import java.time.Duration;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;
// README-END

/**
 * The example of the README's "Java client library" section: it is the code between the markers
 * in this file, and this test runs it and checks that the README shows exactly that code.
 */
@Timeout(60)
class ReadmeExampleTest {

  // README-BEGIN
  static void example(String targets) {
    try (KvsClient kvs =
        KvsClient.builder()
            .targets(targets) // e.g. "localhost:9000,localhost:9001,localhost:9002"
            .deadline(Duration.ofSeconds(20)) // every call's default deadline
            .build()) {
      int first = kvs.put("chave1", "valor1"); // 1; a retried write is never applied twice
      kvs.put("chave1", "valor2");
      Entry newest = kvs.get("chave1").orElseThrow(); // valor2: reads see this client's writes
      Optional<Entry> old = kvs.get("chave1", first); // valor1, as it was at version 1
      System.out.println(newest + " " + old.map(Entry::value).orElse("gone"));

      // Batches stream both ways: items are taken as the server accepts them,
      // results arrive as they are consumed; nothing is held whole in memory.
      Iterable<KeyValue> items =
          () -> IntStream.range(0, 100_000).mapToObj(i -> KeyValue.of("key" + i, "v" + i)).iterator();
      try (Stream<PutResult> results = kvs.putAll(items)) {
        long stored = results.filter(PutResult::stored).count();
        System.out.println(stored + " stored");
      }

      // The same calls as futures, and a shorter deadline for one call.
      kvs.async().get("key42").thenAccept(e -> System.out.println(e.orElseThrow().value())).join();
      boolean removed = kvs.withDeadline(Duration.ofSeconds(2)).remove("chave1", first);
      System.out.println("removed version " + first + ": " + removed);

      try (Stream<Entry> snapshot = kvs.snapshot(0)) { // every key, newest version, in key order
        snapshot.limit(3).forEach(System.out::println);
      }
    } catch (KvsException e) { // the one exception type; e.code() says what went wrong
      System.err.println(e.code() + ": " + e.getMessage());
    }
  }
  // README-END

  @Test
  void theExampleRunsAgainstACluster() throws InterruptedException {
    FakeKvsService cluster = new FakeKvsService();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
    try (TcpKvs a = TcpKvs.start(cluster.definition());
        TcpKvs b = TcpKvs.start(cluster.definition())) {
      example(a.target() + "," + b.target());
    } finally {
      System.setErr(stderr);
    }

    // The example reports a failed call as "CODE: message" on stderr; other lines there are the
    // test servers' and logging's notes.
    List<String> failures =
        errors.toString(StandardCharsets.UTF_8).lines()
            .filter(l -> Arrays.stream(KvsException.Code.values()).anyMatch(c -> l.startsWith(c.name() + ": ")))
            .toList();
    assertEquals(List.of(), failures, "the example printed an error");
    assertEquals(List.of(2), cluster.versions("chave1"));
    assertEquals(List.of(1), cluster.versions("key99999"));
  }

  @Test
  void theReadmeShowsTheExampleAsItIsHere() throws IOException {
    String source = Files.readString(Path.of("src/test/java/kvs/client/ReadmeExampleTest.java"));
    String readme = Files.readString(Path.of("../README.md"));
    Matcher regions =
        Pattern.compile("(?s)// README-BEGIN\n(.*?)\n[ ]*// README-END").matcher(source);
    StringBuilder expected = new StringBuilder();
    while (regions.find()) {
      expected.append(expected.isEmpty() ? "" : "\n").append(regions.group(1).stripIndent());
    }
    Matcher block =
        Pattern.compile("(?s)## Java client library.*?```java\n(.*?)\n```").matcher(readme);

    assertEquals(true, block.find(), "README.md has a java block under '## Java client library'");
    assertEquals(expected.toString().strip(), block.group(1).strip());
  }
}
