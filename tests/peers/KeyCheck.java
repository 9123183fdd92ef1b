// The JDK's view of a key store, for tests/test_pki.rs:
//   java tests/peers/KeyCheck.java FILE TYPE STOREPASS KEYPASS
// Loads FILE as a KeyStore of TYPE with STOREPASS, then for each alias prints
//   "KEY <alias> <algorithm> <chain length> signs=<true|false>" after recovering the key with
//   KEYPASS and checking a signature made with it against the certificate's public key, or
//   "TRUSTED <alias>" for a trusted certificate, or "ERROR <class>: <message>".
import java.io.FileInputStream;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.util.Collections;

public class KeyCheck {
    public static void main(String[] args) throws Exception {
        try {
            KeyStore ks = KeyStore.getInstance(args[1]);
            try (FileInputStream in = new FileInputStream(args[0])) {
                ks.load(in, args[2].toCharArray());
            }
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    Key key = ks.getKey(alias, args[3].toCharArray());
                    Certificate[] chain = ks.getCertificateChain(alias);
                    String alg = key.getAlgorithm();
                    Signature s = Signature.getInstance(alg.equals("EC") ? "SHA256withECDSA" : "SHA256withRSA");
                    s.initSign((PrivateKey) key);
                    s.update("probe".getBytes());
                    byte[] sig = s.sign();
                    s.initVerify(chain[0].getPublicKey());
                    s.update("probe".getBytes());
                    System.out.println("KEY " + alias + " " + alg + " " + chain.length + " signs=" + s.verify(sig));
                } else {
                    System.out.println("TRUSTED " + alias);
                }
            }
        } catch (Exception e) {
            System.out.println("ERROR " + e.getClass().getName() + ": " + e.getMessage());
        }
    }
}
