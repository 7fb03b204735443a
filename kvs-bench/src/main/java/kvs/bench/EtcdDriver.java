package kvs.bench;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Status;
import kvs.bench.etcd.KVGrpc;
import kvs.bench.etcd.PutRequest;
import kvs.bench.etcd.PutResponse;
import kvs.bench.etcd.RangeRequest;
import kvs.bench.etcd.RangeResponse;

/**
 * etcd v3 through its gRPC API: {@code etcdserverpb.KV/Put} for writes and {@code
 * etcdserverpb.KV/Range} with {@code serializable=true} (answered by the member itself, as a KVS
 * server answers a read) for reads.
 */
final class EtcdDriver implements Driver {
  private final Channels channels;
  private final RawCalls calls;

  EtcdDriver(Channels channels, RawCalls calls) {
    this.channels = channels;
    this.calls = calls;
  }

  @Override
  public void put(int target, String key, String value, Completion done) {
    PutRequest request =
        PutRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8(key))
            .setValue(ByteString.copyFromUtf8(value))
            .build();
    calls.unary(
        channels.get(target),
        KVGrpc.getPutMethod(),
        new Metadata(),
        request,
        new RawCalls.Answer<PutResponse>() {
          @Override
          public void answered(PutResponse answer, Metadata trailers) {
            done.complete(Outcome.ok(1));
          }

          @Override
          public void failed(Status status) {
            done.complete(Outcome.of(status));
          }
        });
  }

  @Override
  public void get(int target, String key, Completion done) {
    RangeRequest request =
        RangeRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8(key))
            .setSerializable(true)
            .build();
    calls.unary(
        channels.get(target),
        KVGrpc.getRangeMethod(),
        new Metadata(),
        request,
        new RawCalls.Answer<RangeResponse>() {
          @Override
          public void answered(RangeResponse answer, Metadata trailers) {
            done.complete(answer.getKvsCount() == 0 ? Outcome.missing() : Outcome.ok(1));
          }

          @Override
          public void failed(Status status) {
            done.complete(Outcome.of(status));
          }
        });
  }

  @Override
  public void close() {
    channels.close();
  }
}
