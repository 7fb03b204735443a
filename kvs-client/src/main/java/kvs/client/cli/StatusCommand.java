package kvs.client.cli;

import io.grpc.ChannelCredentials;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import kvs.cli.Durations;
import kvs.cli.TlsClientOptions;
import kvs.client.KvsClient;
import kvs.client.KvsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code client.sh status PORT...}: asks the servers on several ports of one host for their status,
 * all at once, and prints them side by side with whether they agree.
 */
@Command(
    name = "status",
    header = "The status of several servers side by side, and whether they agree.",
    mixinStandardHelpOptions = true,
    versionProvider = ClientCommand.Version.class,
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "Asks the KVS servers on the given ports of one host for their status, all at once (each",
      "call bounded by --deadline), and prints a table and whether they agree: every server",
      "that answered has applied the same number of replication stream entries (position)",
      "and has the same content (digest).",
      "",
      "  ./client.sh status 9000 9001 9002",
      "  PORT  SERVER   BROKER  CAUGHT-UP  POSITION  KEYS  VERSIONS  DIGEST",
      "  9000  vm-9000  yes     yes        1234      100   300       0a1b2c3d4e5f6071",
      "  9001  vm-9001  yes     yes        1234      100   300       0a1b2c3d4e5f6071",
      "  9002  vm-9002  yes     yes        1234      100   300       0a1b2c3d4e5f6071",
      "  all 3 servers agree: position 1234, digest 0a1b2c3d4e5f6071",
      "",
      "When they differ, the servers are compared with the first one at the greatest position:",
      "  servers disagree: 9002 is 17 entries behind 9000 (position 1217 < 1234)",
      "  servers disagree: 9001 has a different digest at the same position as 9000",
      "A server that does not answer shows as 'unreachable', 'no answer' or 'error' in its row,",
      "with the reason below the table. Servers that apply writes right now may be briefly apart.",
      "",
      "  ./client.sh -a 10.0.0.5 status --json 9000 9001",
      "  {\"agree\":true,\"servers\":[{\"serverId\":\"vm-9000\",\"port\":9000,...},",
      "   {\"port\":9001,\"error\":\"unreachable\",\"message\":\"...\"}]}",
      "  Each server object has the fields of ./client.sh -o status --json."
    },
    parameterListHeading = "%nArguments:%n",
    optionListHeading = "%nOptions (also accepted before 'status'):%n",
    exitCodeOnInvalidInput = ClientCommand.EXIT_USAGE,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every server answered, is caught up and connected to the broker, and they agree",
      "1:otherwise: a server is unreachable, did not answer, is catching up or not connected to the"
          + " broker, or the servers disagree",
      "2:usage error"
    })
public final class StatusCommand implements Callable<Integer> {

  private static final int MAX_THREADS = 32;

  @Spec private CommandSpec spec;

  @ParentCommand private ClientCommand parent;

  @Parameters(
      paramLabel = "PORT",
      arity = "1..*",
      description = "The ports of the servers, in the order to print them.")
  private List<Integer> ports = new ArrayList<>();

  @Option(
      names = {"-a", "--address"},
      paramLabel = "HOST",
      description =
          "The servers' host (default: the one before 'status', else 127.0.0.1 or env"
              + " KVS_ADDRESS).")
  private String address;

  @Option(names = "--json", description = "Print one JSON object.")
  private boolean json;

  @Option(
      names = "--deadline",
      paramLabel = "DURATION",
      converter = Durations.Positive.class,
      description =
          "How long each server may take to answer, e.g. 500ms, 2s (default: the one before"
              + " 'status', else 10s or env KVS_DEADLINE).")
  private Duration deadline;

  @Mixin private TlsClientOptions tls;

  /** Creates the command; picocli sets its fields and its parent. */
  public StatusCommand() {}

  @Override
  public Integer call() {
    validate();
    String host = address != null ? address : parent.address();
    Duration callDeadline = deadline != null ? deadline : parent.deadline();
    ChannelCredentials credentials = parent.credentials(tls.enabled() ? tls : parent.tls());
    PrintWriter out = spec.commandLine().getOut();
    ResultPrinter printer = json || parent.json() ? new JsonPrinter(out) : new HumanPrinter(out);
    ClusterReport report = new ClusterReport(probeAll(host, callDeadline, credentials));
    printer.cluster(report);
    out.flush();
    return report.ok() ? ClientCommand.EXIT_OK : ClientCommand.EXIT_NEGATIVE;
  }

  /** Asks every port at once; each call ends within the deadline, so this does too. */
  private List<ClusterReport.Probe> probeAll(
      String host, Duration callDeadline, ChannelCredentials credentials) {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(ports.size(), MAX_THREADS),
            task -> {
              Thread thread = new Thread(task, "kvs-status");
              thread.setDaemon(true);
              return thread;
            });
    try {
      List<Future<ClusterReport.Probe>> futures = new ArrayList<>();
      for (int port : ports) {
        futures.add(pool.submit(() -> probe(host, port, callDeadline, credentials)));
      }
      List<ClusterReport.Probe> probes = new ArrayList<>();
      for (int i = 0; i < futures.size(); i++) {
        probes.add(await(ports.get(i), futures.get(i)));
      }
      return probes;
    } finally {
      pool.shutdownNow();
    }
  }

  private ClusterReport.Probe probe(
      String host, int port, Duration callDeadline, ChannelCredentials credentials) {
    try (KvsClient client = parent.clientFactory().open(host, port, callDeadline, credentials)) {
      return ClusterReport.Probe.answered(port, client.status());
    } catch (KvsException e) {
      return ClusterReport.Probe.failed(port, e);
    }
  }

  private static ClusterReport.Probe await(int port, Future<ClusterReport.Probe> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ClusterReport.Probe.failed(
          port, new KvsException(KvsException.Code.INTERRUPTED, "interrupted while waiting", e));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      return ClusterReport.Probe.failed(
          port,
          new KvsException(
              KvsException.Code.SERVER_ERROR, String.valueOf(cause.getMessage()), cause));
    }
  }

  private void validate() {
    for (int port : ports) {
      if (port < 1 || port > 65535) {
        throw usage("PORT must be between 1 and 65535, got " + port);
      }
    }
    if (parent.hasSingleServerOptions()) {
      throw usage("status takes ports as arguments and no -p, -o, -k, -v or -e");
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
