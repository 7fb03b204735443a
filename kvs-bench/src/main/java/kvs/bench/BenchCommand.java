package kvs.bench;

import io.grpc.ChannelCredentials;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import kvs.cli.Durations;
import kvs.cli.OneLineErrorHandler;
import kvs.cli.TlsClientOptions;
import kvs.cli.UsageErrorHandler;
import kvs.cli.VersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./client.sh bench WORKLOAD ...}: the benchmark's command line. */
@Command(
    name = "bench",
    subcommands = EchoServerCommand.class,
    mixinStandardHelpOptions = true,
    versionProvider = BenchCommand.Version.class,
    sortOptions = false,
    usageHelpWidth = 100,
    customSynopsis = {
      "./client.sh bench WORKLOAD (-t=HOST:PORT[,...] | [-a=HOST] -p=PORT[,...]) [-s=SYSTEM]",
      "                  [-c=N] [-n=N | -d=DURATION] [--warmup=DURATION] [--rate=R] [--keys=K]",
      "                  [--key-size=N] [--value-size=N] [--read-ratio=F] [--batch=N] [--preload]",
      "                  [--probe-rate=R] [--timeout=DURATION] [--json] [-q]",
      "       ./client.sh bench echo-server PORT",
      "       ./client.sh bench (-h | -V)"
    },
    description = {
      "Measures KVS servers (or etcd, or a gRPC server that does no work) under load and",
      "reports operations per second and latency percentiles (HdrHistogram; microsecond",
      "precision, printed in ms). Requests go round robin over the targets on one plaintext",
      "channel each, with plain gRPC calls (none of the client library's retries or metadata).",
      "By default a closed loop keeps exactly -c requests in flight; --rate sends on a schedule",
      "instead (open loop) and measures each latency from the intended send time.",
      "",
      "Workloads:",
      "  insere         Insere, one key per request: a distinct key each (default), or",
      "                 cycling over --keys K (--keys 1: every request writes one key)",
      "                   ./client.sh bench insere -p 9000,9001,9002 -c 16 -n 20000",
      "  consulta       Consulta of --keys K keys (default 100000); --preload loads them",
      "                 first with InsereVarias, else reads may find nothing",
      "                   ./client.sh bench consulta -p 9000 --keys 100000 --preload -d 10s",
      "  mixed          reads (--read-ratio, default 0.9) and writes over --keys K keys",
      "                   ./client.sh bench mixed -p 9000,9001 --read-ratio 0.5 --preload",
      "  insere-varias  InsereVarias streams of --batch items (default 1000); -n counts items;",
      "                 reports items/s and each stream's latency",
      "                   ./client.sh bench insere-varias -p 9000 -n 1000000 --batch 1000 -c 4",
      "  snapshot       loads --keys K keys (default 100000), then times Snapshot(0) streams",
      "                 (each must return every loaded key); reports entries/s; -c default 1",
      "                   ./client.sh bench snapshot -p 9000 --keys 100000 -n 20",
      "  lag            writes on the first target, reads on the second: time from the",
      "                 write's answer until the second server answers a read of it (sent with",
      "                 kvs-min-position = the write's kvs-position), probes at --probe-rate;",
      "                 an upper bound: it includes one round trip to the second server.",
      "                 --rate R adds background writes at R/s over every target",
      "                   ./client.sh bench lag -p 9000,9001,9002 --rate 2000 -d 30s",
      "",
      "Systems (-s): kvs (default); etcd (v3.4 gRPC API, port 2379 by default: insere = Put,",
      "consulta = serializable Range; insere, consulta and mixed only); echo (the server of",
      "'bench echo-server PORT', kvs.KVS answered without work: insere, consulta, mixed).",
      "                   ./client.sh bench insere -s etcd -p 2379 -c 64 -d 10s",
      "                   ./client.sh bench echo-server 9100 &",
      "                   ./client.sh bench consulta -s echo -p 9100 -c 64 -d 10s",
      "",
      "The run stops after -n requests (default 10000; insere-varias 100000 items, snapshot 10",
      "streams, lag 1000 probes) or after -d. Errors (a gRPC error, an Insere answering -1, a",
      "wrong value) are counted by kind; only answered requests count as ops and in latencies.",
      "A progress line goes to stderr every second from the third on (-q: none)."
    },
    parameterListHeading = "%nParameters:%n",
    commandListHeading = "%nCommands:%n",
    optionListHeading = "%nOptions:%n",
    exitCodeOnInvalidInput = BenchCommand.EXIT_USAGE,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the run completed (see the report for errors)",
      "1:no request succeeded: every one failed",
      "2:usage error",
      "3:a target is unreachable or not serving, or loading the keys failed"
    })
public final class BenchCommand implements Callable<Integer> {
  /** The run completed. */
  /** {@code --version}: kvs-bench and the build's version. */
  static final class Version extends VersionProvider {
    Version() {
      super("kvs-bench");
    }
  }

  public static final int EXIT_OK = 0;

  /** Every request failed. */
  public static final int EXIT_ALL_FAILED = 1;

  /** The command line was wrong. */
  public static final int EXIT_USAGE = 2;

  /** A target did not answer, or loading the key space failed. */
  public static final int EXIT_UNREACHABLE = 3;

  @Spec private CommandSpec spec;

  @Mixin private TlsClientOptions tls;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "WORKLOAD",
      converter = Workload.Converter.class,
      completionCandidates = Workload.Names.class,
      description = "One of: ${COMPLETION-CANDIDATES}.")
  private Workload workload;

  @Option(
      names = {"-t", "--targets"},
      paramLabel = "HOST:PORT",
      split = ",",
      description = "Servers to load, comma-separated: 127.0.0.1:9000,127.0.0.1:9001.")
  private List<String> hostPorts = new ArrayList<>();

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      split = ",",
      description = "Ports of servers on --address, comma-separated: 9000,9001,9002.")
  private List<Integer> ports = new ArrayList<>();

  @Option(
      names = {"-a", "--address"},
      paramLabel = "HOST",
      defaultValue = "127.0.0.1",
      description = "Host of the -p ports (default: ${DEFAULT-VALUE}).")
  private String address;

  @Option(
      names = {"-s", "--system"},
      paramLabel = "SYSTEM",
      defaultValue = "kvs",
      converter = SystemKind.Converter.class,
      completionCandidates = SystemKind.Names.class,
      description = "What the targets are: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  private SystemKind system;

  @Option(
      names = {"-c", "--concurrency"},
      paramLabel = "N",
      description =
          "Requests in flight (default 16; snapshot 1). With --rate: at most in flight (lag: for the"
              + " probes, and for the background writes).")
  private Integer concurrency;

  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      description = "Requests to send (insere-varias: items; lag: probes). Default: see above.")
  private Long count;

  @Option(
      names = {"-d", "--duration"},
      paramLabel = "DURATION",
      converter = Durations.NonNegative.class,
      description = "Send for this long instead of -n: 500ms, 10s, 2m.")
  private Duration duration;

  @Option(
      names = "--warmup",
      paramLabel = "DURATION",
      defaultValue = "0s",
      converter = Durations.NonNegative.class,
      description =
          "Run the workload this long first and drop its results (default: none), e.g. 3s.")
  private Duration warmup;

  @Option(
      names = "--rate",
      paramLabel = "R",
      description =
          "Open loop: send R requests per second on a schedule; latency counts from the intended"
              + " send time. lag: the rate of background writes over all targets.")
  private Double rate;

  @Option(
      names = "--keys",
      paramLabel = "K",
      description =
          "Key space: the requests cycle over K keys (1: one shared key). Default: a distinct key"
              + " per request for insere, insere-varias and lag's load; 100000 for consulta, mixed"
              + " and snapshot.")
  private Long keys;

  @Option(
      names = "--key-size",
      paramLabel = "N",
      defaultValue = "16",
      description = "Characters per key, at least 3 (default: ${DEFAULT-VALUE}): bench-0000000042.")
  private int keySize;

  @Option(
      names = "--value-size",
      paramLabel = "N",
      defaultValue = "16",
      description = "Characters per value, at least 3 (default: ${DEFAULT-VALUE}).")
  private int valueSize;

  @Option(
      names = "--read-ratio",
      paramLabel = "F",
      defaultValue = "0.9",
      description = "mixed: the share of reads, 0 to 1 (default: ${DEFAULT-VALUE}).")
  private double readRatio;

  @Option(
      names = "--batch",
      paramLabel = "N",
      defaultValue = "1000",
      description =
          "insere-varias, and loading keys: items per InsereVarias stream (default: ${DEFAULT-VALUE}).")
  private int batch;

  @Option(
      names = "--preload",
      description =
          "consulta, mixed: load the --keys keys first (snapshot always does), then wait until every target has them.")
  private boolean preload;

  @Option(
      names = "--probe-rate",
      paramLabel = "R",
      defaultValue = "200",
      description = "lag: probes per second (default: ${DEFAULT-VALUE}).")
  private double probeRate;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = Durations.NonNegative.class,
      description = "Deadline of each call (default: ${DEFAULT-VALUE}).")
  private Duration timeout;

  @Option(
      names = "--json",
      description = "Print the report as one JSON line (fields: see the README).")
  private boolean json;

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress lines on stderr.")
  private boolean quiet;

  /** The command line with this command's error handling: one line, no stack trace. */
  public static CommandLine newCommandLine() {
    CommandLine commandLine = new CommandLine(new BenchCommand());
    commandLine.setParameterExceptionHandler(new UsageErrorHandler("kvs-bench", "./client.sh "));
    commandLine.setExecutionExceptionHandler(
        new OneLineErrorHandler("kvs-bench", "./client.sh ", EXIT_USAGE, EXIT_ALL_FAILED));
    return commandLine;
  }

  @Override
  public Integer call() {
    BenchConfig config = config();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = Executors.defaultThreadFactory().newThread(runnable);
              thread.setName("kvs-bench-pacer");
              thread.setDaemon(true);
              return thread;
            });
    RunResult result;
    try (Driver driver = openDriver(config)) {
      result = new Benchmark(config, driver, scheduler, err).run();
    } catch (BenchException e) {
      err.println("kvs-bench: " + e.getMessage());
      err.flush();
      return e.exitCode();
    } finally {
      scheduler.shutdownNow();
      awaitQuietly(scheduler);
    }
    Report report = new Report(config, result);
    if (json) {
      out.println(report.json());
    } else {
      report.lines().forEach(out::println);
    }
    out.flush();
    if (result.main().ops() == 0 && result.main().errors() > 0) {
      return EXIT_ALL_FAILED;
    }
    return EXIT_OK;
  }

  private static Driver openDriver(BenchConfig config) {
    Channels channels = Channels.open(config.targets(), config.credentials());
    RawCalls calls = new RawCalls(config.timeout());
    return config.system() == SystemKind.ETCD
        ? new EtcdDriver(channels, calls)
        : new KvsDriver(channels, calls);
  }

  private static void awaitQuietly(ScheduledExecutorService scheduler) {
    try {
      scheduler.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- Validation: every mistake is one line and exit 2 ----

  private BenchConfig config() {
    if (workload == null) {
      throw usage("missing WORKLOAD: one of " + String.join(", ", new Workload.Names()));
    }
    if (!workload.supports(system)) {
      throw usage(
          "workload "
              + workload.label()
              + " cannot run on "
              + system.label()
              + " (it runs on "
              + workload.supportedSystems()
              + ")");
    }
    List<Target> targets;
    try {
      targets = Target.of(hostPorts, address, ports);
    } catch (IllegalArgumentException e) {
      throw usage("bad target " + e.getMessage());
    }
    if (targets.isEmpty()) {
      throw usage("no target: give -t HOST:PORT[,HOST:PORT...] or -p PORT[,PORT...]");
    }
    if (workload == Workload.LAG && targets.size() < 2) {
      throw usage("lag needs two targets or more: it writes on the first and reads on the second");
    }
    if (count != null && duration != null) {
      throw usage("give -n or -d, not both");
    }
    if (count != null && count < 1) {
      throw usage("-n must be at least 1");
    }
    if (duration != null && duration.isZero()) {
      throw usage("-d must be longer than 0");
    }
    int inFlight = concurrency == null ? workload.defaultConcurrency() : concurrency;
    if (inFlight < 1) {
      throw usage("-c must be at least 1");
    }
    if (keySize < 3) {
      throw usage("--key-size must be at least 3: the store rejects shorter keys");
    }
    if (valueSize < 3) {
      throw usage("--value-size must be at least 3: the store rejects shorter values");
    }
    long keySpace = keys == null ? workload.defaultKeys() : keys;
    if (keys != null && keys < 1) {
      throw usage("--keys must be at least 1");
    }
    long capacity = new NumberedText("bench-", keySize).capacity();
    if (keySpace > capacity) {
      throw usage(
          "--key-size "
              + keySize
              + " holds only "
              + capacity
              + " distinct keys, fewer than --keys "
              + keySpace);
    }
    if (readRatio < 0 || readRatio > 1) {
      throw usage("--read-ratio must be between 0 and 1");
    }
    if (batch < 1) {
      throw usage("--batch must be at least 1");
    }
    if (rate != null && !(rate > 0)) {
      throw usage("--rate must be more than 0");
    }
    if (!(probeRate > 0)) {
      throw usage("--probe-rate must be more than 0");
    }
    if (timeout.isZero()) {
      throw usage("--timeout must be longer than 0");
    }
    if (preload && !workload.canPreload()) {
      throw usage("--preload is for consulta, mixed and snapshot");
    }
    long runCount =
        duration != null ? LoadLoop.UNLIMITED : count != null ? count : workload.defaultCount();
    return new BenchConfig(
        workload,
        system,
        targets,
        inFlight,
        runCount,
        duration,
        warmup,
        keySpace,
        keySize,
        valueSize,
        readRatio,
        batch,
        preload,
        rate == null ? 0 : rate,
        probeRate,
        timeout,
        quiet,
        credentials());
  }

  private ChannelCredentials credentials() {
    try {
      return tls.credentials(
          line -> spec.commandLine().getErr().println("kvs-bench: warning: " + line));
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
