// A JSSE peer that builds its SSLContext the way Cassandra's DefaultSslContextFactory does:
// KeyStore.load(store, storepass); KeyManagerFactory.init(ks, storepass) (one password);
// TrustManagerFactory.init(truststore); need/want client auth; endpoint identification "HTTPS"
// when verification is on; enabled protocols and cipher suites.
//
// Run: java tests/peers/TlsPeer.java server|client key=value...
//   keystore=PATH storetype=JKS|PKCS12 storepass=P truststore=PATH trustpass=P
//   clientauth=none|want|need verify=true|false protocols=TLSv1.3,TLSv1.2 ciphers=A,B
//   host=127.0.0.1 port=N (client)
//   end=cut (server): after answering, exit at once, so the TCP stream ends without close_notify
// Server: prints "LISTENING <port>", serves count=N connections (default 1) one after another:
// reads a line, answers it upper-cased, prints "SERVED <protocol> <cipher> <peer subject or ->",
// or "ERROR <class>: <message>".
// Client: sends "ping", prints "RECEIVED <line> <protocol> <cipher>" or "ERROR <class>: <message>".
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public class TlsPeer {
    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            o.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        KeyManagerFactory kmf = null;
        if (o.containsKey("keystore")) {
            KeyStore ks = KeyStore.getInstance(o.getOrDefault("storetype", "JKS"));
            char[] pw = o.get("storepass").toCharArray();
            try (FileInputStream in = new FileInputStream(o.get("keystore"))) {
                ks.load(in, pw);
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
        }
        TrustManagerFactory tmf = null;
        if (o.containsKey("truststore")) {
            KeyStore ts = KeyStore.getInstance(o.getOrDefault("storetype", "JKS"));
            String tp = o.get("trustpass");
            try (FileInputStream in = new FileInputStream(o.get("truststore"))) {
                ts.load(in, tp == null || tp.isEmpty() ? null : tp.toCharArray());
            }
            tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
        }
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        boolean verify = Boolean.parseBoolean(o.getOrDefault("verify", "false"));
        if (args[0].equals("server")) {
            server(ctx, o, verify);
        } else {
            client(ctx, o, verify);
        }
    }

    static void configure(SSLParameters p, Map<String, String> o, boolean verify) {
        if (o.containsKey("protocols")) p.setProtocols(o.get("protocols").split(","));
        if (o.containsKey("ciphers")) p.setCipherSuites(o.get("ciphers").split(","));
        if (verify) p.setEndpointIdentificationAlgorithm("HTTPS");
    }

    static void server(SSLContext ctx, Map<String, String> o, boolean verify) throws Exception {
        try (SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            SSLParameters p = ss.getSSLParameters();
            configure(p, o, false);
            String auth = o.getOrDefault("clientauth", "none");
            if (auth.equals("need")) p.setNeedClientAuth(true);
            if (auth.equals("want")) p.setWantClientAuth(true);
            ss.setSSLParameters(p);
            System.out.println("LISTENING " + ss.getLocalPort());
            System.out.flush();
            int count = Integer.parseInt(o.getOrDefault("count", "1"));
            for (int i = 0; i < count; i++) {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    s.setSoTimeout(60000);
                    if (verify) {
                        // As Cassandra's inbound side: check the client's certificate against its address.
                        SSLParameters sp = s.getSSLParameters();
                        sp.setEndpointIdentificationAlgorithm("HTTPS");
                        s.setSSLParameters(sp);
                    }
                    try {
                        s.startHandshake();
                        BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                        String line = r.readLine();
                        OutputStream out = s.getOutputStream();
                        out.write((line == null ? "" : line.toUpperCase()).concat("\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        String peer = "-";
                        try {
                            peer = ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
                        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                            // no client certificate
                        }
                        System.out.println("SERVED " + s.getSession().getProtocol() + " " + s.getSession().getCipherSuite() + " " + peer);
                        if (o.getOrDefault("end", "").equals("cut")) {
                            // No close(): the kernel closes the socket (FIN) and no close_notify is sent.
                            System.out.flush();
                            Runtime.getRuntime().halt(0);
                        }
                    } catch (Exception e) {
                        System.out.println("ERROR " + e.getClass().getName() + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    static void client(SSLContext ctx, Map<String, String> o, boolean verify) throws Exception {
        String host = o.getOrDefault("host", "127.0.0.1");
        int port = Integer.parseInt(o.get("port"));
        // Created from the host string, as Cassandra's newHandler(alloc, peer.getHostString(), port):
        // endpoint identification then checks that string (an IP literal needs an IP SAN).
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(host, port)) {
            s.setSoTimeout(60000);
            SSLParameters p = s.getSSLParameters();
            configure(p, o, verify);
            s.setSSLParameters(p);
            try {
                s.startHandshake();
                OutputStream out = s.getOutputStream();
                out.write("ping\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                String line = r.readLine();
                System.out.println("RECEIVED " + line + " " + s.getSession().getProtocol() + " " + s.getSession().getCipherSuite());
            } catch (Exception e) {
                System.out.println("ERROR " + e.getClass().getName() + ": " + e.getMessage());
            }
        }
    }
}
