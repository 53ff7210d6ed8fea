package dev.podnet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Option;

/**
 * How a command reaches agents whose web config asks for TLS or credentials: the CA to trust, and basic
 * auth or a bearer token. The password never goes on the command line (it would show in {@code ps}): it
 * comes from {@code $PODNET_PASSWORD} or a file. Files are read again for every connection, so a rotated
 * token or password is picked up on the next reconnect.
 */
public final class AgentAccess {
    static final String PASSWORD_ENV = "PODNET_PASSWORD";

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "Trust agent certificates signed by the CA certificate(s) in this PEM file (instead of the JVM's CAs).")
    Path caCert;

    @Option(names = "--user", paramLabel = "NAME",
            description = "Basic auth user; the password comes from $" + PASSWORD_ENV + " or --password-file.")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE", description = "File holding the basic auth password.")
    Path passwordFile;

    @Option(names = "--bearer-token-file", paramLabel = "FILE",
            description = "Send the token in this file as a bearer token (read again on every connection).")
    Path bearerTokenFile;

    Map<String, String> env = System.getenv();

    /** What is wrong with the flags as given, or null. */
    String problem() {
        if (user != null && bearerTokenFile != null) {
            return "--user and --bearer-token-file: give one of them";
        }
        if (passwordFile != null && user == null) {
            return "--password-file needs --user";
        }
        if (user != null && passwordFile == null && env.get(PASSWORD_ENV) == null) {
            return "--user " + user + ": no password (set $" + PASSWORD_ENV + " or give --password-file)";
        }
        if (user != null && user.contains(":")) {
            return "--user: a basic auth user name cannot contain ':'";
        }
        return null;
    }

    boolean sendsCredentials() {
        return user != null || bearerTokenFile != null;
    }

    /** An HTTP/1.1 client (streams are long and one per agent) trusting {@code --cacert} when given. */
    HttpClient httpClient() throws IOException, GeneralSecurityException {
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10));
        if (caCert != null) {
            builder.sslContext(trusting(caCert));
        }
        return builder.build();
    }

    /** Adds the Authorization header when credentials are configured. */
    HttpRequest.Builder authorize(HttpRequest.Builder request) throws IOException {
        String authorization = authorization();
        return authorization == null ? request : request.header("Authorization", authorization);
    }

    /** The Authorization header's value, or null without credentials. */
    String authorization() throws IOException {
        if (bearerTokenFile != null) {
            String token = Files.readString(bearerTokenFile, StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw new IOException("--bearer-token-file " + bearerTokenFile + " is empty");
            }
            return "Bearer " + token;
        }
        if (user != null) {
            String password = passwordFile != null ? withoutLineEnd(Files.readString(passwordFile, StandardCharsets.UTF_8))
                    : env.get(PASSWORD_ENV);
            if (password == null) {
                throw new IOException("no password for --user " + user);
            }
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    /** A TLS context whose only trust anchors are the certificates of a PEM file. */
    static SSLContext trusting(Path pem) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(pem)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (java.security.cert.CertificateException e) {
            throw new GeneralSecurityException("--cacert " + pem + ": not a PEM certificate: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException("--cacert " + pem + ": no certificate in the file");
        }
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        int i = 0;
        for (Certificate certificate : certificates) {
            trusted.setCertificateEntry("ca-" + i++, certificate);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** A password file written by {@code echo} ends in a newline that is not part of the password. */
    private static String withoutLineEnd(String text) {
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return text.substring(0, end);
    }
}
