import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLEngine;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

import org.apache.cassandra.config.Config;
import org.apache.cassandra.config.EncryptionOptions;
import org.apache.cassandra.config.YamlConfigurationLoader;
import org.apache.cassandra.exceptions.ConfigurationException;
import org.apache.cassandra.security.SSLFactory;

/**
 * Cassandra's own verdict on a cassandra.yaml's encryption options, with no daemon: the oracle of
 * tests/cassandra_oracle.rs.
 *
 * Runs on the classpath of cassandra-all 4.0, 4.1, 5.0 or 6.0 (scripts/cassandra-node.sh resolve
 * LINE), compiled once per line (javac --release 11) and run on each JDK the line supports.
 * Reads yaml paths from standard input, one per line, and prints for each one line
 * {@code ORACLE <json>} with the fields of {@code cassandra-tls explain --json}. Per yaml it does
 * what the daemon does at start-up, in the daemon's order:
 * <ol>
 * <li>YamlConfigurationLoader.loadConfig (the yaml loader, with its unknown-property check);</li>
 * <li>DatabaseDescriptor.applySimpleConfig's encryption part: client_encryption_options.applyConfig()
 *     and its native_transport_port_ssl check, then server_encryption_options.applyConfig() and its
 *     legacy SSL storage port check;</li>
 * <li>DatabaseDescriptor.applySslContext: SSLFactory.validateSslContext for "Internode messaging"
 *     (verify peers: true) and "Native transport" (require_client_auth), which build the server
 *     and client contexts through the version's SSL context factory;</li>
 * <li>for each section whose policy is not UNENCRYPTED, the server SslContext and one SSLEngine:
 *     its enabled protocols and cipher suites.</li>
 * </ol>
 * The TLS provider is Cassandra's choice: netty-tcnative's OpenSSL unless
 * -Dcassandra.disable_tcactive_openssl=true. Version differences are bridged with reflection.
 */
public class CassandraOracle
{
    public static void main(String[] args) throws Exception
    {
        serve("ORACLE ", CassandraOracle::verdict);
    }

    /** One oracle's verdict on a yaml: a JSON object with the yaml's {@code path}. */
    interface Verdict
    {
        String of(String path) throws Throwable;
    }

    /** Reads yaml paths from standard input, one per line, and prints for each one line
     * {@code <prefix><json>}; a verdict that throws is an {@code oracle_failure}. */
    static void serve(String prefix, Verdict verdict) throws Exception
    {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String path;
        while ((path = in.readLine()) != null)
        {
            path = path.trim();
            if (path.isEmpty())
                continue;
            String json;
            try
            {
                json = verdict.of(path);
            }
            catch (Throwable t)
            {
                json = "{\"path\":" + str(path) + ",\"oracle_failure\":" + chain(t) + "}";
            }
            System.out.println(prefix + json);
            System.out.flush();
        }
    }

    static String verdict(String path) throws Exception
    {
        StringBuilder out = new StringBuilder("{\"path\":").append(str(path));
        out.append(",\"provider\":").append(str(SSLFactory.openSslIsAvailable() ? "openssl" : "jdk"));
        Config conf;
        try
        {
            conf = new YamlConfigurationLoader().loadConfig(new File(path).toURI().toURL());
        }
        catch (Throwable t)
        {
            return refused(out, "load", t);
        }
        EncryptionOptions client = conf.client_encryption_options;
        EncryptionOptions.ServerEncryptionOptions server = conf.server_encryption_options;
        // 6.0: jmx_server_options.jmx_encryption_options (CASSANDRA-18508), applied after the
        // client section; absent from the yaml, the daemon builds it from system properties.
        boolean jmxInYaml = false;
        EncryptionOptions jmx = null;
        try
        {
            if (client != null)
            {
                client.applyConfig();
                // native_transport_port_ssl: 4.0 to 5.0 (gone in 6.0).
                if (hasField(Config.class, "native_transport_port_ssl"))
                {
                    Integer sslPort = (Integer) Config.class.getField("native_transport_port_ssl").get(conf);
                    int port = ((Number) Config.class.getField("native_transport_port").get(conf)).intValue();
                    if (sslPort != null && sslPort != port
                        && client.tlsEncryptionPolicy() == EncryptionOptions.TlsEncryptionPolicy.UNENCRYPTED)
                        throw new ConfigurationException("Encryption must be enabled in client_encryption_options for native_transport_port_ssl", false);
                }
            }
            if (hasField(Config.class, "jmx_server_options"))
            {
                Field f = Config.class.getField("jmx_server_options");
                Object options = f.get(conf);
                jmxInYaml = options != null;
                if (options == null)
                {
                    options = Class.forName("org.apache.cassandra.config.JMXServerOptions")
                                   .getMethod("createParsingSystemProperties").invoke(null);
                    f.set(conf, options);
                }
                jmx = (EncryptionOptions) options.getClass().getField("jmx_encryption_options").get(options);
                jmx.applyConfig();
            }
            if (server != null)
            {
                server.applyConfig();
                String legacyName = hasField(server.getClass(), "legacy_ssl_storage_port_enabled")
                                    ? "legacy_ssl_storage_port_enabled" : "enable_legacy_ssl_storage_port";
                boolean legacy = (Boolean) field(server.getClass(), legacyName).get(server);
                if (legacy && server.tlsEncryptionPolicy() == EncryptionOptions.TlsEncryptionPolicy.UNENCRYPTED)
                    throw new ConfigurationException(legacyName + " is true (enabled) with internode encryption disabled (none). Enable encryption or disable the legacy ssl storage port.");
            }
        }
        catch (Throwable t)
        {
            return refused(out, "apply", unwrap(t));
        }
        try
        {
            validate("Internode messaging", server, serverAuth());
            validate("Native transport", client, clientAuth(client));
            if (jmx != null)
                validate("JMX transport", jmx, clientAuth(jmx));
        }
        catch (Throwable t)
        {
            return refused(out, "ssl", new ConfigurationException("Failed to initialize SSL", unwrap(t)));
        }
        String auth;
        try
        {
            auth = auth(conf);
        }
        catch (Throwable t)
        {
            return refused(out, "auth", unwrap(t));
        }
        out.append(",\"accepted\":true,\"error\":null");
        out.append(",\"auth\":").append(auth);
        out.append(",\"server_encryption_options\":").append(section(server, serverAuth()));
        out.append(",\"client_encryption_options\":").append(section(client, clientAuth(client)));
        if (jmxInYaml)
            out.append(",\"jmx_encryption_options\":").append(section(jmx, clientAuth(jmx)));
        return out.append('}').toString();
    }

    /**
     * AuthConfig.applyAuth on this yaml's Config, as daemonInitialization runs it after the SSL
     * contexts: the authenticator, authorizer, role manager and internode authenticator are made
     * (their constructors check their parameters) and validated. Between yamls: the Config is
     * set as DatabaseDescriptor's, AuthConfig's once-only flag is cleared, and the auth MBeans
     * the previous yaml registered (IdentitiesCache, ...) are unregistered. 6.0's role manager
     * needs the guardrails applied first.
     */
    static String auth(Config conf) throws Throwable
    {
        Class<?> dd = Class.forName("org.apache.cassandra.config.DatabaseDescriptor");
        Method set = dd.getDeclaredMethod("setConfig", Config.class);
        set.setAccessible(true);
        set.invoke(null, conf);
        try
        {
            Method guardrails = dd.getDeclaredMethod("applyGuardrails");
            guardrails.setAccessible(true);
            guardrails.invoke(null);
        }
        catch (NoSuchMethodException e)
        {
            // before 6.0's role manager needed them
        }
        javax.management.MBeanServer mbs = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        for (javax.management.ObjectName n : mbs.queryNames(new javax.management.ObjectName("org.apache.cassandra.auth:*"), null))
            mbs.unregisterMBean(n);
        Class<?> authConfig = Class.forName("org.apache.cassandra.auth.AuthConfig");
        Field initialized = authConfig.getDeclaredField("initialized");
        initialized.setAccessible(true);
        initialized.set(null, false);
        try
        {
            authConfig.getMethod("applyAuth").invoke(null);
        }
        catch (java.lang.reflect.InvocationTargetException e)
        {
            throw e.getCause();
        }
        Object authenticator = dd.getMethod("getAuthenticator").invoke(null);
        Object internode = dd.getMethod("getInternodeAuthenticator").invoke(null);
        Object roleManager = dd.getMethod("getRoleManager").invoke(null);
        StringBuilder s = new StringBuilder("{");
        s.append("\"authenticator\":").append(str(authenticator.getClass().getName()));
        s.append(",\"internode_authenticator\":").append(str(internode.getClass().getName()));
        s.append(",\"role_manager\":").append(str(roleManager.getClass().getName()));
        s.append(",\"authorizer\":").append(str(dd.getMethod("getAuthorizer").invoke(null).getClass().getName()));
        s.append(",\"network_authorizer\":").append(str(dd.getMethod("getNetworkAuthorizer").invoke(null).getClass().getName()));
        try
        {
            Object cidr = dd.getMethod("getCIDRAuthorizer").invoke(null);
            s.append(",\"cidr_authorizer\":").append(str(cidr.getClass().getName()));
        }
        catch (NoSuchMethodException e)
        {
            // 4.x: no CIDR authorizer
        }
        if (hasField(internode.getClass(), "trustedIdentities"))
        {
            @SuppressWarnings("unchecked")
            List<String> trusted = (List<String>) field(internode.getClass(), "trustedIdentities").get(internode);
            s.append(",\"trusted_peer_identities\":").append(strs(trusted.toArray(new String[0])));
        }
        validity(s, "client_certificate_validity", authenticator);
        validity(s, "internode_certificate_validity", internode);
        return s.append('}').toString();
    }

    /** 6.0's MutualTlsCertificateValidityPeriodValidator, as an mTLS authenticator's constructor
     * made it: the limit in minutes (Integer.MAX_VALUE when unset) and the warning threshold. */
    static void validity(StringBuilder s, String key, Object authenticator) throws Exception
    {
        // MutualTlsWithPasswordFallbackAuthenticator delegates certificates to a
        // MutualTlsAuthenticator of its own.
        if (hasField(authenticator.getClass(), "mutualTlsAuthenticator"))
            authenticator = field(authenticator.getClass(), "mutualTlsAuthenticator").get(authenticator);
        if (!hasField(authenticator.getClass(), "certificateValidityPeriodValidator"))
            return;
        Object v = field(authenticator.getClass(), "certificateValidityPeriodValidator").get(authenticator);
        int max = field(v.getClass(), "maxCertificateValidityPeriodMinutes").getInt(v);
        Object warn = field(authenticator.getClass(), "certificateValidityWarnThreshold").get(authenticator);
        s.append(",\"").append(key).append("\":{\"max_minutes\":").append(max);
        s.append(",\"warn_threshold_minutes\":");
        s.append(warn == null ? "null" : String.valueOf(warn.getClass().getMethod("toMinutes").invoke(warn)));
        s.append('}');
    }

    /** The cause of a reflective call's failure. */
    static Throwable unwrap(Throwable t)
    {
        return t instanceof java.lang.reflect.InvocationTargetException && t.getCause() != null ? t.getCause() : t;
    }

    /** SSLFactory.validateSslContext(name, options, clientAuth, logProtocolAndCiphers): its
     * third parameter is a boolean up to 5.0 and a ClientAuth from 6.0 (CASSANDRA-18811). */
    static void validate(String name, EncryptionOptions o, Object auth) throws Throwable
    {
        for (Method m : SSLFactory.class.getMethods())
            if (m.getName().equals("validateSslContext") && m.getParameterCount() == 4)
            {
                try
                {
                    m.invoke(null, name, o, auth, true);
                }
                catch (java.lang.reflect.InvocationTargetException e)
                {
                    throw e.getCause();
                }
                return;
            }
        throw new IllegalStateException("no SSLFactory.validateSslContext of a known shape");
    }

    /** What applySslContext passes for the internode server: true, or ClientAuth.REQUIRED. */
    static Object serverAuth() throws Exception
    {
        Class<?> auth = clientAuthClass();
        return auth == null ? Boolean.TRUE : auth.getField("REQUIRED").get(null);
    }

    /** What applySslContext passes for a client-facing section: require_client_auth (a
     * boolean), or getClientAuth() (6.0). */
    static Object clientAuth(EncryptionOptions o) throws Exception
    {
        if (clientAuthClass() == null)
            return field(EncryptionOptions.class, "require_client_auth").get(o);
        return EncryptionOptions.class.getMethod("getClientAuth").invoke(o);
    }

    static Class<?> clientAuthClass()
    {
        try
        {
            return Class.forName("org.apache.cassandra.config.EncryptionOptions$ClientEncryptionOptions$ClientAuth");
        }
        catch (ClassNotFoundException e)
        {
            return null;
        }
    }

    /** The client auth as the 4.x/5.0 oracle printed it: "true", "false" or "optional". */
    static String authName(Object auth)
    {
        if (auth instanceof Enum)
            switch (((Enum<?>) auth).name())
            {
                case "REQUIRED": return "true";
                case "NOT_REQUIRED": return "false";
                default: return "optional";
            }
        return String.valueOf(auth);
    }

    static String refused(StringBuilder out, String stage, Throwable t)
    {
        out.append(",\"accepted\":false,\"error\":{\"stage\":").append(str(stage));
        out.append(",\"chain\":").append(chain(t)).append('}');
        return out.append('}').toString();
    }

    static String section(EncryptionOptions o, Object verifyPeer) throws Exception
    {
        StringBuilder s = new StringBuilder("{");
        EncryptionOptions.TlsEncryptionPolicy policy = o.tlsEncryptionPolicy();
        s.append("\"policy\":").append(str(policy.name()));
        s.append(",\"enabled\":").append(field(EncryptionOptions.class, "isEnabled").get(o));
        s.append(",\"optional\":").append(field(EncryptionOptions.class, "isOptional").get(o));
        s.append(",\"client_auth\":").append(str(authName(clientAuth(o))));
        s.append(",\"endpoint_verification\":").append(o.require_endpoint_verification);
        s.append(",\"store_type\":").append(str(o.store_type));
        s.append(",\"keystore\":").append(str(o.keystore));
        s.append(",\"keystore_password_set\":").append(field(EncryptionOptions.class, "keystore_password").get(o) != null);
        s.append(",\"truststore\":").append(str(o.truststore));
        s.append(",\"truststore_password_set\":").append(field(EncryptionOptions.class, "truststore_password").get(o) != null);
        if (o instanceof EncryptionOptions.ServerEncryptionOptions)
        {
            EncryptionOptions.ServerEncryptionOptions so = (EncryptionOptions.ServerEncryptionOptions) o;
            s.append(",\"internode_encryption\":").append(str(so.internode_encryption.name()));
            if (hasField(so.getClass(), "outbound_keystore"))
                s.append(",\"outbound_keystore\":").append(str((String) field(so.getClass(), "outbound_keystore").get(so)));
        }
        if (policy == EncryptionOptions.TlsEncryptionPolicy.UNENCRYPTED)
        {
            s.append(",\"protocols\":null,\"cipher_suites\":null}");
            return s.toString();
        }
        SslContext ctx = serverContext(o, verifyPeer);
        try
        {
            SSLEngine engine = ctx.newEngine(ByteBufAllocator.DEFAULT);
            try
            {
                s.append(",\"protocols\":").append(strs(engine.getEnabledProtocols()));
                s.append(",\"cipher_suites\":").append(strs(engine.getEnabledCipherSuites()));
            }
            finally
            {
                engine.closeOutbound();
                ReferenceCountUtil.release(engine);
            }
        }
        finally
        {
            ReferenceCountUtil.release(ctx);
        }
        return s.append('}').toString();
    }

    /** SSLFactory.createNettySslContext(options, verify, SERVER[, useOpenSsl]): 3 arguments from 4.1, 4 in 4.0;
     * verify is a boolean up to 5.0 and a ClientAuth from 6.0. */
    static SslContext serverContext(EncryptionOptions o, Object verifyPeer) throws Exception
    {
        for (Method m : SSLFactory.class.getDeclaredMethods())
        {
            if (!m.getName().equals("createNettySslContext"))
                continue;
            Class<?>[] p = m.getParameterTypes();
            Object server = null;
            if (p.length >= 3 && p[2].isEnum())
                for (Object c : p[2].getEnumConstants())
                    if (((Enum<?>) c).name().equals("SERVER"))
                        server = c;
            m.setAccessible(true);
            if (p.length == 3)
                return (SslContext) m.invoke(null, o, verifyPeer, server);
            if (p.length == 4 && p[3] == boolean.class && !p[1].isEnum())
                return (SslContext) m.invoke(null, o, verifyPeer, server, SSLFactory.openSslIsAvailable());
        }
        throw new IllegalStateException("no SSLFactory.createNettySslContext of a known shape");
    }

    static boolean hasField(Class<?> c, String name)
    {
        for (Class<?> k = c; k != null; k = k.getSuperclass())
            for (Field f : k.getDeclaredFields())
                if (f.getName().equals(name))
                    return true;
        return false;
    }

    static Field field(Class<?> c, String name) throws NoSuchFieldException
    {
        for (Class<?> k = c; k != null; k = k.getSuperclass())
        {
            try
            {
                Field f = k.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            }
            catch (NoSuchFieldException e)
            {
                // look further up
            }
        }
        throw new NoSuchFieldException(name);
    }

    static String chain(Throwable t)
    {
        List<String> parts = new ArrayList<>();
        for (Throwable c = t; c != null && parts.size() < 12; c = c.getCause() == c ? null : c.getCause())
            parts.add("{\"class\":" + str(c.getClass().getName()) + ",\"message\":" + str(c.getMessage()) + "}");
        return "[" + String.join(",", parts) + "]";
    }

    static String strs(String[] values)
    {
        if (values == null)
            return "null";
        List<String> parts = new ArrayList<>();
        for (String v : values)
            parts.add(str(v));
        return "[" + String.join(",", parts) + "]";
    }

    static String str(String s)
    {
        if (s == null)
            return "null";
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray())
        {
            switch (c)
            {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20)
                        b.append(String.format("\\u%04x", (int) c));
                    else
                        b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
