package kvs.server.http;

import static kvs.server.http.HttpExchanges.JSON;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.grpc.Channel;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import kvs.proto.admin.KvsAdminGrpc;
import kvs.proto.admin.PeerStatus;
import kvs.proto.admin.StatusReply;
import kvs.proto.admin.StatusRequest;

/**
 * {@code GET /v1/status}: the Status answer as JSON, with the fields of {@code -o status --json}.
 */
final class StatusHandler implements HttpHandler {
  private final Channel channel;

  StatusHandler(Channel channel) {
    this.channel = channel;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (HttpExchanges.refusedMethod(exchange, "GET")) {
        return;
      }
      StatusReply status =
          KvsAdminGrpc.newBlockingStub(channel)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .status(StatusRequest.getDefaultInstance());
      HttpExchanges.json(exchange, 200, json(status));
    }
  }

  static ObjectNode json(StatusReply status) {
    ObjectNode body =
        JSON.createObjectNode()
            .put("serverId", status.getServerId())
            .put("port", status.getPort())
            .put("brokerConnected", status.getBrokerConnected())
            .put("caughtUp", status.getCaughtUp())
            .put("position", status.getPosition())
            .put("keys", status.getKeys())
            .put("versions", status.getVersions())
            .put("digest", status.getDigest())
            .put("skippedMessages", status.getSkippedMessages())
            .put("resyncs", status.getResyncs())
            .put("repairs", status.getRepairs())
            .put("watchers", status.getWatchers())
            .put("watchOldestPosition", status.getWatchOldestPosition())
            .put("rejectedMessages", status.getRejectedMessages());
    ArrayNode peers = body.putArray("peers");
    for (PeerStatus peer : status.getPeersList()) {
      peers
          .addObject()
          .put("serverId", peer.getServerId())
          .put("port", peer.getPort())
          .put("position", peer.getPosition())
          .put("digest", peer.getDigest())
          .put("caughtUp", peer.getCaughtUp())
          .put("lastHeardMs", peer.getLastHeardMillisAgo());
    }
    return body;
  }
}
