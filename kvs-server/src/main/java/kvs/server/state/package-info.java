/**
 * The server's copy of the state: the {@link kvs.core.replication.StateMachine} that the stream
 * drives, shared safely between the stream and the threads that serve reads, with what it remembers
 * of its recent past ({@link kvs.server.state.Replica}).
 */
package kvs.server.state;
