package kvs.client.testing;

import com.google.protobuf.Message;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.KVSGrpc;
import kvs.proto.Tupla;
import kvs.proto.Versao;

/**
 * The wire semantics of KVS over a TreeMap, for tests: keys and values need 3 code points, -1 and
 * the blank tuple for failures, one blank tuple for an empty snapshot. Records every request it
 * receives, in order. Its streams respect flow control: the next request is read only once the
 * reply stream is ready.
 *
 * <p>Served through {@link #definition} it also speaks the KVS metadata as the real server does:
 * its position counts the writes applied and is answered in a {@code kvs-position} trailer; a write
 * whose {@code kvs-request-id} it has applied before (item {@code i} of a stream as {@code id#i})
 * is answered with the original result and not applied again; a read whose {@code kvs-min-position}
 * is ahead of it fails with UNAVAILABLE "behind position N".
 */
public final class FakeKvsService extends KVSGrpc.KVSImplBase {

  /** A request as received, with the name of its RPC. */
  public record Received(String rpc, Message message) {}

  private static final Tupla BLANK = Tupla.getDefaultInstance();

  private final NavigableMap<String, NavigableMap<Integer, String>> store = new TreeMap<>();
  private final Map<String, Integer> lastVersion = new TreeMap<>();
  // Not copy-on-write: batches of 100,000 items would copy the list on every request.
  private final List<Received> received =
      java.util.Collections.synchronizedList(new java.util.ArrayList<>());
  private final Map<String, Integer> applied = new ConcurrentHashMap<>();
  private final AtomicLong position = new AtomicLong();
  private final AtomicLong snapshotSent = new AtomicLong();
  private final ServerMetadata metadata = new ServerMetadata(position::get);

  /**
   * This service with the KVS metadata and, around it, {@code interceptors} (the last one first).
   */
  public ServerServiceDefinition definition(ServerInterceptor... interceptors) {
    ServerServiceDefinition withMetadata = ServerInterceptors.intercept(this, metadata);
    return ServerInterceptors.intercept(withMetadata, interceptors);
  }

  /** The metadata of the calls that came through {@link #definition}. */
  public ServerMetadata metadata() {
    return metadata;
  }

  /** How many writes were applied. */
  public long position() {
    return position.get();
  }

  /** Moves the position forward without a write, as a server that applied others' writes. */
  public void advance(long to) {
    position.accumulateAndGet(to, Math::max);
  }

  /** Versions stored for {@code key}, oldest first. */
  public synchronized List<Integer> versions(String key) {
    NavigableMap<Integer, String> versions = store.get(key);
    return versions == null ? List.of() : List.copyOf(versions.keySet());
  }

  /** Returns the requests received so far, in order. */
  public List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  /** Returns the messages received by one RPC, in order. */
  @SuppressWarnings("unchecked")
  public <T extends Message> List<T> received(String rpc) {
    return received().stream().filter(r -> r.rpc().equals(rpc)).map(r -> (T) r.message()).toList();
  }

  @Override
  public void insere(ChaveValor request, StreamObserver<Versao> replies) {
    received.add(new Received("Insere", request));
    unary(replies, versao(once(null, () -> insere(request))));
  }

  @Override
  public void consulta(ChaveVersao request, StreamObserver<Tupla> replies) {
    received.add(new Received("Consulta", request));
    if (behind(replies)) {
      return;
    }
    unary(replies, consulta(request));
  }

  @Override
  public void remove(ChaveVersao request, StreamObserver<Versao> replies) {
    received.add(new Received("Remove", request));
    unary(replies, versao(once(null, () -> remove(request))));
  }

  @Override
  public StreamObserver<ChaveValor> insereVarias(StreamObserver<Versao> replies) {
    AtomicInteger index = new AtomicInteger();
    String id = ServerMetadata.CALL_REQUEST_ID.get();
    return stream(
        "InsereVarias", replies, request -> versao(once(item(id, index), () -> insere(request))));
  }

  @Override
  public StreamObserver<ChaveVersao> consultaVarias(StreamObserver<Tupla> replies) {
    if (behind(replies)) {
      return new StreamObserver<>() {
        @Override
        public void onNext(ChaveVersao value) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      };
    }
    return stream("ConsultaVarias", replies, this::consulta);
  }

  @Override
  public StreamObserver<ChaveVersao> removeVarias(StreamObserver<Versao> replies) {
    AtomicInteger index = new AtomicInteger();
    String id = ServerMetadata.CALL_REQUEST_ID.get();
    return stream(
        "RemoveVarias", replies, request -> versao(once(item(id, index), () -> remove(request))));
  }

  /** Streams the entries at the version under flow control, taken when the call starts. */
  @Override
  public void snapshot(Versao request, StreamObserver<Tupla> replies) {
    received.add(new Received("Snapshot", request));
    if (behind(replies)) {
      return;
    }
    java.util.Iterator<Tupla> entries = entriesAt(request.getVersao()).iterator();
    ServerCallStreamObserver<Tupla> out = (ServerCallStreamObserver<Tupla>) replies;
    AtomicBoolean done = new AtomicBoolean();
    Runnable sendWhileReady =
        () -> {
          while (out.isReady() && entries.hasNext()) {
            out.onNext(entries.next());
            snapshotSent.incrementAndGet();
          }
          if (!entries.hasNext() && done.compareAndSet(false, true)) {
            out.onCompleted();
          }
        };
    out.setOnReadyHandler(sendWhileReady);
    sendWhileReady.run();
  }

  /** How many tuples the snapshots sent so far. */
  public long snapshotSent() {
    return snapshotSent.get();
  }

  private synchronized List<Tupla> entriesAt(int version) {
    List<Tupla> entries = new java.util.ArrayList<>();
    for (Map.Entry<String, NavigableMap<Integer, String>> key : store.entrySet()) {
      Map.Entry<Integer, String> at = at(key.getValue(), version);
      if (at != null) {
        entries.add(tupla(key.getKey(), at));
      }
    }
    return entries.isEmpty() ? List.of(BLANK) : entries;
  }

  /** The request id of item {@code i} of a stream: {@code id#i}; null without an id. */
  private static String item(String id, AtomicInteger index) {
    int i = index.getAndIncrement();
    return id == null ? null : id + "#" + i;
  }

  /**
   * Applies a write once per request id ({@code id}, else the call's id): a repeated id answers the
   * original result. Every applied write moves the position on by one.
   */
  private synchronized int once(String id, java.util.function.IntSupplier write) {
    String key = id != null ? id : ServerMetadata.CALL_REQUEST_ID.get();
    if (key != null && applied.containsKey(key)) {
      return applied.get(key);
    }
    int answer = write.getAsInt();
    position.incrementAndGet();
    if (key != null) {
      applied.put(key, answer);
    }
    return answer;
  }

  /** Fails a read whose minimum position this server has not reached. */
  private boolean behind(StreamObserver<?> replies) {
    Long min = ServerMetadata.CALL_MIN_POSITION.get();
    if (min != null && min > position.get()) {
      replies.onError(
          Status.UNAVAILABLE.withDescription("behind position " + min).asRuntimeException());
      return true;
    }
    return false;
  }

  private synchronized int insere(ChaveValor request) {
    if (!valid(request.getChave()) || !valid(request.getValor())) {
      return -1;
    }
    int version = lastVersion.merge(request.getChave(), 1, Integer::sum);
    store
        .computeIfAbsent(request.getChave(), k -> new TreeMap<>())
        .put(version, request.getValor());
    return version;
  }

  private synchronized Tupla consulta(ChaveVersao request) {
    NavigableMap<Integer, String> versions = store.get(request.getChave());
    if (versions == null) {
      return BLANK;
    }
    Map.Entry<Integer, String> at = at(versions, request.hasVersao() ? request.getVersao() : 0);
    return at == null ? BLANK : tupla(request.getChave(), at);
  }

  private synchronized int remove(ChaveVersao request) {
    NavigableMap<Integer, String> versions = store.get(request.getChave());
    if (versions == null) {
      return -1;
    }
    if (request.hasVersao() && request.getVersao() > 0) {
      if (versions.remove(request.getVersao()) == null) {
        return -1;
      }
      if (versions.isEmpty()) {
        store.remove(request.getChave());
      }
      return request.getVersao();
    }
    store.remove(request.getChave());
    return 0;
  }

  private static Map.Entry<Integer, String> at(
      NavigableMap<Integer, String> versions, int version) {
    return version <= 0 ? versions.lastEntry() : versions.floorEntry(version);
  }

  private static boolean valid(String text) {
    return text.codePointCount(0, text.length()) >= 3;
  }

  private static Tupla tupla(String key, Map.Entry<Integer, String> at) {
    return Tupla.newBuilder().setChave(key).setValor(at.getValue()).setVersao(at.getKey()).build();
  }

  private static Versao versao(int version) {
    return Versao.newBuilder().setVersao(version).build();
  }

  private static <T> void unary(StreamObserver<T> replies, T reply) {
    replies.onNext(reply);
    replies.onCompleted();
  }

  /** One reply per request, reading the next request only while the reply stream is ready. */
  private <ReqT extends Message, RespT> StreamObserver<ReqT> stream(
      String rpc, StreamObserver<RespT> replies, Function<ReqT, RespT> answer) {
    ServerCallStreamObserver<RespT> out = (ServerCallStreamObserver<RespT>) replies;
    AtomicBoolean waiting = new AtomicBoolean();
    out.disableAutoRequest();
    out.setOnReadyHandler(
        () -> {
          if (out.isReady() && waiting.compareAndSet(true, false)) {
            out.request(1);
          }
        });
    out.request(32); // a window of requests in flight, then one more per reply sent
    return new StreamObserver<>() {
      @Override
      public void onNext(ReqT request) {
        received.add(new Received(rpc, request));
        out.onNext(answer.apply(request));
        if (out.isReady()) {
          out.request(1);
        } else {
          waiting.set(true);
          if (out.isReady() && waiting.compareAndSet(true, false)) {
            out.request(1);
          }
        }
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }
}
