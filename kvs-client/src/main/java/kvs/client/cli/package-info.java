/**
 * The command-line client, {@code ./client.sh}: a picocli command on top of the {@link
 * kvs.client.KvsClient} library, with the options and output of the course's client.
 */
package kvs.client.cli;
