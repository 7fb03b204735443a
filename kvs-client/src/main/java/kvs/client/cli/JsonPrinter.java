package kvs.client.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Optional;
import kvs.client.Entry;
import kvs.client.ServerStatus;
import kvs.client.ServerStatus.PeerInfo;

/**
 * {@code --json}: one compact object per line, fields in a fixed order, for scripts: {@code
 * {"key":"chave1","version":1}} for writes, {@code {"key":"chave1","value":"valor1","version":1}}
 * for reads, with {@code "value":null} and version 0 when not found. A status is one object with
 * the fields of {@link ServerStatus} ({@code lastHeardMs} for a peer's last heard); the cluster
 * view is {@code {"agree":true,"servers":[...]}} with a status object, or {@code
 * {"port":9002,"error":"unreachable","message":"..."}}, per port asked.
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
  public void snapshot(Iterator<Entry> entries) {
    entries.forEachRemaining(this::print);
  }

  @Override
  public void status(ServerStatus status) {
    print(statusNode(status));
  }

  @Override
  public void cluster(ClusterReport report) {
    ObjectNode line = mapper.createObjectNode().put("agree", report.agree());
    ArrayNode servers = line.putArray("servers");
    for (ClusterReport.Probe probe : report.probes()) {
      servers.add(
          probe.answered()
              ? statusNode(probe.status())
              : mapper
                  .createObjectNode()
                  .put("port", probe.port())
                  .put("error", probe.failureWord())
                  .put("message", probe.failure().getMessage()));
    }
    print(line);
  }

  private ObjectNode statusNode(ServerStatus status) {
    ObjectNode node =
        mapper
            .createObjectNode()
            .put("serverId", status.serverId())
            .put("port", status.port())
            .put("brokerConnected", status.brokerConnected())
            .put("caughtUp", status.caughtUp())
            .put("position", status.position())
            .put("keys", status.keys())
            .put("versions", status.versions())
            .put("digest", status.digest())
            .put("skippedMessages", status.skippedMessages())
            .put("resyncs", status.resyncs())
            .put("repairs", status.repairs())
            .put("rejectedMessages", status.rejectedMessages());
    ArrayNode peers = node.putArray("peers");
    for (PeerInfo peer : status.peers()) {
      peers
          .addObject()
          .put("serverId", peer.serverId())
          .put("port", peer.port())
          .put("position", peer.position())
          .put("digest", peer.digest())
          .put("caughtUp", peer.caughtUp())
          .put("lastHeardMs", peer.lastHeard().toMillis());
    }
    return node;
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
