package kvs.testing;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import kvs.proto.ChaveValor;
import kvs.proto.ChaveVersao;
import kvs.proto.KVSGrpc;
import kvs.proto.Tupla;

/** A gRPC client on one server, closed after use, and small helpers for the tests. */
final class Clients implements AutoCloseable {
  private final ManagedChannel channel;

  Clients(int port) {
    channel =
        Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create())
            .build();
  }

  KVSGrpc.KVSBlockingStub kvs() {
    return KVSGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  /** Writes and returns the new version; fails on -1 (keys and values need 3+ characters). */
  int insere(String key, String value) {
    int version =
        kvs().insere(ChaveValor.newBuilder().setChave(key).setValor(value).build()).getVersao();
    if (version < 1) {
      throw new AssertionError("insere(" + key + ", " + value + ") answered " + version);
    }
    return version;
  }

  /** The newest version of {@code key} (a blank Tupla when there is none). */
  Tupla consulta(String key) {
    return kvs().consulta(ChaveVersao.newBuilder().setChave(key).build());
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }

  /** True when something accepts TCP connections on the port. */
  static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
