package kvs.bench;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bench echo-server PORT}: serves {@code kvs.KVS} without doing any work, until stopped. */
@Command(
    name = "echo-server",
    mixinStandardHelpOptions = true,
    versionProvider = BenchCommand.Version.class,
    usageHelpWidth = 100,
    description = {
      "A gRPC server that does no work (for --system echo), until Ctrl-C or SIGTERM.",
      "",
      "It serves kvs.KVS on PORT: Consulta answers a Tupla with the key it got, Insere",
      "answers version 1 (plaintext, Netty, handlers on the transport threads). What it",
      "measures is the floor under every KVS figure: the cost of gRPC on this machine.",
      "",
      "  ./client.sh bench echo-server 9100 &",
      "  ./client.sh bench consulta --system echo -p 9100 -c 64 -d 10s"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped by a signal", "1:the port could not be taken", "2:usage error"})
final class EchoServerCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "PORT",
      description = "TCP port to listen on (0: any free one).")
  private int port;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    EchoServer server =
        new EchoServer(Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create()));
    try {
      server.start();
    } catch (IOException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("kvs-bench: echo server cannot listen on port " + port + ": " + e.getMessage());
      err.flush();
      return 1;
    }
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> server.stop(Duration.ofSeconds(2)), "echo-server-stop"));
    out.println(
        "kvs-bench: echo server listening on port "
            + server.port()
            + " (kvs.KVS: Consulta and Insere, no work)");
    out.flush();
    server.awaitTermination();
    return 0;
  }
}
