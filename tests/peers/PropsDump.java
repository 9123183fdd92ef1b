// What the JDK makes of Java properties, for tests/nodetool_ssl.rs.
//   java tests/peers/PropsDump.java FILE...      each file through Properties.load(Reader, UTF-8):
//                                                "FILE <path>", then "<hex key> <hex value>" lines,
//                                                or "ERROR <message>"
//   java ... PropsDump --system NAME...          System.getProperty(NAME) as "<NAME> <hex>" or "<NAME> -"
// Hex is of the UTF-8 bytes, so that any character survives the trip.
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

public class PropsDump {
    static String hex(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) b.append(String.format("%02x", x));
        return b.toString();
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--system")) {
            for (int i = 1; i < args.length; i++) {
                String v = System.getProperty(args[i]);
                System.out.println(args[i] + " " + (v == null ? "-" : hex(v)));
            }
            return;
        }
        for (String f : args) {
            System.out.println("FILE " + f);
            Properties p = new Properties();
            try (Reader r = new InputStreamReader(new FileInputStream(f), StandardCharsets.UTF_8)) {
                p.load(r);
                for (String k : p.stringPropertyNames()) {
                    System.out.println(hex(k) + " " + hex(p.getProperty(k)));
                }
            } catch (IllegalArgumentException e) {
                System.out.println("ERROR " + e.getMessage());
            }
        }
    }
}
