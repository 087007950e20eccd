#pragma once

// TLS client set-up shared by the websocket client and the REST client (OpenSSL only, no Boost):
// the trust store, SNI and the host-name or IP check of one connection, and a readable account of
// a certificate that failed verification. Internal to odte::feeds_net.
//
// What a connection verifies (all inside OpenSSL's chain verification, so every failure has an
// X509_V_ERR_* reason): the chain up to a CA in the system store or in ca_file, each certificate's
// validity dates, and the leaf's subjectAltName against the URL's host -- a DNS entry for a name
// (no partial wildcards, never the subject CN), an IP entry for an IP literal.

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <string>
#include <string_view>

namespace odte::feeds::tls {

// verify_peer, the system CA store, plus `ca_file` (a PEM bundle of one or more CA certificates)
// when not empty. Returns "" or a one-line error naming the file.
[[nodiscard]] std::string configure_client_context(SSL_CTX* ctx, const std::string& ca_file);

// True for an IPv4 or IPv6 literal ("127.0.0.1", "::1"), false for a DNS name.
[[nodiscard]] bool is_ip_literal(const std::string& host) noexcept;

// Before the handshake of one connection to `host`: SNI with the name (not for an IP literal:
// RFC 6066 allows DNS names only) and the certificate's expected name or address. Returns "" or an
// error.
[[nodiscard]] std::string prepare_connection(SSL* ssl, const std::string& host);

// The first certificate the verification refused, as seen by the verify callback.
struct VerifyFailure {
  int error = X509_V_OK;
  int depth = -1;
  std::string subject;
  std::string issuer;
  std::string validity;  // "NOT_BEFORE to NOT_AFTER", for the two date errors only
};

// The verify callback's body: records the first refusal, returns `preverified` unchanged (so the
// decision stays OpenSSL's).
bool note(bool preverified, X509_STORE_CTX* ctx, VerifyFailure& out) noexcept;

// After a failed handshake to `host`: "certificate verification failed for HOST: REASON
// (certificate 'SUBJECT' issued by 'ISSUER')", with a hint about ca_file when the issuer is unknown. Empty when the handshake
// failed for another reason than the certificate (a network error, a protocol alert).
[[nodiscard]] std::string describe_failure(const VerifyFailure& f, const SSL* ssl, std::string_view host);

}  // namespace odte::feeds::tls
