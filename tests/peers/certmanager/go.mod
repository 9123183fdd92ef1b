module cassandra-tls/tests/peers/certmanager

go 1.22

require (
	github.com/pavlo-v-chernykh/keystore-go/v4 v4.5.0
	software.sslmate.com/src/go-pkcs12 v0.7.4
)

require golang.org/x/crypto v0.11.0 // indirect
