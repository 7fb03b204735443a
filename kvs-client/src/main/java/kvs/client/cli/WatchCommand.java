package kvs.client.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import kvs.cli.TlsClientOptions;
import kvs.client.ChangeEvent;
import kvs.client.KvsClient;
import kvs.client.KvsClientBuilder;
import kvs.client.KvsException;
import kvs.client.Watch;
import kvs.client.WatchListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code client.sh watch}: prints the changes of the store as they are applied, one per line. */
@Command(
    name = "watch",
    header = "Print every change of the store as it is applied, one line each.",
    mixinStandardHelpOptions = true,
    versionProvider = ClientCommand.Version.class,
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "Follows the replication stream from a position (--from-position, default 0: all the",
      "changes the server still holds) and prints each change of the keys starting with the",
      "prefix (-k), in stream order, until interrupted (Ctrl-C). Every server prints the same",
      "changes at the same positions. With several ports, a server that fails is left for",
      "another one, from the last position printed: nothing is lost or printed twice.",
      "",
      "  ./client.sh watch -p 9000,9001,9002 -k chave",
      "  POSITION  KIND            KEY     VERSION  VALUE",
      "  12        put             chave1  1        valor1",
      "  13        remove-version  chave1  1",
      "  14        remove-all      chave2  0",
      "",
      "  ./client.sh watch --json --from-position 12",
      "  {\"position\":13,\"kind\":\"remove-version\",\"key\":\"chave1\",\"version\":1}",
      "",
      "A position older than the servers' history (./server.sh --watch-history) fails with the",
      "oldest one they hold: read the store (-o snapshot --show-position) and watch from there."
    },
    optionListHeading = "%nOptions:%n",
    exitCodeOnInvalidInput = ClientCommand.EXIT_USAGE,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "1:the watch ended: its position is no longer held (HISTORY_TRIMMED), it read too slowly"
          + " (WATCH_TOO_SLOW), or the server refused it",
      "2:usage error"
    })
public final class WatchCommand implements java.util.concurrent.Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec private CommandSpec spec;

  @ParentCommand private ClientCommand parent;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      split = ",",
      description = "The servers' ports, comma-separated (default: -p before 'watch', else 9000).")
  private List<Integer> ports = new ArrayList<>();

  @Option(
      names = {"-k", "--prefix"},
      paramLabel = "PREFIX",
      defaultValue = "",
      description = "Only keys starting with PREFIX (default: every key).")
  private String prefix;

  @Option(
      names = "--from-position",
      paramLabel = "N",
      defaultValue = "0",
      description = "Print the changes after stream position N (default: ${DEFAULT-VALUE}).")
  private long fromPosition;

  @Option(names = "--json", description = "One JSON object per line.")
  private boolean json;

  @Mixin private TlsClientOptions tls;

  /** Creates the command; picocli sets its fields and its parent. */
  public WatchCommand() {}

  @Override
  public Integer call() throws InterruptedException {
    List<Integer> targets = ports.isEmpty() ? List.of(parent.port()) : ports;
    for (int port : targets) {
      if (port < 1 || port > 65535) {
        throw usage("PORT must be between 1 and 65535, got " + port);
      }
    }
    if (fromPosition < 0) {
      throw usage("--from-position must be 0 or more, got " + fromPosition);
    }
    if (parent.hasCallOptions()) {
      throw usage("watch takes no -o, -k, -v or -e before it (give -k after 'watch')");
    }
    PrintWriter out = spec.commandLine().getOut();
    boolean asJson = json || parent.json();
    if (!asJson) {
      out.printf("%-9s %-15s %-7s %-8s %s%n", "POSITION", "KIND", "KEY", "VERSION", "VALUE");
      out.flush();
    }
    CompletableFuture<KvsException> ended = new CompletableFuture<>();
    String host = parent.address().contains(":") ? "[" + parent.address() + "]" : parent.address();
    KvsClientBuilder builder =
        KvsClient.builder()
            .credentials(parent.credentials(tls.enabled() ? tls : parent.tls()))
            .targets(String.join(",", targets.stream().map(port -> host + ":" + port).toList()));
    try (KvsClient client = builder.build();
        Watch watch =
            client.watch(
                prefix,
                fromPosition,
                new WatchListener() {
                  @Override
                  public void onEvent(ChangeEvent event) {
                    out.println(asJson ? json(event) : line(event));
                    out.flush();
                  }

                  @Override
                  public void onError(KvsException error) {
                    ended.complete(error);
                  }
                })) {
      KvsException error = ended.get();
      spec.commandLine()
          .getErr()
          .println(
              "kvs: the watch ended at position " + watch.position() + ": " + error.getMessage());
      return ClientCommand.EXIT_NEGATIVE;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  private static String kind(ChangeEvent event) {
    return event.kind().name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static String line(ChangeEvent event) {
    return String.format(
            "%-9d %-15s %-7s %-8d %s",
            event.position(), kind(event), event.key(), event.version(), event.value().orElse(""))
        .stripTrailing();
  }

  private static String json(ChangeEvent event) {
    ObjectNode node =
        JSON.createObjectNode()
            .put("position", event.position())
            .put("kind", kind(event))
            .put("key", event.key())
            .put("version", event.version());
    event.value().ifPresent(value -> node.put("value", value));
    return node.toString();
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
