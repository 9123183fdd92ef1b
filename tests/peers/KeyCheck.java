// The JDK's view of a key store, for tests/test_pki.rs:
//   java tests/peers/KeyCheck.java FILE TYPE STOREPASS KEYPASS
// Loads FILE as a KeyStore of TYPE with STOREPASS, then for each alias prints
//   "KEY <alias> <algorithm> <chain length> signs=<true|false>" after recovering the key with
//   KEYPASS and checking a signature made with it against the certificate's public key, or
//   "TRUSTED <alias>" for a trusted certificate, or "ERROR <class>: <message>".
//   java tests/peers/KeyCheck.java --pem-key FILE PASSWORD
// Reads the first private key of a PEM file the way Cassandra's PEMReader does (PASSWORD "": unencrypted)
// (EncryptedPrivateKeyInfo, SecretKeyFactory and Cipher named by its algorithm, then RSA, DSA or EC
// KeyFactory) and prints "PEMKEY <algorithm>" or "ERROR <class>: <message>".
import java.io.FileInputStream;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collections;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

public class KeyCheck {
    static void pemKey(String file, String password) throws Exception {
        String text = new String(Files.readAllBytes(Paths.get(file)));
        Matcher m = Pattern.compile(
                "-+BEGIN\\s+.*PRIVATE\\s+KEY[^-]*-+(?:\\s|\\r|\\n)+([a-z0-9+/=\\r\\n]+)-+END\\s+.*PRIVATE\\s+KEY[^-]*-+",
                Pattern.CASE_INSENSITIVE).matcher(text);
        if (!m.find()) throw new IllegalArgumentException("Invalid private key format");
        byte[] der = Base64.getDecoder().decode(m.group(1).replaceAll("\\s", ""));
        PKCS8EncodedKeySpec spec;
        if (password.isEmpty()) {
            spec = new PKCS8EncodedKeySpec(der);
        } else {
            EncryptedPrivateKeyInfo epki = new EncryptedPrivateKeyInfo(der);
            SecretKeyFactory f = SecretKeyFactory.getInstance(epki.getAlgName());
            Cipher c = Cipher.getInstance(epki.getAlgName());
            c.init(Cipher.DECRYPT_MODE, f.generateSecret(new PBEKeySpec(password.toCharArray())), epki.getAlgParameters());
            spec = epki.getKeySpec(c);
        }
        for (String alg : new String[] {"RSA", "DSA", "EC"}) {
            try {
                KeyFactory.getInstance(alg).generatePrivate(spec);
                System.out.println("PEMKEY " + alg);
                return;
            } catch (Exception e) {
                // try the next algorithm, as PEMReader does
            }
        }
        throw new IllegalArgumentException("no supported algorithm");
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("--pem-key")) {
            try {
                pemKey(args[1], args[2]);
            } catch (Exception e) {
                System.out.println("ERROR " + e.getClass().getName() + ": " + e.getMessage());
            }
            return;
        }
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
