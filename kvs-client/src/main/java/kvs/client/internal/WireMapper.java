package kvs.client.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import kvs.client.Entry;
import kvs.client.GetResult;
import kvs.client.KeyValue;
import kvs.client.KeyVersion;
import kvs.client.PutResult;
import kvs.client.RemoveResult;
import kvs.client.ServerStatus;
import kvs.client.ServerStatus.PeerInfo;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.Tupla;
import kvs.proto.Versao;
import kvs.proto.admin.PeerStatus;
import kvs.proto.admin.StatusReply;

/**
 * Translates between the library's types and the wire's messages, and owns the wire's in-band
 * answers: a version of -1 for "rejected" or "nothing removed", and the blank tuple (version 0) for
 * "not found".
 */
final class WireMapper {

  private WireMapper() {}

  static ChaveValor toWire(KeyValue item) {
    return ChaveValor.newBuilder().setChave(item.key()).setValor(item.value()).build();
  }

  /** Sets the version field only when the item has one, so that "absent" reaches the server. */
  static ChaveVersao toWire(KeyVersion item) {
    ChaveVersao.Builder message = ChaveVersao.newBuilder().setChave(item.key());
    item.version().ifPresent(message::setVersao);
    return message.build();
  }

  /** A real entry has a version of at least 1; the blank tuple means "not found". */
  static Optional<Entry> toEntry(Tupla tupla) {
    if (tupla.getVersao() < 1) {
      return Optional.empty();
    }
    return Optional.of(new Entry(tupla.getChave(), tupla.getValor(), tupla.getVersao()));
  }

  /** An insert answers its new version (at least 1), or -1 when rejected. */
  static OptionalInt toPutResult(int answer) {
    return answer >= 1 ? OptionalInt.of(answer) : OptionalInt.empty();
  }

  /** A removal answers the version removed, 0 for "all versions", or -1 for "nothing removed". */
  static boolean removed(int answer) {
    return answer >= 0;
  }

  static PutResult toPutResult(KeyValue request, Versao reply) {
    return new PutResult(request, toPutResult(reply.getVersao()));
  }

  static GetResult toGetResult(KeyVersion request, Tupla reply) {
    return new GetResult(request, toEntry(reply));
  }

  static RemoveResult toRemoveResult(KeyVersion request, Versao reply) {
    return new RemoveResult(request, removed(reply.getVersao()));
  }

  /** Copies a status reply field by field; the peers keep the server's order. */
  static ServerStatus toStatus(StatusReply reply) {
    return new ServerStatus(
        reply.getServerId(),
        reply.getPort(),
        reply.getBrokerConnected(),
        reply.getCaughtUp(),
        reply.getPosition(),
        reply.getKeys(),
        reply.getVersions(),
        reply.getDigest(),
        reply.getPeersList().stream().map(WireMapper::toPeer).toList(),
        reply.getSkippedMessages(),
        reply.getResyncs(),
        reply.getRepairs(),
        reply.getRejectedMessages());
  }

  private static PeerInfo toPeer(PeerStatus peer) {
    return new PeerInfo(
        peer.getServerId(),
        peer.getPort(),
        peer.getPosition(),
        peer.getDigest(),
        peer.getCaughtUp(),
        Duration.ofMillis(Math.max(0, peer.getLastHeardMillisAgo())));
  }
}
