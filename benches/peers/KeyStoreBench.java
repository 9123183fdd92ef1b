// Times the JDK loading the same files the Rust bench loads, in a warmed JVM.
// Run: java benches/peers/KeyStoreBench.java <fixtures/stores dir> <seconds per case> [key-type stores dir]
// (the third directory is made by benches/peers/jdk_stores.sh: one-key stores per key type)
// Prints one line per case: "<case> <mean microseconds per load> <loads measured>".
//
// Java stores: KeyStore.load plus, for each key entry, getKey (key recovery) and the chain, as
// Cassandra's KeyManagerFactory init does. PEM: what Cassandra's PEMReader does (regex, base64,
// EncryptedPrivateKeyInfo decrypted with the SecretKeyFactory named by its algorithm, KeyFactory,
// CertificateFactory for the chain).
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collections;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

public class KeyStoreBench {
    static final char[] PASS = "cassandra".toCharArray();
    static Object sink;

    interface Load { Object run() throws Exception; }

    static Object loadStore(String type, byte[] bytes, boolean recoverKeys) throws Exception {
        KeyStore ks = KeyStore.getInstance(type);
        ks.load(new ByteArrayInputStream(bytes), PASS);
        Object last = ks;
        if (recoverKeys) {
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    last = ks.getKey(alias, PASS);
                    last = ks.getCertificateChain(alias);
                } else {
                    last = ks.getCertificate(alias);
                }
            }
        }
        return last;
    }

    static final Pattern KEY = Pattern.compile(
        "-+BEGIN\\s+.*PRIVATE\\s+KEY[^-]*-+(?:\\s|\\r|\\n)+([a-z0-9+/=\\r\\n]+)-+END\\s+.*PRIVATE\\s+KEY[^-]*-+",
        Pattern.CASE_INSENSITIVE);

    static final Pattern CERT = Pattern.compile(
        "-+BEGIN\\s+.*CERTIFICATE[^-]*-+(?:\\s|\\r|\\n)+([a-z0-9+/=\\r\\n]+)-+END\\s+.*CERTIFICATE[^-]*-+",
        Pattern.CASE_INSENSITIVE);

    static Object loadPem(String text) throws Exception {
        Matcher m = KEY.matcher(text);
        if (!m.find()) throw new IllegalStateException("no key");
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        EncryptedPrivateKeyInfo epki = new EncryptedPrivateKeyInfo(der);
        String alg = epki.getAlgName();
        SecretKeyFactory skf = SecretKeyFactory.getInstance(alg);
        Cipher cipher = Cipher.getInstance(alg);
        cipher.init(Cipher.DECRYPT_MODE, skf.generateSecret(new PBEKeySpec(PASS)), epki.getAlgParameters());
        PKCS8EncodedKeySpec spec = epki.getKeySpec(cipher);
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(spec);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        java.util.List<Object> certs = new java.util.ArrayList<>();
        Matcher c = CERT.matcher(text);
        while (c.find()) {
            certs.add(cf.generateCertificate(new ByteArrayInputStream(Base64.getMimeDecoder().decode(c.group(1)))));
        }
        return new Object[] {key, certs};
    }

    static void time(String name, double seconds, Load load) throws Exception {
        long warmEnd = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < warmEnd) sink = load.run();
        long n = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now;
        do {
            sink = load.run();
            n++;
            now = System.nanoTime();
        } while (now < end);
        System.out.printf("%s %.3f %d%n", name, (now - start) / 1e3 / n, n);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        double seconds = Double.parseDouble(args[1]);
        String[][] stores = {
            {"jks_rsa2048_chain3", "JKS", "node1.jks"},
            {"jks_truststore_40", "JKS", "truststore40.jks"},
            {"jceks_rsa2048_chain3", "JCEKS", "node1.jceks"},
            {"pkcs12_jdk_default", "PKCS12", "node1.p12"},
            {"pkcs12_legacy", "PKCS12", "node1-legacy.p12"},
        };
        for (String[] s : stores) {
            byte[] bytes = Files.readAllBytes(dir.resolve(s[2]));
            time(s[0] + "/load+getKey", seconds, () -> loadStore(s[1], bytes, true));
            time(s[0] + "/load_only", seconds, () -> loadStore(s[1], bytes, false));
        }
        if (args.length > 2) {
            Path keyTypes = Path.of(args[2]);
            for (String[] t : new String[][] {{"jks", "JKS", "jks"}, {"jceks", "JCEKS", "jceks"}, {"pkcs12", "PKCS12", "p12"}}) {
                for (String key : new String[] {"rsa2048_onekey", "ec_p256", "ec_p384", "ed25519"}) {
                    String name = t[0] + "_" + key;
                    byte[] bytes = Files.readAllBytes(keyTypes.resolve(name + "." + t[2]));
                    time(name + "/load+getKey", seconds, () -> loadStore(t[1], bytes, true));
                    time(name + "/load_only", seconds, () -> loadStore(t[1], bytes, false));
                }
            }
        }
        String pem = Files.readString(dir.resolve("node1-keystore.pem"));
        time("pem_encrypted_pkcs12_3des_chain3/load+getKey", seconds, () -> loadPem(pem));
    }
}
