/**
 * The {@code kvs.watch.v1.Watch} service: watchers follow the replica's {@link
 * kvs.server.state.ChangeHistory} from a position, in stream order, each with only its position
 * held ({@link kvs.server.watch.WatchStream}), so watchers never slow the stream nor grow the heap.
 */
package kvs.server.watch;
