package kvs.server.grpc;

import kvs.server.replication.PeerTable;
import kvs.server.state.Replica;

/** What {@link AdminService} reports of a server: the server shows itself through this. */
public interface ServerView {
  String serverId();

  /** The gRPC port (-1 for an in-process server). */
  int port();

  boolean isBrokerConnected();

  boolean isCaughtUp();

  Replica replica();

  PeerTable peers();

  /** Malformed replication messages skipped. */
  long skippedMessages();

  /** Re-synchronizations after the first catch-up. */
  long resyncs();

  /** Re-synchronizations that took only a peer's changes. */
  long repairs();

  /** Stream messages refused (unsigned, badly signed, replayed). */
  long rejectedMessages();

  /** Watch calls open now. */
  int watchers();
}
