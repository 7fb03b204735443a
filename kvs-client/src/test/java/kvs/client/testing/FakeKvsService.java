package kvs.client.testing;

import com.google.protobuf.Message;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.KVSGrpc;
import kvs.proto.Tupla;
import kvs.proto.Versao;

/**
 * The wire semantics of KVS over a TreeMap, for tests: keys and values need 3 code points, -1 and
 * the blank tuple for failures, one blank tuple for an empty snapshot. Records every request it
 * receives, in order.
 */
public final class FakeKvsService extends KVSGrpc.KVSImplBase {

  /** A request as received, with the name of its RPC. */
  public record Received(String rpc, Message message) {}

  private static final Tupla BLANK = Tupla.getDefaultInstance();

  private final NavigableMap<String, NavigableMap<Integer, String>> store = new TreeMap<>();
  private final Map<String, Integer> lastVersion = new TreeMap<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();

  /** Returns the requests received so far, in order. */
  public List<Received> received() {
    return List.copyOf(received);
  }

  /** Returns the messages received by one RPC, in order. */
  @SuppressWarnings("unchecked")
  public <T extends Message> List<T> received(String rpc) {
    return received.stream().filter(r -> r.rpc().equals(rpc)).map(r -> (T) r.message()).toList();
  }

  @Override
  public void insere(ChaveValor request, StreamObserver<Versao> replies) {
    received.add(new Received("Insere", request));
    unary(replies, versao(insere(request)));
  }

  @Override
  public void consulta(ChaveVersao request, StreamObserver<Tupla> replies) {
    received.add(new Received("Consulta", request));
    unary(replies, consulta(request));
  }

  @Override
  public void remove(ChaveVersao request, StreamObserver<Versao> replies) {
    received.add(new Received("Remove", request));
    unary(replies, versao(remove(request)));
  }

  @Override
  public StreamObserver<ChaveValor> insereVarias(StreamObserver<Versao> replies) {
    return stream("InsereVarias", replies, request -> versao(insere(request)));
  }

  @Override
  public StreamObserver<ChaveVersao> consultaVarias(StreamObserver<Tupla> replies) {
    return stream("ConsultaVarias", replies, this::consulta);
  }

  @Override
  public StreamObserver<ChaveVersao> removeVarias(StreamObserver<Versao> replies) {
    return stream("RemoveVarias", replies, request -> versao(remove(request)));
  }

  @Override
  public synchronized void snapshot(Versao request, StreamObserver<Tupla> replies) {
    received.add(new Received("Snapshot", request));
    int sent = 0;
    for (Map.Entry<String, NavigableMap<Integer, String>> key : store.entrySet()) {
      Map.Entry<Integer, String> at = at(key.getValue(), request.getVersao());
      if (at != null) {
        replies.onNext(tupla(key.getKey(), at));
        sent++;
      }
    }
    if (sent == 0) {
      replies.onNext(BLANK);
    }
    replies.onCompleted();
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

  private <ReqT extends Message, RespT> StreamObserver<ReqT> stream(
      String rpc, StreamObserver<RespT> replies, Function<ReqT, RespT> answer) {
    return new StreamObserver<>() {
      @Override
      public void onNext(ReqT request) {
        received.add(new Received(rpc, request));
        replies.onNext(answer.apply(request));
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        replies.onCompleted();
      }
    };
  }
}
