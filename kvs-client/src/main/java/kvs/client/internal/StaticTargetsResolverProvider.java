package kvs.client.internal;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Resolves a fixed list of {@code host:port} targets for one channel: each target becomes one
 * address group (all the addresses of its host), which the load-balancing policy connects to and
 * balances over. Registered in a registry of the channel's own, never the global one.
 */
final class StaticTargetsResolverProvider extends NameResolverProvider {

  /** The scheme of the channel target this provider answers for. */
  static final String SCHEME = "kvs-targets";

  private final List<HostAndPort> targets;

  StaticTargetsResolverProvider(List<HostAndPort> targets) {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("no targets");
    }
    this.targets = List.copyOf(targets);
  }

  /** The channel target: the scheme, and the first server as the authority. */
  String channelTarget() {
    return SCHEME + "://" + targets.get(0).authority() + "/";
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!SCHEME.equals(targetUri.getScheme())) {
      return null;
    }
    return new Resolver(targets, args);
  }

  /** Looks the hosts up off the synchronization context, again on every refresh. */
  private static final class Resolver extends NameResolver {

    private final List<HostAndPort> targets;
    private final Executor offload;
    private final SynchronizationContext syncContext;
    private Listener2 listener;
    private boolean resolving;
    private boolean shutdown;

    Resolver(List<HostAndPort> targets, Args args) {
      this.targets = targets;
      this.offload = args.getOffloadExecutor() != null ? args.getOffloadExecutor() : Runnable::run;
      this.syncContext = args.getSynchronizationContext();
    }

    @Override
    public String getServiceAuthority() {
      return targets.get(0).authority();
    }

    @Override
    public void start(Listener2 listener) {
      this.listener = listener;
      resolve();
    }

    @Override
    public void refresh() {
      resolve();
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    /** Runs in the synchronization context. */
    private void resolve() {
      if (resolving || shutdown) {
        return;
      }
      resolving = true;
      offload.execute(
          () -> {
            List<EquivalentAddressGroup> groups = new ArrayList<>();
            List<String> unknown = new ArrayList<>();
            for (HostAndPort target : targets) {
              try {
                List<SocketAddress> addresses =
                    Arrays.stream(InetAddress.getAllByName(target.host()))
                        .map(
                            address ->
                                (SocketAddress) new InetSocketAddress(address, target.port()))
                        .toList();
                groups.add(new EquivalentAddressGroup(addresses));
              } catch (UnknownHostException e) {
                unknown.add(target.host());
              }
            }
            syncContext.execute(() -> deliver(groups, unknown));
          });
    }

    private void deliver(List<EquivalentAddressGroup> groups, List<String> unknown) {
      resolving = false;
      if (shutdown) {
        return;
      }
      if (groups.isEmpty()) {
        listener.onError(Status.UNAVAILABLE.withDescription("unknown hosts: " + unknown));
        return;
      }
      listener.onResult2(
          ResolutionResult.newBuilder().setAddressesOrError(StatusOr.fromValue(groups)).build());
    }
  }
}
