package kvs.core.replication;

import java.util.List;
import kvs.core.KeyRecord;

/**
 * A state machine's whole state at one stream position: what a peer sends a server that catches
 * up, and what a snapshot file holds.
 *
 * @param position stream entries applied
 * @param digest the store's content digest, to check a transfer
 * @param runs the duplicate filter, so redelivered messages stay ignored after the transfer
 * @param requests the recent request ids with their answers, oldest first, so retries stay safe
 * @param keys every key's record, tombstones included, in key order
 */
public record StateImage(
    long position, long digest, List<RunSequence> runs, List<RecentRequest> requests, List<KeyRecord> keys) {
  public StateImage {
    runs = List.copyOf(runs);
    requests = List.copyOf(requests);
    keys = List.copyOf(keys);
  }
}
