/* The oracle of Scylla's SUBJECT and ALTNAME strings (tests/scylla_auth.rs).
 *
 * Reads a PEM or DER certificate and prints two lines:
 *   DN <gnutls_x509_crt_get_dn>     or   DNERR <gnutls error code>
 *   ALT <alt names>                 or   ALTERR <gnutls error code>
 * The DN as Seastar reads it (src/net/tls_gnutls.cc:1339-1349, get_gtls_string); the alt
 * names as get_alt_name_information collects them (src/net/tls_gnutls.cc:1205-1275) and
 * Scylla joins them (transport/server.cc:1489-1490: "{type}={value}" joined with ","), types
 * named by format_as (src/net/tls-impl.cc:403-420), IPs by inet_ntop
 * (src/net/inet_address.cc:348-354). Seastar 525fcc86, scylladb f4a4091c.
 */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *type_name(int t) {
	switch (t) {
	case GNUTLS_SAN_DNSNAME: return "DNS";
	case GNUTLS_SAN_RFC822NAME: return "EMAIL";
	case GNUTLS_SAN_URI: return "URI";
	case GNUTLS_SAN_IPADDRESS: return "IP";
	case GNUTLS_SAN_OTHERNAME: return "OTHERNAME";
	case GNUTLS_SAN_DN: return "DIRNAME";
	default: return "UNKNOWN";
	}
}

static void put_bytes(const unsigned char *p, size_t n) { fwrite(p, 1, n, stdout); }

int main(int argc, char **argv) {
	if (argc != 2) { fprintf(stderr, "usage: gnutls_dn CERT\n"); return 2; }
	FILE *f = fopen(argv[1], "rb");
	if (!f) { perror("open"); return 2; }
	static unsigned char data[1 << 20];
	size_t n = fread(data, 1, sizeof data, f);
	fclose(f);
	gnutls_datum_t d = { data, (unsigned)n };
	gnutls_x509_crt_t crt;
	gnutls_x509_crt_init(&crt);
	int ret = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM);
	if (ret < 0) ret = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER);
	if (ret < 0) { printf("IMPORTERR %d\n", ret); return 0; }

	/* get_gtls_string: size query, then the call. */
	size_t size = 0;
	ret = gnutls_x509_crt_get_dn(crt, NULL, &size);
	if (ret != GNUTLS_E_SHORT_MEMORY_BUFFER) {
		printf("DNERR %d\n", ret);
	} else {
		char *buf = malloc(size);
		ret = gnutls_x509_crt_get_dn(crt, buf, &size);
		if (ret < 0) printf("DNERR %d\n", ret);
		else { printf("DN "); put_bytes((unsigned char *)buf, size); printf("\n"); }
		free(buf);
	}

	printf("ALT ");
	for (unsigned i = 0;; i++) {
		size_t sz = 0;
		int err = gnutls_x509_crt_get_subject_alt_name(crt, i, NULL, &sz, NULL);
		if (err == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) break;
		if (err != GNUTLS_E_SHORT_MEMORY_BUFFER) { printf("\nALTERR %d\n", err); return 0; }
		unsigned char *buf = malloc(sz + 1);
		size_t cap = sz;
		err = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &sz, NULL);
		if (err < 0) { printf("\nALTERR %d\n", err); return 0; }
		if (i > 0) printf(",");
		printf("%s=", type_name(err));
		if (err == GNUTLS_SAN_IPADDRESS) {
			char text[INET6_ADDRSTRLEN];
			if (sz == 4) inet_ntop(AF_INET, buf, text, sizeof text);
			else if (sz == 16) inet_ntop(AF_INET6, buf, text, sizeof text);
			else { printf("\nALTERR size %zu\n", sz); return 0; }
			printf("%s", text);
		} else {
			/* Seastar keeps the buffer of the first call's size and strips trailing NULs. */
			size_t len = cap;
			while (len > 0 && buf[len - 1] == 0) len--;
			put_bytes(buf, len);
		}
		free(buf);
	}
	printf("\n");
	gnutls_x509_crt_deinit(crt);
	return 0;
}
