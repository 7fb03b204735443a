package kvs.client.cli;

import io.grpc.ChannelCredentials;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import kvs.cli.Durations;
import kvs.cli.OneLineErrorHandler;
import kvs.cli.TlsClientOptions;
import kvs.cli.UsageErrorHandler;
import kvs.cli.VersionProvider;
import kvs.client.Entry;
import kvs.client.GetResult;
import kvs.client.KeyValue;
import kvs.client.KeyVersion;
import kvs.client.KvsClient;
import kvs.client.KvsException;
import kvs.client.PutResult;
import kvs.client.RemoveResult;
import kvs.client.ServerStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The command-line client: one operation against one KVS server, or, with the {@code status}
 * subcommand ({@link StatusCommand}), the status of several servers side by side.
 */
@Command(
    name = "client.sh",
    subcommands = {StatusCommand.class, WatchCommand.class},
    customSynopsis = {
      "client.sh [-a=HOST] [-p=PORT] -o=OP [-k=KEY]... [-v=VALUE]... [-e=VERSION]... [--json]",
      "                 [--deadline=DURATION] [--min-position=N] [--show-position]",
      "                 [--tls-ca=FILE | --tls] [--tls-cert=FILE --tls-key=FILE]",
      "       client.sh [-a=HOST] [--json] [--deadline=DURATION] status PORT...",
      "       client.sh [-a=HOST] watch [-p=PORT[,PORT...]] [-k=PREFIX] [--from-position=N] [--json]",
      "       client.sh [status] (-h | -V)"
    },
    mixinStandardHelpOptions = true,
    versionProvider = ClientCommand.Version.class,
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "Runs one operation (-o) against a KVS server, a multi-version key-value store.",
      "Keys and values have 3 characters or more; each insert of a key adds a version: 1, 2, ...",
      "",
      "Operations:",
      "  insere      store a value (one -k, one -v); prints its new version",
      "                ./client.sh -p 9000 -o insere -k chave1 -v valor1",
      "  consulta    read a key (one -k): its newest version or, with -e, its greatest",
      "              version <= -e",
      "                ./client.sh -p 9000 -o consulta -k chave1",
      "                ./client.sh -p 9000 -o consulta -k chave1 -e 2",
      "  remove      remove all versions of a key (one -k) or, with -e, only that version",
      "                ./client.sh -p 9000 -o remove -k chave1",
      "                ./client.sh -p 9000 -o remove -k chave1 -e 2",
      "  insere-v    store several values in one stream (one -v per -k)",
      "                ./client.sh -p 9000 -o insere-v -k chave1 -v valor1 -k chave2 -v valor2",
      "  consulta-v  read several keys in one stream; one -e per -k, or none to send",
      "              version 0 (the newest) for each key",
      "                ./client.sh -p 9000 -o consulta-v -k chave1 -k chave2 -e 1 -e 0",
      "  remove-v    remove several keys or versions in one stream; one -e per -k, or none",
      "              to send version 0 (all versions) for each key",
      "                ./client.sh -p 9000 -o remove-v -k chave1 -k chave2 -e 2 -e 0",
      "  snapshot    every key at its greatest version <= -e, in key order; without -e",
      "              (or with -e 0) every key at its newest version",
      "                ./client.sh -p 9000 -o snapshot -e 3",
      "  status      the server's replication state: its id, whether it is connected to the",
      "              broker and caught up with its peers, its position (stream entries",
      "              applied), keys, versions, digest (equal on servers with equal content)",
      "              and the peers it heard from; exit 1 when it is catching up or not",
      "              connected to the broker",
      "                ./client.sh -p 9000 -o status --json",
      "",
      "A server that is catching up with its peers (right after its start, or after a gap)",
      "holds the operations until it has, then answers them: a script may call a server as",
      "soon as its port answers. Only a catch-up longer than --deadline or the server's",
      "--catch-up-wait fails the call: exit 3, 'is catching up with its peers'.",
      "",
      "Reading your writes on another server: --show-position prints the replication position",
      "of a write to stderr; --min-position makes a later read wait for a server at that position.",
      "                ./client.sh -p 9000 -o insere -k chave1 -v valor1 --show-position",
      "                ./client.sh -p 9001 -o consulta -k chave1 --min-position 17",
      "",
      "Cluster view: the status of several servers on one host, side by side, and whether",
      "they agree (same position and digest); see ./client.sh status --help",
      "                ./client.sh status 9000 9001 9002",
      "",
      "TLS: a server started with --tls-cert serves TLS only; trust its CA with --tls-ca",
      "(certificates for development: scripts/dev-certs.sh). A server started with",
      "--tls-client-ca also wants a client certificate: --tls-cert and --tls-key.",
      "                ./client.sh -a localhost -p 9000 --tls-ca certs/ca.pem -o consulta -k chave1"
    },
    commandListHeading = "%nCommands:%n",
    optionListHeading = "%nOptions:%n",
    exitCodeOnInvalidInput = ClientCommand.EXIT_USAGE,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every result succeeded (an empty snapshot too); status: caught up and connected",
      "1:the server answered, but a result was negative: -1 or not found; status: catching up or"
          + " not connected to the broker",
      "2:usage error",
      "3:server unreachable, catching up for longer than the call could wait, or no answer"
          + " within --deadline",
      "4:the server failed the call with another error"
    })
public final class ClientCommand implements Callable<Integer> {

  /** Every result succeeded. */
  public static final int EXIT_OK = 0;

  /** The server answered, but at least one result was negative. */
  public static final int EXIT_NEGATIVE = 1;

  /** The command line was wrong. */
  public static final int EXIT_USAGE = 2;

  /** The server could not be reached or did not answer in time. */
  public static final int EXIT_UNREACHABLE = 3;

  /** The server failed the call. */
  public static final int EXIT_SERVER_ERROR = 4;

  /** {@code --version}: kvs client and the build's version. */
  static final class Version extends VersionProvider {
    Version() {
      super("kvs client");
    }
  }

  @Spec private CommandSpec spec;

  @Mixin private TlsClientOptions tls;

  @Option(
      names = {"-a", "--address"},
      paramLabel = "HOST",
      defaultValue = "${KVS_ADDRESS:-127.0.0.1}",
      description = "Server host (default: ${DEFAULT-VALUE}; env KVS_ADDRESS).")
  private String address;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      defaultValue = "${KVS_PORT:-9000}",
      description = "Server port (default: ${DEFAULT-VALUE}; env KVS_PORT).")
  private int port;

  @Option(
      names = {"-o", "--op"},
      paramLabel = "OP",
      converter = Op.Converter.class,
      completionCandidates = Op.Names.class,
      description = "Operation: ${COMPLETION-CANDIDATES}.")
  private Op op;

  @Option(
      names = {"-k", "--key"},
      paramLabel = "KEY",
      description = "A key; repeat for several.")
  private List<String> keys = new ArrayList<>();

  @Option(
      names = {"-v", "--val"},
      paramLabel = "VALUE",
      description = "A value, for insere and insere-v; repeat, one per key.")
  private List<String> values = new ArrayList<>();

  @Option(
      names = "--value-file",
      paramLabel = "FILE",
      description =
          "A value read from FILE (its content exactly, UTF-8), instead of -v: for values too"
              + " large for the command line; '-' reads standard input. Repeat, one per key.")
  private List<String> valueFiles = new ArrayList<>();

  @Option(
      names = {"-e", "--ver"},
      paramLabel = "VERSION",
      description = "A version; repeat, one per key, for consulta-v and remove-v.")
  private List<Integer> versions = new ArrayList<>();

  @Option(names = "--json", description = "Print one JSON object per line.")
  private boolean json;

  @Option(
      names = "--deadline",
      paramLabel = "DURATION",
      defaultValue = "${KVS_DEADLINE:-10s}",
      converter = Durations.Positive.class,
      description = "How long each call may take, e.g. 500ms, 5s (default: ${DEFAULT-VALUE}).")
  private Duration deadline;

  @Option(
      names = "--min-position",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Reads are served by the server only once it has applied replication position N (a"
              + " position printed by --show-position); 0 (default) for any.")
  private long minPosition;

  @Option(
      names = "--show-position",
      description =
          "After the operation, print 'position N' to stderr: the replication position at which"
              + " the server applied the write (else --min-position).")
  private boolean showPosition;

  private final ClientFactory clientFactory;
  private final InputStream stdin;

  /**
   * Creates the command.
   *
   * @param clientFactory opens the client the command runs against
   */
  public ClientCommand(ClientFactory clientFactory) {
    this(clientFactory, System.in);
  }

  ClientCommand(ClientFactory clientFactory, InputStream stdin) {
    this.clientFactory = Objects.requireNonNull(clientFactory, "clientFactory");
    this.stdin = Objects.requireNonNull(stdin, "stdin");
  }

  /**
   * Returns a command line ready to {@link CommandLine#execute execute}, printing to standard
   * output and error in UTF-8. Tests may replace the writers with {@link CommandLine#setOut} and
   * {@link CommandLine#setErr}.
   *
   * @param clientFactory opens the client the command runs against
   * @return the command line
   */
  public static CommandLine newCommandLine(ClientFactory clientFactory) {
    return newCommandLine(clientFactory, System.in);
  }

  /** {@link #newCommandLine(ClientFactory)} reading {@code --value-file -} from {@code stdin}. */
  static CommandLine newCommandLine(ClientFactory clientFactory, InputStream stdin) {
    return new CommandLine(new ClientCommand(clientFactory, stdin))
        // So that "-o status" is the option's value, not the status subcommand.
        .setAllowSubcommandsAsOptionParameters(true)
        .setParameterExceptionHandler(new UsageErrorHandler("kvs", "./"))
        .setExecutionExceptionHandler(
            new OneLineErrorHandler("kvs", "./", EXIT_USAGE, EXIT_SERVER_ERROR))
        .setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true))
        .setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
  }

  @Override
  public Integer call() {
    validate();
    PrintWriter out = spec.commandLine().getOut();
    ResultPrinter printer = json ? new JsonPrinter(out) : new HumanPrinter(out);
    try (KvsClient client = clientFactory.open(address, port, deadline, credentials(tls))) {
      client.advancePosition(minPosition);
      boolean allSucceeded = run(client, printer);
      if (showPosition) {
        spec.commandLine().getErr().printf("position %d%n", client.position());
      }
      return allSucceeded ? EXIT_OK : EXIT_NEGATIVE;
    } catch (KvsException e) {
      return report(e);
    } finally {
      out.flush();
    }
  }

  /** Runs the operation and prints its results; false when a result was negative. */
  private boolean run(KvsClient client, ResultPrinter printer) {
    return switch (op) {
      case INSERE -> insere(client, printer);
      case CONSULTA -> consulta(client, printer);
      case REMOVE -> remove(client, printer);
      case INSERE_V -> insereVarias(client, printer);
      case CONSULTA_V -> consultaVarias(client, printer);
      case REMOVE_V -> removeVarias(client, printer);
      case SNAPSHOT -> snapshot(client, printer);
      case STATUS -> status(client, printer);
    };
  }

  /** Counts as succeeded when the server is caught up and connected to the broker. */
  private boolean status(KvsClient client, ResultPrinter printer) {
    ServerStatus status = client.status();
    printer.status(status);
    return status.healthy();
  }

  private boolean insere(KvsClient client, ResultPrinter printer) {
    String key = keys.get(0);
    int answer;
    try {
      answer = client.put(key, values.get(0));
    } catch (KvsException e) {
      if (e.code() != KvsException.Code.REJECTED) {
        throw e;
      }
      answer = -1; // the contract's answer, alone: scripts compare the output (the library has why)
    }
    printer.put(key, answer);
    return answer >= 1;
  }

  private boolean consulta(KvsClient client, ResultPrinter printer) {
    KeyVersion item = single(keys.get(0));
    Optional<Entry> entry =
        item.version().isPresent()
            ? client.get(item.key(), item.version().getAsInt())
            : client.get(item.key());
    printer.entry(item.key(), entry);
    return entry.isPresent();
  }

  /** Prints the server's answer: the version asked for when it is positive, else 0, or -1. */
  private boolean remove(KvsClient client, ResultPrinter printer) {
    KeyVersion item = single(keys.get(0));
    boolean removed =
        item.version().isPresent()
            ? client.remove(item.key(), item.version().getAsInt())
            : client.remove(item.key());
    printer.removed(item.key(), removedAnswer(item, removed));
    return removed;
  }

  /** The results are collected before printing, so a call that fails midway prints none. */
  private boolean insereVarias(KvsClient client, ResultPrinter printer) {
    List<KeyValue> items =
        IntStream.range(0, keys.size())
            .mapToObj(i -> KeyValue.of(keys.get(i), values.get(i)))
            .toList();
    List<PutResult> results;
    try (Stream<PutResult> answers = client.putAll(items)) {
      results = answers.toList();
    }
    results.forEach(r -> printer.put(r.request().key(), r.version().orElse(-1)));
    return results.stream().allMatch(PutResult::stored);
  }

  private boolean consultaVarias(KvsClient client, ResultPrinter printer) {
    List<GetResult> results;
    try (Stream<GetResult> answers = client.getAll(perKeyVersions())) {
      results = answers.toList();
    }
    results.forEach(r -> printer.entry(r.request().key(), r.entry()));
    return results.stream().allMatch(r -> r.entry().isPresent());
  }

  /** Prints what the server answers: the version removed when it is positive, else 0, or -1. */
  private boolean removeVarias(KvsClient client, ResultPrinter printer) {
    List<RemoveResult> results;
    try (Stream<RemoveResult> answers = client.removeAll(perKeyVersions())) {
      results = answers.toList();
    }
    results.forEach(
        r -> printer.removed(r.request().key(), removedAnswer(r.request(), r.removed())));
    return results.stream().allMatch(RemoveResult::removed);
  }

  /** Without -e, the version sent is 0: the newest version of every key. */
  private boolean snapshot(KvsClient client, ResultPrinter printer) {
    try (Stream<Entry> entries = client.snapshot(versions.isEmpty() ? 0 : versions.get(0))) {
      printer.snapshot(entries.iterator()); // printed as it arrives, never held whole
    }
    return true;
  }

  /** The server's answer to a removal: the version asked for when positive, else 0; or -1. */
  private static int removedAnswer(KeyVersion item, boolean removed) {
    return removed ? Math.max(item.version().orElse(0), 0) : -1;
  }

  /** For consulta and remove: the key, with the version only when -e was given. */
  private KeyVersion single(String key) {
    return versions.isEmpty() ? KeyVersion.of(key) : KeyVersion.of(key, versions.get(0));
  }

  /** For the streams: each key with its -e, or with version 0 when there is no -e. */
  private List<KeyVersion> perKeyVersions() {
    return IntStream.range(0, keys.size())
        .mapToObj(i -> KeyVersion.of(keys.get(i), versions.isEmpty() ? 0 : versions.get(i)))
        .toList();
  }

  private int report(KvsException e) {
    PrintWriter err = spec.commandLine().getErr();
    String server = address + ":" + port;
    switch (e.code()) {
      case UNAVAILABLE:
        err.printf("kvs: cannot reach %s (%s)%n", server, e.getMessage());
        return EXIT_UNREACHABLE;
      case CATCHING_UP:
        err.printf("kvs: %s is catching up with its peers; try again shortly%n", server);
        return EXIT_UNREACHABLE;
      case DEADLINE_EXCEEDED:
        err.printf("kvs: no answer from %s within %s (%s)%n", server, deadline, e.getMessage());
        return EXIT_UNREACHABLE;
      default:
        err.printf("kvs: %s failed the call (%s: %s)%n", server, e.code(), e.getMessage());
        return EXIT_SERVER_ERROR;
    }
  }

  /** Checks what picocli cannot: how many keys, values and versions each operation takes. */
  private void validate() {
    if (!valueFiles.isEmpty()) {
      if (!values.isEmpty()) {
        throw usage("give values with -v or with --value-file, not both");
      }
      try {
        values = ValueFiles.read(valueFiles, stdin);
      } catch (ValueFiles.BadValueFile e) {
        throw usage(e.getMessage());
      }
    }
    if (address == null || address.isBlank()) {
      throw usage("--address must name a host, got '" + (address == null ? "" : address) + "'");
    }
    if (port < 1 || port > 65535) {
      throw usage("--port must be between 1 and 65535, got " + port);
    }
    if (minPosition < 0) {
      throw usage("--min-position must not be negative, got " + minPosition);
    }
    if (op == null) {
      // Not required=true in the annotation: picocli would then ask for it before "status" too.
      throw usage("Missing required option: '--op=OP'");
    }
    switch (op) {
      case INSERE -> {
        require(keys.size() == 1 && values.size() == 1, "needs exactly one -k and one -v");
        require(versions.isEmpty(), "takes no -e");
      }
      case CONSULTA, REMOVE -> {
        require(keys.size() == 1, "needs exactly one -k");
        require(values.isEmpty(), "takes no -v");
        require(versions.size() <= 1, "takes at most one -e");
      }
      case INSERE_V -> {
        require(!keys.isEmpty(), "needs at least one -k");
        require(values.size() == keys.size(), "needs one -v per -k");
        require(versions.isEmpty(), "takes no -e");
      }
      case CONSULTA_V, REMOVE_V -> {
        require(!keys.isEmpty(), "needs at least one -k");
        require(values.isEmpty(), "takes no -v");
        require(
            versions.isEmpty() || versions.size() == keys.size(), "needs one -e per -k, or none");
      }
      case SNAPSHOT -> {
        require(keys.isEmpty() && values.isEmpty(), "takes no -k or -v");
        require(versions.size() <= 1, "takes at most one -e");
      }
      case STATUS ->
          require(
              keys.isEmpty() && values.isEmpty() && versions.isEmpty(), "takes no -k, -v or -e");
    }
  }

  private void require(boolean condition, String problem) {
    if (!condition) {
      throw usage(
          String.format(
              "-o %s %s (got %d -k, %d -v, %d -e)",
              op, problem, keys.size(), values.size(), versions.size()));
    }
  }

  /** The credentials {@code options} ask for; a usage error when their files are wrong. */
  ChannelCredentials credentials(TlsClientOptions options) {
    try {
      return options.credentials(
          line -> spec.commandLine().getErr().println("kvs: warning: " + line));
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  /** The TLS options given before {@code status}. */
  TlsClientOptions tls() {
    return tls;
  }

  ClientFactory clientFactory() {
    return clientFactory;
  }

  String address() {
    return address;
  }

  int port() {
    return port;
  }

  /**
   * Whether -o, -k, -v or -e was given: options of one call, which the subcommands take none of.
   */
  boolean hasCallOptions() {
    return op != null
        || !keys.isEmpty()
        || !values.isEmpty()
        || !versions.isEmpty()
        || minPosition != 0
        || showPosition;
  }

  boolean json() {
    return json;
  }

  Duration deadline() {
    return deadline;
  }

  /**
   * Whether a per-server option (-p, -o, -k, -v, -e) was given; the status subcommand takes none.
   */
  boolean hasSingleServerOptions() {
    return op != null
        || !keys.isEmpty()
        || !values.isEmpty()
        || !versions.isEmpty()
        || minPosition != 0
        || showPosition
        || spec.commandLine().getParseResult().hasMatchedOption("--port");
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
