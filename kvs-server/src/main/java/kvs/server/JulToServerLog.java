package kvs.server;

import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Routes java.util.logging, which grpc-java and Netty write to, into the server's own log, so that
 * every line has one format. A call that failed because of what a client sent (a gRPC status as the
 * throwable, such as a message over the size limit) is one line, without a stack trace: it is no
 * fault of the server's. So is a client's connection that failed (grpc-java logs those on its
 * {@code connections} logger): one line, saying what the client did wrong when we can tell.
 */
final class JulToServerLog extends SLF4JBridgeHandler {
  private static final Formatter MESSAGES = new SimpleFormatter(); // for its formatMessage only

  /**
   * Replaces java.util.logging's console output with this bridge, passing {@code level} and above.
   */
  static void install(Level level) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    Logger root = Logger.getLogger("");
    root.setLevel(level);
    root.addHandler(new JulToServerLog());
  }

  @Override
  public void publish(LogRecord record) {
    Throwable thrown = record.getThrown();
    if (thrown instanceof StatusRuntimeException || thrown instanceof StatusException) {
      publishOneLine(record, MESSAGES.formatMessage(record) + ": " + thrown.getMessage());
      return;
    }
    if (thrown != null
        && record.getLoggerName() != null
        && record.getLoggerName().endsWith(".connections")) {
      publishOneLine(record, "A client's connection failed: " + clientFault(thrown));
      return;
    }
    super.publish(record);
  }

  private void publishOneLine(LogRecord record, String message) {
    LogRecord oneLine = new LogRecord(record.getLevel(), message);
    oneLine.setLoggerName(record.getLoggerName());
    oneLine.setInstant(record.getInstant());
    super.publish(oneLine);
  }

  /** What the client did, in words; a TLS handshake's first bytes are 16 03. */
  static String clientFault(Throwable thrown) {
    String message = String.valueOf(thrown.getMessage());
    if (message.contains("preface string missing or corrupt")
        && message.contains("received bytes: 1603")) {
      return "it began a TLS handshake, but this port serves plaintext (no --tls-cert)";
    }
    return message.replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
