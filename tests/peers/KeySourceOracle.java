import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;

import org.apache.cassandra.config.Config;
import org.apache.cassandra.config.EncryptionOptions;
import org.apache.cassandra.config.YamlConfigurationLoader;

/**
 * Where Cassandra's classes take server_encryption_options' keys and trusted certificates from:
 * the oracle of tests/key_sources.rs, compiled with CassandraOracle (whose helpers it uses). Runs on the classpath of cassandra-all 4.0, 4.1, 5.0 or 6.0
 * and reads yaml paths from standard input, one per line; prints for each one line
 * {@code KEYSOURCE <json>}:
 * <ul>
 * <li>{@code stage}: null when every step passed, else the first that refused: {@code load}
 *     (YamlConfigurationLoader), {@code apply} (ServerEncryptionOptions.applyConfig, which makes
 *     the SSL context factory from 4.1), {@code inbound} (the key manager of the internode
 *     server), {@code trust} (its trust manager), {@code outbound} (the internode client's key
 *     manager: buildOutboundKeyManagerFactory from 5.0, the inbound one before), in the order
 *     validateSslContext builds them;</li>
 * <li>{@code inbound}, {@code outbound}: the SHA-256 fingerprint of the first key's certificate,
 *     as far as the steps got;</li>
 * <li>{@code watched}: the files the factory's initHotReloading registers (4.1+; for 4.0
 *     SSLFactory's static list), made only when every step passed;</li>
 * <li>{@code error}: the refusal's exception chain.</li>
 * </ul>
 */
public class KeySourceOracle
{
    public static void main(String[] args) throws Exception
    {
        CassandraOracle.serve("KEYSOURCE ", path -> {
            StringBuilder out = new StringBuilder("{\"path\":").append(str(path));
            verdict(path, out);
            return out.append('}').toString();
        });
    }

    static void verdict(String path, StringBuilder out) throws Throwable
    {
        Config conf;
        try
        {
            conf = new YamlConfigurationLoader().loadConfig(new File(path).toURI().toURL());
        }
        catch (Throwable t)
        {
            refused(out, "load", t);
            return;
        }
        EncryptionOptions.ServerEncryptionOptions server = conf.server_encryption_options;
        try
        {
            server.applyConfig();
        }
        catch (Throwable t)
        {
            refused(out, "apply", unwrap(t));
            return;
        }
        Object factory = hasField(EncryptionOptions.class, "sslContextFactoryInstance")
                         ? field(EncryptionOptions.class, "sslContextFactoryInstance").get(server)
                         : null;
        String[] steps = { "inbound", "trust", "outbound" };
        for (String step : steps)
        {
            try
            {
                Object built = build(step, factory, server);
                if (built instanceof KeyManagerFactory)
                    out.append(",\"").append(step).append("\":").append(str(subject((KeyManagerFactory) built)));
            }
            catch (Throwable t)
            {
                refused(out, step, unwrap(t));
                return;
            }
        }
        out.append(",\"stage\":null,\"watched\":").append(watched(factory, server, conf));
    }

    /** One of the factory's builders; before 4.1, SSLFactory's static ones. */
    static Object build(String step, Object factory, EncryptionOptions options) throws Throwable
    {
        String name;
        switch (step)
        {
            case "trust": name = "buildTrustManagerFactory"; break;
            case "outbound": name = factory != null && hasMethod(factory.getClass(), "buildOutboundKeyManagerFactory")
                                    ? "buildOutboundKeyManagerFactory" : "buildKeyManagerFactory"; break;
            default: name = "buildKeyManagerFactory";
        }
        if (factory != null)
            return invoke(method(factory.getClass(), name), factory);
        Class<?> ssl = Class.forName("org.apache.cassandra.security.SSLFactory");
        return invoke(method(ssl, name, EncryptionOptions.class), null, options);
    }

    static Object invoke(Method m, Object target, Object... args) throws Throwable
    {
        try
        {
            return m.invoke(target, args);
        }
        catch (InvocationTargetException e)
        {
            throw e.getCause();
        }
    }

    static String subject(KeyManagerFactory kmf)
    {
        for (KeyManager km : kmf.getKeyManagers())
        {
            if (!(km instanceof X509KeyManager))
                continue;
            X509KeyManager x = (X509KeyManager) km;
            for (String type : new String[]{ "RSA", "EC", "DSA" })
            {
                String[] aliases = x.getServerAliases(type, null);
                if (aliases == null)
                    continue;
                for (String alias : aliases)
                {
                    X509Certificate[] chain = x.getCertificateChain(alias);
                    if (chain != null && chain.length > 0)
                        return sha256(chain[0]);
                }
            }
        }
        return null;
    }

    /** The certificate's SHA-256 fingerprint, lower-case hex. */
    static String sha256(X509Certificate c)
    {
        try
        {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
            StringBuilder b = new StringBuilder();
            for (byte x : d)
                b.append(String.format("%02x", x & 0xff));
            return b.toString();
        }
        catch (Exception e)
        {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static String watched(Object factory, EncryptionOptions.ServerEncryptionOptions server, Config conf) throws Throwable
    {
        List<Object> files;
        if (factory != null)
        {
            invoke(method(factory.getClass(), "initHotReloading"), factory);
            files = (List<Object>) field(factory.getClass(), "hotReloadableFiles").get(factory);
        }
        else
        {
            Class<?> ssl = Class.forName("org.apache.cassandra.security.SSLFactory");
            EncryptionOptions client = conf.client_encryption_options;
            client.applyConfig();
            invoke(method(ssl, "initHotReloading", EncryptionOptions.ServerEncryptionOptions.class,
                          EncryptionOptions.class, boolean.class), null, server, client, true);
            files = (List<Object>) field(ssl, "hotReloadableFiles").get(null);
        }
        List<String> names = new ArrayList<>();
        if (files != null)
            for (Object f : files)
            {
                Object file = field(f.getClass(), "file").get(f);
                String p = file.toString();
                names.add(new File(p).getAbsolutePath());
            }
        return strs(names);
    }

    static Method method(Class<?> c, String name, Class<?>... params) throws NoSuchMethodException
    {
        for (Class<?> k = c; k != null; k = k.getSuperclass())
        {
            try
            {
                Method m = k.getDeclaredMethod(name, params);
                m.setAccessible(true);
                return m;
            }
            catch (NoSuchMethodException e)
            {
                // look further up
            }
        }
        throw new NoSuchMethodException(name);
    }

    static boolean hasMethod(Class<?> c, String name)
    {
        try
        {
            method(c, name);
            return true;
        }
        catch (NoSuchMethodException e)
        {
            return false;
        }
    }

    static void refused(StringBuilder out, String stage, Throwable t)
    {
        out.append(",\"stage\":").append(str(stage)).append(",\"error\":").append(chain(t));
    }

    // CassandraOracle's helpers (compiled with it).
    static Throwable unwrap(Throwable t) { return CassandraOracle.unwrap(t); }
    static boolean hasField(Class<?> c, String name) { return CassandraOracle.hasField(c, name); }
    static Field field(Class<?> c, String name) throws NoSuchFieldException { return CassandraOracle.field(c, name); }
    static String chain(Throwable t) { return CassandraOracle.chain(t); }
    static String str(String s) { return CassandraOracle.str(s); }

    static String strs(List<String> values) { return CassandraOracle.strs(values.toArray(new String[0])); }
}
