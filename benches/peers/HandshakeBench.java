// JSSE's in-memory TLS 1.3 mutual-auth handshakes per second (client and server SSLEngine in one
// thread), with the fixture keystores the Rust bench uses.
// Run: java benches/peers/HandshakeBench.java fixtures/stores <seconds>
// Prints "<case> <handshakes per second> <microseconds per handshake>".
import java.io.FileInputStream;
import java.nio.ByteBuffer;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.TrustManagerFactory;

public class HandshakeBench {
    static SSLContext context(String dir, String keystore) throws Exception {
        char[] pw = "cassandra".toCharArray();
        KeyStore ks = KeyStore.getInstance("JKS");
        try (FileInputStream in = new FileInputStream(dir + "/" + keystore)) { ks.load(in, pw); }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        KeyStore ts = KeyStore.getInstance("JKS");
        try (FileInputStream in = new FileInputStream(dir + "/truststore.jks")) { ts.load(in, pw); }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    static void step(SSLEngine from, ByteBuffer appOut, ByteBuffer net, SSLEngine to, ByteBuffer appIn) throws Exception {
        from.wrap(appOut, net);
        net.flip();
        while (net.hasRemaining()) {
            to.unwrap(net, appIn);
            Runnable task;
            while ((task = to.getDelegatedTask()) != null) task.run();
            if (to.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) break;
        }
        net.compact();
        Runnable task;
        while ((task = from.getDelegatedTask()) != null) task.run();
    }

    static void handshake(SSLContext ctx) throws Exception {
        // No peer host: the client cannot resume a cached session, so every handshake is full.
        SSLEngine c = ctx.createSSLEngine();
        c.setUseClientMode(true);
        c.setEnabledProtocols(new String[] {"TLSv1.3"});
        SSLEngine s = ctx.createSSLEngine();
        s.setUseClientMode(false);
        s.setNeedClientAuth(true);
        s.setEnabledProtocols(new String[] {"TLSv1.3"});
        int size = 64 * 1024;
        ByteBuffer empty = ByteBuffer.allocate(0);
        ByteBuffer c2s = ByteBuffer.allocate(size), s2c = ByteBuffer.allocate(size);
        ByteBuffer cIn = ByteBuffer.allocate(size), sIn = ByteBuffer.allocate(size);
        c.beginHandshake();
        s.beginHandshake();
        for (int i = 0; i < 100; i++) {
            HandshakeStatus cs = c.getHandshakeStatus(), ss = s.getHandshakeStatus();
            boolean cDone = cs == HandshakeStatus.NOT_HANDSHAKING || cs == HandshakeStatus.FINISHED;
            boolean sDone = ss == HandshakeStatus.NOT_HANDSHAKING || ss == HandshakeStatus.FINISHED;
            if (cDone && sDone) return;
            if (cs == HandshakeStatus.NEED_WRAP || cs == HandshakeStatus.NEED_UNWRAP) step(c, empty, c2s, s, sIn);
            ss = s.getHandshakeStatus();
            if (ss == HandshakeStatus.NEED_WRAP || ss == HandshakeStatus.NEED_UNWRAP) step(s, empty, s2c, c, cIn);
        }
        throw new IllegalStateException("handshake did not finish: " + c.getHandshakeStatus() + " " + s.getHandshakeStatus());
    }

    public static void main(String[] args) throws Exception {
        String dir = args[0];
        double seconds = Double.parseDouble(args[1]);
        String[][] cases = {{"tls13-mtls-p256", "node-ec.jks"}, {"tls13-mtls-rsa2048", "node1.jks"}};
        for (String[] c : cases) {
            SSLContext ctx = context(dir, c[1]);
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) handshake(ctx); // warm-up
            long n = 0, start = System.nanoTime(), now;
            end = start + (long) (seconds * 1e9);
            do { handshake(ctx); n++; now = System.nanoTime(); } while (now < end);
            double perSec = n / ((now - start) / 1e9);
            System.out.printf("%s %.0f %.1f%n", c[0], perSec, 1e6 / perSec);
        }
    }
}
