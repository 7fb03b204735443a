package kvs.server.replication;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import kvs.core.replication.Presence;

/**
 * The servers live on the broker now, by their presence (see {@link Presence}): updated in stream
 * tasks as the broker delivers presence changes, read anywhere.
 */
public final class Membership {
  private final Map<String, Presence> byMember = new HashMap<>(); // stream tasks only
  private volatile Set<String> live = Set.of(); // server ids, for any thread
  private final Set<String> left = ConcurrentHashMap.newKeySet(); // ids whose presence was cleared

  /** {@code member} is live and says {@code presence}, or is gone (empty). */
  void update(String member, Optional<Presence> presence) {
    if (presence.isPresent()) {
      byMember.put(member, presence.get());
      left.remove(presence.get().origin());
    } else {
      Presence gone = byMember.remove(member);
      if (gone != null) {
        left.add(gone.origin());
      }
    }
    live = byMember.values().stream().map(Presence::origin).collect(Collectors.toUnmodifiableSet());
  }

  /** The ids of the live servers other than {@code self}, sorted. */
  public List<String> othersThan(String self) {
    return live.stream().filter(id -> !id.equals(self)).sorted().toList();
  }

  /** True once the server {@code id} was seen leaving (its presence cleared), until it is back. */
  public boolean hasLeft(String id) {
    return left.contains(id);
  }

  /** True while the server {@code id} is live. */
  public boolean isLive(String id) {
    return live.contains(id);
  }
}
