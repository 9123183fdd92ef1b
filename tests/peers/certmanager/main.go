// Writes key stores and truststores the way cert-manager writes them into a Certificate's
// Secret (pkg/controller/certificates/issuing/internal/keystore.go): JKS with keystore-go
// (a key entry "certificate" holding the chain, a trusted entry "ca", certificate type
// "X509"), and PKCS#12 with go-pkcs12 in its three profiles (LegacyRC2, the default;
// LegacyDES; Modern2023). Inputs are PEM files made by OpenSSL; nothing is generated here.
//
// Usage: certmanager-stores -key tls.key -cert tls.crt [-ca ca.crt] -password PW -out DIR
// Prints one line per file written, then "done N".
package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"
	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func pemBlocks(path, want string) [][]byte {
	data, err := os.ReadFile(path)
	if err != nil {
		fail("%s: %v", path, err)
	}
	var out [][]byte
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if want == "" || block.Type == want {
			out = append(out, block.Bytes)
		}
	}
	if len(out) == 0 {
		fail("%s: no %s block", path, want)
	}
	return out
}

func certificates(path string) []*x509.Certificate {
	var out []*x509.Certificate
	for _, der := range pemBlocks(path, "CERTIFICATE") {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			fail("%s: %v", path, err)
		}
		out = append(out, c)
	}
	return out
}

// cert-manager's encodeJKSKeystore: the key as PKCS#8, the chain from tls.crt, and the CA as a
// trusted entry when there is one.
func jksKeystore(password []byte, keyPKCS8 []byte, chain, cas []*x509.Certificate) []byte {
	ks := jks.New()
	entry := jks.PrivateKeyEntry{CreationTime: time.Now(), PrivateKey: keyPKCS8}
	for _, c := range chain {
		entry.CertificateChain = append(entry.CertificateChain, jks.Certificate{Type: "X509", Content: c.Raw})
	}
	if err := ks.SetPrivateKeyEntry("certificate", entry, password); err != nil {
		fail("jks key entry: %v", err)
	}
	addCAs(&ks, cas)
	return storeJKS(&ks, password)
}

// cert-manager's encodeJKSTruststore: the CAs alone.
func jksTruststore(password []byte, cas []*x509.Certificate) []byte {
	ks := jks.New()
	addCAs(&ks, cas)
	return storeJKS(&ks, password)
}

func addCAs(ks *jks.KeyStore, cas []*x509.Certificate) {
	for i, ca := range cas {
		alias := "ca"
		if i > 0 {
			alias = fmt.Sprintf("ca-%d", i)
		}
		err := ks.SetTrustedCertificateEntry(alias, jks.TrustedCertificateEntry{
			CreationTime: time.Now(),
			Certificate:  jks.Certificate{Type: "X509", Content: ca.Raw},
		})
		if err != nil {
			fail("jks trusted entry: %v", err)
		}
	}
}

func storeJKS(ks *jks.KeyStore, password []byte) []byte {
	var buf bytes.Buffer
	if err := ks.Store(&buf, password); err != nil {
		fail("jks store: %v", err)
	}
	return buf.Bytes()
}

func main() {
	keyPath := flag.String("key", "", "tls.key (PKCS#8, PKCS#1 or SEC1 PEM)")
	certPath := flag.String("cert", "", "tls.crt: the leaf, then its chain")
	caPath := flag.String("ca", "", "ca.crt (optional)")
	password := flag.String("password", "", "the store password")
	out := flag.String("out", "", "the directory to write into")
	flag.Parse()
	if *keyPath == "" || *certPath == "" || *out == "" {
		fail("usage: certmanager-stores -key tls.key -cert tls.crt [-ca ca.crt] -password PW -out DIR")
	}
	keyDER := pemBlocks(*keyPath, "")[0]
	key, err := x509.ParsePKCS8PrivateKey(keyDER)
	if err != nil {
		if k, err1 := x509.ParsePKCS1PrivateKey(keyDER); err1 == nil {
			key = k
		} else if k, err2 := x509.ParseECPrivateKey(keyDER); err2 == nil {
			key = k
		} else {
			fail("%s: %v", *keyPath, err)
		}
	}
	keyPKCS8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		fail("pkcs8: %v", err)
	}
	chain := certificates(*certPath)
	var cas []*x509.Certificate
	if *caPath != "" {
		cas = certificates(*caPath)
	}
	written := 0
	write := func(name string, data []byte) {
		path := filepath.Join(*out, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			fail("%s: %v", path, err)
		}
		fmt.Println("wrote", name)
		written++
	}
	pw := []byte(*password)
	write("keystore.jks", jksKeystore(pw, keyPKCS8, chain, cas))
	if len(cas) > 0 {
		write("truststore.jks", jksTruststore(pw, cas))
	}
	profiles := []struct {
		name    string
		encoder *pkcs12.Encoder
	}{
		{"legacyrc2", pkcs12.LegacyRC2},
		{"legacydes", pkcs12.LegacyDES},
		{"modern2023", pkcs12.Modern2023},
	}
	for _, p := range profiles {
		// cert-manager's encodePKCS12Keystore: the leaf with its key, and as CA certificates the
		// rest of tls.crt followed by ca.crt.
		extra := append(append([]*x509.Certificate{}, chain[1:]...), cas...)
		data, err := p.encoder.Encode(key, chain[0], extra, *password)
		if err != nil {
			fail("pkcs12 %s: %v", p.name, err)
		}
		write("keystore-"+p.name+".p12", data)
		if len(cas) > 0 {
			data, err := p.encoder.EncodeTrustStore(cas, *password)
			if err != nil {
				fail("pkcs12 truststore %s: %v", p.name, err)
			}
			write("truststore-"+p.name+".p12", data)
		}
	}
	fmt.Println("done", written)
}
