/**
 * A real KVS cluster for tests, the one fixture of this project and of programs that embed {@code
 * kvs-client}: {@link kvs.testing.KvsClusterExtension} (JUnit 5) runs a Mosquitto broker and
 * servers on free ports; under it, {@link kvs.testing.MosquittoBroker} (a private broker process),
 * {@link kvs.testing.TestCluster} (servers of a given configuration against it) and {@link
 * kvs.testing.Eventually} (waiting for a condition with a deadline).
 */
package kvs.testing;
