package kvs.core.replication;

import java.util.List;
import kvs.core.KeyRecord;

/**
 * A state machine's whole state at one stream position: what a peer sends a server that catches up,
 * and what a snapshot file holds.
 *
 * @param position stream entries applied
 * @param digest the store's content digest, to check a transfer
 * @param streamTime the highest message timestamp applied (ms since the epoch; 0 before any), the
 *     clock the recent requests expire by
 * @param runs the duplicate filter, so redelivered messages stay ignored after the transfer
 * @param requests the recent request ids (fingerprints) with their answers and times, oldest first,
 *     so that retries stay safe across a transfer or a restart
 * @param keys every key's record, tombstones included, in key order
 */
public record StateImage(
    long position,
    long digest,
    long streamTime,
    List<RunSequence> runs,
    List<RecentRequest> requests,
    List<KeyRecord> keys) {
  public StateImage {
    if (streamTime < 0) {
      throw new IllegalArgumentException("streamTime must be >= 0: " + streamTime);
    }
    runs = List.copyOf(runs);
    requests = List.copyOf(requests);
    keys = List.copyOf(keys);
  }
}
