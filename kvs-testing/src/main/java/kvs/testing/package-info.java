/**
 * A real KVS cluster inside a JUnit 5 test: a Mosquitto broker and servers on free ports, started
 * and stopped by the extension, for programs that embed {@code kvs-client}.
 */
package kvs.testing;
