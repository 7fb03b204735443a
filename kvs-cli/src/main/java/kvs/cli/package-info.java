/**
 * What the three command lines share ({@code server.sh}, {@code client.sh}, {@code client.sh
 * bench}): one duration grammar ({@link kvs.cli.Durations}), one version option ({@link
 * kvs.cli.VersionProvider}), and one way to answer errors: a usage error in one line with a hint
 * ({@link kvs.cli.UsageErrorHandler}), anything unexpected in one line ({@link
 * kvs.cli.OneLineErrorHandler}), never a stack trace.
 */
package kvs.cli;
