package kvs.server.http;

import javax.net.ssl.SSLContext;

/**
 * TLS for the HTTP port: the server's certificate, and whether clients must present one (the same
 * files as gRPC's {@code --tls-cert}, {@code --tls-key} and {@code --tls-client-ca}).
 *
 * @param context holds the server's key and certificate, and the CA clients' certificates need
 * @param needClientAuth whether a client without a certificate signed by that CA is refused
 */
public record HttpTls(SSLContext context, boolean needClientAuth) {}
