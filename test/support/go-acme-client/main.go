// Command go-acme-client drives an ACME server with golang.org/x/crypto/acme, the library
// cert-manager's ACME issuer is built on, making the calls cert-manager makes for a Certificate
// with IP addresses: an RSA-2048 account key, Register (with an External Account Binding when
// given; and, as after a restart, Register again followed by GetReg), AuthorizeOrder with "ip" identifiers, http-01 served by this process,
// Accept, WaitAuthorization, WaitOrder and CreateOrderCert with a CSR whose SAN holds the IPs.
// The server is trusted through an http.Client whose root pool holds only the given CA bundle, as
// cert-manager does with an issuer's caBundle.
//
// It prints one JSON summary on stdout and writes the chain and key to -out.
package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/acme"
)

type options struct {
	directory string
	caBundle  string
	ips       []string
	port      string
	out       string
	eabKID    string
	eabHMAC   string
}

type summary struct {
	Account        string   `json:"account"`
	AccountAgain   string   `json:"accountAgain"`
	Identifiers    []string `json:"identifiers"`
	AuthzStatuses  []string `json:"authzStatuses"`
	OrderStatus    string   `json:"orderStatus"`
	CertURL        string   `json:"certUrl"`
	ChainLength    int      `json:"chainLength"`
	HTTP01Served   int64    `json:"http01Served"`
	AccountKeyBits int      `json:"accountKeyBits"`
}

// http01Responder serves key authorizations at /.well-known/acme-challenge/TOKEN.
type http01Responder struct {
	mu     sync.Mutex
	bodies map[string]string
	served atomic.Int64
}

func (r *http01Responder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	body, ok := r.bodies[req.URL.Path]
	r.mu.Unlock()
	if !ok {
		http.NotFound(w, req)
		return
	}
	r.served.Add(1)
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte(body))
}

func (r *http01Responder) set(path, body string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bodies[path] = body
}

func parseOptions() options {
	var o options
	var ips string
	flag.StringVar(&o.directory, "directory", "", "ACME directory URL")
	flag.StringVar(&o.caBundle, "ca-bundle", "", "PEM file with the roots that may sign the server's certificate")
	flag.StringVar(&ips, "ips", "", "comma-separated IPv4 identifiers")
	flag.StringVar(&o.port, "http01-port", "80", "port on each IP where the server's validator fetches http-01")
	flag.StringVar(&o.out, "out", "", "directory for fullchain.pem and key.pem")
	flag.StringVar(&o.eabKID, "eab-kid", "", "External Account Binding key id (optional)")
	flag.StringVar(&o.eabHMAC, "eab-hmac", "", "External Account Binding HMAC key, base64url as cert-manager reads it")
	flag.Parse()
	o.ips = strings.Split(ips, ",")
	return o
}

// httpClientWithBundle trusts exactly the roots in the bundle (cert-manager: spec.acme.caBundle).
func httpClientWithBundle(path string) (*http.Client, error) {
	bundle, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(bundle) {
		return nil, fmt.Errorf("no certificate in %s", path)
	}
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	return &http.Client{Transport: transport, Timeout: 30 * time.Second}, nil
}

func newClient(o options, key crypto.Signer, httpClient *http.Client) *acme.Client {
	return &acme.Client{Key: key, HTTPClient: httpClient, DirectoryURL: o.directory, UserAgent: "go-acme-client (golang.org/x/crypto/acme)"}
}

// newAccount is what cert-manager registers: a contact and, when configured, an EAB with HS256.
func newAccount(o options) (*acme.Account, error) {
	account := &acme.Account{Contact: []string{"mailto:ops@example.com"}}
	if o.eabKID == "" {
		return account, nil
	}
	key, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(o.eabHMAC, "="))
	if err != nil {
		return nil, fmt.Errorf("eab-hmac: %w", err)
	}
	account.ExternalAccountBinding = &acme.ExternalAccountBinding{KID: o.eabKID, Key: key}
	return account, nil
}

// register creates the account, or finds it as cert-manager does when the key is already registered.
func register(ctx context.Context, client *acme.Client, o options) (string, error) {
	template, err := newAccount(o)
	if err != nil {
		return "", err
	}
	account, err := client.Register(ctx, template, acme.AcceptTOS)
	if errors.Is(err, acme.ErrAccountAlreadyExists) {
		account, err = client.GetReg(ctx, "")
	}
	if err != nil {
		return "", err
	}
	return account.URI, nil
}

// authorize answers each pending authorization's http-01 challenge and waits for it to be valid.
func authorize(ctx context.Context, client *acme.Client, order *acme.Order, responder *http01Responder) ([]string, error) {
	var statuses []string
	for _, url := range order.AuthzURLs {
		authz, err := client.GetAuthorization(ctx, url)
		if err != nil {
			return nil, err
		}
		if authz.Status == acme.StatusPending {
			if authz, err = solveHTTP01(ctx, client, authz, responder); err != nil {
				return nil, err
			}
		}
		statuses = append(statuses, authz.Status)
	}
	return statuses, nil
}

func solveHTTP01(ctx context.Context, client *acme.Client, authz *acme.Authorization, responder *http01Responder) (*acme.Authorization, error) {
	for _, challenge := range authz.Challenges {
		if challenge.Type != "http-01" {
			continue
		}
		body, err := client.HTTP01ChallengeResponse(challenge.Token)
		if err != nil {
			return nil, err
		}
		responder.set(client.HTTP01ChallengePath(challenge.Token), body)
		if _, err := client.Accept(ctx, challenge); err != nil {
			return nil, err
		}
		return client.WaitAuthorization(ctx, authz.URI)
	}
	return nil, fmt.Errorf("authorization %s offers no http-01 challenge", authz.URI)
}

// certificateRequest is a CSR with an empty subject and the IPs in its SAN, for a fresh RSA-2048 key.
func certificateRequest(ips []string) ([]byte, *rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	template := &x509.CertificateRequest{}
	for _, ip := range ips {
		template.IPAddresses = append(template.IPAddresses, net.ParseIP(ip))
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, template, key)
	return csr, key, err
}

func writeOutputs(dir string, chain [][]byte, key *rsa.PrivateKey) error {
	var pemChain []byte
	for _, der := range chain {
		pemChain = append(pemChain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	if err := os.WriteFile(filepath.Join(dir, "fullchain.pem"), pemChain, 0o600); err != nil {
		return err
	}
	keyPem := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return os.WriteFile(filepath.Join(dir, "key.pem"), keyPem, 0o600)
}

// startResponder listens on every identifier IP at the given port, where the validator dials.
func startResponder(ips []string, port string) (*http01Responder, *http.Server, error) {
	responder := &http01Responder{bodies: map[string]string{}}
	server := &http.Server{Handler: responder, ReadHeaderTimeout: 10 * time.Second}
	for _, ip := range ips {
		listener, err := net.Listen("tcp", net.JoinHostPort(ip, port))
		if err != nil {
			server.Close()
			return nil, nil, err
		}
		go func() { _ = server.Serve(listener) }()
	}
	return responder, server, nil
}

func run(ctx context.Context, o options) (*summary, error) {
	httpClient, err := httpClientWithBundle(o.caBundle)
	if err != nil {
		return nil, err
	}
	responder, server, err := startResponder(o.ips, o.port)
	if err != nil {
		return nil, err
	}
	defer server.Close()
	accountKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	result := &summary{AccountKeyBits: accountKey.N.BitLen()}
	if result.Account, err = register(ctx, newClient(o, accountKey, httpClient), o); err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	// A second client with the same key, as cert-manager after a restart: Register, then GetReg.
	client := newClient(o, accountKey, httpClient)
	if result.AccountAgain, err = register(ctx, client, o); err != nil {
		return nil, fmt.Errorf("register again: %w", err)
	}
	return result, finishOrder(ctx, client, o, responder, result)
}

func finishOrder(ctx context.Context, client *acme.Client, o options, responder *http01Responder, result *summary) error {
	order, err := client.AuthorizeOrder(ctx, acme.IPIDs(o.ips...))
	if err != nil {
		return fmt.Errorf("new order: %w", err)
	}
	for _, id := range order.Identifiers {
		result.Identifiers = append(result.Identifiers, id.Type+":"+id.Value)
	}
	if result.AuthzStatuses, err = authorize(ctx, client, order, responder); err != nil {
		return fmt.Errorf("authorize: %w", err)
	}
	if order, err = client.WaitOrder(ctx, order.URI); err != nil {
		return fmt.Errorf("wait order: %w", err)
	}
	csr, key, err := certificateRequest(o.ips)
	if err != nil {
		return err
	}
	chain, certURL, err := client.CreateOrderCert(ctx, order.FinalizeURL, csr, true)
	if err != nil {
		return fmt.Errorf("finalize: %w", err)
	}
	if order, err = client.GetOrder(ctx, order.URI); err != nil {
		return fmt.Errorf("get order: %w", err)
	}
	result.OrderStatus, result.CertURL, result.ChainLength = order.Status, certURL, len(chain)
	result.HTTP01Served = responder.served.Load()
	return writeOutputs(o.out, chain, key)
}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	result, err := run(ctx, parseOptions())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_ = json.NewEncoder(os.Stdout).Encode(result)
}
