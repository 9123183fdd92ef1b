import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

import org.apache.cassandra.auth.MutualTlsCertificateValidityPeriodValidator;
import org.apache.cassandra.auth.MutualTlsUtil;
import org.apache.cassandra.config.DurationSpec;
import org.apache.cassandra.exceptions.AuthenticationException;

/**
 * Cassandra 6.0's own MutualTlsCertificateValidityPeriodValidator and MutualTlsUtil, one
 * request per stdin line:
 *   "cert PATH MAX" (MAX a DurationSpec such as 30d, or "none") prints
 *       "VALIDITY ok MINUTES_TO_EXPIRATION" or "VALIDITY refused MESSAGE";
 *   "human MINUTES" prints "HUMAN TEXT" (toHumanReadableCertificateExpiration).
 */
public class ValidityPeriod
{
    public static void main(String[] args) throws Exception
    {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (String line; (line = in.readLine()) != null; )
        {
            String[] p = line.split(" ");
            if (p[0].equals("human"))
            {
                System.out.println("HUMAN " + MutualTlsUtil.toHumanReadableCertificateExpiration(Integer.parseInt(p[1])));
                continue;
            }
            Certificate cert;
            try (InputStream pem = new FileInputStream(p[1]))
            {
                cert = factory.generateCertificate(pem);
            }
            DurationSpec.IntMinutesBound max = p[2].equals("none") ? null : new DurationSpec.IntMinutesBound(p[2]);
            try
            {
                int minutes = new MutualTlsCertificateValidityPeriodValidator(max).validate(new Certificate[]{ cert });
                System.out.println("VALIDITY ok " + minutes);
            }
            catch (AuthenticationException e)
            {
                System.out.println("VALIDITY refused " + e.getMessage());
            }
        }
    }
}
